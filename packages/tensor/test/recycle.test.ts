/**
 * `recycle` (@dtd/tensor/unsafe): a large array handed back is what the next `alloc` of its length and dtype
 * returns, zero-filled again; small arrays, views, the other dtype and other lengths are not served from it.
 */
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { recycle } from "@dtd/tensor/unsafe";

const big = 70000;

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
