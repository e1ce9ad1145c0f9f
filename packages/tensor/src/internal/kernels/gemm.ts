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
 * - Native kernels (native.ts), when an application installed them (under Node, @dtd/native) and A, B and out
 *   share an element type: sums in that type, one fused multiply-add rounding per term, so float64 results are
 *   within (k + 2)·2⁻⁵³·Σ_p |op(A)_ip·op(B)_pj| of the paths below but not bit-identical to them.
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
 * there, and C is copied into `out` once per row chunk. Thin products (m < 4 or n < 4) take gemmThin.ts (float64
 * sums for both dtypes), where packing would cost as much as the product.
 *
 * One entry point, {@link gemm}, takes a named-options object ({@link GemmArgs}) and runs the route
 * {@link gemmRoute} names from a table keyed by {@link GemmRoute}; docs/kernels.md lists every route of a product
 * and of a convolution, and the immutability contract the caches rely on.
 *
 * The JavaScript path's packing scratch is module-level, grown on demand and bounded by KC·NC + MC·KC doubles
 * (≈ 3.3 MB), like the wasm memory: allocating it per call would zero megabytes for every small product.
 * JavaScript is single-threaded and `gemm` never re-enters itself, so sharing it is safe.
 * @module
 */
import type { DType, FloatArray } from "../../DType.ts";
import { gemmThinCols, gemmThinRows } from "./gemmThin.ts";
import { micro4x4, microEdge } from "./microKernel.ts";
import { type NativeKernels, nativeGemmFlags, nativeKernels } from "./native.ts";
import { packPanels } from "./pack.ts";
import * as IdentityMemo from "../../IdentityMemo.ts";
import { type WasmBlock, wasmBlock } from "./wasmBlock.ts";
import type { WasmUse } from "./wasmThin.ts";

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

/**
 * Which loops run: "auto" takes the installed native kernels (native.ts) where the operands and out share an
 * element type, else WebAssembly SIMD where available and faster (blocked path, thin path), else JavaScript;
 * "native" insists on the native kernels (a product they cannot take throws: a test's override); "wasm" skips
 * them (WebAssembly where available, as "auto" without native kernels); "js" forces the JavaScript loops.
 */
export type GemmKernel = "auto" | "native" | "wasm" | "js";

/**
 * How long an operand's contents stay as they are: "tensor" (the default) for tensor data, immutable by contract
 * (docs/kernels.md), so that gemm may reuse what it derived from it in an earlier call, keyed by the array's
 * identity (the packed A of the wasm path, a thin product's resident matrix); "scratch" for a buffer the caller
 * rewrites after the call (e.g. conv2d's im2col columns), from which nothing is kept.
 */
export type Lifetime = "tensor" | "scratch";

/** One operand of a product: the matrix stored row-major in `data` from `offset`, or its transpose. */
export interface Operand {
  readonly data: FloatArray;
  /** The first element (default 0). */
  readonly offset?: number;
  /** The stored matrix is the operand's transpose: op(X) = Xᵀ (default false). */
  readonly transpose?: boolean;
  /** Default "tensor": see {@link Lifetime}. */
  readonly lifetime?: Lifetime;
}

/**
 * A product out[outOffset + i·n + j] (+)= Σ_p op(A)[i, p] · op(B)[p, j] for i < m, j < n: op(A) is m×k (stored
 * k×m when `a.transpose`), op(B) k×n (stored n×k when `b.transpose`). `out` must not overlap `a` or `b`. With
 * `accumulate` false (the default) the m×n block of `out` is overwritten (k = 0 yields zeros). `kernel`
 * chooses the loops ({@link GemmKernel}; tests compare them).
 */
export interface GemmArgs {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: Operand;
  readonly b: Operand;
  readonly out: FloatArray;
  readonly outOffset?: number;
  readonly accumulate?: boolean;
  readonly kernel?: GemmKernel;
}

/**
 * The routes of a product ({@link gemmRoute}; docs/kernels.md has the table with the conv routes):
 * - "empty": m, n or k is 0: out's block is zeroed (unless accumulating);
 * - "native": native kernels are installed (native.ts), `kernel` is "auto" or "native", and a, b and out share
 *   one element type: the whole product (thin or blocked) runs there, on the arrays in place;
 * - "thinRows" / "thinCols": fewer than 4 rows / columns (m < 4 is tried first): gemmThin.ts, where the large
 *   operand is read once by axpy or dot loops (WebAssembly over a resident or copied matrix, or JavaScript);
 * - "blockedWasm": the packed, blocked product with the WebAssembly SIMD block kernel of out's precision;
 * - "blockedJs": the same blocking with the JavaScript 4×4 micro-kernel (no WebAssembly SIMD, or kernel "js").
 */
export type GemmRoute = "empty" | "native" | "thinRows" | "thinCols" | "blockedWasm" | "blockedJs";

/** Which route {@link gemm} takes for `p` (instantiates the WebAssembly module on first use, as gemm would). */
export const gemmRoute = (p: GemmArgs): GemmRoute =>
  p.m === 0 || p.n === 0 || p.k === 0
    ? "empty"
    : nativeFor(p) !== undefined
      ? "native"
      : p.m < MR
      ? "thinRows"
      : p.n < NR
        ? "thinCols"
        : p.kernel !== "js" && wasmPanelsFor(p.out) !== undefined
          ? "blockedWasm"
          : "blockedJs";

/** Whether three arrays share one element type. */
const sameType = (a: FloatArray, b: FloatArray, out: FloatArray): boolean =>
  a instanceof Float32Array ? b instanceof Float32Array && out instanceof Float32Array : !(b instanceof Float32Array) && !(out instanceof Float32Array);

/**
 * The native kernels that take `p`: installed, allowed by `kernel`, and one element type throughout. With
 * `kernel` "native" a product they cannot take is a caller's bug (a test asking for a route that does not run).
 */
const nativeFor = (p: GemmArgs): NativeKernels | undefined => {
  const kernel = p.kernel ?? "auto";
  if (kernel === "js" || kernel === "wasm") return undefined;
  const native = nativeKernels();
  const usable = native !== undefined && sameType(p.a.data, p.b.data, p.out);
  if (kernel === "native" && !usable)
    throw new Error(`gemm: kernel "native" asked for, but ${native === undefined ? "no native kernels are installed" : "a, b and out differ in element type"}`);
  return usable ? native : undefined;
};

/** [m, n, k, aOffset, bOffset, outOffset, flags, bId], reused by every native call (NativeKernels.gemm). */
const nativeDims = new Float64Array(8);

/**
 * B's identity for the native kernels' packed-B cache (NativeKernels.gemm's bId): tensor data never changes
 * (Lifetime "tensor"), so its packing may be kept and reused — a weight matrix is then packed once, not once per
 * product. Only for products that pack B at all (m ≥ 4 and n ≥ 4, the blocked loops); 0 for scratch.
 */
const packedBId = (p: GemmArgs): number => ((p.b.lifetime ?? "tensor") === "tensor" && p.m >= MR && p.n >= NR ? IdentityMemo.idOf(p.b.data) : 0);

const gemmNative = (p: GemmArgs): void => {
  const native = nativeKernels()!;
  const flags =
    (p.a.transpose === true ? nativeGemmFlags.transposeA : 0) |
    (p.b.transpose === true ? nativeGemmFlags.transposeB : 0) |
    (p.accumulate === true ? nativeGemmFlags.accumulate : 0);
  nativeDims[0] = p.m;
  nativeDims[1] = p.n;
  nativeDims[2] = p.k;
  nativeDims[3] = p.a.offset ?? 0;
  nativeDims[4] = p.b.offset ?? 0;
  nativeDims[5] = p.outOffset ?? 0;
  nativeDims[6] = flags;
  nativeDims[7] = packedBId(p);
  native.gemm(p.a.data, p.b.data, p.out, nativeDims);
};

/** How a thin product may use WebAssembly for its large operand (b for thin rows, a for thin columns). */
const thinUse = (p: GemmArgs, large: Operand): WasmUse | "none" =>
  p.kernel === "js" ? "none" : (large.lifetime ?? "tensor") === "tensor" ? "resident" : "copy";

const zeroUnlessAccumulating = (p: GemmArgs): void => {
  const o = p.outOffset ?? 0;
  if (p.accumulate !== true) p.out.fill(0, o, o + p.m * p.n);
};

/** The loops of each route; every one computes what {@link GemmArgs} says. */
const routes: { readonly [R in GemmRoute]: (p: GemmArgs) => void } = {
  empty: zeroUnlessAccumulating,
  native: gemmNative,
  thinRows: (p) => {
    zeroUnlessAccumulating(p);
    gemmThinRows(p, thinUse(p, p.b));
  },
  thinCols: (p) => {
    zeroUnlessAccumulating(p);
    gemmThinCols(p, thinUse(p, p.a));
  },
  blockedWasm: (p) => blockedWasm(p, packerOf(p), wasmPanelsFor(p.out)!),
  blockedJs: (p) => blockedJs(p, packerOf(p)),
};

/**
 * The product of {@link GemmArgs}, by the route {@link gemmRoute} names: the one entry point of every matrix
 * product (matmul, the convolutions and their adjoints).
 */
export const gemm = (p: GemmArgs): void => routes[gemmRoute(p)](p);

/** B packed block by block from its stored matrix. */
const packerOf = (p: Pick<GemmArgs, "b" | "n" | "k">): PackB => {
  const { b, n, k } = p;
  const data = b.data;
  const off = b.offset ?? 0;
  const trans = b.transpose === true;
  return (bp, p0, kb, j0, nb) => packPanelB(data, off, trans, n, k, p0, kb, j0, nb, bp);
};

/**
 * Writes op(B)[p0 : p0+kb, j0 : j0+nb] into `bp` in 4-column micro-panels, as {@link packPanelB} does:
 * bp[jr·kb + p·4 + jj] = op(B)[p0+p, j0+jr+jj] (j0 is a multiple of 4; the padding lanes of the last micro-panel
 * need not be written). `bp` is a Float32Array on the float32 wasm path (see the module comment), else a
 * Float64Array.
 */
export type PackB = (bp: FloatArray, p0: number, kb: number, j0: number, nb: number) => void;

/** A product whose B is never stored whole ({@link gemmPackedB}): {@link GemmArgs} without b. */
export type PackedBArgs = Omit<GemmArgs, "b">;

/**
 * {@link gemm} without thin paths (m ≥ 4, n ≥ 4, k ≥ 1) for a B that is never stored whole: `fillB` writes each
 * block of it straight into the packed layout. conv2d unfolds each image this way (im2col into the panels),
 * saving a pass over the unfolded image.
 */
export const gemmPackedB = (p: PackedBArgs, fillB: PackB): void => {
  const { m, n, k } = p;
  if (m < MR || n < NR || k < 1) throw new Error(`gemmPackedB: expected m ≥ ${MR}, n ≥ ${NR} and k ≥ 1, found m = ${m}, n = ${n}, k = ${k}`);
  const w = p.kernel === "js" ? undefined : wasmPanelsFor(p.out);
  if (w !== undefined) blockedWasm(p, fillB, w);
  else blockedJs(p, fillB);
};

/** The blocked loops with the JavaScript micro-kernel, B packed block by block by `fillB`. */
const blockedJs = (p: PackedBArgs, fillB: PackB): void => {
  const { m, n, k, out } = p;
  const a = p.a.data;
  const aOff = p.a.offset ?? 0;
  const transA = p.a.transpose === true;
  const outOff = p.outOffset ?? 0;
  const accumulate = p.accumulate === true;
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
 * Which A the wasm kernel's `ap` region holds, packed for all its rows (m ≤ MA) and the k block [p0, p0 + kb)
 * in a precision (`ap32` and `ap` share their memory): a call with the same array, range and transpose, the same
 * k block and precision, skips packing it. Sound because A is tensor data (Lifetime "tensor"): packing from
 * scratch, or from a part of A, forgets it. A convolution multiplies the same filters with each image of a
 * batch, so packing them once saves a pass over the filters per image (e.g. 64×288 entries per image for net C's
 * second convolution and for its transpose). The memo's one owner is the region, its one slot "A".
 */
const packedA = IdentityMemo.make<object, true>();
const apRegion = {};

const packedToken = (precision: DType, a: FloatArray, aOff: number, transA: boolean, m: number, k: number, p0: number, kb: number): string =>
  `${precision}|${IdentityMemo.idOf(a)}|${aOff}|${transA}|${m}|${k}|${p0}|${kb}`;

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

/** Both precisions' views of the one wasm block module, made on first use (null: not yet; undefined: no SIMD). */
let panels: { readonly f32: WasmPanels; readonly f64: WasmPanels } | undefined | null = null;

/** The wasm kernels of out's precision (float32 for a Float32Array), or undefined where WebAssembly SIMD is absent. */
export const wasmPanelsFor = (out: FloatArray): WasmPanels | undefined => {
  if (panels === null) {
    const w = wasmBlock(MA, MC, KC, NC);
    panels = w === undefined ? undefined : { f32: wasm32(w), f64: wasm64(w) };
  }
  return panels === undefined ? undefined : out instanceof Float32Array ? panels.f32 : panels.f64;
};

/**
 * Packs all m ≤ MA rows of op(A) for the k block [p0, p0 + kb) into `w.ap`, unless it already holds them (A is
 * tensor data, immutable: see {@link packedA}); from a scratch A (`lifetime` "scratch") always, and then nothing
 * is remembered. Row block i0 then starts at ap[i0·kb].
 */
export const packWholeA = (w: WasmPanels, a: Operand, m: number, k: number, p0: number, kb: number): void => {
  const data = a.data;
  const aOff = a.offset ?? 0;
  const transA = a.transpose === true;
  if ((a.lifetime ?? "tensor") === "scratch") {
    packedA.forget(apRegion);
    packPanelA(data, aOff, transA, m, k, 0, m, p0, kb, w.ap);
    return;
  }
  const token = packedToken(w.precision, data, aOff, transA, m, k, p0, kb);
  if (packedA.peek(apRegion, "A", token) === true) return;
  packPanelA(data, aOff, transA, m, k, 0, m, p0, kb, w.ap);
  packedA.set(apRegion, "A", token, true);
};

/**
 * The blocked loops with the wasm block kernel of `w`'s precision (float32 for a Float32Array `out`): the same
 * blocks, packed into the module's memory. Rows are taken MA at a time; for each such row chunk the kernel adds
 * every k block's sums into C in the module's memory (starting from out's values when `accumulate`), and C is
 * copied out once: no pass over `out` per k block. In float64 these are the additions the JavaScript path makes
 * into `out`, in the same order, so the results agree to the bit.
 */
const blockedWasm = (p: PackedBArgs, fillB: PackB, w: WasmPanels, keepC = false): void => {
  const { m, n, k, a, out } = p;
  const outOff = p.outOffset ?? 0;
  const accumulate = p.accumulate === true;
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
          packedA.forget(apRegion);
          packPanelA(a.data, a.offset ?? 0, a.transpose === true, m, k, r0, rb, p0, kb, w.ap);
        } else packWholeA(w, a, m, k, p0, kb);
        const add = accumulate || p0 > 0;
        for (let i0 = 0; i0 < rb; i0 += MC) w.block(Math.min(MC, rb - i0), nb, kb, i0 * kb, i0, add);
      }
      if (!keepC) copyOut(w.c, rb, nb, ldc, out, o, n);
    }
  }
};

/**
 * op(A)·op(B) (m×n, 4 ≤ m ≤ MA, 4 ≤ n ≤ NC; `out`, `accumulate` and `kernel` ignored) on the wasm path of
 * `like`'s element type, left in the module's C (rows of stride roundUp(n, 4)) for a kernel that reads it there
 * (conv2d's col2im); undefined, with nothing computed, where that path does not apply. B is packed afresh, so it
 * may be scratch.
 */
export const gemmInWasm = (p: Omit<GemmArgs, "out">, like: FloatArray): WasmPanels | undefined => {
  const { m, n, k } = p;
  const w = m >= MR && n >= NR && k >= 1 && m <= MA && n <= NC ? wasmPanelsFor(like) : undefined;
  if (w !== undefined) blockedWasm({ ...p, out: like, outOffset: 0, accumulate: false }, packerOf(p), w, true);
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
