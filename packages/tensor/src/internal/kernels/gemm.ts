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
 * The first k block stores into C and the later ones add to it, so C is never zeroed in a separate pass.
 *
 * The packing scratch is module-level, grown on demand and bounded by KC·NC + MC·KC doubles (≈ 3.3 MB):
 * allocating it per call would zero megabytes for every small product. JavaScript is single-threaded and `gemm`
 * never re-enters itself, so sharing it is safe.
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import { gemmThinCols, gemmThinRows } from "./gemmThin.ts";

/**
 * Block sizes: a KC×4 micro-panel of B (12 KB) stays in L1 while it meets every 4-row micro-panel of the MC×KC
 * block of A (192 KB, in L2). KC = 384 rather than 256 covers more products in one k block (e.g. the 288-deep
 * im2col product of a 32-channel 3×3 convolution): 1–4% faster at the benchmark shapes.
 */
const KC = 384;
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
  if (m === 0 || n === 0 || k === 0) {
    if (!accumulate) out.fill(0, outOff, outOff + m * n);
    return;
  }
  if (m < MR || n < NR) {
    if (!accumulate) out.fill(0, outOff, outOff + m * n);
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
      // The first k block stores into `out` (unless accumulating), the later ones add to it: no zeroing pass.
      const store = !accumulate && p0 === 0;
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
            if (mr === MR && nr === NR) micro4x4(kb, ap, ir * kb, bp, bq, out, o, n, store);
            else microEdge(kb, ap, ir * kb, bp, bq, out, o, n, mr, nr, store);
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
const micro4x4 = (kb: number, ap: Float64Array, q: number, bp: Float64Array, r: number, c: FloatArray, o: number, ldc: number, store: boolean): void => {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  // B's row first, then one element of A at a time: fewer live registers than loading all eight (fewer spills).
  // `| 0` keeps the index arithmetic in int32 without overflow checks (indices address arrays, so are < 2³¹).
  const end = (q + kb * MR) | 0;
  for (; q < end; q = (q + MR) | 0, r = (r + NR) | 0) {
    const b0 = bp[r]!, b1 = bp[(r + 1) | 0]!, b2 = bp[(r + 2) | 0]!, b3 = bp[(r + 3) | 0]!;
    let a = ap[q]!;
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = ap[(q + 1) | 0]!;
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = ap[(q + 2) | 0]!;
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = ap[(q + 3) | 0]!;
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
  }
  if (store) {
    c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
    o += ldc;
    c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
    o += ldc;
    c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
    o += ldc;
    c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    return;
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
 * The partial tile at the bottom/right edge (mr < 4 or nr < 4). Full-height tiles (mr = 4, the right edge) run
 * one column at a time with the 4 rows' accumulators; otherwise a row at a time with 4 column accumulators, so
 * a single-row product (m = 1) still runs at a useful rate. Only the mr×nr valid entries are read.
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
  store: boolean,
): void => {
  if (store) for (let ii = 0; ii < mr; ii++) c.fill(0, o + ii * ldc, o + ii * ldc + nr);
  const end = (q + kb * MR) | 0;
  if (mr === MR) {
    for (let jj = 0; jj < nr; jj++, o++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let qq = q, rr = (r + jj) | 0; qq < end; qq = (qq + MR) | 0, rr = (rr + NR) | 0) {
        const bv = bp[rr]!;
        s0 += ap[qq]! * bv; s1 += ap[(qq + 1) | 0]! * bv; s2 += ap[(qq + 2) | 0]! * bv; s3 += ap[(qq + 3) | 0]! * bv;
      }
      c[o] = c[o]! + s0; c[o + ldc] = c[o + ldc]! + s1; c[o + 2 * ldc] = c[o + 2 * ldc]! + s2; c[o + 3 * ldc] = c[o + 3 * ldc]! + s3;
    }
    return;
  }
  for (let ii = 0; ii < mr; ii++, o += ldc) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let qq = q + ii, rr = r; qq < end; qq = (qq + MR) | 0, rr = (rr + NR) | 0) {
      const av = ap[qq]!;
      s0 += av * bp[rr]!; s1 += av * bp[(rr + 1) | 0]!; s2 += av * bp[(rr + 2) | 0]!; s3 += av * bp[(rr + 3) | 0]!;
    }
    // Columns past nr are read from the packed panel (zeros or stale values) but never stored.
    c[o] = c[o]! + s0;
    if (nr > 1) c[o + 1] = c[o + 1]! + s1;
    if (nr > 2) c[o + 2] = c[o + 2]! + s2;
    if (nr > 3) c[o + 3] = c[o + 3]! + s3;
  }
};
