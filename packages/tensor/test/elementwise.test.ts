import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";

const m = (data: number[], shape: number[]) => T.of(data, shape);

describe("construction", () => {
  test("fromArray validates length, shape and finiteness", () => {
    const bad = T.fromArray([1, 2, 3], [2, 2]);
    expect(E.isLeft(bad) && T.message(bad.left)).toBe("Tensor.fromArray: length mismatch: expected 4 elements, found 3");
    const nan = T.fromArray([1, Number.NaN], [2]);
    expect(E.isLeft(nan) && nan.left).toMatchObject({ _tag: "NonFinite", index: 1 });
    const inf = T.fromArray([Infinity], [1]);
    expect(E.isLeft(inf) && T.message(inf.left)).toMatch(/non-finite value Infinity at flat index 0/);
    const shape = T.fromArray([1], [0.5]);
    expect(E.isLeft(shape) && shape.left._tag).toBe("InvalidShape");
  });
  test("fromNested checks rectangularity and reports the path", () => {
    const ok = T.fromNested([[1, 2], [3, 4]]);
    expect(E.isRight(ok) && ok.right.shape).toEqual([2, 2]);
    const ragged = T.fromNested([[1, 2], [3]]);
    expect(E.isLeft(ragged) && T.message(ragged.left)).toMatch(/\$\[1\].*length 1/);
  });
  test("float32 tensors carry their dtype", () => {
    const t = T.of([1.1, 2], [2], "float32");
    expect(t.dtype).toBe("float32");
    expect(t.data).toBeInstanceOf(Float32Array);
  });
});

describe("elementwise", () => {
  test("broadcasting add of [2,1] and [3]", () => {
    const r = T.add(m([1, 2], [2, 1]), m([10, 20, 30], [3]));
    expect(r.shape).toEqual([2, 3]);
    expectAllClose(r, [11, 21, 31, 12, 22, 32]);
  });
  test("broadcast over a middle axis", () => {
    const a = m([1, 2, 3, 4, 5, 6], [2, 1, 3]);
    const b = m([1, 10], [2, 1]);
    const r = T.mul(a, b);
    expect(r.shape).toEqual([2, 2, 3]);
    expectAllClose(r, [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60]);
  });
  test("numbers act as scalars", () => {
    expectAllClose(T.sub(5, m([1, 2], [2])), [4, 3]);
    expectAllClose(T.div(m([1, 2], [2]), 2), [0.5, 1]);
  });
  test("x⁺, x⁻ and the step equal v > 0 ? v : 0 (etc.) on special values, +0 never −0, both dtypes", () => {
    const special = [-Infinity, -2, -0, 0, 1e-320, 3, Infinity, NaN];
    for (const data of [Float64Array.from(special), Float32Array.from(special)]) {
      const x = unsafeMake([special.length], data);
      const stored = Array.from(data);
      const same = (found: Float32Array | Float64Array, expected: number[], what: string) =>
        Array.from(found).forEach((v, i) => expect(Object.is(v, expected[i]), `${what} of ${stored[i]}: ${v}`).toBe(true));
      same(T.positivePart(x).data, stored.map((v) => (v > 0 ? v : 0)), "x⁺");
      same(T.negativePart(x).data, stored.map((v) => (v < 0 ? v : 0)), "x⁻");
      same(T.step(x).data, stored.map((v) => (v > 0 ? 1 : 0)), "step");
    }
  });
  test("unary ops", () => {
    const x = m([-2, -0.5, 0, 3], [4]);
    expectAllClose(T.positivePart(x), [0, 0, 0, 3]);
    expectAllClose(T.negativePart(x), [-2, -0.5, 0, 0]);
    expectAllClose(T.abs(x), [2, 0.5, 0, 3]);
    expectAllClose(T.square(x), [4, 0.25, 0, 9]);
    expectAllClose(T.clamp(x, -1, 1), [-1, -0.5, 0, 1]);
    expectAllClose(T.exp(m([0, 1], [2])), [1, Math.E]);
    expectAllClose(T.sqrt(m([4, 9], [2])), [2, 3]);
    expectAllClose(T.pow(m([2, 3], [2]), 2), [4, 9]);
  });
  test("divNoNan gives 0 where the denominator is 0, never NaN", () => {
    expectAllClose(T.divNoNan(m([1, 0, 3], [3]), m([0, 0, 2], [3])), [0, 0, 1.5]);
  });
  test("comparisons and where", () => {
    const a = m([1, 5, 3], [3]);
    const b = m([2, 2, 3], [3]);
    expectAllClose(T.greater(a, b), [0, 1, 0]);
    expectAllClose(T.greaterEqual(a, b), [0, 1, 1]);
    expectAllClose(T.where(T.less(a, b), a, b), [1, 2, 3]);
    expectAllClose(T.maximum(a, b), [2, 5, 3]);
    expectAllClose(T.minimum(a, 2), [1, 2, 2]);
  });
  test("shape mismatch is a tagged error naming both shapes", () => {
    const r = T.attempt(() => T.add(m([1, 2, 3], [3]), m([1, 2], [2])));
    expect(E.isLeft(r) && T.message(r.left)).toBe("add: shape mismatch: expected shapes broadcastable with [3], found [2]");
  });
  test("mixed dtypes are refused", () => {
    const r = T.attempt(() => T.mul(T.of([1], [1], "float32"), m([1], [1])));
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: "DTypeMismatch", expected: "float32", found: "float64" });
  });
  test("clamp with lo > hi is refused", () => {
    expect(() => T.clamp(m([1], [1]), 1, 0)).toThrow(/expected lo <= hi/);
  });
});

describe("reductions", () => {
  const x = m([1, 2, 3, 4, 5, 6], [2, 3]);
  test("sum over all, axis 0, axis 1, keepDims", () => {
    expectAllClose(T.sum(x), [21]);
    expectAllClose(T.sum(x, { axes: 0 }), [5, 7, 9]);
    expectAllClose(T.sum(x, { axes: -1 }), [6, 15]);
    expect(T.sum(x, { axes: 1, keepDims: true }).shape).toEqual([2, 1]);
  });
  test("mean, max, min, argmax", () => {
    expectAllClose(T.mean(x, { axes: 1 }), [2, 5]);
    expectAllClose(T.max(x, { axes: 0 }), [4, 5, 6]);
    expectAllClose(T.min(x), [1]);
    expectAllClose(T.argmax(m([1, 9, 3, 7, 2, 8], [2, 3]), 1), [1, 2]);
    expectAllClose(T.argmax(m([1, 9, 3, 7, 2, 8], [2, 3]), 0), [1, 0, 1]);
  });
  test("sum over non-adjacent axes of a rank-3 tensor", () => {
    const y = m(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const s = T.sum(y, { axes: [0, 2] });
    expectAllClose(s, [0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, 4 + 5 + 6 + 7 + 16 + 17 + 18 + 19, 8 + 9 + 10 + 11 + 20 + 21 + 22 + 23]);
  });
  test("sumTo is the adjoint of broadcasting", () => {
    const g = m([1, 2, 3, 4, 5, 6], [2, 3]);
    expectAllClose(T.sumTo(g, [3]), [5, 7, 9]);
    expectAllClose(T.sumTo(g, [2, 1]), [6, 15]);
    expect(T.sumTo(g, [2, 1]).shape).toEqual([2, 1]);
  });
  test("axis out of range", () => {
    const r = T.attempt(() => T.sum(x, { axes: 2 }));
    expect(E.isLeft(r) && T.message(r.left)).toBe("sum: axis 2 out of range: expected an axis in [-2, 1] for rank 2");
  });
});

describe("shape ops", () => {
  const x = m([1, 2, 3, 4, 5, 6], [2, 3]);
  test("reshape with -1 and the wrong size", () => {
    expect(T.reshape(x, [3, -1]).shape).toEqual([3, 2]);
    const r = T.attempt(() => T.reshape(x, [4, 2]));
    expect(E.isLeft(r) && T.message(r.left)).toBe("reshape: shape mismatch: expected a shape of size 6 (from [2, 3]), found [4, 2] of size 8");
  });
  test("transpose", () => {
    const t = T.transpose(x);
    expect(t.shape).toEqual([3, 2]);
    expectAllClose(t, [1, 4, 2, 5, 3, 6]);
    const y = m(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const p = T.transpose(y, [1, 2, 0]);
    expect(p.shape).toEqual([3, 4, 2]);
    expect(T.get(p, [2, 1, 1])).toBe(T.get(y, [1, 2, 1]));
  });
  test("slice and pad are adjoint", () => {
    const s = T.slice(x, [0, 1], [2, 2]);
    expectAllClose(s, [2, 3, 5, 6]);
    const p = T.pad(s, [0, 1], [0, 0]);
    expectAllClose(p, [0, 2, 3, 0, 5, 6]);
    expect(() => T.slice(x, [1, 2], [2, 2])).toThrow(/a window inside \[2, 3\]/);
  });
  test("concat and stack", () => {
    const c = T.concat([x, m([7, 8], [2, 1])], 1);
    expect(c.shape).toEqual([2, 4]);
    expectAllClose(c, [1, 2, 3, 7, 4, 5, 6, 8]);
    const s = T.stack([m([1, 2], [2]), m([3, 4], [2])], 1);
    expectAllClose(s, [1, 3, 2, 4]);
    expect(() => T.concat([x, m([1, 2, 3], [1, 3])], 1)).toThrow(/concat: shape mismatch/);
  });
  test("broadcastTo", () => {
    expectAllClose(T.broadcastTo(m([1, 2, 3], [3]), [2, 3]), [1, 2, 3, 1, 2, 3]);
    expect(() => T.broadcastTo(m([1, 2, 3], [3]), [3, 2])).toThrow(/broadcast/);
  });
});

describe("Random", () => {
  test("the same seed gives the same stream", () => {
    const a = T.Random.uniformTensor(T.Random.make(7), [5]);
    const b = T.Random.uniformTensor(T.Random.make(7), [5]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const c = T.Random.uniformTensor(T.Random.make(8), [5]);
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });
  test("normal numbers have mean ≈ 0 and variance ≈ 1", () => {
    const z = T.Random.normalTensor(T.Random.make(1), [20000]);
    const mu = T.item(T.mean(z));
    const v = T.item(T.mean(T.square(z)));
    expect(Math.abs(mu)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});
