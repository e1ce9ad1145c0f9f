/**
 * The kit in one call (`Kit.checkRule`): every property, one report, the smallest counterexample of each failure
 * (and a hook to save it); the naive eq. (4) on convolutions; materialised directions on convolutions; the
 * diagnostic of relevance on inactive units.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Arb, Kit, Props } from "@dtd/deep-taylor/testing";

const wPlusSquared: DT.Strategy = { ...DT.zPlus, name: "w+^2", segment: Infinity, direction: DT.split(DT.term("1", DT.constantInput(1), DT.weightFn((w) => Math.max(0, w)))) };

describe("Kit.checkRule", () => {
  test("a sound rule: every property holds, in one report (a strategy or its rule alike)", () => {
    const report = Kit.checkRule(DT.zPlus, { numRuns: 8, seed: 1 });
    expect(report.ok).toBe(true);
    expect(report.properties.map((p) => [p.name, p.ok, p.runs])).toEqual([
      ["conservative", true, 8],
      ["positive", true, 8],
      ["rootsAreRoots", true, 8],
      ["matchesNaiveEq4", true, 8],
    ]);
    expect(Kit.formatReport(report).split("\n")[0]).toBe("rule zplus: 4 of 4 properties hold");
    expect(Kit.checkRule(DT.deriveRule(DT.zPlus), { numRuns: 8, seed: 1 }).ok).toBe(true);
  });
  test("a wrong rule: the failure names layer, neuron, step and where x̃ leaves; the shrunk counterexample is kept and saved", () => {
    const saved: [string, DT.Strategy["name"], number][] = [];
    const report = Kit.checkRule(wPlusSquared, {
      numRuns: 40,
      seed: 7,
      properties: ["conservative", "rootsAreRoots"],
      save: (c, property) => {
        saved.push([property, c.description, c.sample]);
        return `kept in memory (${property})`;
      },
    });
    expect(report.ok).toBe(false);
    const [conservative, roots] = report.properties;
    expect(conservative!.ok).toBe(true);
    expect(roots!.ok).toBe(false);
    expect(roots!.failure).toMatch(/^\d+ root violation\(s\) among \d+ active neurons; first: layer 0 \(dense, rule w\+\^2\), sample \d+, neuron \d+: outsideDomain — the root at s = [\d.e-]+ leaves the domain at input unit \d+ \(x̃ = -[\d.e-]+, expected x ≥ 0\)/);
    const c = roots!.counterexample!;
    // fast-check shrinks the drawn sizes: one input unit suffices to leave ℝ₊ᵈ... at most a few.
    expect(c.model.inputShape.length).toBe(1);
    expect(c.model.inputShape[0]!).toBeLessThanOrEqual(3);
    expect(c.x.shape[0]).toBe(2);
    expect(saved).toEqual([["rootsAreRoots", `rule w+^2, property rootsAreRoots: ${roots!.failure}`, c.sample]]);
    const text = Kit.formatReport(report);
    expect(text).toContain("FAIL  rootsAreRoots");
    expect(text).toContain(`smallest failing case (shrunk by fast-check; replay with seed 7, path "${roots!.path}"):`);
    expect(text).toMatch(/network {2}input \[\d\] → dense_0 \(dense → \[\d+\]\) → relu_1 \(relu → \[\d+\]\)/);
    expect(text).toContain("saved    kept in memory (rootsAreRoots)");
    // the counterexample replays: the same failure on the same network
    expect(Props.rootFailure(DT.deriveRule(wPlusSquared), c.model, c.x)).toBe(roots!.failure);
  });
  test("a rule whose implementation is not its eq. (4) is caught on convolutions, naming the layer", () => {
    // The z-rule's strategy, with z⁺'s propagation: the derived numbers are not the strategy's eq. (4).
    const lying: DT.Rule = { ...DT.deriveRule(DT.zPlus), strategy: { ...DT.zPlus, name: "z", direction: DT.split(DT.term("x", DT.input, DT.everyWeight)) } };
    const run = fc.check(Props.matchesNaiveEq4(lying, { kinds: ["conv2d"] }), { numRuns: 30, seed: 3 });
    expect(run.failed).toBe(true);
    expect(String(run.errorInstance instanceof Error ? run.errorInstance.message : run.errorInstance)).toMatch(/^derived rule ≠ naive eq\. \(4\) on layer 0 \(conv2d\) with input shape \[\d, \d, \d\]: the denominator of unit \d+ of sample \d is/);
  });
});

describe("eq. (4) written out on convolutions", () => {
  const zb = (() => {
    const s = DT.zB(-1, 2);
    if (E.isLeft(s)) throw new Error(s.left);
    return s.right;
  })();
  const gamma: DT.Strategy = { ...DT.zPlus, name: "gamma", direction: DT.split(DT.term("x", DT.input, DT.modifiedWeight((w) => w + 0.25 * Math.max(0, w)))) };
  const flat: DT.Strategy = { name: "flat", domain: L.Domain.real, direction: DT.split(DT.term("1", DT.constantInput(1), DT.modifiedWeight(() => 1))), segment: Infinity, requiresNonPositiveBias: false };
  test.each([DT.w2, DT.zPlus, zb, gamma, flat])("the derived rule equals it on Dense, Conv2d and DepthwiseConv2d layers ($name)", (strategy) => {
    fc.assert(Props.matchesNaiveEq4(strategy));
  });
  test.each([DT.zPlus, zb, gamma])("a materialised direction explains conv nets and graphs as its split form does ($name)", (strategy) => {
    const fast = DT.trainingFree(DT.deriveRule(strategy));
    const slow = DT.trainingFree(DT.deriveRule(DT.materialize(strategy)));
    fc.assert(
      fc.property(Arb.networkWithInputs(strategy.domain, { kinds: ["conv", "graph"] }), ({ model, x }) => {
        const a = DT.explain(model, x, fast);
        const b = DT.explain(model, x, slow);
        if (E.isLeft(a) || E.isLeft(b)) throw new Error(E.isLeft(a) ? DT.message(a.left) : E.isLeft(b) ? DT.message(b.left) : "");
        expectAllClose(b.right.R, a.right.R, { atol: 1e-12, rtol: 1e-9 });
      }),
      { numRuns: 20 },
    );
  });
});

describe("relevance on inactive units", () => {
  test("z⁺ above the first layer puts none on units that did not fire (its direction vanishes where x_i = 0)", () => {
    fc.assert(
      fc.property(Arb.networkWithInputs(L.Domain.nonNegative, { kinds: ["dense", "conv", "graph"] }), ({ model, x }) => {
        const e = DT.explain(model, x, DT.uniform(DT.deriveRule(DT.zPlus)));
        if (E.isLeft(e)) throw new Error(DT.message(e.left));
        for (const row of DT.Diagnostics.inactiveRelevance(model, e.right)) expect(Array.from(row.inactive)).toEqual(Array.from(row.inactive, () => 0));
      }),
      { numRuns: 25 },
    );
  });
  test("w² above a ReLU does (its direction w ignores x), and the diagnostic says how much and where", () => {
    const built = L.build([2], L.sequential(L.detection(T.of([1, -1, -1, 1], [2, 2]), T.of([0, 0], [2])), L.detection(T.of([1, 1], [2, 1]), T.of([0], [1])), L.sumPool()));
    if (E.isLeft(built)) throw new Error(L.message(built.left));
    // x = [2, 1]: the first layer's units are [1, 0]: unit 1 did not fire. w² in the second layer gives it half.
    const e = DT.explain(built.right, T.of([2, 1], [1, 2]), DT.uniform(DT.deriveRule(DT.w2)));
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    const rows = DT.Diagnostics.inactiveRelevance(built.right, e.right);
    expect(rows.map((r) => [r.name, r.kind, r.rules])).toEqual([
      ["relu_1", "relu", ["w2"]],
      ["relu_3", "relu", [""]],
    ]);
    expectAllClose(rows[0]!.inactive, [0.5], { atol: 1e-12 });
    expectAllClose(rows[0]!.share, [0.5], { atol: 1e-12 });
  });
});
