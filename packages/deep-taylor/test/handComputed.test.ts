/**
 * A 3-input, 2-unit detection-pooling network worked out on paper for each rule (the deck's formulas).
 *   x = [1, 2, 0.5], W = [[1, −2], [2, 1], [−1, 3]] (W[i][j] = w_ij), b = [−1, −0.5]
 *   z = [1 + 4 − 0.5 − 1, −2 + 2 + 1.5 − 0.5] = [3.5, 1] → R_j = x_j = [3.5, 1], f(x) = 4.5
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

const W = T.of([1, -2, 2, 1, -1, 3], [3, 2]);
const b = T.of([-1, -0.5], [2]);
const model = (() => {
  const m = L.build([3], L.sequential(L.detection(W, b), L.sumPool()));
  if (E.isLeft(m)) throw new Error("build");
  return m.right;
})();
const x = T.of([1, 2, 0.5], [1, 3]);
const tight = { atol: 1e-12, rtol: 1e-12 };

const heatmap = (rule: DT.Rule): T.Tensor => {
  const e = DT.explain(model, x, DT.uniform(rule));
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  expectAllClose(e.right.f, [4.5], tight);
  expectAllClose(e.right.relevances[1]!, [3.5, 1], tight); // R_j = x_j after the sum pooling
  return e.right.R;
};

describe("hand-computed eq. (4) on a 3-input, 2-unit layer", () => {
  test("w²: R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j", () => {
    // column sums of w²: 1 + 4 + 1 = 6 and 4 + 1 + 9 = 14
    expectAllClose(heatmap(DT.deriveRule(DT.w2)), [(1 / 6) * 3.5 + (4 / 14) * 1, (4 / 6) * 3.5 + (1 / 14) * 1, (1 / 6) * 3.5 + (9 / 14) * 1], tight);
  });
  test("z⁺: R_i = Σ_j x_i w_ij⁺ / Σ_i' x_i' w_i'j⁺ · R_j", () => {
    // x·w⁺: column 1 [1, 4, 0] (sum 5), column 2 [0, 2, 1.5] (sum 3.5)
    expectAllClose(heatmap(DT.deriveRule(DT.zPlus)), [(1 / 5) * 3.5, (4 / 5) * 3.5 + (2 / 3.5) * 1, (1.5 / 3.5) * 1], tight);
  });
  test("zᵇ with l = −1, h = 2: R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i' (…) · R_j", () => {
    // column 1: [1 + 1, 4 + 2, −0.5 + 2] = [2, 6, 1.5] (sum 9.5); column 2: [−2 + 4, 2 + 1, 1.5 + 3] = [2, 3, 4.5] (sum 9.5)
    const zb = DT.zB(-1, 2);
    if (E.isLeft(zb)) throw new Error(zb.left);
    expectAllClose(heatmap(DT.deriveRule(zb.right)), [(2 / 9.5) * 3.5 + (2 / 9.5) * 1, (6 / 9.5) * 3.5 + (3 / 9.5) * 1, (1.5 / 9.5) * 3.5 + (4.5 / 9.5) * 1], tight);
  });
  test("zᵇ with per-feature bounds", () => {
    const zb = DT.zB(T.of([-1, 0, -2], [3]), T.of([2, 3, 1], [3]));
    if (E.isLeft(zb)) throw new Error(zb.left);
    // column 1 (w = [1, 2, −1]): [1 + 1, 4 − 0, −0.5 + 1] = [2, 4, 0.5] (sum 6.5)
    // column 2 (w = [−2, 1, 3]): [−2 + 4, 2 − 0, 1.5 + 6] = [2, 2, 7.5] (sum 11.5)
    expectAllClose(heatmap(DT.deriveRule(zb.right)), [(2 / 6.5) * 3.5 + (2 / 11.5), (4 / 6.5) * 3.5 + (2 / 11.5), (0.5 / 6.5) * 3.5 + (7.5 / 11.5)], tight);
  });
  test("a box that does not contain 0 is refused", () => {
    const bad = DT.zB(0.5, 2);
    expect(E.isLeft(bad) && bad.left).toMatch(/expected low ≤ 0/);
  });
});

describe("exact by default", () => {
  test("a unit whose denominator is 0 passes no relevance, and no NaN appears", () => {
    // Neuron 2 has only negative weights: Σ_i x_i w_ij⁺ = 0.
    const layer = L.dense(T.of([1, -1, 2, -3], [2, 2]), T.of([0, 0], [2]));
    const R = DT.deriveRule(DT.zPlus).propagate(layer, T.of([1, 1], [1, 2]), T.of([3, 5], [1, 2]));
    expect(T.isFinite(R)).toBe(true);
    expectAllClose(R, [1, 2], tight); // only neuron 1's relevance 3, split 1 : 2
  });
  test("ε is an explicit option: it shrinks messages and breaks exact conservation", () => {
    const exact = DT.explain(model, x, DT.uniform(DT.deriveRule(DT.zPlus)));
    const stabilised = DT.explain(model, x, { ...DT.uniform(DT.deriveRule(DT.zPlus)), epsilon: 0.5 });
    if (E.isLeft(exact) || E.isLeft(stabilised)) throw new Error("explain");
    expectAllClose(T.sum(exact.right.R), [4.5], tight);
    expect(T.item(T.sum(stabilised.right.R))).toBeLessThan(4.5 - 0.1);
  });
  test("float32 explanations are conservative to float32 rounding", () => {
    const m32 = L.build([3], L.sequential(L.detection(T.astype(W, "float32"), T.astype(b, "float32")), L.sumPool()));
    if (E.isLeft(m32)) throw new Error("build");
    const e = DT.explain(m32.right, T.astype(x, "float32"), DT.uniform(DT.deriveRule(DT.zPlus)));
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    expect(e.right.R.dtype).toBe("float32");
    expectAllClose(T.sum(T.astype(e.right.R, "float64")), [4.5], { atol: 1e-5, rtol: 1e-5 });
  });
});

describe("preconditions", () => {
  const zp = DT.uniform(DT.deriveRule(DT.zPlus));
  test("z⁺ on a negative input names the layer and the unit", () => {
    const e = DT.explain(model, T.of([1, -2, 0.5], [1, 3]), zp);
    expect(E.isLeft(e) && DT.message(e.left)).toBe(
      "precondition of rule zplus violated at layer 0 (dense), input unit 1 of sample 0: expected x ≥ 0, found -2",
    );
  });
  test("zᵇ outside its box", () => {
    const zb = DT.zB(0, 1);
    if (E.isLeft(zb)) throw new Error(zb.left);
    const e = DT.explain(model, x, DT.trainingFree(DT.deriveRule(zb.right)));
    expect(E.isLeft(e) && DT.message(e.left)).toMatch(/rule zb violated at layer 0 \(dense\), input unit 1 of sample 0: expected 0 ≤ x ≤ 1, found 2/);
  });
  test("a positive bias where the rule needs b ≤ 0", () => {
    const m = L.build([3], L.sequential(L.detection(W, T.of([-1, 0.25], [2])), L.sumPool()));
    if (E.isLeft(m)) throw new Error("build");
    const e = DT.explain(m.right, x, zp);
    expect(E.isLeft(e) && DT.message(e.left)).toBe("precondition of rule zplus violated at layer 0 (dense), unit 1: expected a bias b ≤ 0, found 0.25");
    // w² has no bias condition: the root along w exists for any bias.
    expect(E.isRight(DT.explain(m.right, x, DT.uniform(DT.deriveRule(DT.w2))))).toBe(true);
  });
  test("f(x) < 0", () => {
    const m = L.build([3], [L.dense(W, b), L.select(0)]);
    if (E.isLeft(m)) throw new Error("build");
    const e = DT.explain(m.right, T.of([-1, -2, 0], [1, 3]), DT.uniform(DT.deriveRule(DT.w2)));
    expect(E.isLeft(e) && DT.message(e.left)).toMatch(/expected f\(x\) ≥ 0, found f\(x\) = -6 for sample 0/);
  });
  test("lenient mode explains anyway and reports the violations as warnings", () => {
    const e = DT.explain(model, T.of([1, -2, 0.5], [1, 3]), zp, { lenient: true });
    expect(E.isRight(e) && e.right.warnings.length).toBe(1);
  });
  test("a model without a single score is refused", () => {
    const m = L.build([3], [L.dense(W, b)]);
    if (E.isLeft(m)) throw new Error("build");
    expect(E.isLeft(DT.explain(m.right, x, zp)) && DT.message((DT.explain(m.right, x, zp) as E.Left<DT.DtdError>).left)).toMatch(/one score per sample.*found output shape \[2\]/);
  });
  test("an unfolded ScaleShift y = s·x + t passes R_x = s·x / y · R; its shift absorbs t / y · R, reported", () => {
    // x = (1, 2, 0.5), s = (2, 1, 1), t = (0, 1, −0.5): y = (2, 3, 0), f = 5; R_y = y (sum pooling), R_x = s·x = (2, 2, 0.5)
    const ss = L.build([3], [L.scaleShift(T.of([2, 1, 1], [3]), T.of([0, 1, -0.5], [3])), L.sumPool()]);
    if (E.isLeft(ss)) throw new Error("build");
    const r = DT.explain(ss.right, x, zp);
    if (E.isLeft(r)) throw new Error(DT.message(r.left));
    expectAllClose(r.right.f, [5], { atol: 1e-15 });
    // unit 3 has y = 0, so R_y = 0 there; unit 2's shift takes t / y · R_y = 1: f − Σ R_x = 5 − 4
    expectAllClose(r.right.R, [2, 2, 0], { atol: 1e-15 });
    expectAllClose(r.right.biasRelevance, [1], { atol: 1e-15 });
    expectAllClose(r.right.absorbed[0]!, [1], { atol: 1e-15 });
    expect(DT.Consistency.leaks(ss.right.nodes, r.right).map((l) => [l.name, l.absorbed])).toEqual([["scaleShift_0", true]]);
  });
  test("a wrong input shape is refused with both shapes", () => {
    const r = DT.explain(model, T.zeros([1, 4]), zp);
    expect(E.isLeft(r) && DT.message(r.left)).toBe("input shape mismatch: expected a batch of samples of shape [3], found [4]");
  });
});
