/**
 * Numbers you can trust (issue 12): no silent NaN or Infinity, float32 checked with a tolerance that follows the
 * dtype, every refusal a Left. Each test names the numbered case of the issue it covers.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Baselines as B } from "@dtd/deep-taylor";

const built = (shape: readonly number[], layers: L.Sequential): L.Model => {
  const m = L.build(shape, layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
/** The deck's detection-pooling network in `dtype`. */
const deck = (dtype: T.DType = "float64", head: L.Layer = L.sumPool()): L.Model =>
  built([3], L.sequential(L.detection(T.of([1, -2, 2, 1, -1, 3], [3, 2], dtype), T.of([-1, -0.5], [2], dtype)), head));
const x = (values: readonly number[], dtype: T.DType = "float64"): T.Tensor => T.of(values, [1, values.length], dtype);
const zPlus = DT.uniform(DT.deriveRule(DT.zPlus));
const w2 = DT.uniform(DT.deriveRule(DT.w2));
const messageOf = <A>(r: E.Either<DT.DtdError, A>): string => (E.isLeft(r) ? DT.message(r.left) : "Right");

describe("case 2: non-finite results are errors, or lenient warnings naming layer and unit", () => {
  test("an input of [1e308, 1e308, 1e308] overflows the first layer", () => {
    const e = DT.explain(deck(), x([1e308, 1e308, 1e308]), zPlus);
    expect(messageOf(e)).toBe(
      "non-finite value Infinity at the output of layer 0 (dense), unit 0 of sample 0: expected finite numbers (the forward pass overflows or is undefined there)",
    );
    const lenient = DT.explain(deck(), x([1e308, 1e308, 1e308]), zPlus, { lenient: true });
    expect(E.isRight(lenient) && lenient.right.warnings.map((w) => w._tag)).toContain("NonFinite");
    expect(E.isRight(lenient) && DT.message(lenient.right.warnings[0]!)).toMatch(/layer 0 \(dense\), unit 0 of sample 0/);
  });
  test("p-norm pooling with p = 400 on ordinary inputs overflows to Infinity", () => {
    const m = deck("float64", L.pNormPool(400));
    expect(messageOf(DT.explain(m, x([5, 5, 5]), zPlus))).toMatch(/non-finite value Infinity at the output of layer 2 \(pNormPool\), unit 0 of sample 0/);
  });
  test("w² with weights ~1e160: w² overflows, and the relevance would be NaN", () => {
    const m = built([2], L.sequential(L.detection(T.of([1e160, 1e160], [2, 1]), T.of([0], [1])), L.sumPool()));
    expect(messageOf(DT.explain(m, x([1e-160, 1e-160]), w2))).toMatch(/non-finite value NaN in the relevance of the inputs of layer 0 \(dense, rule w2\), unit 0 of sample 0/);
  });
  test("a NaN weight that slipped past build (a model written by hand) is reported where it surfaces, not counted as 0", () => {
    const W = unsafeMake([3, 2], Float64Array.of(1, -2, NaN, 1, -1, 3));
    const layers = [L.dense(W, T.of([-1, -0.5], [2])), L.relu, L.sumPool()];
    const m: L.Model = { inputShape: [3], nodes: layers.map((layer, i) => ({ name: L.defaultName(layer.kind, i), layer, inputs: [i === 0 ? "input" : L.defaultName(layers[i - 1]!.kind, i - 1)] })), layers, shapes: [[3], [2], [2], [1]], sources: [[0], [1], [2]] };
    expect(messageOf(DT.explain(m, x([1, 2, 0.5]), zPlus))).toMatch(/non-finite value NaN at the output of layer 0 \(dense\), unit 0 of sample 0/);
    expect(messageOf(L.build([3], m.layers) as E.Either<never, L.Model>)).not.toBe("Right");
  });
  test("baselines: an overflowing forward pass is a Left (it used to throw in --method taylor)", () => {
    for (const method of [B.sensitivity, B.gradientXInput, B.simpleTaylor]) {
      expect(messageOf(method(deck(), x([1e308, 1e308, 1e308])))).toMatch(/non-finite value Infinity at the output of layer 0 \(dense\)/);
    }
  });
});

describe("case 3: checks fail on non-finite numbers", () => {
  test("f = Infinity is not conservative (atol + rtol·|f| used to be Infinity), an all-NaN heatmap is not positive", () => {
    const inf = DT.Consistency.perSample(unsafeMake([1], Float64Array.of(Infinity)), T.of([1, 2], [1, 2]))[0]!;
    expect([inf.finite, inf.conservative, inf.positive, inf.consistent]).toEqual([false, false, false, false]);
    const withRtol = DT.Consistency.perSample(unsafeMake([1], Float64Array.of(Infinity)), unsafeMake([1, 2], Float64Array.of(Infinity, 0)), { atol: 1e-12, rtol: 1e-9 })[0]!;
    expect(withRtol.conservative).toBe(false);
    const nan = DT.Consistency.perSample(T.of([1], [1]), unsafeMake([1, 3], new Float64Array(3).fill(NaN)))[0]!;
    expect(nan.positive).toBe(false);
    expect(nan.minRelevance).toBeNaN();
    // Every R_p finite, their sum not (large terms of both signs): nothing can be judged, so the checks fail.
    const overflow = DT.Consistency.perSample(T.of([1], [1]), T.of([1e308, 1e308, -1e308], [1, 3]))[0]!;
    expect([overflow.finite, overflow.conservative]).toEqual([false, false]);
    const agg = DT.Consistency.aggregate([nan, inf]);
    expect([agg.shareFinite, agg.sharePositive, agg.shareConservative]).toEqual([0, 0, 0]);
  });
});

describe("case 4: the tolerance follows the dtype and the size of the computation", () => {
  test("a float32 explanation of the deck's network is consistent (it was off by −5.96e-8 against 1e-9)", () => {
    const e = DT.explain(deck("float32"), x([1, 2, 0.5], "float32"), zPlus);
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    expect(e.right.tolerance).toEqual({ dtype: "float32", terms: 3 + (3 + 2 + 4) + 0 + (2 + 3) });
    const row = DT.Consistency.perSample(e.right.f, e.right.R, e.right.tolerance)[0]!;
    expect(row.consistent).toBe(true);
    expect(Math.abs(row.conservationError)).toBeLessThanOrEqual(row.tolerance);
    // the bound: γ_n (|f| + Σ|R|) + n·η with n = 17, u = 2⁻²⁴
    const n = 17;
    const sumAbs = Math.abs(row.f) + Array.from(e.right.R.data).reduce((s, r) => s + Math.abs(r), 0);
    expect(row.tolerance).toBe(((n * 2 ** -24) / (1 - n * 2 ** -24)) * sumAbs + n * 2 ** -149);
    // float64: the same bound with u = 2⁻⁵³, far tighter
    const e64 = DT.explain(deck(), x([1, 2, 0.5]), zPlus);
    if (E.isLeft(e64)) throw new Error(DT.message(e64.left));
    expect(DT.Consistency.perSample(e64.right.f, e64.right.R, e64.right.tolerance)[0]!.tolerance).toBeLessThan(1e-13);
  });
  test("a real leak still fails in float32: a stabiliser ε = 0.01 that absorbs relevance", () => {
    const leaky = { ...zPlus, epsilon: 0.01 };
    const e = DT.explain(deck("float32"), x([1, 2, 0.5], "float32"), leaky);
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    const row = DT.Consistency.perSample(e.right.f, e.right.R, e.right.tolerance)[0]!;
    expect(row.conservative).toBe(false);
    expect(Math.abs(row.conservationError)).toBeGreaterThan(100 * row.tolerance);
  });
});

describe("case 7: refusals are Lefts, not exceptions", () => {
  test("verifyRoots on a float32 model (it threw a dtype mismatch from affineRows)", () => {
    const r = DT.verifyRoots(deck("float32"), x([1, 2, 0.5], "float32"), zPlus);
    expect(E.isRight(r) && r.right).toMatchObject({ layers: 1, neurons: 2, active: 2, counts: { notARoot: 0, noRootOnSegment: 0, outsideDomain: 0 } });
  });
  test("explain and verifyRoots with a float32 model and a float64 input", () => {
    const expected = 'input dtype mismatch: the model\'s parameters are float32, found a float64 batch (convert it with T.astype(x, "float32"))';
    expect(messageOf(DT.explain(deck("float32"), x([1, 2, 0.5]), zPlus))).toBe(expected);
    expect(messageOf(DT.verifyRoots(deck("float32"), x([1, 2, 0.5]), zPlus))).toBe(expected);
    expect(messageOf(B.sensitivity(deck("float32"), x([1, 2, 0.5])))).toBe(expected);
  });
  test("zᵇ bounds of the wrong length", () => {
    const zb = DT.zB(T.of([-1, 0], [2]), T.of([1, 1], [2]));
    if (E.isLeft(zb)) throw new Error(zb.left);
    const expected = "rule zb does not fit layer 0 (dense): expected the box's low bound to be a number or to hold 3 values (one per input unit, shape [3]), found 2 values";
    expect(messageOf(DT.explain(deck(), x([0.5, 0.5, 0.5]), DT.uniform(DT.deriveRule(zb.right))))).toBe(expected);
    expect(messageOf(DT.verifyRoots(deck(), x([0.5, 0.5, 0.5]), DT.uniform(DT.deriveRule(zb.right))))).toBe(expected);
  });
  test("a V [in, out] materialised direction on a Conv2d layer (it threw 'layer -1')", () => {
    const conv = built([1, 3, 3], [L.conv2d(T.ones([1, 1, 2, 2]), T.of([-0.5], [1])), L.relu, L.sumPool()]);
    const rule = DT.deriveRule({ ...DT.zPlus, name: "dense-only", direction: DT.materialized((_x, W) => T.onesLike(W)) });
    const expected = /^rule dense-only does not fit layer 0 \(conv2d\): a materialised direction v\(x, W\) applies to dense layers only/;
    const xs = T.ones([1, 1, 3, 3]);
    expect(messageOf(DT.explain(conv, xs, DT.uniform(rule)))).toMatch(expected);
    expect(messageOf(DT.verifyRoots(conv, xs, DT.uniform(rule)))).toMatch(expected);
  });
  test("a weight function that returns NaN or Infinity (it gave an all-NaN heatmap)", () => {
    for (const bad of [NaN, Infinity]) {
      const strategy: DT.Strategy = { ...DT.w2, name: "broken", direction: DT.split(DT.term("1", DT.constantInput(1), DT.weightFn(() => bad))) };
      expect(messageOf(DT.explain(deck(), x([1, 2, 0.5]), DT.uniform(DT.deriveRule(strategy))))).toMatch(/non-finite value NaN in the relevance of the inputs of layer 0 \(dense, rule broken\)/);
    }
  });
  test("a custom modifier that returns a tensor of the wrong shape", () => {
    const strategy: DT.Strategy = { ...DT.zPlus, name: "wrong shape", direction: DT.split(DT.term("x", DT.customInput(() => T.ones([7])), DT.signMask(1, 0, 1))) };
    expect(messageOf(DT.explain(deck(), x([1, 2, 0.5]), DT.uniform(DT.deriveRule(strategy))))).toMatch(/^rule wrong shape does not fit layer 0 \(dense\): broadcastTo/);
    expect(messageOf(DT.verifyRoots(deck(), x([1, 2, 0.5]), DT.uniform(DT.deriveRule(strategy))))).toMatch(/^rule wrong shape does not fit layer 0 \(dense\)/);
  });
});

describe("case 9: roots of a large convolution, neuron by neuron", () => {
  test("a 3×128×128 input with a 64-filter 3×3 first conv: every one of its 1,048,576 neurons (its Jacobian has 5·10¹⁰ entries)", () => {
    const rng = T.Random.make(9);
    const conv = L.conv2d(T.Random.normalTensor(rng, [64, 3, 3, 3], 0, 0.2), T.Random.uniformTensor(rng, [64], -0.1, 0), { padding: [1, 1] });
    const m = built([3, 128, 128], [conv, L.relu, L.sumPool()]);
    const xs = T.Random.uniformTensor(rng, [1, 3, 128, 128], 0, 1);
    const zb = DT.zB(-1, 1);
    if (E.isLeft(zb)) throw new Error(zb.left);
    const r = DT.verifyRoots(m, xs, DT.uniform(DT.deriveRule(zb.right)));
    if (E.isLeft(r)) throw new Error(DT.message(r.left));
    expect(r.right.neurons).toBe(64 * 128 * 128);
    expect(r.right.active).toBeGreaterThan(100_000);
    expect(DT.violationCount(r.right)).toBe(0);
  });
  test("what would not fit the work budget is refused up front, saying what to sample", () => {
    const m = built([1, 8, 8], [L.conv2d(T.ones([4, 1, 3, 3]), T.zeros([4])), L.relu, L.sumPool()]);
    const r = DT.verifyRoots(m, T.ones([1, 1, 8, 8]), zPlus, { maxWork: 1000 });
    expect(messageOf(r)).toMatch(/^root verification is too large: expected at most 1000 multiply-adds \(check a sample: maxNeurons per layer, maxSamples\), found about \d+, most of it in layer 0 \(conv2d\): 1 sample × 144 neurons × 9 weights$/);
    const sampled = DT.verifyRoots(m, T.ones([1, 1, 8, 8]), zPlus, { maxWork: 1000, maxNeurons: 4 });
    expect(E.isRight(sampled) && sampled.right.neurons).toBe(4);
  });
});

describe("case 10: proportional pooling needs non-negative inputs", () => {
  // A max pool before its ReLU: the pooled pre-activations can be negative.
  const m = built([1, 2, 2], [L.conv2d(T.of([1, -1], [2, 1, 1, 1]), T.zeros([2])), L.maxPool2d([2, 2]), L.relu, L.sumPool()]);
  const xs = T.of([1, 0.5, 0.25, 2], [1, 1, 2, 2]);
  test("proportional max pooling on signed inputs is a violated precondition", () => {
    const proportional = DT.uniform(DT.deriveRule(DT.w2), { maxPool: "proportional" });
    expect(messageOf(DT.explain(m, xs, proportional))).toBe(
      "precondition of rule proportional violated at layer 1 (maxPool2d), input unit 4 of sample 0: expected x ≥ 0 (proportional pooling shares relevance in proportion to its inputs), found -1",
    );
    const lenient = DT.explain(m, xs, proportional, { lenient: true });
    expect(E.isRight(lenient) && lenient.right.warnings.length).toBe(1);
    const every = DT.violations(m, proportional, E.isRight(lenient) ? lenient.right.activations : [], E.isRight(lenient) ? lenient.right.f : T.zeros([1]), { every: true });
    expect(every.map((v) => (v._tag === "PreconditionViolated" ? v.unit : -1))).toEqual([4, 5, 6, 7]);
  });
  test("winner-take-all max pooling has no such precondition", () => {
    expect(E.isRight(DT.explain(m, xs, DT.uniform(DT.deriveRule(DT.w2))))).toBe(true);
  });
});
