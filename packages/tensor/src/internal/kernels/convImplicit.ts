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
 * The image is copied (padded) into gemm's B region of the wasm memory one band of rows at a time — the KH − 1 + r
 * padded rows of every channel that a block of r output rows reads (the whole image at once when it fits) — the
 * filters packed once per k block and kept (gemm's packed-A reuse: the same filters meet every image of a batch),
 * and each block of output rows is compacted with the bias added in wasm (wasm/convOut.c) and copied out.
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

/** Which convolutions {@link implicitConv} takes beyond its default. */
export interface ImplicitOptions {
  /**
   * Fewer than 4 output channels too (default false: gemm's thin loops, which sum differently from the unfolded
   * product, serve those). The transposed convolution of a 3-channel image takes this: its bits are its own.
   */
  readonly fewChannels?: boolean;
}

/**
 * The implicit-GEMM convolution of one image for geometry `g` into an `out` of this element type, or undefined
 * when it does not apply: no WebAssembly SIMD, a stride other than 1, a thin product (fewer than 4 output
 * positions, or fewer than 4 output channels unless `opts.fewChannels`), or sizes beyond gemm's wasm memory (more
 * than MA output channels, OFFS taps, NC padded columns, or not even one output row's band of padded rows in the
 * B region).
 */
export const implicitConv = (g: Conv2dGeometry, out: FloatArray, opts: ImplicitOptions = {}): ImageConv | undefined => {
  const w = wasmPanelsFor(out);
  const Wp = g.w + 2 * g.pw;
  const ckk = g.c * g.kh * g.kw;
  const thin = (g.o < 4 && opts.fewChannels !== true) || g.oh * g.ow < 4;
  if (w === undefined || g.sh !== 1 || g.sw !== 1 || thin || g.o > MA || ckk > OFFS || Wp > NC) return undefined;
  const rows = blockRows(g, w.bp.length);
  if (rows < 1) return undefined;
  return (x, xOff, filters, y, yOff, bias) => convImage(w, g, rows, { x, xOff, filters, y, yOff, bias });
};

/**
 * Output rows per block: whole rows of at most NC positions on the full-width grid, whose band of padded input
 * rows (rows + KH − 1 of each channel, then TAIL zeros) fits in `room` elements; all OH rows when they do.
 */
const blockRows = (g: Conv2dGeometry, room: number): number => {
  const Wp = g.w + 2 * g.pw;
  return Math.min(g.oh, Math.floor(NC / Wp), Math.floor((room - TAIL) / (g.c * Wp)) - g.kh + 1);
};

/** The arguments of one image's convolution ({@link ImageConv}). */
interface ImageArgs {
  readonly x: FloatArray;
  readonly xOff: number;
  readonly filters: FloatArray;
  readonly y: FloatArray;
  readonly yOff: number;
  readonly bias: FloatArray | undefined;
}

const convImage = (w: WasmPanels, g: Conv2dGeometry, rowsPerBlock: number, a: ImageArgs): void => {
  const { c: C, o: O, oh: OH, ow: OW } = g;
  const Wp = g.w + 2 * g.pw;
  const ckk = C * g.kh * g.kw;
  // The band of one block: hb padded rows of each channel, channel after channel.
  const hb = rowsPerBlock + g.kh - 1;
  for (let ch = 0, p = 0; ch < C; ch++) for (let i = 0; i < g.kh; i++) for (let kj = 0; kj < g.kw; kj++, p++) w.offs[p] = (ch * hb + i) * Wp + kj;
  for (let u0 = 0; u0 < OH; u0 += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, OH - u0);
    // With a single block (the whole image fits) this is the image, loaded once.
    loadBand(w.bp, g, a.x, a.xOff, u0, hb);
    const nb = (rows - 1) * Wp + OW;
    for (let p0 = 0; p0 < ckk; p0 += KC) {
      const kb = Math.min(KC, ckk - p0);
      packWholeA(w, { data: a.filters }, O, ckk, p0, kb);
      for (let i0 = 0; i0 < O; i0 += MC) w.conv(Math.min(MC, O - i0), nb, kb, i0 * kb, 0, p0, i0, p0 > 0);
    }
    copyRows(w, (nb + 3) & ~3, { channels: O, rows, Wp, OW }, a.y, a.yOff + u0 * OW, OH * OW, a.bias);
  }
};

/**
 * Padded rows [r0, r0 + hb) of the image x̂ (zero padding, zeros past its last row too), channel after channel at
 * bp[0 …] (hb·Wp per channel), then TAIL zeros; rounded to float32 in a float32 region.
 */
const loadBand = (bp: FloatArray, g: Conv2dGeometry, x: FloatArray, xOff: number, r0: number, hb: number): void => {
  const { c: C, h: H, w: W, ph, pw } = g;
  const Wp = W + 2 * pw;
  const band = hb * Wp;
  if (ph === 0 && pw === 0 && r0 === 0 && hb === H) bp.set(x.subarray(xOff, xOff + C * H * W), 0);
  else {
    bp.fill(0, 0, C * band);
    const first = Math.max(0, r0 - ph);
    const end = Math.min(H, r0 + hb - ph);
    for (let ch = 0; ch < C; ch++)
      for (let r = first; r < end; r++) {
        const s = xOff + (ch * H + r) * W;
        bp.set(x.subarray(s, s + W), ch * band + (r + ph - r0) * Wp + pw);
      }
  }
  bp.fill(0, C * band, C * band + TAIL);
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
