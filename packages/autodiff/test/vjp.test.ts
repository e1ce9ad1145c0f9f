import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as AD from "@dtd/autodiff";

const v = (data: number[], shape: number[] = [data.length]) => T.of(data, shape);

describe("vjp, grad, valueAndGrad", () => {
  test("grad of Σx² is 2x", () => {
    const g = AD.grad((x) => AD.sum(AD.square(x)))(v([1, -2, 3]));
    expectAllClose(g.value, [2, -4, 6]);
  });
  test("vjp of a matrix-vector product is Wᵀ·ct, and of W it is the outer product", () => {
    const W = v([1, 2, 3, 4, 5, 6], [2, 3]);
    const x = v([1, 1], [1, 2]);
    const [y, pb] = AD.vjp((xx, ww) => AD.matmul(xx, ww), x, W);
    expectAllClose(y, [5, 7, 9]);
    const [gx, gW] = pb(v([1, 0, 2], [1, 3]));
    expectAllClose(gx!, [1 + 6, 4 + 12]);
    expectAllClose(gW!, [1, 0, 2, 1, 0, 2]);
  });
  test("a value used twice accumulates both contributions", () => {
    const g = AD.grad((x) => AD.sum(AD.mul(AD.exp(x), x)))(v([0.5]));
    expectAllClose(g.value, [Math.exp(0.5) * 1.5]);
  });
  test("valueAndGrad returns the value and one gradient per argument", () => {
    const [val, [ga, gb]] = AD.valueAndGrad((a, b) => AD.sum(AD.mul(a, b)))(v([1, 2]), v([3, 4]));
    expectAllClose(val.value, [11]);
    expectAllClose(ga!.value, [3, 4]);
    expectAllClose(gb!.value, [1, 2]);
  });
  test("grad(grad(f)) gives second derivatives: d²/dx² Σx³ = 6x", () => {
    const f = (x: AD.Var) => AD.sum(AD.mul(AD.square(x), x));
    const hvp = AD.grad((x: AD.Var) => AD.sum(AD.mul(AD.grad(f)(x), v([1, 1, 1]))));
    expectAllClose(hvp(v([1, 2, -3])).value, [6, 12, -18]);
  });
  test("a Hessian-vector product of a small MLP matches finite differences of its gradient", () => {
    const rng = T.Random.make(3);
    const W1 = T.Random.normalTensor(rng, [3, 4]);
    const W2 = T.Random.normalTensor(rng, [4, 1]);
    const f = (x: AD.Var) => AD.sum(AD.exp(AD.matmul(AD.mul(AD.matmul(x, W1), 0.3), W2)));
    const x = T.Random.normalTensor(rng, [1, 3]);
    const u = T.Random.normalTensor(rng, [1, 3]);
    const hv = AD.grad((y: AD.Var) => AD.sum(AD.mul(AD.grad(f)(y), u)))(x).value;
    const eps = 1e-5;
    const gp = AD.grad(f)(T.add(x, T.mul(u, eps))).value;
    const gm = AD.grad(f)(T.sub(x, T.mul(u, eps))).value;
    expectAllClose(hv, T.div(T.sub(gp, gm), 2 * eps), { atol: 1e-6, rtol: 1e-5 });
  });
  test("evaluating and differentiating the same function twice gives identical results", () => {
    const f = (x: AD.Var) => AD.sum(AD.relu(AD.sub(AD.mul(x, x), 1)));
    const x = v([0.5, 1.5, -2]);
    const a = AD.grad(f)(x).value;
    const b = AD.grad(f)(x).value;
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expectAllClose(a, [0, 3, -4]);
  });
  test("stopGradient blocks the gradient", () => {
    const g = AD.grad((x) => AD.sum(AD.mul(x, AD.stopGradient(x))))(v([2, 3]));
    expectAllClose(g.value, [2, 3]);
  });
  test("customVjp overrides the backward pass", () => {
    // A straight-through estimator: forward rounds, backward passes the cotangent unchanged.
    const roundSte = AD.customVjp("roundSte", (x) => ({ y: T.map(x, Math.round), bwd: (ct) => [ct] }));
    const [y, [g]] = AD.valueAndGrad((x) => AD.sum(AD.mul(roundSte(x), 2)))(v([0.4, 1.6]));
    expectAllClose(y.value, [4]);
    expectAllClose(g!.value, [2, 2]);
  });
  test("a wrong cotangent shape is a tagged error", () => {
    const [, pb] = AD.vjp((x) => AD.mul(x, 2), v([1, 2]));
    const r = T.attempt(() => pb(v([1, 2, 3])));
    expect(E.isLeft(r) && T.message(r.left)).toBe("vjp: shape mismatch: expected a cotangent of shape [2] and dtype float64, found [3] float64");
  });
  test("grad of a non-scalar function is refused", () => {
    expect(() => AD.grad((x) => AD.mul(x, 2))(v([1, 2]))).toThrow(/expected a function with a single output value, found output shape \[2\]/);
  });
  test("an input that does not influence the output gets a zero gradient", () => {
    const [, [ga, gb]] = AD.valueAndGrad((a, _b) => AD.sum(a))(v([1]), v([5, 6]));
    expectAllClose(ga!.value, [1]);
    expectAllClose(gb!.value, [0, 0]);
  });
  test("a chain of 20,000 ops does not overflow the stack", () => {
    const g = AD.grad((x) => {
      let y: AD.Var = x;
      for (let i = 0; i < 20_000; i++) y = AD.add(y, 0);
      return AD.sum(y);
    })(v([1]));
    expectAllClose(g.value, [1]);
  });
  test("float32 graphs stay float32", () => {
    const g = AD.grad((x) => AD.sum(AD.square(x)))(T.of([1, 2], [2], "float32"));
    expect(g.value.dtype).toBe("float32");
    expectAllClose(g.value, [2, 4]);
  });
});

describe("linearTranspose", () => {
  test("transposes a linear map once and serves any cotangent", () => {
    const W = T.of([1, 2, 3, 4, 5, 6], [2, 3]);
    const back = AD.linearTranspose((x) => AD.matmul(x, W), [1, 2], "float64");
    expectAllClose(back(T.of([1, 0, 0], [1, 3])), [1, 4]);
    expectAllClose(back(T.of([0, 1, 1], [1, 3])), [5, 11]);
  });
});

describe("maxPool2d reuses the winners of an input it already pooled", () => {
  const x = T.of([1, 5, 2, 0, 3, 4, 8, 7, 6, 9, -1, 2], [1, 1, 3, 4]);
  test("the same tensor pooled twice: one output tensor, the same gradient", () => {
    const a = AD.maxPool2d(x, { kernel: [2, 2] });
    const b = AD.maxPool2d(x, { kernel: [2, 2] });
    expect(b.value).toBe(a.value);
    expectAllClose(a.value, [5, 8]);
    expectAllClose(AD.grad((v) => AD.sum(AD.maxPool2d(v, { kernel: [2, 2] })))(x).value, [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });
  test("other windows or strides on the same tensor are pooled afresh", () => {
    expectAllClose(AD.maxPool2d(x, { kernel: [2, 2] }).value, [5, 8]);
    expectAllClose(AD.maxPool2d(x, { kernel: [2, 2], stride: [1, 1] }).value, [5, 8, 8, 9, 9, 8]);
    expectAllClose(AD.maxPool2d(x, { kernel: [3, 1] }).value, [6, 9, 8, 7]);
    expectAllClose(AD.maxPool2d(x, { kernel: [2, 2], padding: [1, 0, 1, 0] }).value, [1, 5, 6, 9]);
    expectAllClose(AD.grad((v) => AD.sum(AD.maxPool2d(v, { kernel: [2, 2], padding: [1, 0, 1, 0] })))(x).value, [1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0]);
    expectAllClose(AD.maxPool2d(x, { kernel: [2, 2] }).value, [5, 8]);
  });
});
