/**
 * The two inner loops of the thin products (gemmThin.ts), each against a matrix M stored row-major from `off`:
 *
 *   axpy:  acc[j] = Σ_{p<k} v[p] · M[off + p·n + j]   for j < n   (a combination of k rows of length n)
 *   dots:  acc[j] = Σ_{p<k} v[p] · M[off + j·k + p]   for j < n   (n dot products with rows of length k)
 *
 * `v` and `acc` are float64 scratch; only M is the caller's array, of either dtype. They run for float64
 * matrices, and for float32 ones where WebAssembly SIMD is unavailable (else wasmThin.ts takes those).
 *
 * Why each loop is written twice, once per element type: V8 specialises an element load on the typed-array
 * kinds it has seen at that site. When one function reads both Float32Array and Float64Array (the same process
 * runs float32 and float64 models), every load in the hot loop becomes a polymorphic map check and dispatch:
 * the float64 axpy over a 1568×400 matrix then took 0.50 ms instead of 0.39 ms (Node 20). Closures from one
 * factory share their feedback, so the only way to keep each site monomorphic is two textual copies, dispatched
 * once per call by {@link axpy} and {@link dots}. The copies differ only in the parameter type; keep them
 * identical otherwise.
 *
 * Shapes of the loops (the JavaScript engine neither vectorises nor reassociates, so the loop body sets the
 * instruction mix): axpy folds 8 rows of M into `acc` per pass, so each load/store of acc[j] carries 8
 * multiply-adds instead of 1; dots runs 4 rows of M at once, each summed in two halves (even and odd p), so eight
 * independent sums hide the latency of the floating-point adds. Both read M contiguously. In the innermost
 * loops, `(i + j) | 0` keeps index arithmetic in int32 without overflow checks (indices address typed arrays,
 * so they are < 2³¹): 5–15% in V8.
 *
 * Both loops associate exactly as the WebAssembly ones (wasm/gemmThin.c) do, so a product gives the same bits
 * whichever runs it (e.g. JavaScript on a float64 matrix's first use, wasm once it is resident): axpy adds
 * ((v0·m0 + v1·m1 + v2·m2) + v3·m3) + (v4·m4 + … + v7·m7) to acc[j]; dots computes (Σ_even + Σ_odd) + the last
 * term when k is odd for rows in groups of four, and a plain running sum over p for the last n mod 4 rows.
 * (The price: this dots is 5–10% slower in JavaScript than 8 rows with one sum each, measured with Node 20 on
 * 400×1568; it runs only where wasm does not, or on a float64 matrix's first use.)
 * @module
 */
import type { FloatArray } from "../../DType.ts";

/** acc[0 .. n) = Σ_{p<k} v[p] · m[off + p·n + j]: dispatched once on the element type of `m`. */
export const axpy = (k: number, n: number, v: Float64Array, m: FloatArray, off: number, acc: Float64Array): void => {
  if (m instanceof Float64Array) axpy64(k, n, v, m, off, acc);
  else axpy32(k, n, v, m, off, acc);
};

/** acc[0 .. n) = (Σ_{p<k} v[p] · m[off + j·k + p])_j: dispatched once on the element type of `m`. */
export const dots = (k: number, n: number, v: Float64Array, m: FloatArray, off: number, acc: Float64Array): void => {
  if (m instanceof Float64Array) dots64(k, n, v, m, off, acc);
  else dots32(k, n, v, m, off, acc);
};

// ---- Float64Array copy (keep in step with the Float32Array copy below) ----

const axpy64 = (k: number, n: number, v: Float64Array, m: Float64Array, off: number, acc: Float64Array): void => {
  acc.fill(0, 0, n);
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const v0 = v[p]!, v1 = v[p + 1]!, v2 = v[p + 2]!, v3 = v[p + 3]!, v4 = v[p + 4]!, v5 = v[p + 5]!, v6 = v[p + 6]!, v7 = v[p + 7]!;
    const r0 = off + p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, r4 = r3 + n, r5 = r4 + n, r6 = r5 + n, r7 = r6 + n;
    for (let j = 0; j < n; j = (j + 1) | 0) {
      acc[j] = acc[j]! + (v0 * m[(r0 + j) | 0]! + v1 * m[(r1 + j) | 0]! + v2 * m[(r2 + j) | 0]! + v3 * m[(r3 + j) | 0]!) +
        (v4 * m[(r4 + j) | 0]! + v5 * m[(r5 + j) | 0]! + v6 * m[(r6 + j) | 0]! + v7 * m[(r7 + j) | 0]!);
    }
  }
  for (; p < k; p++) {
    const v0 = v[p]!, r0 = off + p * n;
    for (let j = 0; j < n; j++) acc[j] = acc[j]! + v0 * m[r0 + j]!;
  }
};

const dots64 = (k: number, n: number, v: Float64Array, m: Float64Array, off: number, acc: Float64Array): void => {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const r0 = off + j * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0, o0 = 0, o1 = 0, o2 = 0, o3 = 0;
    let p = 0;
    for (; p + 2 <= k; p = (p + 2) | 0) {
      const x = v[p]!, y = v[p + 1]!;
      const q = (p + 1) | 0;
      e0 += x * m[(r0 + p) | 0]!; o0 += y * m[(r0 + q) | 0]!; e1 += x * m[(r1 + p) | 0]!; o1 += y * m[(r1 + q) | 0]!;
      e2 += x * m[(r2 + p) | 0]!; o2 += y * m[(r2 + q) | 0]!; e3 += x * m[(r3 + p) | 0]!; o3 += y * m[(r3 + q) | 0]!;
    }
    let t0 = e0 + o0, t1 = e1 + o1, t2 = e2 + o2, t3 = e3 + o3;
    if (p < k) {
      const x = v[p]!;
      t0 += x * m[r0 + p]!; t1 += x * m[r1 + p]!; t2 += x * m[r2 + p]!; t3 += x * m[r3 + p]!;
    }
    acc[j] = t0; acc[j + 1] = t1; acc[j + 2] = t2; acc[j + 3] = t3;
  }
  for (; j < n; j++) {
    const r0 = off + j * k;
    let t = 0;
    for (let p = 0; p < k; p++) t += v[p]! * m[r0 + p]!;
    acc[j] = t;
  }
};

// ---- Float32Array copy: the Float64Array copy above with `m: Float32Array` ----

const axpy32 = (k: number, n: number, v: Float64Array, m: Float32Array, off: number, acc: Float64Array): void => {
  acc.fill(0, 0, n);
  let p = 0;
  for (; p + 8 <= k; p += 8) {
    const v0 = v[p]!, v1 = v[p + 1]!, v2 = v[p + 2]!, v3 = v[p + 3]!, v4 = v[p + 4]!, v5 = v[p + 5]!, v6 = v[p + 6]!, v7 = v[p + 7]!;
    const r0 = off + p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, r4 = r3 + n, r5 = r4 + n, r6 = r5 + n, r7 = r6 + n;
    for (let j = 0; j < n; j = (j + 1) | 0) {
      acc[j] = acc[j]! + (v0 * m[(r0 + j) | 0]! + v1 * m[(r1 + j) | 0]! + v2 * m[(r2 + j) | 0]! + v3 * m[(r3 + j) | 0]!) +
        (v4 * m[(r4 + j) | 0]! + v5 * m[(r5 + j) | 0]! + v6 * m[(r6 + j) | 0]! + v7 * m[(r7 + j) | 0]!);
    }
  }
  for (; p < k; p++) {
    const v0 = v[p]!, r0 = off + p * n;
    for (let j = 0; j < n; j++) acc[j] = acc[j]! + v0 * m[r0 + j]!;
  }
};

const dots32 = (k: number, n: number, v: Float64Array, m: Float32Array, off: number, acc: Float64Array): void => {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const r0 = off + j * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0, o0 = 0, o1 = 0, o2 = 0, o3 = 0;
    let p = 0;
    for (; p + 2 <= k; p = (p + 2) | 0) {
      const x = v[p]!, y = v[p + 1]!;
      const q = (p + 1) | 0;
      e0 += x * m[(r0 + p) | 0]!; o0 += y * m[(r0 + q) | 0]!; e1 += x * m[(r1 + p) | 0]!; o1 += y * m[(r1 + q) | 0]!;
      e2 += x * m[(r2 + p) | 0]!; o2 += y * m[(r2 + q) | 0]!; e3 += x * m[(r3 + p) | 0]!; o3 += y * m[(r3 + q) | 0]!;
    }
    let t0 = e0 + o0, t1 = e1 + o1, t2 = e2 + o2, t3 = e3 + o3;
    if (p < k) {
      const x = v[p]!;
      t0 += x * m[r0 + p]!; t1 += x * m[r1 + p]!; t2 += x * m[r2 + p]!; t3 += x * m[r3 + p]!;
    }
    acc[j] = t0; acc[j + 1] = t1; acc[j + 2] = t2; acc[j + 3] = t3;
  }
  for (; j < n; j++) {
    const r0 = off + j * k;
    let t = 0;
    for (let p = 0; p < k; p++) t += v[p]! * m[r0 + p]!;
    acc[j] = t;
  }
};
