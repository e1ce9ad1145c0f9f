/**
 * The theorems as properties (Montavon et al. 2017, Propositions 1–3), through the testing kit: for w², z⁺ and
 * zᵇ on Dense and Conv2d networks, shallow and deep — conservative, positive, roots are roots and lie in the
 * domain, and the derived rule equals eq. (4) written out. A deliberately wrong direction is caught.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as DT from "@dtd/deep-taylor";
import { Props } from "@dtd/deep-taylor/testing";

const zbStrategy = (() => {
  const s = DT.zB(-1, 2);
  if (E.isLeft(s)) throw new Error(s.left);
  return s.right;
})();
/** The error message of a property's first failure (fast-check keeps it in the run details). */
const failureOf = <Ts>(prop: fc.IPropertyWithHooks<Ts>, numRuns: number): string => {
  const run = fc.check(prop, { numRuns });
  return run.failed ? String(run.errorInstance instanceof Error ? run.errorInstance.message : run.errorInstance) : "no failure";
};

const strategies = { w2: DT.w2, zplus: DT.zPlus, zb: zbStrategy } as const;

describe.each(Object.entries(strategies))("rule %s", (_name, strategy) => {
  const rule = DT.deriveRule(strategy);
  test("is conservative: Σ_p R_p = f(x) at every layer (dense and conv, shallow and deep)", () => {
    fc.assert(Props.conservative(rule));
  });
  test("is positive: R_p ≥ 0", () => {
    fc.assert(Props.positive(rule));
  });
  test("its roots are roots, on the segment, inside the domain", () => {
    fc.assert(Props.rootsAreRoots(rule), { numRuns: 25 });
  });
  test("derived through forward passes and VJPs, it equals eq. (4) with v materialised", () => {
    fc.assert(Props.matchesNaiveEq4(strategy));
  });
  test("float32: conservative and positive within the float32 tolerance (γ_n with u = 2⁻²⁴), roots verified", () => {
    fc.assert(Props.conservative(rule, { dtype: "float32" }));
    fc.assert(Props.positive(rule, { dtype: "float32" }));
    fc.assert(Props.rootsAreRoots(rule, { dtype: "float32" }), { numRuns: 25 });
  });
});

describe("rules used in every layer", () => {
  test("z⁺ everywhere is consistent; w² everywhere too on dense detection networks", () => {
    fc.assert(Props.consistent(DT.deriveRule(DT.zPlus), { placement: "all" }));
    fc.assert(Props.consistent(DT.deriveRule(DT.w2), { placement: "all", kinds: ["dense"] }));
  });
  test("w² above a proportional pooling layer leaks relevance (the deck: all but the first layer need z⁺)", () => {
    // w² gives relevance to units whose activation is 0; a proportional pooling window of zeros cannot pass it on.
    expect(failureOf(Props.conservative(DT.deriveRule(DT.w2), { placement: "all", kinds: ["conv"] }), 200)).toMatch(/not conservative|relevance leaks/);
  });
  test("deep dense networks (up to 6 detection layers)", () => {
    fc.assert(Props.consistent(DT.deriveRule(DT.zPlus), { kinds: ["dense"], maxDepth: 6 }), { numRuns: 20 });
  });
  test("float32: z⁺ everywhere, w² everywhere on dense networks, deep dense networks — consistent within the float32 tolerance", () => {
    fc.assert(Props.consistent(DT.deriveRule(DT.zPlus), { placement: "all", dtype: "float32" }));
    fc.assert(Props.consistent(DT.deriveRule(DT.w2), { placement: "all", kinds: ["dense"], dtype: "float32" }));
    fc.assert(Props.consistent(DT.deriveRule(DT.zPlus), { kinds: ["dense"], maxDepth: 6, dtype: "float32" }), { numRuns: 20 });
  });
  test("float32: the leak of w² above a proportional pooling layer is still caught", () => {
    expect(failureOf(Props.conservative(DT.deriveRule(DT.w2), { placement: "all", kinds: ["conv"], dtype: "float32" }), 200)).toMatch(/not conservative|relevance leaks/);
  });
});

describe("deliberately wrong directions are caught", () => {
  test("a direction pointing away from the root (v = −x·1[w ≥ 0]) has no root on its segment", () => {
    const wrong: DT.Strategy = { ...DT.zPlus, name: "backwards", direction: DT.split(DT.term("-x", DT.customInput((x) => T.neg(x)), DT.signMask(1, 0, 1))) };
    expect(failureOf(Props.rootsAreRoots(DT.deriveRule(wrong)), 30)).toMatch(/noRootOnSegment/);
  });
  test("a direction that leaves ℝ₊ᵈ (v = x + 3) is reported outside the domain", () => {
    const leaving: DT.Strategy = {
      ...DT.zPlus,
      name: "leaving",
      segment: Infinity,
      direction: DT.split(DT.term("x+3", DT.customInput((x) => T.add(x, 3)), DT.signMask(1, 0, 1))),
    };
    expect(failureOf(Props.rootsAreRoots(DT.deriveRule(leaving), { kinds: ["dense"] }), 50)).toMatch(/outsideDomain/);
  });
  test("the z-rule (v = x, all weights) is conservative but not positive", () => {
    const z: DT.Strategy = { ...DT.zPlus, name: "z", direction: DT.split(DT.term("x", DT.input, DT.everyWeight)) };
    fc.assert(Props.conservative(DT.deriveRule(z), { kinds: ["dense"], placement: "all" }), { numRuns: 20 });
    expect(failureOf(Props.positive(DT.deriveRule(z), { kinds: ["dense"], placement: "all" }), 100)).toMatch(/not positive/);
  });
});
