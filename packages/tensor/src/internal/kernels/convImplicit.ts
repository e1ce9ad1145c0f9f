/**
 * The forward convolution without an unfolded image ("implicit GEMM") on the wasm path, for stride 1:
 *
 *   y[o, u, v] = Σ_p W[o, p] · x̂[ch, u + i, v + kj],   p = (ch·KH + i)·KW + kj,   x̂ the zero-padded image (Hp×Wp)
 *
 * On the "full-width" grid of output positions j = u·Wp + v (all v < Wp; the columns v ≥ OW are computed and
 * dropped), tap p reads x̂ at ch·Hp·Wp + i·Wp + kj + j: one offset per tap, the same for every j. So row p of the
 * product's B is a contiguous slice of the image, and the block kernel (wasm/gemmBlock.c conv_block) reads it
 * there, with the filters packed as gemm packs A: no im2col pass, no packed B. The sums run in gemm's order (p
 * ascending within each KC block, blocks added in turn), so the result is, to the bit, that of the unfolded
 * product on the wasm path. The work on dropped columns is (Wp − OW)/Wp of the product (e.g. 2/28 for a 3×3
 * convolution of a 28×28 image).
 *
 * The image is copied (padded) into gemm's B region of the wasm memory, the filters packed once per k block and
 * kept (gemm's packed-A reuse: the same filters meet every image of a batch), and each block of output rows is
 * compacted with the bias added in wasm (wasm/convOut.c) and copied out.
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import type { Conv2dGeometry } from "./conv2d.ts";
import { blockSizes, packWholeA, type WasmPanels, wasmPanelsFor } from "./gemm.ts";
import { OFFS } from "./wasmBlock.ts";

const { MA, MC, KC, NC } = blockSizes;

/** Zeros kept readable past the image: the last columns of a block read up to 7 elements beyond it. */
const TAIL = 8;

/** One image of a convolution: out[outOff …] (O×OH×OW) ← conv(x[xOff …] (C×H×W), w) (+ bias). */
export type ImageConv = (x: FloatArray, xOff: number, w: FloatArray, out: FloatArray, outOff: number, bias: FloatArray | undefined) => void;

/**
 * The implicit-GEMM convolution of one image for geometry `g` into an `out` of this element type, or undefined
 * when it does not apply: no WebAssembly SIMD, a stride other than 1, a thin product (fewer than 4 output
 * channels or positions: gemm's thin loops, which sum differently, serve those), or sizes beyond gemm's wasm
 * memory (more than MA output channels, OFFS taps, NC padded columns, or a padded image larger than the B region).
 */
export const implicitConv = (g: Conv2dGeometry, out: FloatArray): ImageConv | undefined => {
  const w = wasmPanelsFor(out);
  const Hp = g.h + 2 * g.ph;
  const Wp = g.w + 2 * g.pw;
  const ckk = g.c * g.kh * g.kw;
  const thin = g.o < 4 || g.oh * g.ow < 4;
  if (w === undefined || g.sh !== 1 || g.sw !== 1 || thin || g.o > MA || ckk > OFFS || Wp > NC || g.c * Hp * Wp + TAIL > w.bp.length) return undefined;
  return (x, xOff, filters, y, yOff, bias) => convImage(w, g, x, xOff, filters, y, yOff, bias);
};

const convImage = (w: WasmPanels, g: Conv2dGeometry, x: FloatArray, xOff: number, filters: FloatArray, y: FloatArray, yOff: number, bias: FloatArray | undefined): void => {
  const { c: C, o: O, oh: OH, ow: OW } = g;
  const Hp = g.h + 2 * g.ph;
  const Wp = g.w + 2 * g.pw;
  const ckk = C * g.kh * g.kw;
  for (let ch = 0, p = 0; ch < C; ch++) for (let i = 0; i < g.kh; i++) for (let kj = 0; kj < g.kw; kj++, p++) w.offs[p] = (ch * Hp + i) * Wp + kj;
  loadImage(w.bp, g, x, xOff);
  // Whole output rows per block of positions, so that each block is copied out row by row.
  const rowsPerBlock = Math.max(1, Math.floor(NC / Wp));
  for (let u0 = 0; u0 < OH; u0 += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, OH - u0);
    const nb = (rows - 1) * Wp + OW;
    for (let p0 = 0; p0 < ckk; p0 += KC) {
      const kb = Math.min(KC, ckk - p0);
      packWholeA(w, { data: filters }, O, ckk, p0, kb);
      for (let i0 = 0; i0 < O; i0 += MC) w.conv(Math.min(MC, O - i0), nb, kb, i0 * kb, u0 * Wp, p0, i0, p0 > 0);
    }
    copyRows(w, (nb + 3) & ~3, { channels: O, rows, Wp, OW }, y, yOff + u0 * OW, OH * OW, bias);
  }
};

/** The padded image x̂ (C×Hp×Wp) at bp[0 …], then TAIL zeros; rounded to float32 in a float32 region. */
const loadImage = (bp: FloatArray, g: Conv2dGeometry, x: FloatArray, xOff: number): void => {
  const { c: C, h: H, w: W, ph, pw } = g;
  const Wp = W + 2 * pw;
  const plane = (H + 2 * ph) * Wp;
  if (ph === 0 && pw === 0) bp.set(x.subarray(xOff, xOff + C * H * W), 0);
  else {
    bp.fill(0, 0, C * plane);
    for (let ch = 0; ch < C; ch++)
      for (let r = 0; r < H; r++) {
        const s = xOff + (ch * H + r) * W;
        bp.set(x.subarray(s, s + W), ch * plane + (r + ph) * Wp + pw);
      }
  }
  bp.fill(0, C * plane, C * plane + TAIL);
};

/**
 * y[y0 + o·planeOut + r·OW + v] = c[o·ldc + r·Wp + v] (+ bias[o]) for o < channels, r < rows, v < OW: the block's
 * valid columns, compacted in place in wasm (wasm/convOut.c) with the bias added as conv2d adds it (after the
 * product, in out's precision) or copied bit for bit, then each channel's rows copied out at once.
 */
const copyRows = (w: WasmPanels, ldc: number, s: BlockShape, y: FloatArray, y0: number, planeOut: number, bias: FloatArray | undefined): void => {
  const { channels, rows, Wp, OW } = s;
  if (bias === undefined) w.convCopy(channels, rows, Wp, OW, ldc);
  else {
    w.bias.set(bias.subarray(0, channels));
    w.convOut(channels, rows, Wp, OW, ldc);
  }
  const block = rows * OW;
  if (block === planeOut) y.set(w.c.subarray(0, channels * block), y0);
  else for (let o = 0; o < channels; o++) y.set(w.c.subarray(o * block, (o + 1) * block), y0 + o * planeOut);
};

/** Which part of C a block holds: `channels` rows of stride ldc, each `rows` output rows of Wp positions. */
interface BlockShape {
  readonly channels: number;
  readonly rows: number;
  readonly Wp: number;
  readonly OW: number;
}
