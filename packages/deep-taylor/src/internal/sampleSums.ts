/**
 * What explain's consistency report needs of a relevance tensor, in one pass: per sample Σ_p R_p (for the
 * balance Σ R(in) − Σ R(out)) and Σ_p |R_p| (the magnitude its rounding scales with). The second also says whether
 * every entry is finite — Σ|R_p| is finite only if each |R_p| is (a NaN or ±∞ makes it NaN or +∞) — so the
 * non-finite check of docs/conventions.md scans a tensor again only when a sum is not finite (to name the unit,
 * or to find that a finite sum overflowed). Before, these were three passes over every relevance tensor
 * (explain's per-sample sums, magnitudes and `firstNonFinite`): 20 % of net C's CPU time at batch 128.
 *
 * Accumulated in float64 over four interleaved partial sums (entry i in partial i mod 4, then (p0 + p1) + (p2 + p3)):
 * the rounding of a sum of d terms stays within γ_{⌈d/4⌉+1}·Σ|R_p| (γ_n ≈ n·2⁻⁵³), below the γ_{d−1}·Σ|R_p| of a
 * sequential sum, and `Consistency.leaks` allows γ_n with n ≥ d. One loop per element type keeps each load
 * monomorphic (as `firstNonFinite`): keep the two copies identical but for the type. Large tensors run on the
 * native kernels' `rowSums` when installed (`@dtd/native`'s rowSums.c, the same additions in the same order).
 * @module
 */
import type * as T from "@dtd/tensor";
import { nativeFrom, nativeKernels } from "@dtd/tensor/unsafe";

/** Per sample [N]: Σ_p R_p and Σ_p |R_p|. */
export interface SampleSums {
  readonly sum: Float64Array;
  readonly abs: Float64Array;
}

const sums64 = (d: Float64Array, N: number, size: number, sum: Float64Array, abs: Float64Array): void => {
  for (let n = 0; n < N; n++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let i = n * size;
    const end = i + size;
    for (const end4 = i + (size & ~3); i < end4; i += 4) {
      const v0 = d[i]!, v1 = d[i + 1]!, v2 = d[i + 2]!, v3 = d[i + 3]!;
      s0 += v0;
      s1 += v1;
      s2 += v2;
      s3 += v3;
      a0 += Math.abs(v0);
      a1 += Math.abs(v1);
      a2 += Math.abs(v2);
      a3 += Math.abs(v3);
    }
    for (; i < end; i++) {
      const v = d[i]!;
      s0 += v;
      a0 += Math.abs(v);
    }
    sum[n] = s0 + s1 + (s2 + s3);
    abs[n] = a0 + a1 + (a2 + a3);
  }
};

// The Float32Array copy of sums64.
const sums32 = (d: Float32Array, N: number, size: number, sum: Float64Array, abs: Float64Array): void => {
  for (let n = 0; n < N; n++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let i = n * size;
    const end = i + size;
    for (const end4 = i + (size & ~3); i < end4; i += 4) {
      const v0 = d[i]!, v1 = d[i + 1]!, v2 = d[i + 2]!, v3 = d[i + 3]!;
      s0 += v0;
      s1 += v1;
      s2 += v2;
      s3 += v3;
      a0 += Math.abs(v0);
      a1 += Math.abs(v1);
      a2 += Math.abs(v2);
      a3 += Math.abs(v3);
    }
    for (; i < end; i++) {
      const v = d[i]!;
      s0 += v;
      a0 += Math.abs(v);
    }
    sum[n] = s0 + s1 + (s2 + s3);
    abs[n] = a0 + a1 + (a2 + a3);
  }
};

/** Σ_p R_p and Σ_p |R_p| of each sample of a batch [N, ...], in one pass. */
export const sampleSums = (t: T.Tensor): SampleSums => {
  const N = t.shape[0]!;
  const size = N === 0 ? 0 : t.data.length / N;
  const sum = new Float64Array(N);
  const abs = new Float64Array(N);
  const native = N > 0 && t.data.length >= nativeFrom ? nativeKernels()?.rowSums : undefined;
  if (native !== undefined) native(t.data, sum, abs);
  else if (t.data instanceof Float64Array) sums64(t.data, N, size, sum, abs);
  else sums32(t.data, N, size, sum, abs);
  return { sum, abs };
};

/** True when every magnitude is finite, hence every entry of the tensor they were summed from. */
export const allFiniteBy = (s: SampleSums): boolean => {
  let z = 0;
  for (let n = 0; n < s.abs.length; n++) z += s.abs[n]! * 0;
  return z === 0;
};
