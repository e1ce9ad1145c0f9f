/**
 * Deep Taylor decomposition on graph models: conservation node by node and at the input over random graphs
 * (residual blocks with identity and projection skips, nested skips, concatenations with pad2d and max pooling
 * branches, depthwise-separable blocks, global pooling) for w², z⁺ and zᵇ; positivity where the theory says so
 * (adds split by the rules' denominators); roots; and a chain explained through the graph sweep giving exactly
 * the relevances of the sequential sweep it replaced.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Arb, Props } from "@dtd/deep-taylor/testing";
import { propagateNonAffine } from "../src/internal/nonAffine.ts";

const zbStrategy = (() => {
  const s = DT.zB(-1, 2);
  if (E.isLeft(s)) throw new Error(s.left);
  return s.right;
})();
const strategies = { w2: DT.w2, zplus: DT.zPlus, zb: zbStrategy } as const;
const graphs = { kinds: ["graph"] } as const;
const runs = (n: number) => ({ numRuns: Math.min(fc.readConfigureGlobal().numRuns ?? 50, n) });

/** The error message of a property's first failure. */
const failureOf = <Ts>(prop: fc.IPropertyWithHooks<Ts>, numRuns: number): string => {
  const run = fc.check(prop, { numRuns });
  return run.failed ? String(run.errorInstance instanceof Error ? run.errorInstance.message : run.errorInstance) : "no failure";
};

describe.each(Object.entries(strategies))("rule %s first, z⁺ above, on graphs", (_name, strategy) => {
  const rule = DT.deriveRule(strategy);
  test("conservative node by node and at the input without adds (concatenations, pad2d, max pooling, depthwise, global pooling)", () => {
    fc.assert(Props.conservative(rule, { ...graphs, blocks: ["concat", "separable"] }), runs(30));
  });
  test("conservative and positive with adds split by the rules' denominators (one eq. (4) unit per add)", () => {
    fc.assert(Props.consistent(rule, { ...graphs, add: "rules" }), runs(30));
  });
  test("every root is a root, on its segment, in the domain", () => {
    fc.assert(Props.rootsAreRoots(rule, graphs), runs(15));
  });
});

describe("what the add split changes", () => {
  test("split proportionally, an add node itself always balances: Σ_a R_a = R where Σ_a a ≠ 0", () => {
    const rule = DT.deriveRule(DT.zPlus);
    fc.assert(
      fc.property(Arb.networkWithInputs(rule.strategy.domain, { ...graphs, blocks: ["residual", "projection", "nested"] }), ({ model, x }) => {
        const e = DT.explain(model, x, DT.trainingFree(rule));
        if (E.isLeft(e)) throw new Error(DT.message(e.left));
        const atAdds = DT.Consistency.leaks(model.nodes, e.right).filter((l) => l.kind === "add");
        expect(atAdds).toEqual([]);
      }),
      runs(30),
    );
  });
  test("split proportionally, an add whose inputs nearly cancel balances within the rounding of the shares it passes", () => {
    // a = 1e6·x₁ + 0.1·x₂ and b = −1e6·x₁: a + b = 0.1·x₂, so the shares a/(a+b)·R ≈ ±1e6·R are rounded at their
    // own magnitude, far above the rounding of R itself (the bound once used only Σ|R(out)|: DTD_SEED=-2106190644).
    const m = L.build([2], [
      L.node("a", L.dense(T.of([1e6 + 0.1, 0.1], [2, 1]), T.zeros([1]))),
      L.node("b", L.dense(T.of([-1e6, 0], [2, 1]), T.zeros([1])), ["input"]),
      L.node("sum", L.add, ["a", "b"]),
      L.relu,
      L.dense(T.of([0.37], [1, 1]), T.zeros([1])),
      L.sumPool(),
    ]);
    if (E.isLeft(m)) throw new Error("build");
    const x = T.of([0.7, 0.3, 0.3, 0.9, 0.123, 0.456, 0.31, 0.77], [4, 2]);
    const e = DT.explain(m.right, x, DT.uniform(DT.deriveRule(DT.zPlus)));
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    const sum = m.right.nodes.findIndex((nd) => nd.name === "sum");
    const worst = Math.max(...Array.from(e.right.balance[sum]!, Math.abs));
    expect(worst).toBeGreaterThan(0); // the rounding is there to be bounded
    expect(DT.Consistency.leaks(m.right.nodes, e.right).filter((l) => l.kind === "add")).toEqual([]);
  });
  test("split proportionally, relevance leaks below the add where a branch unit gets relevance but its z⁺ denominator vanishes", () => {
    // relu(fc(x) + proj(x)) with fc = (x₁, −x₁), proj = (0, 2x₃) at x = (1, 0, 1): sums (1, 1), f = 2. Unit 2 splits
    // its R = 1 as −1 to fc and 2 to proj; fc's unit 2 has Σ_i x_i w⁺_i2 = 0 (no positive weight), so its −1 is lost.
    const m = L.build([3], [
      L.node("fc", L.dense(T.of([1, -1, 0, 0, 0, 0], [3, 2]), T.zeros([2]))),
      L.node("proj", L.dense(T.of([0, 0, 0, 0, 0, 2], [3, 2]), T.zeros([2])), ["input"]),
      L.node("sum", L.add, ["fc", "proj"]),
      L.relu,
      L.sumPool(),
    ]);
    if (E.isLeft(m)) throw new Error("build");
    const x = T.of([1, 0, 1], [1, 3]);
    const prop = DT.explain(m.right, x, DT.uniform(DT.deriveRule(DT.zPlus)));
    const rules = DT.explain(m.right, x, DT.uniform(DT.deriveRule(DT.zPlus), { add: "rules" }));
    if (E.isLeft(prop) || E.isLeft(rules)) throw new Error("explain");
    expect(DT.Consistency.leaks(m.right.nodes, prop.right).map((l) => l.name)).toEqual(["fc"]);
    expect(DT.Consistency.leaks(m.right.nodes, rules.right)).toEqual([]);
    expect(DT.Consistency.perSample(rules.right.f, rules.right.R, rules.right.tolerance)[0]!.consistent).toBe(true);
  });
  test("z⁺ everywhere with adds split by the rules is consistent on every kind of block", () => {
    fc.assert(Props.consistent(DT.deriveRule(DT.zPlus), { ...graphs, placement: "all", add: "rules" }), runs(30));
  });
  test("split proportionally, a residual add with a negative branch gives negative relevance (conservative, not positive)", () => {
    const rule = DT.deriveRule(DT.zPlus);
    expect(failureOf(Props.positive(rule, { ...graphs, blocks: ["residual", "projection"] }), 200)).toMatch(/not positive/);
  });
});

/** The sequential sweep `explain` had before graphs: layer by layer from the top, one relevance per layer. */
const chainSweep = (model: L.Model, x: T.Tensor, c: DT.Composite): T.Tensor[] => {
  const { activations } = L.forward(model, x);
  const assigned = DT.assign(c, model);
  if (E.isLeft(assigned)) throw new Error(DT.message(assigned.left));
  const n = model.layers.length;
  const relevances = new Array<T.Tensor>(n + 1);
  relevances[n] = activations[n]!;
  for (let i = n - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
    const a = assigned.right[i]!;
    const R = relevances[i + 1]!;
    relevances[i] =
      a._tag === "Rule" && L.isAffine(layer)
        ? a.rule.propagate(layer, activations[i]!, R, { z: activations[i + 1]! })
        : propagateNonAffine(layer, [activations[i]!], activations[i + 1]!, R, a as DT.Redistribution)[0]!;
  }
  return relevances;
};

describe("a chain through the graph sweep", () => {
  test("property: relevances at every layer are bit-identical to the sequential sweep (w², z⁺, zᵇ; dense and conv; both max pooling modes)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(strategies)).chain((s) => Arb.networkWithInputs(s.domain).map((mx) => ({ ...mx, s }))),
        fc.boolean(),
        ({ model, x, s }, proportional) => {
          const c = proportional ? DT.trainingFree(DT.deriveRule(s)) : DT.uniform(DT.deriveRule(s));
          const e = DT.explain(model, x, c, { lenient: true });
          if (E.isLeft(e)) throw new Error(DT.message(e.left));
          const expected = chainSweep(model, x, c);
          e.right.relevances.forEach((R, i) => expect(Array.from(R.data), `position ${i}`).toEqual(Array.from(expected[i]!.data)));
        },
      ),
    );
  });
});

describe("pad2d holds its zeros fixed", () => {
  test("pad2d then an unpadded conv explains exactly as the conv with its own zero padding (w², z⁺, zᵇ)", () => {
    fc.assert(
      fc.property(Arb.inputsIn(L.Domain.nonNegative, [2, 5, 4], 2), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (x, seed) => {
        const rng = T.Random.make(seed);
        const W = T.Random.normalTensor(rng, [3, 2, 3, 3]);
        const b = T.Random.uniformTensor(rng, [3], -0.2, 0);
        const head = [L.relu, L.globalAvgPool, L.sumPool()];
        const own = L.build([2, 5, 4], [L.conv2d(W, b, { padding: [1, 1] }), ...head]);
        const padded = L.build([2, 5, 4], [L.pad2d([1, 1, 1, 1]), L.conv2d(W, b), ...head]);
        if (E.isLeft(own) || E.isLeft(padded)) throw new Error("build");
        for (const s of Object.values(strategies)) {
          const c = DT.uniform(DT.deriveRule(s));
          const a = DT.explain(own.right, x, c, { lenient: true });
          const p = DT.explain(padded.right, x, c, { lenient: true });
          if (E.isLeft(a) || E.isLeft(p)) throw new Error("explain");
          const diff = T.Shape.size(x.shape) === 0 ? 0 : Math.max(...Array.from(T.sub(a.right.R, p.right.R).data, Math.abs));
          expect(diff, s.name).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(a.right.f.data[0]!)));
          expect(DT.Consistency.leaks(padded.right.nodes, p.right), s.name).toEqual([]);
        }
      }),
      runs(20),
    );
  });
});
