/**
 * Packing for {@link gemm}: a block of a matrix X copied into 4-row micro-panels,
 *
 *   dst[ir·kb + 4p + ii] = X[r0 + ir + ii, p0 + p]   for ir a multiple of 4, ir + ii < rb, p < kb,
 *
 * with X[r, p] = src[off + r·ld + p] ("rows": each row contiguous) or, when `colMajor`, src[off + p·ld + r]
 * (each column contiguous). gemm packs A's blocks with X = op(A) and B's with X = op(B)ᵀ (a 4-column
 * micro-panel of B is a 4-row micro-panel of Bᵀ), so the four transpose combinations share these loops. Values
 * are rounded to float32 when `dst` is a Float32Array. Rows past rb in the last micro-panel are not written (see
 * gemm.ts for why that is safe).
 *
 * Whole micro-panels run unrolled loops, one copy per element type (Float64Array → Float64Array, Float32Array →
 * Float32Array) so that each load and store site sees one type: the generic loop, which also serves the last
 * partial micro-panel and mixed element types, ran 2–3× slower at net B's batch-128 product (measured: B packing
 * took 32% of a [128, 784]·[784, 512] float32 product; see docs/performance.md).
 * @module
 */
import type { FloatArray } from "../../DType.ts";

/** Packs X[r0 : r0+rb, p0 : p0+kb] into 4-row micro-panels of `dst` (see the module comment). */
export const packPanels = (
  src: FloatArray,
  off: number,
  ld: number,
  colMajor: boolean,
  r0: number,
  rb: number,
  p0: number,
  kb: number,
  dst: FloatArray,
): void => {
  const whole = rb & ~3;
  if (src instanceof Float64Array && dst instanceof Float64Array) {
    if (colMajor) cols64(src, off + p0 * ld + r0, ld, whole, kb, dst);
    else rows64(src, off + r0 * ld + p0, ld, whole, kb, dst);
  } else if (src instanceof Float32Array && dst instanceof Float32Array) {
    if (colMajor) cols32(src, off + p0 * ld + r0, ld, whole, kb, dst);
    else rows32(src, off + r0 * ld + p0, ld, whole, kb, dst);
  } else generic(src, off, ld, colMajor, r0, 0, whole, p0, kb, dst);
  generic(src, off, ld, colMajor, r0, whole, rb, p0, kb, dst);
};

/** Micro-panels of rows [from, to) (relative to r0), any element types, one element at a time. */
const generic = (src: FloatArray, off: number, ld: number, colMajor: boolean, r0: number, from: number, to: number, p0: number, kb: number, dst: FloatArray): void => {
  for (let ir = from; ir < to; ir += 4) {
    const mr = Math.min(4, to - ir);
    for (let ii = 0; ii < mr; ii++) {
      let d = ir * kb + ii;
      if (colMajor) for (let p = 0, s = off + p0 * ld + r0 + ir + ii; p < kb; p++, d += 4, s += ld) dst[d] = src[s]!;
      else for (let p = 0, s = off + (r0 + ir + ii) * ld + p0; p < kb; p++, d += 4) dst[d] = src[s + p]!;
    }
  }
};

/** Whole micro-panels of rows [0, rows), X[r, p] = src[s + r·ld + p]: four rows read side by side. */
const rows64 = (src: Float64Array, s: number, ld: number, rows: number, kb: number, dst: Float64Array): void => {
  for (let ir = 0; ir < rows; ir += 4, s += 4 * ld) {
    let s0 = s, s1 = s + ld, s2 = s1 + ld, s3 = s2 + ld;
    for (let d = ir * kb, end = d + 4 * kb; d < end; d += 4) {
      dst[d] = src[s0++]!;
      dst[d + 1] = src[s1++]!;
      dst[d + 2] = src[s2++]!;
      dst[d + 3] = src[s3++]!;
    }
  }
};

/** Whole micro-panels of rows [0, rows), X[r, p] = src[s + p·ld + r]: four contiguous values per p. */
const cols64 = (src: Float64Array, s: number, ld: number, rows: number, kb: number, dst: Float64Array): void => {
  for (let ir = 0; ir < rows; ir += 4) {
    for (let d = ir * kb, end = d + 4 * kb, q = s + ir; d < end; d += 4, q += ld) {
      dst[d] = src[q]!;
      dst[d + 1] = src[q + 1]!;
      dst[d + 2] = src[q + 2]!;
      dst[d + 3] = src[q + 3]!;
    }
  }
};

// The Float32Array copies of the two loops above: keep them identical but for the type.
const rows32 = (src: Float32Array, s: number, ld: number, rows: number, kb: number, dst: Float32Array): void => {
  for (let ir = 0; ir < rows; ir += 4, s += 4 * ld) {
    let s0 = s, s1 = s + ld, s2 = s1 + ld, s3 = s2 + ld;
    for (let d = ir * kb, end = d + 4 * kb; d < end; d += 4) {
      dst[d] = src[s0++]!;
      dst[d + 1] = src[s1++]!;
      dst[d + 2] = src[s2++]!;
      dst[d + 3] = src[s3++]!;
    }
  }
};

const cols32 = (src: Float32Array, s: number, ld: number, rows: number, kb: number, dst: Float32Array): void => {
  for (let ir = 0; ir < rows; ir += 4) {
    for (let d = ir * kb, end = d + 4 * kb, q = s + ir; d < end; d += 4, q += ld) {
      dst[d] = src[q]!;
      dst[d + 1] = src[q + 1]!;
      dst[d + 2] = src[q + 2]!;
      dst[d + 3] = src[q + 3]!;
    }
  }
};
