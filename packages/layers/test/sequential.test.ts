import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";

const t = (data: number[], shape: number[]) => T.of(data, shape);
const built = (shape: number[], layers: L.Sequential) => {
  const m = L.build(shape, layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};

describe("build: shape inference", () => {
  test("a detection-pooling network infers [3] → [2] → [2] → [1]", () => {
    const m = built([3], L.sequential(L.detection(T.zeros([3, 2]), T.zeros([2])), L.sumPool()));
    expect(m.shapes).toEqual([[3], [2], [2], [1]]);
  });
  test("a CNN infers conv, pooling and flatten shapes", () => {
    const m = built([1, 6, 6], [
      L.conv2d(T.zeros([4, 1, 3, 3]), T.zeros([4]), { padding: [1, 1] }),
      L.relu,
      L.maxPool2d([2, 2]),
      L.conv2d(T.zeros([2, 4, 2, 2]), T.zeros([2]), { stride: [1, 1] }),
      L.avgPool2d([2, 2]),
      L.flatten,
      L.dense(T.zeros([2, 3]), T.zeros([3])),
      L.select(2),
    ]);
    expect(m.shapes).toEqual([[1, 6, 6], [4, 6, 6], [4, 6, 6], [4, 3, 3], [2, 2, 2], [2, 1, 1], [2], [3], [1]]);
  });
  test("an incompatible pair is rejected with the layer index, its kind and both shapes", () => {
    const m = L.build([3], [L.dense(T.zeros([3, 4]), T.zeros([4])), L.relu, L.dense(T.zeros([5, 2]), T.zeros([2]))]);
    expect(E.isLeft(m) && L.message(m.left)).toBe(
      "layer 2 (dense) cannot take an input of shape [4]: expected an input of shape [5] (the weight is [5, 2]), found [4]",
    );
  });
  test("a bias of the wrong size, a conv kernel larger than the padded input, a select out of range", () => {
    const bias = L.build([3], [L.dense(T.zeros([3, 2]), T.zeros([3]))]);
    expect(E.isLeft(bias) && L.message(bias.left)).toMatch(/layer 0 \(dense\).*expected a bias of shape \[2\], found \[3\]/);
    const kernel = L.build([1, 2, 2], [L.conv2d(T.zeros([1, 1, 3, 3]), T.zeros([1]))]);
    expect(E.isLeft(kernel) && L.message(kernel.left)).toMatch(/kernel no larger than the padded input 2×2, found 3×3/);
    const sel = L.build([3], [L.select(3)]);
    expect(E.isLeft(sel) && L.message(sel.left)).toMatch(/expected an index in \[0, 2\], found 3/);
  });
  test("a forward pass on the wrong input shape is refused", () => {
    const m = built([3], [L.relu]);
    expect(() => L.forward(m, T.zeros([2, 4]))).toThrow("input shape mismatch: expected a batch of samples of shape [3], found [4]");
    expect(E.isLeft(L.checkInput(m, T.zeros([3])))).toBe(true);
  });
});

describe("forward", () => {
  test("the deck's detection-pooling network: x_j = max(0, Σ x_i w_ij + b_j), x_k = Σ_j x_j", () => {
    const W = t([1, -1, 2, 0.5, -1, 1], [3, 2]);
    const b = t([-0.5, 0], [2]);
    const m = built([3], L.sequential(L.detection(W, b), L.sumPool()));
    const x = t([1, 2, 3, 0, 0, 1], [2, 3]);
    const pass = L.forward(m, x);
    // sample 0: z = [1 + 4 − 3 − 0.5, −1 + 1 + 3 + 0] = [1.5, 3]; sample 1: z = [−1 − 0.5, 1] → relu [0, 1]
    expectAllClose(pass.activations[1]!, [1.5, 3, -1.5, 1]);
    expectAllClose(pass.activations[2]!, [1.5, 3, 0, 1]);
    expectAllClose(pass.output, [4.5, 1]);
    expect(pass.output.shape).toEqual([2, 1]);
  });
  test("p-norm pooling computes ‖x‖_p per sample", () => {
    const m = built([2], [L.pNormPool(3)]);
    expectAllClose(L.forward(m, t([3, 4, 1, 0], [2, 2])).output, [Math.cbrt(27 + 64), 1]);
  });
  test("windowed sum pooling and p-norm pooling over CHW inputs", () => {
    const x = t([1, 2, 3, 4], [1, 1, 2, 2]);
    expectAllClose(L.forward(built([1, 2, 2], [L.sumPool({ kernel: [2, 1] })]), x).output, [4, 6]);
    expectAllClose(L.forward(built([1, 2, 2], [L.pNormPool(2, { kernel: [1, 2] })]), x).output, [Math.sqrt(5), 5]);
  });
  test("select picks one output; scaleShift applies per channel", () => {
    expectAllClose(L.forward(built([3], [L.select(1)]), t([5, 6, 7], [1, 3])).output, [6]);
    const ss = built([2, 1, 1], [L.scaleShift(t([2, 3], [2]), t([1, -1], [2]))]);
    expectAllClose(L.forward(ss, t([1, 1], [1, 2, 1, 1])).output, [3, 2]);
  });
  test("float32 models run in float32", () => {
    const m = built([2], [L.dense(T.of([1, 0, 0, 1], [2, 2], "float32"), T.of([0, 0], [2], "float32")), L.relu]);
    const y = L.forward(m, T.of([1, -1], [1, 2], "float32")).output;
    expect(y.dtype).toBe("float32");
    expectAllClose(y, [1, 0]);
  });
});

describe("algebra", () => {
  test("identity is the empty sequence and compose concatenates", () => {
    const a: L.Sequential = [L.relu];
    expect(L.compose(L.identity, a)).toEqual(a);
    expect(L.compose(a, L.identity)).toEqual(a);
    expect(L.compose(a, [L.flatten], a).map((l) => l.kind)).toEqual(["relu", "flatten", "relu"]);
  });
  test("paramTree and withParamTree round-trip", () => {
    const m = built([2], [L.dense(T.ones([2, 2]), T.zeros([2])), L.relu]);
    const p = L.paramTree(m);
    expect(Object.keys(p[0]!)).toEqual(["W", "b"]);
    expect(Object.keys(p[1]!)).toEqual([]);
    const m2 = L.withParamTree(m, [{ W: T.zeros([2, 2]), b: T.ones([2]) }, {}]);
    expectAllClose(L.forward(m2, t([5, 5], [1, 2])).output, [1, 1]);
  });
});
