/**
 * Max pooling with −∞ padding (TF's and ONNX's padded max pools; `L.maxPool2d(kernel, stride, { padding })`),
 * worked out by hand: winner-take-all routes each window's relevance to its maximum, which is always an input
 * element; proportional pooling shares it over the part of the window inside the input, and needs x ≥ 0 there.
 *   3×3 windows, stride 2, padding 1 on a 3×3 image: the four windows hold the flat indices
 *   {0, 1, 3, 4}, {1, 2, 4, 5}, {3, 4, 6, 7}, {4, 5, 7, 8}.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

const built = (layers: L.Sequential): L.Model => {
  const m = L.build([1, 3, 3], layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
// A 1×1 convolution with weight 1: an affine layer that passes relevance through unchanged under w² (w²/Σw² = 1).
const unit = L.conv2d(T.of([1], [1, 1, 1, 1]), T.zeros([1]));
const pool = L.maxPool2d([3, 3], [2, 2], { padding: [1, 1, 1, 1] });
const w2 = DT.deriveRule(DT.w2);
const tight = { atol: 1e-12, rtol: 1e-12 };
const explained = (m: L.Model, x: readonly number[], composite: DT.Composite): DT.Explanation => {
  const e = DT.explain(m, T.of(x, [1, 1, 3, 3]), composite);
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return e.right;
};

describe("max pooling with −∞ padding", () => {
  test("winner-take-all on a signed input: the maxima −1, 3, 2, −4 (zero padding would have made two of them 0); relevance reaches the winners only", () => {
    const m = built([unit, pool, L.relu, L.sumPool()]);
    const e = explained(m, [-5, -1, 3, -2, -4, -6, 2, -8, -7], DT.uniform(w2));
    expectAllClose(e.activations[2]!, [-1, 3, 2, -4], tight);
    expectAllClose(e.f, [5], tight);
    expectAllClose(e.R, [0, 0, 3, 0, 0, 0, 2, 0, 0], tight);
  });

  test("proportional pooling needs x ≥ 0 at the pool's input: a signed input is a violated precondition naming the unit", () => {
    const m = built([unit, pool, L.relu, L.sumPool()]);
    const e = DT.explain(m, T.of([-5, -1, 3, -2, -4, -6, 2, -8, -7], [1, 1, 3, 3]), DT.uniform(w2, { maxPool: "proportional" }));
    expect(E.isLeft(e) && DT.message(e.left)).toBe(
      "precondition of rule proportional violated at layer 1 (maxPool2d), input unit 0 of sample 0: expected x ≥ 0 (proportional pooling shares relevance in proportion to its inputs), found -5",
    );
  });

  test("proportional after a ReLU: R_i = x_i Σ_{windows w ∋ i} R_w / Σ_{i' ∈ w} x_i', the sums over the part of each window inside the input", () => {
    const m = built([unit, L.relu, pool, L.sumPool()]);
    // Window sums 3, 4, 4, 1 and maxima R_w = 2, 3, 2, 1 (f = 8).
    const e = explained(m, [0, 1, 3, 2, 0, 0, 2, 0, 1], DT.uniform(w2, { maxPool: "proportional" }));
    expectAllClose(e.f, [8], tight);
    expectAllClose(e.R, [0, 1 * (2 / 3 + 3 / 4), 3 * (3 / 4), 2 * (2 / 3 + 2 / 4), 0, 0, 2 * (2 / 4), 0, 1 * (1 / 1)], tight);
    const [row] = DT.Consistency.perSample(e.f, e.R, e.tolerance);
    expect(row!.consistent).toBe(true);
  });
});
