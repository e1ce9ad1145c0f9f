/**
 * Nested arrays → tensors without recursion: every depth gives a Left or a tensor, never a stack overflow.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";

/** `[[[…[v]…]]]`, `depth` arrays deep. */
const deep = (depth: number, v: unknown): unknown => {
  let cur = v;
  for (let i = 0; i < depth; i++) cur = [cur];
  return cur;
};

describe("flattenNested", () => {
  test("reads shape and row-major values", () => {
    const r = T.flattenNested([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(E.isRight(r) && r.right.shape).toEqual([2, 2, 2]);
    expect(E.isRight(r) && r.right.data).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  test("an empty inner array gives a zero extent; a scalar gives shape []", () => {
    const r = T.flattenNested([[], []]);
    expect(E.isRight(r) && r.right.shape).toEqual([2, 0]);
    const s = T.flattenNested(3);
    expect(E.isRight(s) && s.right).toEqual({ shape: [], data: [3] });
  });
  test("names the path of the first offender", () => {
    const r = T.flattenNested([[1, 2], [3, "4"]]);
    expect(E.isLeft(r) && r.left.path).toEqual([1, 1]);
    expect(E.isLeft(r) && r.left.found).toBe("4");
    const ragged = T.flattenNested([[1, 2], [3]]);
    expect(E.isLeft(ragged) && ragged.left.path).toEqual([1]);
  });
  test("100,000 levels deep: a value, not a stack overflow (the recursive walk overflowed at ~10,000)", () => {
    const r = T.flattenNested(deep(100_000, 7));
    expect(E.isRight(r) && r.right.data).toEqual([7]);
    expect(E.isRight(r) && r.right.shape.length).toBe(100_000);
    const bad = T.fromNested(deep(100_000, null) as T.Nested);
    expect(E.isLeft(bad) && T.message(bad.left)).toMatch(/expected a number at \$(\[0\]){100000}, found object/);
    const t = T.fromNested(deep(20_000, 1.5) as T.Nested);
    expect(E.isRight(t) && t.right.data[0]).toBe(1.5);
  });
});

describe("dtype limits", () => {
  test("unit roundoff, largest finite value, smallest subnormal", () => {
    expect(1 + T.unitRoundoff("float64")).toBe(1); // ties to even: 1 + u rounds back to 1
    expect(1 + 2 * T.unitRoundoff("float64")).toBeGreaterThan(1);
    expect(Math.fround(1 + 2 * T.unitRoundoff("float32"))).toBeGreaterThan(1);
    expect(Math.fround(1 + T.unitRoundoff("float32"))).toBe(1);
    expect(Math.fround(T.maxFinite("float32"))).toBe(T.maxFinite("float32"));
    expect(Math.fround(T.smallestSubnormal("float32")) / 2).toBe(T.smallestSubnormal("float32") / 2);
    expect(Math.fround(T.smallestSubnormal("float32") / 2)).toBe(0);
    expect(T.fitsDType(1e39, "float32")).toBe(false);
    expect(T.fitsDType(1e39, "float64")).toBe(true);
    expect(T.fitsDType(Infinity, "float64")).toBe(false);
  });
});

describe("float32 construction", () => {
  test("a finite double beyond the float32 range is refused, not stored as Infinity", () => {
    const r = T.fromArray([1, 1e39], [2], "float32");
    expect(E.isLeft(r) && T.message(r.left)).toBe(
      "Tensor.fromArray: value 1e+39 at flat index 1 overflows float32 (|x| ≤ 3.4028234663852886e38): expected finite float32 numbers",
    );
    expect(E.isRight(T.fromArray([3.4028234663852886e38, -1e-50], [2], "float32"))).toBe(true);
  });
});
