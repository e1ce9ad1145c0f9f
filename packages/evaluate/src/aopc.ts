/**
 * The area over the perturbation curve (Samek et al. 2017, eq. 12):
 *
 *   AOPC = 1/(L + 1) · ⟨ Σ_{k=0}^{L} f(x⁽⁰⁾) − f(x⁽ᵏ⁾) ⟩_{p(x)},
 *
 * the mean over the L + 1 points of the curve (k = 0 is the unperturbed input and contributes 0) and over the
 * inputs of how far the score has fallen. Under most-relevant-first perturbation a larger AOPC means the heatmap
 * found the regions the model relies on. Curves are flat row-major arrays, f[n·(L + 1) + k].
 * @module
 */

/** AOPC of a set of curves and how it spreads over the inputs. */
export interface AopcSummary {
  /** ⟨f(x⁽⁰⁾) − f(x⁽ᵏ⁾)⟩ over the inputs, k = 0 … L. */
  readonly meanDrop: Float64Array;
  /** AOPC over all inputs. */
  readonly aopc: number;
  /** Each input's own AOPC, 1/(L + 1) Σ_k f(x⁽⁰⁾) − f(x⁽ᵏ⁾); their mean is `aopc`. */
  readonly perSample: Float64Array;
  /** The standard error of `aopc` over the inputs, sd(perSample)/√N (0 for one input). */
  readonly standardError: number;
}

const meanAndStandardError = (v: ArrayLike<number>): { readonly mean: number; readonly standardError: number } => {
  const N = v.length;
  let sum = 0;
  for (let n = 0; n < N; n++) sum += v[n]!;
  const mean = N === 0 ? 0 : sum / N;
  if (N < 2) return { mean, standardError: 0 };
  let sq = 0;
  for (let n = 0; n < N; n++) sq += (v[n]! - mean) ** 2;
  return { mean, standardError: Math.sqrt(sq / (N - 1) / N) };
};

/** AOPC of N curves of L + 1 points each (f[n·(L + 1) + k]). */
export const aopc = (f: ArrayLike<number>, N: number): AopcSummary => {
  const points = N === 0 ? 0 : f.length / N;
  if (!Number.isInteger(points) || (N > 0 && points < 1)) {
    throw new RangeError(`aopc: expected N·(L + 1) curve values for N = ${N}, found ${f.length}`);
  }
  const meanDrop = new Float64Array(points);
  const perSample = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const f0 = f[n * points]!;
    let s = 0;
    for (let k = 0; k < points; k++) {
      const drop = f0 - f[n * points + k]!;
      meanDrop[k]! += drop / N;
      s += drop;
    }
    perSample[n] = s / points;
  }
  const { mean, standardError } = meanAndStandardError(perSample);
  return { meanDrop, aopc: mean, perSample, standardError };
};

/**
 * The paired difference of two AOPCs measured on the same inputs (e.g. MoRF against the random order): the mean
 * of a.perSample − b.perSample and its standard error. Pairing removes the spread between inputs, which both
 * share, so a difference several standard errors from 0 is a real one.
 */
export const pairedDifference = (a: AopcSummary, b: AopcSummary): { readonly difference: number; readonly standardError: number } => {
  if (a.perSample.length !== b.perSample.length) {
    throw new RangeError(`pairedDifference: expected AOPCs of the same inputs, found ${a.perSample.length} and ${b.perSample.length}`);
  }
  const d = a.perSample.map((v, n) => v - b.perSample[n]!);
  const { mean, standardError } = meanAndStandardError(d);
  return { difference: mean, standardError };
};
