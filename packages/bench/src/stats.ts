/**
 * Order statistics of timing samples: median, quartiles, interquartile range.
 *
 * Quantiles interpolate linearly between order statistics (Hyndman & Fan 1996, type 7; NumPy's default):
 * q(p) = x₍ₖ₎ + (h − k)(x₍ₖ₊₁₎ − x₍ₖ₎) with h = (n − 1)p, k = ⌊h⌋, on the sorted sample.
 * @module
 */

/** Summary of a non-empty sample (seconds). */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  /** q3 − q1. */
  readonly iqr: number;
}

const assertSample = (op: string, xs: readonly number[]): void => {
  if (xs.length === 0) throw new Error(`${op}: expected a non-empty sample, found 0 values`);
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`${op}: expected finite values, found ${xs[bad]} at index ${bad}`);
};

const quantileSorted = (sorted: readonly number[], p: number): number => {
  const h = (sorted.length - 1) * p;
  const k = Math.floor(h);
  const lo = sorted[k]!;
  const hi = sorted[Math.min(k + 1, sorted.length - 1)]!;
  return lo + (h - k) * (hi - lo);
};

/** The p-quantile (0 ≤ p ≤ 1) of a non-empty sample, type 7. */
export const quantile = (xs: readonly number[], p: number): number => {
  assertSample("quantile", xs);
  if (!(p >= 0 && p <= 1)) throw new Error(`quantile: expected p in [0, 1], found ${p}`);
  return quantileSorted([...xs].sort((a, b) => a - b), p);
};

/** The median of a non-empty sample (mean of the two middle values when n is even). */
export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Min, quartiles, median, max and IQR of a non-empty sample. */
export const summarize = (xs: readonly number[]): Summary => {
  assertSample("summarize", xs);
  const s = [...xs].sort((a, b) => a - b);
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  return { n: s.length, min: s[0]!, q1, median: quantileSorted(s, 0.5), q3, max: s[s.length - 1]!, iqr: q3 - q1 };
};
