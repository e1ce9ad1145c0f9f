/**
 * Thin matrix products, where packing for the blocked {@link gemm} costs as much as the multiply itself: fewer
 * than 4 rows (a single sample through a dense layer, m = 1) or fewer than 4 columns (a matrix–vector
 * product). Each path walks its operands contiguously and sums in float64. Same contract as `gemm`, except that
 * `out` is only added to (the caller zeroes it) and `acc` is a float64 scratch of at least max(n, m) elements.
 * @module
 */
import type { FloatArray } from "../../DType.ts";

/**
 * out[i, :] = out[i, :]! + op(A)[i, :]·op(B) one row at a time. Without `transB` a row of the result is a sum of rows of B
 * (axpy into `acc`); with `transB` every entry is a dot product of two contiguous rows.
 */
export const gemmThinRows = (
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  transA: boolean,
  b: FloatArray,
  bOff: number,
  transB: boolean,
  out: FloatArray,
  outOff: number,
  acc: Float64Array,
): void => {
  // op(A)[i, p] = a[aOff + i·sai + p·sap]
  const sai = transA ? 1 : k;
  const sap = transA ? m : 1;
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * sai;
    const o = outOff + i * n;
    if (transB) {
      for (let j = 0; j < n; j++) {
        const bj = bOff + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p * sap]! * b[bj + p]!;
        out[o + j] = out[o + j]! + s;
      }
    } else {
      acc.fill(0, 0, n);
      for (let p = 0; p < k; p++) {
        const av = a[ai + p * sap]!;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) acc[j] = acc[j]! + av * b[bp + j]!;
      }
      for (let j = 0; j < n; j++) out[o + j] = out[o + j]! + acc[j]!;
    }
  }
};

/**
 * out[:, j] = out[:, j]! + op(A)·op(B)[:, j] one column at a time: dot products of contiguous rows of A, or, with `transA`
 * (A stored k×m), a sum of rows of the stored A (axpy into `acc`).
 */
export const gemmThinCols = (
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  transA: boolean,
  b: FloatArray,
  bOff: number,
  transB: boolean,
  out: FloatArray,
  outOff: number,
  acc: Float64Array,
): void => {
  // op(B)[p, j] = b[bOff + p·sbp + j·sbj]
  const sbp = transB ? 1 : n;
  const sbj = transB ? k : 1;
  for (let j = 0; j < n; j++) {
    const bj = bOff + j * sbj;
    if (transA) {
      acc.fill(0, 0, m);
      for (let p = 0; p < k; p++) {
        const bv = b[bj + p * sbp]!;
        const ap = aOff + p * m;
        for (let i = 0; i < m; i++) acc[i] = acc[i]! + a[ap + i]! * bv;
      }
      for (let i = 0, o = outOff + j; i < m; i++, o += n) out[o] = out[o]! + acc[i]!;
    } else {
      for (let i = 0, o = outOff + j; i < m; i++, o += n) {
        const ai = aOff + i * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p * sbp]!;
        out[o] = out[o]! + s;
      }
    }
  }
};
