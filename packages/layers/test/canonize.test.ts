import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import { canonize, foldScaleShift } from "@dtd/layers";

const built = (shape: number[], layers: L.Sequential): L.Model => {
  const m = L.build(shape, layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
const rng = T.Random.make(2017);
const normal = (shape: number[], std = 1) => T.Random.normalTensor(rng, shape, 0, std);
const scaleShift = (n: number) => L.scaleShift(T.Random.uniformTensor(rng, [n], 0.5, 2), normal([n]));
const sameFunction = (a: L.Model, b: L.Model, x: T.Tensor) => expectAllClose(L.forward(b, x).output, L.forward(a, x).output, { atol: 1e-12, rtol: 1e-12 });

describe("canonize", () => {
  test("folds a ScaleShift into the Dense before it: W'_ij = W_ij·s_j, b' = b·s + t; outputs unchanged", () => {
    const m = built([5], [L.dense(normal([5, 4]), normal([4])), scaleShift(4), L.relu, L.dense(normal([4, 2]), normal([2]))]);
    const c = canonize(m);
    expect(c.layers.map((l) => l.kind)).toEqual(["dense", "relu", "dense"]);
    expect(c.shapes).toEqual([[5], [4], [4], [2]]);
    sameFunction(m, c, normal([7, 5]));
  });
  test("by hand on one Dense", () => {
    const folded = foldScaleShift(L.dense(T.of([1, 2, 3, 4], [2, 2]), T.of([1, -1], [2])), L.scaleShift(T.of([2, 0.5], [2]), T.of([10, 20], [2])));
    expectAllClose(folded.W, [2, 1, 6, 2]);
    expectAllClose(folded.b, [12, 19.5]);
  });
  test("folds a per-channel ScaleShift into a strided, padded Conv2d; outputs unchanged", () => {
    const conv = L.conv2d(normal([3, 2, 3, 3]), normal([3]), { stride: [2, 1], padding: [1, 1] });
    const m = built([2, 6, 5], [conv, scaleShift(3), L.relu, L.sumPool()]);
    const c = canonize(m);
    expect(c.layers.map((l) => l.kind)).toEqual(["conv2d", "relu", "sumPool"]);
    const folded = c.layers[0]!;
    expect(folded.kind === "conv2d" && [folded.stride, folded.padding]).toEqual([[2, 1], [1, 1]]);
    sameFunction(m, c, normal([4, 2, 6, 5]));
  });
  test("folds two ScaleShifts in a row", () => {
    const m = built([3], [L.dense(normal([3, 3]), normal([3])), scaleShift(3), scaleShift(3)]);
    const c = canonize(m);
    expect(c.layers.map((l) => l.kind)).toEqual(["dense"]);
    sameFunction(m, c, normal([6, 3]));
  });
  test("leaves a ScaleShift with no affine layer right before it as it is (first layer, after a ReLU)", () => {
    const first = scaleShift(3);
    const afterRelu = scaleShift(4);
    const m = built([3], [first, L.dense(normal([3, 4]), normal([4])), L.relu, afterRelu]);
    const c = canonize(m);
    expect(c.layers).toEqual(m.layers);
    expect(c.layers[0]).toBe(first);
    expect(c.layers[3]).toBe(afterRelu);
  });
  test("foldScaleShift refuses a scale of the wrong length", () => {
    expect(() => foldScaleShift(L.dense(T.zeros([2, 3]), T.zeros([3])), L.scaleShift(T.ones([2]), T.zeros([2])))).toThrow(
      "foldScaleShift: shape mismatch: expected scale and shift of shape [3] (one per output of the dense layer), found [2] and [2]",
    );
  });
});
