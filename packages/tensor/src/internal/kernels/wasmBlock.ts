/**
 * The WebAssembly SIMD block kernels of {@link gemm}: C_block (+)= A_panel · B_panel over packed micro-panels, in
 * float64 (4×4 tiles in f64x2 registers, `gemm_block`) or in float32 (4×8 tiles in f32x4 registers,
 * `gemm_block_f32`) (source: wasm/gemmBlock.c; bytes: wasm/gemmBlockWasm.ts, rebuilt by wasm/build.sh).
 *
 * gemm packs A and B straight into this module's memory (the same copy it makes for the JavaScript kernel, so the
 * wasm path costs no extra copy of the operands), calls a kernel once per row block and k block, the kernel adding
 * each k block's sums into C in the module's memory, and copies C out once. The float32 views cover the first half
 * of the same regions as the float64 ones: a float32 product overwrites what a float64 one packed, and the other
 * way round. The memory has a fixed size and is created on the first call, with the modules (< 4 KB each) compiled
 * synchronously. Where WebAssembly SIMD cannot run (wasmRuntime.ts), {@link wasmBlock} is undefined and gemm runs
 * the JavaScript micro-kernel.
 * @module
 */
import { wasmBase64 as convOutBase64 } from "./wasm/convOutWasm.ts";
import { wasmBase64 } from "./wasm/gemmBlockWasm.ts";
import { BASE, instantiate, instantiateWith, PAGE } from "./wasmRuntime.ts";

/** The packed panels and the C block in the module's memory, and the kernel that multiplies them. */
export interface WasmBlock {
  /** A packed in 4-row micro-panels: MA·KC doubles (all the rows of A that gemm packs at once). gemm remembers
   * which A it packed here and skips packing it again: code that writes `ap` or `ap32` otherwise must not call gemm after. */
  readonly ap: Float64Array;
  /** B packed in 4-column micro-panels: KC·NC doubles. */
  readonly bp: Float64Array;
  /** C: up to MA rows of stride roundUp(nb, 4), nb ≤ NC (MA·NC doubles). */
  readonly c: Float64Array;
  /**
   * c[cRow·ldc …] (+)= ap · bp for an mb×kb block of A packed from ap[aFrom] and a kb×nb block of B packed from
   * bp[0], ldc = roundUp(nb, 4): rows cRow … cRow + roundUp(mb, 4) − 1 of c are added to when `add`, else
   * overwritten.
   */
  readonly block: (mb: number, nb: number, kb: number, aFrom: number, cRow: number, add: boolean) => void;
  /** `ap` as float32: MA·KC floats at the same address (so packing either overwrites the other). */
  readonly ap32: Float32Array;
  /** `bp` as float32: KC·NC floats at the same address. */
  readonly bp32: Float32Array;
  /** `c` as float32: MA·NC floats at the same address. */
  readonly c32: Float32Array;
  /** c32 (+)= ap32 · bp32 as {@link WasmBlock.block} does, with float32 products summed in float32 (p ascending). */
  readonly block32: (mb: number, nb: number, kb: number, aFrom: number, cRow: number, add: boolean) => void;
  /** The tap offsets of a convolution's B rows (OFFS int32 entries after C): row p of B is bp[imgFrom + offs[p] + j]. */
  readonly offs: Int32Array;
  /**
   * c[cRow·ldc …] (+)= ap · B for B[p, j] = bp[imgFrom + offs[offsFrom + p] + j] (an image stored in `bp`, read
   * without unfolding it; wasm/gemmBlock.c conv_block), otherwise as {@link WasmBlock.block}.
   */
  readonly conv: (mb: number, nb: number, kb: number, aFrom: number, imgFrom: number, offsFrom: number, cRow: number, add: boolean) => void;
  /** {@link WasmBlock.conv} over ap32, bp32 and c32, summed in float32. */
  readonly conv32: (mb: number, nb: number, kb: number, aFrom: number, imgFrom: number, offsFrom: number, cRow: number, add: boolean) => void;
  /** The bias of a convolution's copy-out: MA doubles (or floats, `bias32`) after the tap offsets. */
  readonly bias: Float64Array;
  readonly bias32: Float32Array;
  /**
   * Compacts a block of C in place with the bias added: c[(o·rows + r)·ow + v] = c[o·ldc + r·wp + v] + bias[o]
   * (wasm/convOut.c), for channels × rows output rows of wp positions of which ow are valid.
   */
  readonly convOut: (channels: number, rows: number, wp: number, ow: number, ldc: number) => void;
  /** {@link WasmBlock.convOut} over c32 and bias32. */
  readonly convOut32: (channels: number, rows: number, wp: number, ow: number, ldc: number) => void;
  /** The compaction of {@link WasmBlock.convOut} without a bias (bit for bit), over c (float64) or c32. */
  readonly convCopy: (channels: number, rows: number, wp: number, ow: number, ldc: number) => void;
  readonly convCopy32: (channels: number, rows: number, wp: number, ow: number, ldc: number) => void;
  /** col2im of a stride-1 convolution from C (rows of stride ldc) into an image at bp[0 …] zeroed by the caller (wasm/convOut.c). */
  readonly col2im: (g: Col2imGeometry, ldc: number) => void;
  readonly col2im32: (g: Col2imGeometry, ldc: number) => void;
}

/** What col2im needs of a convolution's geometry (conv2d.ts Conv2dGeometry has it). */
export interface Col2imGeometry {
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly ph: number;
  readonly pw: number;
  readonly oh: number;
  readonly ow: number;
}

/** Entries of the tap-offset table {@link WasmBlock.offs}: a convolution with more taps (C·KH·KW) is unfolded. */
export const OFFS = 16384;

const roundUp4 = (x: number): number => (x + 3) & ~3;

const instantiateBlock = (ma: number, kc: number, nc: number): WasmBlock | undefined => {
  const apBytes = ma * kc * 8;
  const bpBytes = kc * nc * 8;
  const cBytes = ma * nc * 8;
  // A fixed size: the memory never grows, so the views below never detach.
  const pages = Math.ceil((BASE + apBytes + bpBytes + cBytes + 4 * OFFS + 8 * ma) / PAGE);
  const wasm = instantiate(wasmBase64, pages, pages, ["gemm_block", "gemm_block_f32", "conv_block", "conv_block_f32"]);
  const out = wasm && instantiateWith(convOutBase64, wasm.memory, ["conv_out", "conv_out_f32", "conv_copy", "col2im", "col2im_f32"]);
  if (wasm === undefined || out === undefined) return undefined;
  const { gemm_block: run, gemm_block_f32: run32, conv_block: conv, conv_block_f32: conv32 } = wasm.exports;
  const buffer = wasm.memory.buffer;
  const apAt = BASE;
  const bpAt = apAt + apBytes;
  const cAt = bpAt + bpBytes;
  const offsAt = cAt + cBytes;
  const biasAt = offsAt + 4 * OFFS;
  return {
    ap: new Float64Array(buffer, apAt, ma * kc),
    bp: new Float64Array(buffer, bpAt, kc * nc),
    c: new Float64Array(buffer, cAt, ma * nc),
    block: (mb, nb, kb, aFrom, cRow, add) => run(mb, nb, kb, apAt + 8 * aFrom, bpAt, cAt + 8 * cRow * roundUp4(nb), add ? 1 : 0),
    ap32: new Float32Array(buffer, apAt, ma * kc),
    bp32: new Float32Array(buffer, bpAt, kc * nc),
    c32: new Float32Array(buffer, cAt, ma * nc),
    block32: (mb, nb, kb, aFrom, cRow, add) => run32(mb, nb, kb, apAt + 4 * aFrom, bpAt, cAt + 4 * cRow * roundUp4(nb), add ? 1 : 0),
    offs: new Int32Array(buffer, offsAt, OFFS),
    conv: (mb, nb, kb, aFrom, imgFrom, offsFrom, cRow, add) =>
      conv(mb, nb, kb, apAt + 8 * aFrom, bpAt + 8 * imgFrom, offsAt + 4 * offsFrom, cAt + 8 * cRow * roundUp4(nb), add ? 1 : 0),
    conv32: (mb, nb, kb, aFrom, imgFrom, offsFrom, cRow, add) =>
      conv32(mb, nb, kb, apAt + 4 * aFrom, bpAt + 4 * imgFrom, offsAt + 4 * offsFrom, cAt + 4 * cRow * roundUp4(nb), add ? 1 : 0),
    bias: new Float64Array(buffer, biasAt, ma),
    bias32: new Float32Array(buffer, biasAt, ma),
    convOut: (channels, rows, wp, ow, ldc) => out.conv_out(channels, rows, wp, ow, ldc, cAt, biasAt),
    convOut32: (channels, rows, wp, ow, ldc) => out.conv_out_f32(channels, rows, wp, ow, ldc, cAt, biasAt),
    convCopy: (channels, rows, wp, ow, ldc) => out.conv_copy(channels, rows, wp, ow, ldc, cAt, 8),
    convCopy32: (channels, rows, wp, ow, ldc) => out.conv_copy(channels, rows, wp, ow, ldc, cAt, 4),
    col2im: (g, ldc) => out.col2im(g.c, g.h, g.w, g.kh, g.kw, g.ph, g.pw, g.oh, g.ow, ldc, cAt, bpAt),
    col2im32: (g, ldc) => out.col2im_f32(g.c, g.h, g.w, g.kh, g.kw, g.ph, g.pw, g.oh, g.ow, ldc, cAt, bpAt),
  };
};

let state: WasmBlock | undefined | null = null;
let sizes = "";

/**
 * The wasm block kernel for row blocks of at most mc rows, B blocks of kc×nc, up to ma×kc of A packed at once and
 * C of ma×nc, created on the first call; undefined when WebAssembly SIMD is unavailable. The sizes must be the
 * same on every call (gemm.ts exports its own as `wasmBlockSizes`).
 */
export const wasmBlock = (ma: number, mc: number, kc: number, nc: number): WasmBlock | undefined => {
  const asked = `${ma}×${mc}×${kc}×${nc}`;
  if (state === null) {
    state = instantiateBlock(ma, kc, nc);
    sizes = asked;
  } else if (asked !== sizes) throw new Error(`wasmBlock: expected the sizes of the first call (${sizes}), found ${asked}`);
  return state;
};
