/**
 * `recycle` (@dtd/tensor/unsafe): a large array handed back is what the next `alloc` of its length and dtype
 * returns, zero-filled again; small arrays, views, the other dtype and other lengths are not served from it.
 */
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { nativeKernels, recycle } from "@dtd/tensor/unsafe";
import { gemm } from "../src/internal/kernels/gemm.ts";

const big = 70000;

/** max |a − b| (typed arrays this long make a failing toEqual print for minutes). */
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < Math.min(a.length, b.length); i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

describe("recycle", () => {
  test("the next alloc of the same length and dtype reuses the array, zero-filled", () => {
    const a = T.alloc("float64", big).fill(3);
    recycle(a);
    expect(T.alloc("float32", big)).not.toBe(a);
    expect(T.alloc("float64", big + 1)).not.toBe(a);
    const b = T.alloc("float64", big);
    // Its memory, in a new array object: caches keyed by the array's identity never see new contents under it.
    expect(b.buffer).toBe(a.buffer);
    expect(b).not.toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
    // Taken once: the next alloc is a fresh array.
    expect(T.alloc("float64", big).buffer).not.toBe(a.buffer);
  });

  test.each(["native", "wasm"] as const)("recycled memory is a new array to the caches keyed by identity (%s route): a product packs its new values", (kernel) => {
    // gemm keeps a tensor operand packed by its array's identity (the wasm kernel's packed A, the native kernels'
    // packed B, met twice); recycled memory filled again must be packed again. 256 × 256 elements are kept by
    // recycle; on the wasm route, alloc handing back the recycled array itself gave a max error of 6.9.
    if (kernel === "native" && nativeKernels() === undefined) return;
    const [m, k, n] = [256, 256, 32];
    const rnd = (len: number, seed: number): Float64Array => Float64Array.from({ length: len }, (_, i) => Math.sin(seed * 7919 + i * 0.37));
    const product = (a: Float64Array, b: Float64Array, aIsTensor: boolean): Float64Array => {
      const out = new Float64Array(m * n);
      gemm({ m, n, k, a: { data: a, ...(aIsTensor ? {} : { lifetime: "scratch" as const }) }, b: { data: b, ...(aIsTensor ? { lifetime: "scratch" as const } : {}) }, out, kernel });
      return out;
    };
    // A operand: packed by the wasm kernel, remembered by identity.
    const A1 = T.alloc("float64", m * k);
    A1.set(rnd(m * k, 1));
    const B = rnd(k * n, 2);
    product(A1, B, true);
    recycle(A1);
    const A2 = T.alloc("float64", m * k);
    expect(A2.buffer === A1.buffer).toBe(true); // the same memory, other values
    A2.set(rnd(m * k, 3));
    expect(maxDiff(product(A2, B, true), product(A2.slice(), B, true))).toBe(0);
    // B operand (k × n = the same length): met twice, kept packed by the native kernels.
    const A = rnd(m * k, 4);
    const B1 = T.alloc("float64", k * m);
    B1.set(rnd(k * m, 5));
    const wide = (b: Float64Array): Float64Array => {
      const out = new Float64Array(m * m);
      gemm({ m, n: m, k, a: { data: A, lifetime: "scratch" }, b: { data: b }, out, kernel });
      return out;
    };
    wide(B1);
    wide(B1);
    recycle(B1);
    const B2 = T.alloc("float64", k * m);
    expect(B2.buffer === B1.buffer).toBe(true);
    B2.set(rnd(k * m, 6));
    expect(maxDiff(wide(B2), wide(B2.slice()))).toBe(0);
  });

  test("small arrays and views are never kept; an array handed back twice is kept once", () => {
    const small = T.alloc("float32", 100);
    recycle(small);
    expect(T.alloc("float32", 100)).not.toBe(small);
    const whole = new Float32Array(2 * big);
    const view = whole.subarray(big);
    recycle(view);
    expect(T.alloc("float32", big).buffer).not.toBe(whole.buffer);
    const c = T.alloc("float32", big);
    recycle(c);
    recycle(c);
    expect(T.alloc("float32", big).buffer).toBe(c.buffer);
    expect(T.alloc("float32", big).buffer).not.toBe(c.buffer);
  });
});
