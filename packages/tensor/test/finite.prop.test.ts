import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "../src/index.ts";

/** The definition: the first index whose value is not finite. */
const naive = (xs: ArrayLike<number>): number => {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i]!)) return i;
  return -1;
};

describe("firstNonFinite", () => {
  const special = fc.constantFrom(Number.NaN, Infinity, -Infinity);
  // Finite values of both signs, zeros and extremes (0·x must be ±0 for all of them), with a few non-finite ones.
  const values = fc.array(fc.oneof({ weight: 12, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -3e38, max: 3e38 }) }, { weight: 1, arbitrary: special }), { maxLength: 37 });

  test("equals the first index whose value is not finite, in Float64Array, Float32Array and plain arrays", () => {
    fc.assert(
      fc.property(values, (xs) => {
        for (const data of [Float64Array.from(xs), Float32Array.from(xs), xs]) expect(T.firstNonFinite(data)).toBe(naive(data));
      }),
    );
  });

  test("long arrays (the native kernels' rowSums when installed): each special value at a random position is found; finite values whose |x| sum overflows are finite", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 5000 }), fc.nat(), fc.option(special, { nil: undefined }), (n, at, v) => {
        const d = new Float64Array(n).map((_, i) => (i % 7 === 0 ? Number.MAX_VALUE : -1.5 * i));
        if (v !== undefined) d[at % n] = v;
        expect(T.firstNonFinite(d)).toBe(naive(d));
        const f = Float32Array.from(d, (x) => (Number.isFinite(x) ? Math.max(-3e38, Math.min(3e38, x)) : x));
        expect(T.firstNonFinite(f)).toBe(naive(f));
      }),
      { numRuns: 30 },
    );
  });

  test("edge cases: empty, ±0 and the largest finite values are finite; each special value at each position of a 9-element array is found", () => {
    expect(T.firstNonFinite(new Float64Array(0))).toBe(-1);
    expect(T.firstNonFinite(new Float64Array([-0, 0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE]))).toBe(-1);
    expect(T.firstNonFinite(new Float32Array([-0, 3.4028234663852886e38, -3.4028234663852886e38]))).toBe(-1);
    for (const v of [Number.NaN, Infinity, -Infinity])
      for (let at = 0; at < 9; at++) {
        const d = new Float64Array(9).fill(1.5);
        d[at] = v;
        expect(T.firstNonFinite(d), `${v} at ${at}`).toBe(at);
        expect(T.firstNonFinite(Float32Array.from(d)), `${v} at ${at} (float32)`).toBe(at);
      }
  });
});
