/**
 * What a researcher writing a new root-point rule needs (issue 16), each on a network worked out by hand — the
 * deck's 3-input, 2-unit layer, x = [1, 2, 0.5], W = [[1, −2], [2, 1], [−1, 3]], b = [−1, −0.5], z = [3.5, 1]:
 * failure reports that name the node, the unit, the sample, the step and the bound; open domains; modified
 * weights given directly (the flat rule without a 1/w guard); no stale cache when a weight function reads a
 * variable; configurable samples and neurons for the roots.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Props } from "@dtd/deep-taylor/testing";

const right = <A, B>(e: E.Either<A, B>): B => {
  if (E.isLeft(e)) throw new Error(typeof e.left === "string" ? e.left : JSON.stringify(e.left));
  return e.right;
};
const built = (shape: readonly number[], layers: L.Sequential): L.Model => {
  const m = L.build(shape, layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
const deck = (W = T.of([1, -2, 2, 1, -1, 3], [3, 2]), b = T.of([-1, -0.5], [2])): L.Model => built([3], L.sequential(L.detection(W, b), L.sumPool()));
const explained = (model: L.Model, x: T.Tensor, rule: DT.Rule, opts: DT.ExplainOptions = {}): DT.Explanation => {
  const e = DT.explain(model, x, DT.uniform(rule), opts);
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return e.right;
};
const firstViolation = (model: L.Model, x: T.Tensor, strategy: DT.Strategy): DT.RootViolation => {
  const r = right(DT.verifyRoots(model, x, DT.uniform(DT.deriveRule(strategy))));
  expect(r.violations.length).toBeGreaterThan(0);
  return r.violations[0]!;
};
const x0 = T.of([1, 2, 0.5], [1, 3]);

describe("a root violation names the node, the sample, the neuron, the step s and the bound it broke", () => {
  test("s < 0: a direction that raises the neuron (v = −x·1[w ≥ 0])", () => {
    const backwards: DT.Strategy = { ...DT.zPlus, name: "backwards", direction: DT.split(DT.term("-x", DT.customInput((x) => T.neg(x)), DT.signMask(1, 0, 1))) };
    const v = firstViolation(deck(), x0, backwards);
    // neuron 0: z = 3.5, w·v = −Σ_i x_i w_i0⁺ = −(1 + 4) ⇒ s = −0.7
    expect(v).toMatchObject({ layer: 0, name: "dense_0", kind: "dense", rule: "backwards", sample: 0, neuron: 0, problem: "noRootOnSegment", bound: "negative", segment: 1 });
    expectAllClose(v.s, -0.7, { atol: 1e-12 });
    expect(DT.describeViolation(v)).toBe(
      "layer 0 (dense, rule backwards), sample 0, neuron 0: noRootOnSegment — no root on the segment: the step s = -0.7 < 0 (the direction raises the neuron, z = 3.5: its root lies behind x)",
    );
  });
  test("s > σ: a segment too short for its direction", () => {
    const short: DT.Strategy = { ...DT.zPlus, name: "short", segment: 0.5 };
    const v = firstViolation(deck(), x0, short);
    // neuron 0: s = 3.5 / 5 = 0.7 > 0.5
    expect(v).toMatchObject({ neuron: 0, problem: "noRootOnSegment", bound: "pastEnd", segment: 0.5 });
    expect(DT.explainViolation(v)).toBe("no root on the segment: the step s = 0.7 lies past the segment's end σ = 0.5 (the segment stops before the neuron reaches 0, z = 3.5)");
  });
  test("no step: a direction the neuron does not see (w·v = 0), or v undefined (flat's 1/w at w = 0)", () => {
    const blind: DT.Strategy = { ...DT.zPlus, name: "blind", direction: DT.split(DT.term("x", DT.input, DT.signMask(0, 0, 1))) };
    expect(firstViolation(deck(), x0, blind)).toMatchObject({ problem: "noRootOnSegment", bound: "undefined", s: Infinity });
    const flat: DT.Strategy = { name: "flat", domain: L.Domain.real, direction: DT.split(DT.term("1", DT.constantInput(1), DT.modifiedWeight(() => 1))), segment: Infinity, requiresNonPositiveBias: false };
    const withZero = deck(T.of([1, 0, 2, 1, -1, 3], [3, 2])); // w_01 = 0: v_01 = q/w undefined
    const v = firstViolation(withZero, x0, flat);
    expect(v).toMatchObject({ neuron: 1, problem: "noRootOnSegment", bound: "undefined" });
    expect(Number.isNaN(v.s)).toBe(true);
  });
  test("outside the domain: the unit x̃ leaves it at, and the steps that stay inside", () => {
    const wPlusSquared: DT.Strategy = { ...DT.zPlus, name: "w+^2", segment: Infinity, direction: DT.split(DT.term("1", DT.constantInput(1), DT.weightFn((w) => Math.max(0, w)))) };
    // neuron 1 at x = [0.2, 0.1, 2]: z = −0.4 + 0.1 + 6 − 0.5 = 5.2, v = w⁺ = [0, 1, 3], s = 5.2 / 10 = 0.52
    // x̃ = [0.2, 0.1 − 0.52, 2 − 1.56]: unit 1 leaves ℝ₊ᵈ; x₁ − s ≥ 0 only for s ≤ 0.1
    const v = firstViolation(deck(), T.of([0.2, 0.1, 2], [1, 3]), wPlusSquared);
    expect(v).toMatchObject({ neuron: 1, problem: "outsideDomain", leaves: { unit: 1, expected: "x ≥ 0" } });
    expectAllClose(v.leaves!.value, 0.1 - 0.52, { atol: 1e-12 });
    expect(DT.explainViolation(v)).toBe("the root at s = 0.52 leaves the domain at input unit 1 (x̃ = -0.42, expected x ≥ 0); x − s·v stays inside only for s ≤ 0.1");
  });
  test("the kit's rootsAreRoots reports the same, and checks the samples and neurons asked for", () => {
    const backwards: DT.Strategy = { ...DT.zPlus, name: "backwards", direction: DT.split(DT.term("-x", DT.customInput((x) => T.neg(x)), DT.signMask(1, 0, 1))) };
    const rule = DT.deriveRule(backwards);
    // Three units; only unit 2 can fire (the others have a bias of −100); sample 0 is 0 (nothing fires), sample 1 fires.
    const model = deck(T.of([1, 1, 1, 1, 1, 1, 1, 1, 1], [3, 3]), T.of([-100, -100, -0.5], [3]));
    const x = T.of([0, 0, 0, 1, 2, 0.5], [2, 3]);
    expect(Props.rootFailure(rule, model, x, { placement: "all" })).toBeUndefined(); // sample 0 only
    expect(Props.rootFailure(rule, model, x, { placement: "all", samples: 2, neurons: 1 })).toBeUndefined(); // neuron 0 only
    expect(Props.rootFailure(rule, model, x, { placement: "all", samples: 2, neurons: Infinity })).toBe(
      "1 root violation(s) among 1 active neurons; first: layer 0 (dense, rule backwards), sample 1, neuron 2: noRootOnSegment — no root on the segment: the step s = -0.8571 < 0 (the direction raises the neuron, z = 3: its root lies behind x)",
    );
  });
});

describe("conservation and positivity failures name the node", () => {
  test("a leak names the node, its rule, the sample, and units whose zero denominator strands relevance", () => {
    // v = x·1[w < 0] on ℝ₊ᵈ: unit 0 has only positive weights, so Σ_i x_i w_i0⁻ = 0 while z_0 = 4.5 > 0.
    const zMinusOnPositive: DT.Strategy = { ...DT.zPlus, name: "z- on R+", direction: DT.split(DT.term("x", DT.input, DT.signMask(0, 1, 0))) };
    const model = deck(T.of([1, -2, 2, 1, 1, 3], [3, 2]));
    const e = explained(model, x0, DT.deriveRule(zMinusOnPositive));
    expect(Props.conservationFailure(model, e)).toMatch(
      /^relevance leaks at layer 0 \(dense, rule z- on R\+\), sample 0: it passes 4\.5 less than it receives \(rounding allows [\d.e-]+\); 1 of its units receive relevance \(Σ 4\.5\) but have a zero denominator Σ_i v_ij w_ij, so eq\. \(4\) passes none of it on \(first: unit 0, R = 4\.5\)$/,
    );
  });
  test("negative relevance names where it first appears and the node that passed it down", () => {
    const z: DT.Strategy = { ...DT.zPlus, name: "z", direction: DT.split(DT.term("x", DT.input, DT.everyWeight)) };
    const e = explained(deck(), x0, DT.deriveRule(z));
    // unit 1: x w = [−2, 2, 1.5] (sum 1.5) ⇒ input 0 receives −2/1.5 · 1 from it, and 1/4.5·3.5 from unit 0
    const expected = 3.5 / 4.5 - 2 / 1.5;
    expect(Props.positivityFailure(deck(), e)).toBe(
      `not positive (sample 0): min_p R_p = ${e.R.data[0]}; negative relevance first appears in the input heatmap, passed down by layer 0 (dense, rule z): unit 0 of sample 0 receives R = ${e.R.data[0]} (rounding allows down to −${DT.Consistency.perSample(e.f, e.R, e.tolerance)[0]!.tolerance})`,
    );
    expectAllClose(e.R.data[0]!, expected, { atol: 1e-12 });
  });
});

describe("open domains in rules and preconditions", () => {
  test("a constraint coupling the units is a precondition, named as such", () => {
    const onSimplex: DT.Strategy = { ...DT.zPlus, name: "z+ on the simplex", domain: L.Domain.simplex };
    const e = DT.explain(deck(), x0, DT.uniform(DT.deriveRule(onSimplex)));
    expect(E.isLeft(e) && DT.message(e.left)).toBe("precondition of rule z+ on the simplex violated at layer 0 (dense), the input of sample 0: expected Σ_i x_i = 1, found 3.5");
    expect(DT.violations(deck(), DT.uniform(DT.deriveRule(onSimplex)), L.forward(deck(), x0).activations, T.of([4.5], [1]), { every: true }).map((v) => v._tag === "PreconditionViolated" && v.unit)).toEqual([-1]);
  });
  test("z⁻ on ℝ₋ᵈ (v = x·1[w ≤ 0]): R_i = Σ_j x_i w_ij⁻ / Σ_i' x_i' w_i'j⁻ · R_j, roots inside ℝ₋ᵈ", () => {
    const zMinus: DT.Strategy = { name: "z-", domain: L.Domain.nonPositive, direction: DT.split(DT.term("x", DT.input, DT.signMask(0, 1, 1))), segment: 1, requiresNonPositiveBias: true };
    const x = T.of([-1, -2, -0.5], [1, 3]);
    // z = [−1 − 4 + 0.5 − 1, 2 − 2 − 1.5 − 0.5] = [−5.5, −2]: nothing fires; flip W to make both fire.
    const model = deck(T.of([-1, 2, -2, -1, 1, -3], [3, 2]));
    // z = [1 + 4 − 0.5 − 1, −2 + 2 + 1.5 − 0.5] = [3.5, 1]; x w⁻: column 0 [1, 4, 0] (5), column 1 [0, 2, 1.5] (3.5)
    expectAllClose(explained(model, x, DT.deriveRule(zMinus)).R, [(1 / 5) * 3.5, (4 / 5) * 3.5 + (2 / 3.5) * 1, (1.5 / 3.5) * 1], { atol: 1e-12 });
    expect(right(DT.verifyRoots(model, x, DT.uniform(DT.deriveRule(zMinus)))).counts).toEqual({ notARoot: 0, noRootOnSegment: 0, outsideDomain: 0 });
  });
});

describe("modified weights given directly (zennit's param_modifiers, RelevancePropagation.jl's modify_parameters)", () => {
  const flat: DT.Strategy = { name: "flat", domain: L.Domain.real, direction: DT.split(DT.term("1", DT.constantInput(1), DT.modifiedWeight(() => 1))), segment: Infinity, requiresNonPositiveBias: false };
  test("flat, q(w) = 1: R_i = Σ_j R_j / (fan-in of j), with no 1/w guard, also at a zero weight", () => {
    expectAllClose(explained(deck(), x0, DT.deriveRule(flat)).R, [1.5, 1.5, 1.5], { atol: 1e-12 });
    const withZero = deck(T.of([1, 0, 2, 1, -1, 3], [3, 2]));
    // z = [3.5, 0 + 2 + 1.5 − 0.5 = 3]: unit 1 reads input 0 through a zero weight and still counts it (q = 1)
    expectAllClose(explained(withZero, x0, DT.deriveRule(flat)).R, [6.5 / 3, 6.5 / 3, 6.5 / 3], { atol: 1e-12 });
    // as a direction v = 1/w, the same rule gives NaN at w = 0, which explain refuses
    const inverse: DT.Strategy = { ...flat, name: "1/w", direction: DT.split(DT.term("1", DT.constantInput(1), DT.weightFn((w) => 1 / w))) };
    expect(E.isLeft(DT.explain(withZero, x0, DT.uniform(DT.deriveRule(inverse))))).toBe(true);
  });
  test("flat on a padded convolution counts each neuron's window within the input (zero padding takes nothing)", () => {
    const conv = built([1, 2, 2], [L.conv2d(T.ones([1, 1, 2, 2]), T.of([-0.1], [1]), { padding: [1, 1] }), L.relu, L.sumPool()]);
    const x = T.of([1, 2, 3, 4], [1, 1, 2, 2]);
    const e = explained(conv, x, DT.deriveRule(flat));
    // 3×3 outputs, each the sum of its window within the input minus 0.1: corners read 1 unit, edges 2, the centre 4.
    const expected = [0, 0, 0, 0];
    const windows = [[0], [0, 1], [1], [0, 2], [0, 1, 2, 3], [1, 3], [2], [2, 3], [3]];
    for (const w of windows) {
      const z = w.reduce((s, i) => s + x.data[i]!, 0) - 0.1;
      for (const i of w) expected[i] = expected[i]! + z / w.length;
    }
    expectAllClose(e.R, expected, { atol: 1e-12 });
    expectAllClose(e.R, DT.naiveRule(flat).propagate(conv.layers[0] as L.Affine, x, e.relevances[1]!), { atol: 1e-12 });
  });
  test("γ as a modified weight (q = w + γw⁺) equals γ as a direction (g = 1 + γ·1[w > 0])", () => {
    const gamma = 0.25;
    const asQ: DT.Strategy = { ...DT.zPlus, name: "gamma-q", direction: DT.split(DT.term("x", DT.input, DT.modifiedWeight((w) => w + gamma * Math.max(0, w)))) };
    const asV: DT.Strategy = { ...DT.zPlus, name: "gamma-v", direction: DT.split(DT.term("x", DT.input, DT.weightFn((w) => 1 + (w > 0 ? gamma : 0)))) };
    expectAllClose(explained(deck(), x0, DT.deriveRule(asQ)).R, explained(deck(), x0, DT.deriveRule(asV)).R, { atol: 1e-12 });
  });
});

describe("no stale cache: a weight function may read a variable", () => {
  const models = {
    dense: deck(),
    conv: built([1, 3, 3], [L.conv2d(T.of([0.5, -1, 1, 0.25, 2, -0.5, 1, 1], [2, 1, 2, 2]), T.of([-0.1, -0.2], [2])), L.relu, L.sumPool()]),
  };
  const inputs = { dense: x0, conv: T.of([0.2, 1, 0.5, 0.9, 0.1, 0.7, 0.3, 0.8, 0.6], [1, 1, 3, 3]) };
  test.each(["dense", "conv"] as const)("sweeping γ in a loop gives each γ's heatmap (%s)", (kind) => {
    let gamma = 0;
    // One strategy object, one rule: the functions read γ when called (an input term and a constant term, so both
    // the transposed products and the cached constant pass are exercised).
    const g = DT.weightFn((w) => 1 + (w > 0 ? gamma : 0));
    const swept = DT.deriveRule({ ...DT.zPlus, name: "gamma", direction: DT.split(DT.term("x", DT.input, g), DT.term("c", DT.constantInput(0.1), g)) });
    const heatmaps: T.Tensor[] = [];
    for (const value of [0, 0.5, 3]) {
      gamma = value;
      const R = explained(models[kind], inputs[kind], swept).R;
      const fresh = DT.deriveRule({ ...DT.zPlus, name: "gamma", direction: DT.split(DT.term("x", DT.input, DT.weightFn((w) => 1 + (w > 0 ? value : 0))), DT.term("c", DT.constantInput(0.1), DT.weightFn((w) => 1 + (w > 0 ? value : 0)))) });
      expectAllClose(R, explained(models[kind], inputs[kind], fresh).R, { atol: 1e-12 });
      heatmaps.push(R);
    }
    expect(heatmaps[0]!.data).not.toEqual(heatmaps[1]!.data);
    expect(heatmaps[1]!.data).not.toEqual(heatmaps[2]!.data);
  });
});
