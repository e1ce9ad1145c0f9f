/**
 * explain hands its rules' temporaries (eq. (4)'s quotients, the transposed products) back for reuse
 * (`recycle` of @dtd/tensor/unsafe) when they are large: an Explanation kept by the caller must never see its
 * tensors change when later explanations reuse that memory, and every call must give the same bits. A CNN whose
 * first layer's output (20×62×62) is large enough to be recycled, zᵇ on it and z⁺ above, max pooling between.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

const modelIn = (dtype: T.DType): L.Model => {
  const rng = T.Random.make(31);
  const draw = (shape: number[], lo: number, hi: number) => T.Random.uniformTensor(rng, shape, lo, hi, dtype);
  const m = L.build([3, 64, 64], [
    L.conv2d(draw([20, 3, 3, 3], -0.5, 0.5), draw([20], -0.2, 0)),
    L.maxPool2d([2, 2]),
    L.relu,
    L.conv2d(draw([18, 20, 3, 3], -0.3, 0.3), draw([18], -0.1, 0)),
    L.relu,
    L.flatten,
    L.dense(draw([18 * 29 * 29, 1], -0.1, 0.1), T.zeros([1], dtype)),
  ]);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};

const zb = DT.zB(0, 1);
if (E.isLeft(zb)) throw new Error(zb.left);
const composite = DT.layerwise({ first: DT.deriveRule(zb.right), rest: DT.deriveRule(DT.zPlus), maxPool: "winnerTakeAll" });

const explainOnce = (model: L.Model, x: T.Tensor): DT.Explanation => {
  const e = DT.explain(model, x, composite, { lenient: true });
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return e.right;
};

const snapshot = (e: DT.Explanation): number[][] => [...e.relevances, ...e.activations].map((t) => Array.from(t.data));

describe("explain with recycled temporaries", () => {
  test.each(["float64", "float32"] as const)("%s: a kept explanation stays as it was, and later calls give the same bits", (dtype) => {
    const model = modelIn(dtype);
    const x = T.Random.uniformTensor(T.Random.make(5), [1, 3, 64, 64], 0, 1, dtype);
    const other = T.Random.uniformTensor(T.Random.make(6), [1, 3, 64, 64], 0, 1, dtype);
    const first = explainOnce(model, x);
    const before = snapshot(first);
    // Later calls (on another input too) reuse the memory of the first call's temporaries.
    explainOnce(model, other);
    const again = explainOnce(model, x);
    explainOnce(model, other);
    expect(snapshot(first)).toEqual(before);
    expect(snapshot(again)).toEqual(before);
  });
});
