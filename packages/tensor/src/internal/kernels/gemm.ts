/**
 * General matrix multiply over flat row-major typed arrays:
 *
 *   C ← op(A)·op(B)  (or C ← C + op(A)·op(B) when `accumulate`),   C_ij = Σ_p op(A)_ip · op(B)_pj
 *
 * with op(A) m×k and op(B) k×n. The layout follows the GotoBLAS/BLIS scheme (Goto & van de Geijn, "Anatomy of
 * high-performance matrix multiplication", ACM TOMS 2008): B is packed block by block (KC×NC) into 4-column
 * micro-panels, A block by block (MC×KC) into 4-row micro-panels, and a register-blocked micro-kernel
 * multiplies one micro-panel pair. Packing absorbs the transposes (all four combinations run the same inner
 * loop). The first k block stores into C and the later ones add to it, so C is never zeroed in a separate pass.
 *
 * Precision depends on the path:
 * - WebAssembly SIMD (wasmBlock.ts), where the platform has it. A float64 `out`: panels packed as float64, 4×4
 *   tiles in f64x2 registers (~3× the JavaScript rate), sums in float64 rounded once per KC block into C: to the
 *   bit what the JavaScript path computes. A float32 `out`: panels packed as float32 (float64 operands rounded to
 *   float32), 4×8 tiles in f32x4 registers (~2× the float64 rate), sums accumulated in float32 (p ascending, each
 *   product rounded, then added), as TF.js/XNNPACK and PyTorch compute float32 products. The error of an entry
 *   is then within ≈ (k + 1)·2⁻²⁴·Σ_p |op(A)_ip·op(B)_pj| instead of one float32 rounding per KC block.
 * - JavaScript (microKernel.ts) otherwise, or with `kernel` "js": panels packed as float64 (float32 converted
 *   exactly), 4×4 tiles, sums in float64 rounded once per KC block into C, for both dtypes. So float32 products
 *   on the wasm path differ from this fallback by float32 rounding; float64 products do not differ at all.
 * On the wasm path the panels are packed straight into the module's memory, the kernel adds each k block into C
 * there, and C is copied into `out` once per row chunk. Thin products (m < 4 or n < 4) take gemmThin.ts (float64 sums for both dtypes), where packing
 * would cost as much as the product.
 *
 * The JavaScript path's packing scratch is module-level, grown on demand and bounded by KC·NC + MC·KC doubles
 * (≈ 3.3 MB), like the wasm memory: allocating it per call would zero megabytes for every small product.
 * JavaScript is single-threaded and `gemm` never re-enters itself, so sharing it is safe.
 * @module
 */
import type { DType, FloatArray } from "../../DType.ts";
import { gemmThinCols, gemmThinRows } from "./gemmThin.ts";
import { micro4x4, microEdge } from "./microKernel.ts";
import { packPanels } from "./pack.ts";
import { type WasmBlock, wasmBlock } from "./wasmBlock.ts";

/**
 * Block sizes: a KC×4 micro-panel of B (12 KB) stays in L1 while it meets every 4-row micro-panel of the MC×KC
 * block of A (192 KB, in L2). KC = 384 rather than 256 covers more products in one k block (e.g. the 288-deep
 * im2col product of a 32-channel 3×3 convolution): 1–4% faster at the benchmark shapes.
 */
const KC = 384;
const MC = 64;
const NC = 1024;
/**
 * On the wasm path, up to MA rows of A are packed at once (1.5 MB), so that an A that fits is packed once per
 * k block for all the row blocks, and, being immutable tensor data, not packed again by the next call with the
 * same A (see {@link PackedA}); C holds MA×NC entries (4 MB), summed over the k blocks in the module's memory.
 */
const MA = 512;

/** The sizes gemm creates the wasm block kernel with (wasmBlock.ts): ma, mc, kc, nc. */
export const wasmBlockSizes = [MA, MC, KC, NC] as const;

/** The block sizes, for kernels that share gemm's wasm memory and blocking (convImplicit.ts). */
export const blockSizes = { MA, MC, KC, NC } as const;
/** Micro-tile: MR rows × NR columns of C per micro-kernel call (fixed at 4×4 by the unrolled code). */
const MR = 4;
const NR = 4;

let packA: Float64Array = new Float64Array(0);
let packB: Float64Array = new Float64Array(0);

const scratch = (buf: Float64Array, length: number): Float64Array => (buf.length >= length ? buf : new Float64Array(length));

/** Which loops run: WebAssembly SIMD where available and faster (blocked path, thin path), or JavaScript. */
export type GemmKernel = "auto" | "js";

/**
 * What the operands are: "tensors" (the default) when both are tensor data, immutable by convention, so that
 * gemm may reuse what it derived from them in an earlier call, keyed by the array's identity (a thin product's
 * resident matrix, residentCache.ts; the packed A of the wasm path, {@link PackedA}); "scratchB" when `a` is
 * tensor data but `b` is a buffer the caller rewrites between calls (e.g. conv2d's im2col columns).
 */
export type GemmOperands = "tensors" | "scratchB";

/**
 * out[outOff + i·n + j] (+)= Σ_p op(A)[i, p] · op(B)[p, j] for i < m, j < n.
 *
 * `a` holds A row-major from `aOff`: m×k, or k×m when `transA` (then op(A) = Aᵀ). Likewise `b`: k×n, or n×k when
 * `transB`. `out` must not overlap `a` or `b`. With `accumulate` false the m×n block of `out` is overwritten
 * (k = 0 yields zeros). `kernel` "js" forces the JavaScript loops (tests compare the two). `operands` must be
 * "scratchB" if `b` is written after this call and passed again; `a` never may (see {@link GemmOperands}).
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
  kernel: GemmKernel = "auto",
  operands: GemmOperands = "tensors",
): void => {
  if (m === 0 || n === 0 || k === 0) {
    if (!accumulate) out.fill(0, outOff, outOff + m * n);
    return;
  }
  if (m < MR || n < NR) {
    if (!accumulate) out.fill(0, outOff, outOff + m * n);
    if (kernel === "js") {
      if (m < MR) gemmThinRows(m, n, k, a, aOff, transA, b, bOff, transB, out, outOff, "none");
      else gemmThinCols(m, n, k, a, aOff, transA, b, bOff, transB, out, outOff, "none");
    } else if (m < MR) gemmThinRows(m, n, k, a, aOff, transA, b, bOff, transB, out, outOff, operands === "tensors" ? "resident" : "copy");
    else gemmThinCols(m, n, k, a, aOff, transA, b, bOff, transB, out, outOff, "resident");
    return;
  }
  blocked(m, n, k, a, aOff, transA, (bp, p0, kb, j0, nb) => packPanelB(b, bOff, transB, n, k, p0, kb, j0, nb, bp), out, outOff, accumulate, kernel);
};

/**
 * Writes op(B)[p0 : p0+kb, j0 : j0+nb] into `bp` in 4-column micro-panels, as {@link packPanelB} does:
 * bp[jr·kb + p·4 + jj] = op(B)[p0+p, j0+jr+jj] (j0 is a multiple of 4; the padding lanes of the last micro-panel
 * need not be written). `bp` is a Float32Array on the float32 wasm path (see the module comment), else a
 * Float64Array.
 */
export type PackB = (bp: FloatArray, p0: number, kb: number, j0: number, nb: number) => void;

/**
 * {@link gemm} without thin paths (m ≥ 4, n ≥ 4, k ≥ 1) for a B that is never stored whole: `packB` writes each
 * block of it straight into the packed layout. conv2d unfolds each image this way (im2col into the panels),
 * saving a pass over the unfolded image.
 */
export const gemmPackedB = (
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  transA: boolean,
  packB: PackB,
  out: FloatArray,
  outOff: number,
  accumulate: boolean,
  kernel: GemmKernel = "auto",
): void => {
  if (m < MR || n < NR || k < 1) throw new Error(`gemmPackedB: expected m ≥ ${MR}, n ≥ ${NR} and k ≥ 1, found m = ${m}, n = ${n}, k = ${k}`);
  blocked(m, n, k, a, aOff, transA, packB, out, outOff, accumulate, kernel);
};

/** The blocked loops (wasm or JavaScript micro-kernel) with B packed block by block by `fillB`. */
const blocked = (
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  transA: boolean,
  fillB: PackB,
  out: FloatArray,
  outOff: number,
  accumulate: boolean,
  kernel: GemmKernel,
): void => {
  const w = kernel === "auto" ? wasmPanelsFor(out) : undefined;
  if (w !== undefined) {
    blockedWasm(m, n, k, a, aOff, transA, fillB, out, outOff, accumulate, w);
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
      fillB(bp, p0, kb, j0, nb);
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

/**
 * Which A the wasm kernel's `ap` holds, packed for all its rows (m ≤ MA) and the k block [p0, p0 + kb) in
 * `precision` (`ap32` and `ap` share their memory): a call with the same array, range and transpose, the same
 * k block and precision, skips packing it. Sound because `a` is tensor data, immutable by convention (see
 * {@link GemmOperands}); every other write to `ap` or `ap32` clears or replaces it. A convolution
 * multiplies the same filters with each image of a batch, so packing them once saves a pass over the filters
 * per image (e.g. 64×288 entries per image for net C's second convolution and for its transpose).
 */
interface PackedA {
  readonly precision: DType;
  readonly a: FloatArray;
  readonly aOff: number;
  readonly transA: boolean;
  readonly m: number;
  readonly k: number;
  readonly p0: number;
  readonly kb: number;
}

let packedA: PackedA | undefined;

const samePackedA = (precision: DType, a: FloatArray, aOff: number, transA: boolean, m: number, k: number, p0: number, kb: number): boolean =>
  packedA !== undefined && packedA.precision === precision && packedA.a === a && packedA.aOff === aOff &&
  packedA.transA === transA && packedA.m === m && packedA.k === k && packedA.p0 === p0 && packedA.kb === kb;

/** One precision of the wasm block kernel: its panels, its C block and the kernels that fill it (WasmBlock). */
export interface WasmPanels {
  readonly precision: DType;
  readonly ap: FloatArray;
  readonly bp: FloatArray;
  readonly c: FloatArray;
  readonly offs: Int32Array;
  readonly bias: FloatArray;
  readonly block: WasmBlock["block"];
  readonly conv: WasmBlock["conv"];
  readonly convOut: WasmBlock["convOut"];
  readonly convCopy: WasmBlock["convCopy"];
  readonly col2im: WasmBlock["col2im"];
}

const wasm64 = (w: WasmBlock): WasmPanels => ({ precision: "float64", ap: w.ap, bp: w.bp, c: w.c, offs: w.offs, bias: w.bias, block: w.block, conv: w.conv, convOut: w.convOut, convCopy: w.convCopy, col2im: w.col2im });
const wasm32 = (w: WasmBlock): WasmPanels => ({ precision: "float32", ap: w.ap32, bp: w.bp32, c: w.c32, offs: w.offs, bias: w.bias32, block: w.block32, conv: w.conv32, convOut: w.convOut32, convCopy: w.convCopy32, col2im: w.col2im32 });

/** The wasm kernels of out's precision (float32 for a Float32Array), or undefined where WebAssembly SIMD is absent. */
export const wasmPanelsFor = (out: FloatArray): WasmPanels | undefined => {
  const w = wasmBlock(MA, MC, KC, NC);
  return w === undefined ? undefined : out instanceof Float32Array ? wasm32(w) : wasm64(w);
};

/**
 * Packs all m ≤ MA rows of op(A) for the k block [p0, p0 + kb) into `w.ap`, unless it already holds them (an A is
 * tensor data, immutable by convention: see {@link PackedA}). Row block i0 then starts at ap[i0·kb].
 */
export const packWholeA = (w: WasmPanels, a: FloatArray, aOff: number, transA: boolean, m: number, k: number, p0: number, kb: number): void => {
  if (samePackedA(w.precision, a, aOff, transA, m, k, p0, kb)) return;
  packPanelA(a, aOff, transA, m, k, 0, m, p0, kb, w.ap);
  packedA = { precision: w.precision, a, aOff, transA, m, k, p0, kb };
};

/**
 * The blocked loops with the wasm block kernel of `w`'s precision (float32 for a Float32Array `out`): the same
 * blocks, packed into the module's memory. Rows are taken MA at a time; for each such row chunk the kernel adds
 * every k block's sums into C in the module's memory (starting from out's values when `accumulate`), and C is
 * copied out once: no pass over `out` per k block. In float64 these are the additions the JavaScript path makes
 * into `out`, in the same order, so the results agree to the bit.
 */
const blockedWasm = (
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  transA: boolean,
  fillB: PackB,
  out: FloatArray,
  outOff: number,
  accumulate: boolean,
  w: WasmPanels,
  keepC = false,
): void => {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = Math.min(NC, n - j0);
    const ldc = roundUp(nb, NR);
    for (let r0 = 0; r0 < m; r0 += MA) {
      const rb = Math.min(MA, m - r0);
      const o = outOff + r0 * n + j0;
      if (accumulate) for (let i = 0; i < rb; i++) w.c.set(out.subarray(o + i * n, o + i * n + nb), i * ldc);
      for (let p0 = 0; p0 < k; p0 += KC) {
        const kb = Math.min(KC, k - p0);
        fillB(w.bp, p0, kb, j0, nb);
        // All the chunk's rows at once: row block i0 then starts at ap[i0·kb], as if packed on its own. An A of at
        // most MA rows is remembered, and not packed again by the next call with the same A and k block.
        if (rb < m) {
          packedA = undefined;
          packPanelA(a, aOff, transA, m, k, r0, rb, p0, kb, w.ap);
        } else packWholeA(w, a, aOff, transA, m, k, p0, kb);
        const add = accumulate || p0 > 0;
        for (let i0 = 0; i0 < rb; i0 += MC) w.block(Math.min(MC, rb - i0), nb, kb, i0 * kb, i0, add);
      }
      if (!keepC) copyOut(w.c, rb, nb, ldc, out, o, n);
    }
  }
};

/**
 * op(A)·op(B) (m×n, 4 ≤ m ≤ MA, 4 ≤ n ≤ NC) on the wasm path of `like`'s element type, left in the module's C
 * (rows of stride roundUp(n, 4)) for a kernel that reads it there (conv2d's col2im); undefined, with nothing
 * computed, where that path does not apply. `b` may be a scratch buffer (B is packed afresh).
 */
export const gemmInWasm = (
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  aOff: number,
  transA: boolean,
  b: FloatArray,
  bOff: number,
  like: FloatArray,
): WasmPanels | undefined => {
  const w = m >= MR && n >= NR && k >= 1 && m <= MA && n <= NC ? wasmPanelsFor(like) : undefined;
  if (w !== undefined) blockedWasm(m, n, k, a, aOff, transA, (bp, p0, kb, j0, nb) => packPanelB(b, bOff, false, n, k, p0, kb, j0, nb, bp), like, 0, false, w, true);
  return w;
};

/**
 * out[o + i·ldo + j] = c[i·ldc + j] for i < rows, j < nb: C copied out of the module's memory through
 * TypedArray.prototype.set (a native copy; c has out's element type, WasmPanels).
 */
const copyOut = (c: FloatArray, rows: number, nb: number, ldc: number, out: FloatArray, o: number, ldo: number): void => {
  if (ldc === ldo && nb === ldc) out.set(c.subarray(0, rows * nb), o);
  else for (let i = 0; i < rows; i++) out.set(c.subarray(i * ldc, i * ldc + nb), o + i * ldo);
};

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

/**
 * Packs op(A)[i0 : i0+mb, p0 : p0+kb] into 4-row micro-panels: ap[ir·kb + p·4 + ii] = op(A)[i0+ir+ii, p0+p]
 * (ir a multiple of 4), rounded to float32 when `ap` is a Float32Array. Rows past `mb` in the last micro-panel
 * are not written: the JavaScript edge kernel never reads them, and the wasm kernel reads them only into rows of
 * its C block that are never copied out.
 */
const packPanelA = (a: FloatArray, aOff: number, transA: boolean, m: number, k: number, i0: number, mb: number, p0: number, kb: number, ap: FloatArray): void =>
  // A stored m×k (rows contiguous), or k×m when transA: op(A)[i, p] = a[p·m + i].
  packPanels(a, aOff, transA ? m : k, transA, i0, mb, p0, kb, ap);

/**
 * Packs op(B)[p0 : p0+kb, j0 : j0+nb] into 4-column micro-panels: bp[jr·kb + p·4 + jj] = op(B)[p0+p, j0+jr+jj],
 * rounded to float32 when `bp` is a Float32Array: the 4-row micro-panels of op(B)ᵀ.
 */
const packPanelB = (b: FloatArray, bOff: number, transB: boolean, n: number, k: number, p0: number, kb: number, j0: number, nb: number, bp: FloatArray): void =>
  // B stored k×n: op(B)ᵀ[j, p] = b[p·n + j], each column of op(B)ᵀ contiguous; or n×k when transB: rows contiguous.
  packPanels(b, bOff, transB ? k : n, !transB, j0, nb, p0, kb, bp);
