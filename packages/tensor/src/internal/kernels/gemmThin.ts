/**
 * Thin matrix products, where packing for the blocked {@link gemm} costs as much as the multiply itself: fewer
 * than 4 rows (a single sample through a dense layer, m = 1) or fewer than 4 columns (a matrix–vector
 * product). Same arguments as `gemm` (GemmArgs), except that `out` is only added to (the caller zeroes it), `accumulate` and
 * `kernel` are ignored, and `wasm` says whether the large operand may be kept resident, copied, or not used in wasm.
 *
 * Every path reduces to one of two loops over the large operand, stored row-major (axpy, dots of
 * thinLoops.ts): the short operand's row (or column) is first gathered into a float64 vector, so that the loops
 * read a single matrix, contiguously, and sum in float64; the result is added into `out` once per row (column).
 * Where WebAssembly SIMD is available the loops run there (wasmThin.ts): over a resident copy of a matrix seen
 * before (residentCache.ts: weights, used call after call), else over a fresh copy for float32 (faster even with
 * the copy); a float64 matrix seen for the first time stays in JavaScript.
 *
 * The two JavaScript scratch vectors are module-level, grown on demand up to {@link SCRATCH_MAX} doubles each
 * (longer ones are temporary): JavaScript is single-threaded and these functions never re-enter themselves.
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import type { GemmArgs } from "./gemm.ts";
import { axpy, dots } from "./thinLoops.ts";
import { type WasmUse, wasmThinLoops } from "./wasmThin.ts";

/** The largest scratch vector kept between calls (doubles). */
const SCRATCH_MAX = 1 << 18;

let vecBuf: Float64Array = new Float64Array(0);
let accBuf: Float64Array = new Float64Array(0);

const vector = (length: number): Float64Array => {
  if (length > SCRATCH_MAX) return new Float64Array(length);
  if (vecBuf.length < length) vecBuf = new Float64Array(length);
  return vecBuf;
};

const accumulator = (length: number): Float64Array => {
  if (length > SCRATCH_MAX) return new Float64Array(length);
  if (accBuf.length < length) accBuf = new Float64Array(length);
  return accBuf;
};

/** The vector v to fill, the result acc, and the two loops over one matrix for the length of a call. */
interface Loops {
  readonly v: Float64Array;
  readonly acc: Float64Array;
  /** acc[0 .. n) = Σ_{p<k} v[p] · M[p·n + j]. */
  readonly axpy: (k: number, n: number) => void;
  /** acc[0 .. n) = (Σ_{p<k} v[p] · M[j·k + p])_j. */
  readonly dots: (k: number, n: number) => void;
}

/**
 * The loops over `mat[off .. off + length)` with k-vectors and n-results: in WebAssembly memory when `wasm`
 * allows and wasmThin.ts takes the matrix, else JavaScript over `mat` itself.
 */
const loopsFor = (mat: FloatArray, off: number, length: number, k: number, n: number, wasm: WasmUse | "none"): Loops => {
  if (wasm !== "none") {
    const w = wasmThinLoops(mat, off, length, k, n, wasm);
    if (w !== undefined) return w;
  }
  const v = vector(k);
  const acc = accumulator(n);
  return {
    v,
    acc,
    axpy: (kk, nn) => axpy(kk, nn, v, mat, off, acc),
    dots: (kk, nn) => dots(kk, nn, v, mat, off, acc),
  };
};

/**
 * out[i, :] += op(A)[i, :]·op(B) one row at a time. Without `transB` the row of the result is a combination of
 * the k rows of the stored B (axpy); with `transB` it is n dot products with the rows of the stored B (dots).
 */
export const gemmThinRows = (p: GemmArgs, wasm: WasmUse | "none"): void => {
  const { m, n, k, out } = p;
  const outOff = p.outOffset ?? 0;
  const a = p.a.data;
  const aOff = p.a.offset ?? 0;
  const loops = loopsFor(p.b.data, p.b.offset ?? 0, k * n, k, n, wasm);
  const { v, acc } = loops;
  // op(A)[i, p] = a[aOff + i·sai + p·sap]
  const sai = p.a.transpose === true ? 1 : k;
  const sap = p.a.transpose === true ? m : 1;
  const transB = p.b.transpose === true;
  for (let i = 0; i < m; i++) {
    for (let q = aOff + i * sai, r = 0; r < k; r++, q += sap) v[r] = a[q]!;
    if (transB) loops.dots(k, n);
    else loops.axpy(k, n);
    for (let j = 0, o = outOff + i * n; j < n; j++, o++) out[o] = out[o]! + acc[j]!;
  }
};

/**
 * out[:, j] += op(A)·op(B)[:, j] one column at a time: m dot products with the rows of the stored A (m×k), or,
 * with `transA` (A stored k×m), a combination of its k rows.
 */
export const gemmThinCols = (p: GemmArgs, wasm: WasmUse | "none"): void => {
  const { m, n, k, out } = p;
  const outOff = p.outOffset ?? 0;
  const b = p.b.data;
  const bOff = p.b.offset ?? 0;
  const loops = loopsFor(p.a.data, p.a.offset ?? 0, m * k, k, m, wasm);
  const { v, acc } = loops;
  // op(B)[p, j] = b[bOff + p·sbp + j·sbj]
  const sbp = p.b.transpose === true ? 1 : n;
  const sbj = p.b.transpose === true ? k : 1;
  const transA = p.a.transpose === true;
  for (let j = 0; j < n; j++) {
    for (let q = bOff + j * sbj, r = 0; r < k; r++, q += sbp) v[r] = b[q]!;
    if (transA) loops.axpy(k, m);
    else loops.dots(k, m);
    for (let i = 0, o = outOff + j; i < m; i++, o += n) out[o] = out[o]! + acc[i]!;
  }
};
