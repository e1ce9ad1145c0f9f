import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import { canonize, foldScaleShift } from "@dtd/layers";

const built = (shape: number[], layers: readonly L.NodeSpec[]): L.Model => {
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
  test("folds a ScaleShift with no affine layer before it into the dense layer after it; keeps one at the output", () => {
    const first = scaleShift(3);
    const afterRelu = scaleShift(4);
    const m = built([3], [first, L.dense(normal([3, 4]), normal([4])), L.relu, afterRelu]);
    const c = canonize(m);
    expect(c.layers.map((l) => l.kind)).toEqual(["dense", "relu", "scaleShift"]);
    expect(c.layers[2]).toBe(afterRelu);
    sameFunction(m, c, normal([6, 3]));
  });
  test("foldScaleShift refuses a scale of the wrong length", () => {
    expect(() => foldScaleShift(L.dense(T.zeros([2, 3]), T.zeros([3])), L.scaleShift(T.ones([2]), T.zeros([2])))).toThrow(
      "foldScaleShift: shape mismatch: expected scale and shift of shape [3] (one per output of the dense layer), found [2] and [2]",
    );
  });
});

const bn = (n: number) =>
  L.batchNorm({ scale: T.Random.uniformTensor(rng, [n], -2, 2), shift: normal([n]), mean: normal([n]), variance: T.Random.uniformTensor(rng, [n], 0.2, 3), epsilon: 1e-3 });

describe("canonize on graphs: batch norms before and after ReLUs", () => {
  /** conv → BN → ReLU → BN → conv(padding p) → ReLU, plus a skip from the first ReLU, then global pooling. */
  const block = (padding: number, ratio = 1): L.Model =>
    built([2, 6, 6], [
      L.node("conv1", L.conv2d(normal([3, 2, 3, 3], 0.3), normal([3]), { padding: [1, 1] })),
      L.node("bn1", bn(3)),
      L.node("act1", L.relu),
      L.node("bn2", bn(3)),
      L.node("conv2", L.conv2d(normal([3, 3, 1 + 2 * padding, 1 + 2 * padding], 0.3 * ratio), normal([3]), { padding: [padding, padding] })),
      L.node("sum", L.add, ["conv2", "act1"]),
      L.node("act2", L.relu),
      L.node("gap", L.globalAvgPool),
    ]);
  const x = T.Random.uniformTensor(rng, [4, 2, 6, 6], 0, 1);
  test("a BN after a conv folds into it; a BN after a ReLU folds into an unpadded conv after it; f unchanged", () => {
    const m = block(0);
    const r = L.canonizeReport(m);
    expect(r.folded).toEqual([
      { node: "bn1", kind: "batchNorm", side: "previous", into: ["conv1"] },
      { node: "bn2", kind: "batchNorm", side: "next", into: ["conv2"] },
    ]);
    expect(r.kept).toEqual([]);
    expect(r.model.nodes.map((n) => [n.name, n.inputs])).toEqual([
      ["conv1", ["input"]],
      ["act1", ["conv1"]],
      ["conv2", ["act1"]],
      ["sum", ["conv2", "act1"]],
      ["act2", ["sum"]],
      ["gap", ["act2"]],
    ]);
    expectAllClose(L.forward(r.model, x).output, L.forward(m, x).output, { atol: 1e-12, rtol: 1e-10 });
  });
  test("a BN before a padded conv is kept, with the reason; canonizeChecked agrees and f is unchanged", () => {
    const m = block(1);
    const r = L.canonizeReport(m);
    expect(r.folded.map((f) => f.node)).toEqual(["bn1"]);
    expect(r.kept).toEqual([
      { node: "bn2", kind: "batchNorm", reason: "act1 (relu) comes before it, and conv2 after it: conv2d pads with zeros, which the shift would not reach (folding would change f at the border)" },
    ]);
    const checked = L.canonizeChecked(m, x);
    expect(E.isRight(checked) && checked.right.kept.map((k) => k.node)).toEqual(["bn2"]);
    expectAllClose(L.forward(r.model, x).output, L.forward(m, x).output, { atol: 1e-12, rtol: 1e-10 });
  });
  test("canonizeChecked refuses a fold that changes f on the inputs (an affine layer whose weights make folding inexact)", () => {
    // A dense layer whose output also feeds the model output cannot take the BN after it; here the check itself is
    // exercised with a tolerance of 0 against a fold that is exact only up to rounding.
    const m = built([3], [L.node("d", L.dense(normal([3, 3]), normal([3]))), L.node("b", bn(3)), L.node("s", L.sumPool())]);
    const strict = L.canonizeChecked(m, T.Random.normalTensor(rng, [5, 3]), { rtol: 0 });
    const loose = L.canonizeChecked(m, T.Random.normalTensor(rng, [5, 3]));
    expect(E.isRight(loose) && loose.right.folded.map((f) => f.node)).toEqual(["b"]);
    expect(E.isRight(strict) && strict.right.kept[0]?.reason).toMatch(/^folding it would change f by [\d.e-]+ \([\d.e-]+ % of max \|f\|\) on the inputs explained$/);
  });
  test("canonizeChecked refuses inputs that do not fit the model", () => {
    const r = L.canonizeChecked(block(0), T.zeros([1, 3, 6, 6]));
    expect(E.isLeft(r) && L.message(r.left)).toMatch(/input shape mismatch/);
  });
});
