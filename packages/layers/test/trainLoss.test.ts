import { describe, expect, test } from "vitest";
import * as AD from "@dtd/autodiff";
import { checkGrads } from "@dtd/autodiff/testing";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { binaryCrossEntropyWithLogits, detectionHinge, meanSquaredError, softmaxCrossEntropy, softplus } from "@dtd/layers";

const t = (data: number[], shape: number[]) => T.of(data, shape);
const value = (v: AD.Var) => T.item(v.value);

describe("meanSquaredError", () => {
  test("is the mean of the squared differences over every element: (1 + 0 + 4 + 9) / 4 = 3.5", () => {
    expectAllClose(value(meanSquaredError(t([1, 2, 3, 4], [2, 2]), t([0, 2, 1, 1], [2, 2]))), 3.5);
  });
  test("gradients: 2(y − t)/M, and checkGrads", () => {
    const target = t([0, 2, 1, 1], [2, 2]);
    const g = AD.grad((y) => meanSquaredError(y, target))(t([1, 2, 3, 4], [2, 2])).value;
    expectAllClose(g, [0.5, 0, 1, 1.5]);
    const r = checkGrads((y) => meanSquaredError(y, target), [T.Random.normalTensor(T.Random.make(1), [2, 2])]);
    expect(r.ok, r.message).toBe(true);
  });
  test("refuses a target of another shape (no silent broadcasting of [N] against [N, 1])", () => {
    expect(() => meanSquaredError(T.zeros([3, 1]), T.zeros([3]))).toThrow(
      "meanSquaredError: shape mismatch: expected a target of the output's shape [3, 1], found [3]",
    );
  });
});

describe("softmaxCrossEntropy", () => {
  test("hand-computed: rows [1,2,3] (label 2) and [1,1,1] (label 0) give log(1+e⁻¹+e⁻²) and log 3", () => {
    const logits = t([1, 2, 3, 1, 1, 1], [2, 3]);
    expectAllClose(value(softmaxCrossEntropy(logits, t([2, 0], [2]))), (0.4076059644443804 + 1.0986122886681098) / 2);
    expectAllClose(value(softmaxCrossEntropy(logits, t([2, 0], [2, 1]))), 0.7531091265562451);
  });
  test("is stable for huge logits: [1000, 0] label 0 costs ≈ 0, [−1000, 0] label 0 costs 1000", () => {
    const l = value(softmaxCrossEntropy(t([1000, 0, -1000, 0], [2, 2]), t([0, 0], [2])));
    expectAllClose(l, 500, { atol: 1e-9 });
  });
  test("gradients: (softmax(z) − onehot(c)) / N, and checkGrads", () => {
    const labels = t([2, 0], [2]);
    const z = t([1, 2, 3, 1, 1, 1], [2, 3]);
    const g = AD.grad((v) => softmaxCrossEntropy(v, labels))(z).value;
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    expectAllClose(g, [e[0]! / s / 2, e[1]! / s / 2, (e[2]! / s - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6]);
    const r = checkGrads((v) => softmaxCrossEntropy(v, t([1, 0, 3, 3], [4])), [T.Random.normalTensor(T.Random.make(2), [4, 4], 0, 3)]);
    expect(r.ok, r.message).toBe(true);
  });
  test("refuses labels out of range, non-integer labels and non-matrix logits", () => {
    expect(() => softmaxCrossEntropy(T.zeros([2, 3]), t([0, 3], [2]))).toThrow("expected an integer class label in [0, 2], found 3 at sample 1");
    expect(() => softmaxCrossEntropy(T.zeros([2, 3]), t([0.5, 1], [2]))).toThrow("found 0.5 at sample 0");
    expect(() => softmaxCrossEntropy(T.zeros([2, 3]), t([0, 1, 2], [3]))).toThrow("integer class labels of shape [2] or [2, 1], found [3]");
    expect(() => softmaxCrossEntropy(T.zeros([2, 3, 1]), t([0, 1], [2]))).toThrow("logits of shape [N, C]");
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  test("hand-computed: z = (0, 2, −3), y = (1, 0, 1) gives (log 2 + log(1+e²) + log(1+e⁻³) + 3) / 3", () => {
    const l = value(binaryCrossEntropyWithLogits(t([0, 2, -3], [3, 1]), t([1, 0, 1], [3, 1])));
    expectAllClose(l, (0.6931471805599453 + 2.1269280110429727 + 3.048587351573742) / 3);
  });
  test("equals −y log σ(z) − (1 − y) log(1 − σ(z)) for moderate z and soft targets", () => {
    const z = [-2.5, -0.3, 0.7, 4];
    const y = [0.2, 1, 0, 0.6];
    const naive = z.map((zi, i) => {
      const p = 1 / (1 + Math.exp(-zi));
      return -y[i]! * Math.log(p) - (1 - y[i]!) * Math.log(1 - p);
    });
    expectAllClose(value(binaryCrossEntropyWithLogits(t(z, [2, 2]), t(y, [2, 2]))), naive.reduce((a, b) => a + b) / 4, { atol: 1e-12 });
  });
  test("is stable for |z| = 800, where σ(z) rounds to 0 or 1", () => {
    const l = value(binaryCrossEntropyWithLogits(t([800, -800], [2]), t([0, 0], [2])));
    expectAllClose(l, 400);
  });
  test("gradients: (σ(z) − y)/M, exactly ½ − y at z = 0 (not the subgradient of |z|), and checkGrads", () => {
    const y = t([1, 0, 0.25], [3]);
    const g = AD.grad((z) => binaryCrossEntropyWithLogits(z, y))(t([0, 0, 0], [3])).value;
    expectAllClose(g, [-0.5 / 3, 0.5 / 3, 0.25 / 3]);
    const g2 = AD.grad((z) => AD.sum(softplus(z)))(t([-40, -1, 3], [3])).value;
    expectAllClose(g2, [-40, -1, 3].map((z) => 1 / (1 + Math.exp(-z))));
    const target = t([1, 0, 0.5, 0, 1, 1], [3, 2]);
    const r = checkGrads((z) => binaryCrossEntropyWithLogits(z, target), [T.Random.normalTensor(T.Random.make(3), [3, 2], 0, 2)]);
    expect(r.ok, r.message).toBe(true);
  });
  test("refuses targets outside [0, 1]", () => {
    expect(() => binaryCrossEntropyWithLogits(T.zeros([2]), t([0, 2], [2]))).toThrow("expected targets in [0, 1], found 2 at flat index 1");
  });
});

describe("detectionHinge", () => {
  test("is y·max(0, 1 − f) + (1 − y)·f averaged, with the matching gradient", () => {
    const f = T.of([0.25, 2, 0.5, 0], [4, 1]);
    const y = T.of([1, 1, 0, 0], [4, 1]);
    // (0.75 + 0 + 0.5 + 0) / 4
    expectAllClose(AD.value(detectionHinge(f, y)), 0.3125, { atol: 1e-15 });
    const [value, grads] = AD.valueAndGrad((v: AD.Var) => detectionHinge(v, y))(f);
    expectAllClose(value.value, 0.3125, { atol: 1e-15 });
    // ∂/∂f: −1/N for a positive below the margin, 0 above it, +1/N for a negative.
    expectAllClose(grads[0]!.value, T.of([-0.25, 0, 0.25, 0.25], [4, 1]), { atol: 1e-15 });
  });

  test("refuses targets other than 0 and 1, and a shape mismatch", () => {
    expect(() => detectionHinge(T.of([1], [1, 1]), T.of([0.5], [1, 1]))).toThrow(/targets 0 or 1, found 0.5 at flat index 0/);
    expect(() => detectionHinge(T.of([1, 2], [2, 1]), T.of([1], [1, 1]))).toThrow(/\[2, 1\]/);
  });
});
