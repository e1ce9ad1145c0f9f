/**
 * explain's one-pass relevance sums (src/internal/sampleSums.ts) against the plain loops they replaced: per
 * sample Σ R_p within the rounding bound of a float64 sum, Σ |R_p| likewise, and the finiteness they report equal to
 * a scan for NaN and ±Infinity (including finite entries whose magnitudes overflow the sum).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { installNativeKernels, nativeKernels, unsafeMake } from "@dtd/tensor/unsafe";
import { allFiniteBy, sampleSums } from "../src/internal/sampleSums.ts";

/** The plain per-sample loops (sequential float64 sums) and a bound on their difference from any summation order. */
const plain = (t: T.Tensor): { sum: number[]; abs: number[] } => {
  const N = t.shape[0]!;
  const d = t.data.length / N;
  const sum: number[] = [];
  const abs: number[] = [];
  for (let n = 0; n < N; n++) {
    let s = 0;
    let a = 0;
    for (let i = n * d; i < (n + 1) * d; i++) {
      s += t.data[i]!;
      a += Math.abs(t.data[i]!);
    }
    sum.push(s);
    abs.push(a);
  }
  return { sum, abs };
};
const gamma = (n: number): number => (n * 2 ** -53) / (1 - n * 2 ** -53);

const batches = fc
  .record({ N: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 37 }), dtype: fc.constantFrom<T.DType>("float32", "float64") })
  .chain(({ N, d, dtype }) =>
    fc.record({
      values: fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: N * d, maxLength: N * d }),
      N: fc.constant(N),
      d: fc.constant(d),
      dtype: fc.constant(dtype),
    }),
  );

describe("sampleSums: one pass for explain's balance, magnitudes and finiteness", () => {
  test("Σ R_p and Σ |R_p| per sample equal the sequential sums within 2·γ_d·Σ|R_p|", () => {
    fc.assert(
      fc.property(batches, ({ values, N, d, dtype }) => {
        const t = T.of(values, [N, d], dtype);
        const s = sampleSums(t);
        const ref = plain(t);
        for (let n = 0; n < N; n++) {
          const bound = 2 * gamma(d) * ref.abs[n]!;
          expect(Math.abs(s.sum[n]! - ref.sum[n]!)).toBeLessThanOrEqual(bound);
          expect(Math.abs(s.abs[n]! - ref.abs[n]!)).toBeLessThanOrEqual(bound);
        }
        expect(allFiniteBy(s)).toBe(true);
      }),
    );
  });
  test("a NaN or ±Infinity anywhere makes the magnitudes non-finite; a finite tensor whose magnitude overflows reads as not known finite", () => {
    fc.assert(
      fc.property(batches, fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), ({ values, N, d, dtype }, at, bad) => {
        const t = T.astype(T.of(Array.from(values), [N, d]), dtype);
        t.data[at % t.data.length] = bad;
        expect(allFiniteBy(sampleSums(t))).toBe(false);
      }),
    );
    const huge = T.of([1.7e308, 1.7e308, -1.7e308], [1, 3]);
    expect(allFiniteBy(sampleSums(huge))).toBe(false);
    expect(T.firstNonFinite(huge.data)).toBe(-1);
  });
  test("the native kernels' rowSums (when installed) give the loops' bits: large batches, tails, magnitudes far apart, NaN and ±Infinity", () => {
    const installed = nativeKernels();
    const viaLoops = (t: T.Tensor) => {
      installNativeKernels(undefined);
      try {
        return sampleSums(t);
      } finally {
        installNativeKernels(installed);
      }
    };
    const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e-300, 0, -0];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1024, max: 3000 }), fc.constantFrom<T.DType>("float32", "float64"), fc.integer(), fc.boolean(), (N, d, dtype, seed, withSpecial) => {
        const rng = T.Random.make(seed);
        const data = T.alloc(dtype, N * d);
        for (let i = 0; i < data.length; i++) data[i] = T.Random.uniform(rng, -1, 1) * 10 ** Math.floor(T.Random.uniform(rng, -8, 8));
        if (withSpecial) data[Math.floor(T.Random.uniform(rng, 0, data.length))] = special[Math.floor(T.Random.uniform(rng, 0, special.length))]!;
        const t = unsafeMake([N, d], data);
        const [a, b] = [sampleSums(t), viaLoops(t)];
        expect(Array.from(a.sum).every((v, n) => Object.is(v, b.sum[n]))).toBe(true);
        expect(Array.from(a.abs).every((v, n) => Object.is(v, b.abs[n]))).toBe(true);
      }),
    );
  });
  test("an empty batch has no sums", () => {
    const s = sampleSums(T.zeros([0, 3]));
    expect([s.sum.length, s.abs.length, allFiniteBy(s)]).toEqual([0, 0, true]);
  });
});
