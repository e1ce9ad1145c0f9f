/**
 * General matrix multiply over flat row-major typed arrays:
 *
 *   C ← op(A)·op(B)  (or C ← C + op(A)·op(B) when `accumulate`),   C_ij = Σ_p op(A)_ip · op(B)_pj
 *
 * with op(A) m×k and op(B) k×n. The layout follows the GotoBLAS/BLIS scheme (Goto & van de Geijn, "Anatomy of
 * high-performance matrix multiplication", ACM TOMS 2008): B is packed block by block (KC×NC) into 4-column
 * micro-panels, A block by block (MC×KC) into 4-row micro-panels, and a 4×4 register-blocked micro-kernel
 * multiplies one micro-panel pair, its 16 accumulators living in locals. Packing absorbs the transposes (all four
 * combinations run the same inner loop) and converts float32 to float64, so the micro-kernel only ever sees
 * Float64Array and stays monomorphic; sums are accumulated in float64 and rounded once per KC block into C.
 *
 * The packing scratch is module-level, grown on demand and bounded by KC·NC + MC·KC doubles (≈ 2.1 MB):
 * allocating it per call would zero megabytes for every small product. JavaScript is single-threaded and `gemm`
 * never re-enters itself, so sharing it is safe.
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import { gemmThinCols, gemmThinRows } from "./gemmThin.ts";

/** Block sizes: a KC×NC panel of B stays in L2, an MC×KC block of A and a KC×4 micro-panel of B in L1/L2. */
const KC = 256;
const MC = 64;
const NC = 1024;
/** Micro-tile: MR rows × NR columns of C per micro-kernel call (fixed at 4×4 by the unrolled code). */
const MR = 4;
const NR = 4;

let packA: Float64Array = new Float64Array(0);
let packB: Float64Array = new Float64Array(0);

const scratch = (buf: Float64Array, length: number): Float64Array => (buf.length >= length ? buf : new Float64Array(length));

/**
 * out[outOff + i·n + j] (+)= Σ_p op(A)[i, p] · op(B)[p, j] for i < m, j < n.
 *
 * `a` holds A row-major from `aOff`: m×k, or k×m when `transA` (then op(A) = Aᵀ). Likewise `b`: k×n, or n×k when
 * `transB`. `out` must not overlap `a` or `b`. With `accumulate` false the m×n block of `out` is overwritten
 * (k = 0 yields zeros).
 */
export const gemm = (
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
  accumulate: boolean,
): void => {
  if (!accumulate) out.fill(0, outOff, outOff + m * n);
  if (m === 0 || n === 0 || k === 0) return;
  if (m < MR || n < NR) {
    if (m < MR) gemmThinRows(m, n, k, a, aOff, transA, b, bOff, transB, out, outOff);
    else gemmThinCols(m, n, k, a, aOff, transA, b, bOff, transB, out, outOff);
    return;
  }
  const kcMax = Math.min(KC, k);
  packB = scratch(packB, kcMax * Math.min(NC, roundUp(n, NR)));
  packA = scratch(packA, kcMax * Math.min(MC, roundUp(m, MR)));
  const ap = packA;
  const bp = packB;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kb = Math.min(KC, k - p0);
      packPanelB(b, bOff, transB, n, k, p0, kb, j0, nb, bp);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mb = Math.min(MC, m - i0);
        packPanelA(a, aOff, transA, m, k, i0, mb, p0, kb, ap);
        for (let jr = 0; jr < nb; jr += NR) {
          const nr = Math.min(NR, nb - jr);
          const bq = jr * kb;
          for (let ir = 0; ir < mb; ir += MR) {
            const mr = Math.min(MR, mb - ir);
            const o = outOff + (i0 + ir) * n + j0 + jr;
            if (mr === MR && nr === NR) micro4x4(kb, ap, ir * kb, bp, bq, out, o, n);
            else microEdge(kb, ap, ir * kb, bp, bq, out, o, n, mr, nr);
          }
        }
      }
    }
  }
};

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

/**
 * Packs op(A)[i0 : i0+mb, p0 : p0+kb] into 4-row micro-panels: ap[ir·kb + p·4 + ii] = op(A)[i0+ir+ii, p0+p]
 * (ir a multiple of 4). Rows past `mb` in the last micro-panel are left unread by the edge kernel.
 */
const packPanelA = (
  a: FloatArray,
  aOff: number,
  transA: boolean,
  m: number,
  k: number,
  i0: number,
  mb: number,
  p0: number,
  kb: number,
  ap: Float64Array,
): void => {
  for (let ir = 0; ir < mb; ir += MR) {
    const mr = Math.min(MR, mb - ir);
    const base = ir * kb;
    if (transA) {
      // A stored k×m: op(A)[i, p] = a[p·m + i], consecutive i are contiguous.
      for (let p = 0; p < kb; p++) {
        const src = aOff + (p0 + p) * m + i0 + ir;
        const dst = base + p * MR;
        for (let ii = 0; ii < mr; ii++) ap[dst + ii] = a[src + ii]!;
      }
    } else {
      for (let ii = 0; ii < mr; ii++) {
        const src = aOff + (i0 + ir + ii) * k + p0;
        let dst = base + ii;
        for (let p = 0; p < kb; p++, dst += MR) ap[dst] = a[src + p]!;
      }
    }
  }
};

/**
 * Packs op(B)[p0 : p0+kb, j0 : j0+nb] into 4-column micro-panels: bp[jr·kb + p·4 + jj] = op(B)[p0+p, j0+jr+jj].
 */
const packPanelB = (
  b: FloatArray,
  bOff: number,
  transB: boolean,
  n: number,
  k: number,
  p0: number,
  kb: number,
  j0: number,
  nb: number,
  bp: Float64Array,
): void => {
  for (let jr = 0; jr < nb; jr += NR) {
    const nr = Math.min(NR, nb - jr);
    const base = jr * kb;
    if (transB) {
      // B stored n×k: op(B)[p, j] = b[j·k + p], consecutive p are contiguous.
      for (let jj = 0; jj < nr; jj++) {
        const src = bOff + (j0 + jr + jj) * k + p0;
        let dst = base + jj;
        for (let p = 0; p < kb; p++, dst += NR) bp[dst] = b[src + p]!;
      }
    } else {
      for (let p = 0; p < kb; p++) {
        const src = bOff + (p0 + p) * n + j0 + jr;
        const dst = base + p * NR;
        for (let jj = 0; jj < nr; jj++) bp[dst + jj] = b[src + jj]!;
      }
    }
  }
};

/** The 4×4 micro-kernel: C[o .. o+3 rows of stride ldc, 4 columns] = C[o .. o+3 rows of stride ldc, 4 columns]! + Σ_p ap[q + 4p + ·] ⊗ bp[r + 4p + ·]. */
const micro4x4 = (kb: number, ap: Float64Array, q: number, bp: Float64Array, r: number, c: FloatArray, o: number, ldc: number): void => {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = q + kb * MR;
  for (; q < end; q += MR, r += NR) {
    const a0 = ap[q]!, a1 = ap[q + 1]!, a2 = ap[q + 2]!, a3 = ap[q + 3]!;
    const b0 = bp[r]!, b1 = bp[r + 1]!, b2 = bp[r + 2]!, b3 = bp[r + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03;
  o += ldc;
  c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13;
  o += ldc;
  c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23;
  o += ldc;
  c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
};

/**
 * The partial tile at the bottom/right edge (mr < 4 or nr < 4): a row at a time, 4 column accumulators, so a
 * single-row product (m = 1) still runs at a useful rate. Only the mr×nr valid entries are read.
 */
const microEdge = (
  kb: number,
  ap: Float64Array,
  q: number,
  bp: Float64Array,
  r: number,
  c: FloatArray,
  o: number,
  ldc: number,
  mr: number,
  nr: number,
): void => {
  for (let ii = 0; ii < mr; ii++, o += ldc) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const end = q + ii + kb * MR;
    let rr = r;
    if (nr === NR) {
      for (let qq = q + ii; qq < end; qq += MR, rr += NR) {
        const av = ap[qq]!;
        s0 += av * bp[rr]!; s1 += av * bp[rr + 1]!; s2 += av * bp[rr + 2]!; s3 += av * bp[rr + 3]!;
      }
      c[o] = c[o]! + s0; c[o + 1] = c[o + 1]! + s1; c[o + 2] = c[o + 2]! + s2; c[o + 3] = c[o + 3]! + s3;
    } else {
      for (let qq = q + ii; qq < end; qq += MR, rr += NR) {
        const av = ap[qq]!;
        s0 += av * bp[rr]!;
        if (nr > 1) s1 += av * bp[rr + 1]!;
        if (nr > 2) s2 += av * bp[rr + 2]!;
      }
      c[o] = c[o]! + s0;
      if (nr > 1) c[o + 1] = c[o + 1]! + s1;
      if (nr > 2) c[o + 2] = c[o + 2]! + s2;
    }
  }
};
