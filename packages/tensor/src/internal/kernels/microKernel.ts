/**
 * The JavaScript micro-kernels of {@link gemm}: one tile of C from a 4-row micro-panel of packed A and a 4-column
 * micro-panel of packed B (layouts in gemm.ts). The first k block stores into C (`store`), later ones add to it.
 * They run where WebAssembly SIMD is unavailable (see wasmBlock.ts), and are what the wasm kernel is tested against.
 * @module
 */
import type { FloatArray } from "../../DType.ts";

const MR = 4;
const NR = 4;

/** The 4×4 micro-kernel: C[o .. o+3 rows of stride ldc, 4 columns] = C[o .. o+3 rows of stride ldc, 4 columns]! + Σ_p ap[q + 4p + ·] ⊗ bp[r + 4p + ·]. */
export const micro4x4 = (kb: number, ap: Float64Array, q: number, bp: Float64Array, r: number, c: FloatArray, o: number, ldc: number, store: boolean): void => {
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
export const microEdge = (
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
