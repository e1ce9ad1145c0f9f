/**
 * 2-D convolution (cross-correlation, as in every deep learning library) and its two adjoints, over NCHW images
 * and OIHW filters with zero padding and strides, no bias:
 *
 *   y[n, o, u, v] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]
 *
 * Each image is unfolded by im2col into X̂ ((C·KH·KW) × (OH·OW)), so that y_n = W·X̂_n with W viewed as
 * O × (C·KH·KW). Then, by linearity, the input gradient is dx_n = col2im(Wᵀ·dy_n) and the filter gradient is
 * dw = Σ_n dy_n·X̂_nᵀ. At the sizes of a LeNet-like network this beats a direct loop by 2–4× because the matrix
 * product runs in the register-blocked {@link gemm}.
 *
 * Where native kernels are installed (native.ts: `@dtd/native` under Node) and every array has one element type,
 * the forward convolution and the input gradient run there whole (packages/native/src/conv.c: the image unfolded
 * block by block into packed panels; Wᵀ·dy computed block by block and folded while in cache). Otherwise:
 *
 * The forward pass on the wasm path with stride 1 reads each image without unfolding it (convImplicit.ts, to the
 * bit the unfolded product); otherwise it unfolds each image straight into the packed panels of the product
 * (im2colPanels, gemmPackedB) unless the product is thin (fewer than 4 output channels or positions).
 *
 * All three kernels overwrite their output. The column scratch (and dw's float64 accumulator) is allocated once
 * per call; it is rewritten for every image, so the products that read it say so (gemm's Lifetime "scratch":
 * nothing derived from it may be kept). The filters are tensor data: their packing is reused across the images
 * of the batch.
 * @module
 */
import { alloc, dtypeOf, type FloatArray } from "../../DType.ts";
import { blockSizes, gemm, gemmInWasm, gemmPackedB } from "./gemm.ts";
import * as IdentityMemo from "../../IdentityMemo.ts";
import { implicitConv } from "./convImplicit.ts";
import { col2im, im2col, im2colPanels } from "./im2col.ts";
import { nativeKernels } from "./native.ts";

/**
 * The sizes of one convolution: batch n, input channels c, input h×w, output channels o, kernel kh×kw, stride
 * sh×sw, zero padding ph×pw (each side), output oh×ow with oh = ⌊(h + 2ph − kh)/sh⌋ + 1 (same for ow).
 */
export interface Conv2dGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly oh: number;
  readonly ow: number;
}

/** The output extent of one spatial axis: ⌊(size + 2·pad − kernel)/stride⌋ + 1. */
export const convOutputSize = (size: number, kernel: number, stride: number, pad: number): number =>
  Math.floor((size + 2 * pad - kernel) / stride) + 1;

/**
 * out (N×O×OH×OW) ← conv(x (N×C×H×W), w (O×C×KH×KW)) (+ bias[o] on every output of channel o when given).
 * The bias is added image by image right after the image's product, while its output is still in cache: a
 * separate broadcast add would be another pass over the whole output (and a fresh array).
 */
export const conv2dForward = (x: FloatArray, w: FloatArray, g: Conv2dGeometry, out: FloatArray, bias?: FloatArray): void => {
  const native = nativeKernels()?.conv2d;
  if (native !== undefined && sameType(out, x, w) && (bias === undefined || sameType(out, bias, bias))) {
    native(x, w, bias, out, nativeGeometry(g));
    return;
  }
  const ckk = g.c * g.kh * g.kw;
  const plane = g.oh * g.ow;
  const image = g.c * g.h * g.w;
  const implicit = implicitConv(g, out);
  if (implicit !== undefined) {
    for (let n = 0; n < g.n; n++) implicit(x, n * image, w, out, n * g.o * plane, bias);
    return;
  }
  const packed = g.o >= 4 && plane >= 4 && ckk >= 1;
  const cols = packed ? undefined : new Float64Array(ckk * plane);
  for (let n = 0; n < g.n; n++) {
    const xOff = n * image;
    const outOff = n * g.o * plane;
    if (cols === undefined) {
      // The image unfolded straight into gemm's packed panels: no column matrix.
      gemmPackedB({ m: g.o, n: plane, k: ckk, a: { data: w }, out, outOffset: outOff }, (bp, p0, kb, j0, nb) => im2colPanels(x, xOff, g, p0, kb, j0, nb, bp));
    } else {
      im2col(x, xOff, g, cols);
      gemm({ m: g.o, n: plane, k: ckk, a: { data: w }, b: { data: cols, lifetime: "scratch" }, out, outOffset: outOff });
    }
    if (bias !== undefined) addChannelBias(out, outOff, g.o, plane, bias);
  }
};

/** Whether b and c have a's element type. */
const sameType = (a: FloatArray, b: FloatArray, c: FloatArray): boolean =>
  a instanceof Float32Array ? b instanceof Float32Array && c instanceof Float32Array : !(b instanceof Float32Array) && !(c instanceof Float32Array);

/** [n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow] (NativeKernels' geometry), one array reused by every call. */
const geometry = new Float64Array(13);

const nativeGeometry = (g: Conv2dGeometry): Float64Array => {
  geometry[0] = g.n;
  geometry[1] = g.c;
  geometry[2] = g.h;
  geometry[3] = g.w;
  geometry[4] = g.o;
  geometry[5] = g.kh;
  geometry[6] = g.kw;
  geometry[7] = g.sh;
  geometry[8] = g.sw;
  geometry[9] = g.ph;
  geometry[10] = g.pw;
  geometry[11] = g.oh;
  geometry[12] = g.ow;
  return geometry;
};

/** out[o0 + c·plane + p] += bias[c] for c < channels, p < plane (one loop per element type, monomorphic). */
const addChannelBias = (out: FloatArray, o0: number, channels: number, plane: number, bias: FloatArray): void => {
  if (out instanceof Float64Array) addBias64(out, o0, channels, plane, bias);
  else addBias32(out, o0, channels, plane, bias);
};

const addBias64 = (out: Float64Array, o0: number, channels: number, plane: number, bias: FloatArray): void => {
  for (let c = 0, o = o0; c < channels; c++) {
    const b = bias[c]!;
    for (const end = o + plane; o < end; o++) out[o] = out[o]! + b;
  }
};

const addBias32 = (out: Float32Array, o0: number, channels: number, plane: number, bias: FloatArray): void => {
  for (let c = 0, o = o0; c < channels; c++) {
    const b = bias[c]!;
    for (const end = o + plane; o < end; o++) out[o] = out[o]! + b;
  }
};

const { KC, NC } = blockSizes;

/**
 * dx (N×C×H×W) ← J_xᵀ·dy: the transposed convolution of dy (N×O×OH×OW) with w (O×C×KH×KW). The columns Wᵀ·dy_n
 * have dx's dtype, so a float32 dx takes gemm's float32 path (sums in float32, as the forward pass). On the wasm
 * path with stride 1 the columns stay in the module's memory and are folded there (wasm/convOut.c col2im, the
 * same additions in the same order as {@link col2im}): no copy of the columns out, no JavaScript fold. Where that
 * does not apply to a stride-1 convolution (an image or column matrix beyond its limits: large images), the
 * gradient is itself a stride-1 convolution, of dy with the flipped filters ({@link transposedConv}), on the
 * implicit-GEMM wasm path: no column matrix at all.
 */
export const conv2dBackpropInput = (dy: FloatArray, w: FloatArray, g: Conv2dGeometry, dx: FloatArray): void => {
  const native = nativeKernels()?.conv2dBackpropInput;
  if (native !== undefined && sameType(dx, dy, w)) {
    native(dy, w, dx, nativeGeometry(g));
    return;
  }
  const ckk = g.c * g.kh * g.kw;
  const plane = g.oh * g.ow;
  const image = g.c * g.h * g.w;
  let cols: FloatArray | undefined;
  for (let n = 0; n < g.n; n++) {
    // The image is folded where B was packed: it must fit there.
    const inWasm = g.sh === 1 && g.sw === 1 && image <= KC * NC ? gemmInWasm({ m: ckk, n: plane, k: g.o, a: { data: w, transpose: true }, b: { data: dy, offset: n * g.o * plane } }, dx) : undefined;
    if (inWasm !== undefined) {
      inWasm.bp.fill(0, 0, image);
      inWasm.col2im(g, (plane + 3) & ~3);
      dx.set(inWasm.bp.subarray(0, image), n * image);
      continue;
    }
    // The fold's limits do not depend on the image: the first decides for the batch.
    if (n === 0 && transposedConv(dy, w, g, dx)) return;
    cols ??= alloc(dtypeOf(dx), ckk * plane);
    gemm({ m: ckk, n: plane, k: g.o, a: { data: w, transpose: true }, b: { data: dy, offset: n * g.o * plane }, out: cols });
    dx.fill(0, n * image, (n + 1) * image);
    col2im(cols, g, dx, n * image);
  }
};

/**
 * dx ← J_xᵀ·(r / (den + k)) on the installed native kernels' `conv2dBackpropInputQuotient` (eq. (4)'s quotient formed
 * while packing, 0 where den + k = 0; k one image's output, or undefined): false, with nothing written, when they
 * lack it or the element types differ (the caller then forms the quotient and calls {@link conv2dBackpropInput}).
 */
export const conv2dBackpropInputQuotient = (r: FloatArray, den: FloatArray, k: FloatArray | undefined, w: FloatArray, g: Conv2dGeometry, dx: FloatArray): boolean => {
  const native = nativeKernels()?.conv2dBackpropInputQuotient;
  if (native === undefined || !sameType(dx, r, den) || !sameType(dx, w, k ?? w)) return false;
  native(r, den, k, w, dx, nativeGeometry(g));
  return true;
};

/**
 * The input gradient of a stride-1 convolution as a stride-1 convolution: with i' = KH − 1 − i (and j' likewise),
 *
 *   dx[c, r, s] = Σ_{o,i',j'} w[o, c, KH−1−i', KW−1−j'] · dy[o, r − (KH−1−ph) + i', s − (KW−1−pw) + j']
 *
 * (zero outside dy): the convolution of dy, padded by KH−1−ph and KW−1−pw, with the filters flipped and their
 * channel axes swapped (C×O×KH×KW), whose output is H×W. It runs on the implicit-GEMM path (convImplicit.ts), for
 * every image; false, with nothing written, where that path does not take it (no WebAssembly SIMD, padding beyond
 * KH − 1 or KW − 1, sizes beyond its limits). Its sums run over (o, i', j') in one chain: not the bits of the fold.
 */
const transposedConv = (dy: FloatArray, w: FloatArray, g: Conv2dGeometry, dx: FloatArray): boolean => {
  if (g.sh !== 1 || g.sw !== 1 || g.ph > g.kh - 1 || g.pw > g.kw - 1) return false;
  const gt: Conv2dGeometry = { n: g.n, c: g.o, h: g.oh, w: g.ow, o: g.c, kh: g.kh, kw: g.kw, sh: 1, sw: 1, ph: g.kh - 1 - g.ph, pw: g.kw - 1 - g.pw, oh: g.h, ow: g.w };
  const conv = implicitConv(gt, dx, { fewChannels: true });
  if (conv === undefined) return false;
  // Flipped once per filter tensor (immutable data), so that gemm's packed-A cache also keeps its packing.
  const wt = flippedFilters.get(w, "flipped", `${g.o}x${g.c}x${g.kh}x${g.kw}`, () => flipFilters(w, g));
  for (let n = 0; n < g.n; n++) conv(dy, n * g.o * g.oh * g.ow, wt, dx, n * g.c * g.h * g.w, undefined);
  return true;
};

const flippedFilters = IdentityMemo.make<FloatArray, FloatArray>();

/** wt[c, o, i, j] = w[o, c, KH−1−i, KW−1−j] (C×O×KH×KW), in w's element type. */
const flipFilters = (w: FloatArray, g: Conv2dGeometry): FloatArray => {
  const { o: O, c: C, kh: KH, kw: KW } = g;
  const wt = alloc(dtypeOf(w), O * C * KH * KW);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < KH; i++)
        for (let j = 0; j < KW; j++) wt[((c * O + o) * KH + i) * KW + j] = w[((o * C + c) * KH + KH - 1 - i) * KW + KW - 1 - j]!;
  return wt;
};

/** dw (O×C×KH×KW) ← J_wᵀ·dy = Σ_n dy_n·im2col(x_n)ᵀ. */
export const conv2dBackpropFilter = (x: FloatArray, dy: FloatArray, g: Conv2dGeometry, dw: FloatArray): void => {
  const ckk = g.c * g.kh * g.kw;
  const plane = g.oh * g.ow;
  const cols = new Float64Array(ckk * plane);
  // Summed over the batch in float64, rounded once into dw.
  const acc = new Float64Array(g.o * ckk);
  for (let n = 0; n < g.n; n++) {
    im2col(x, n * g.c * g.h * g.w, g, cols);
    gemm({ m: g.o, n: ckk, k: plane, a: { data: dy, offset: n * g.o * plane }, b: { data: cols, transpose: true, lifetime: "scratch" }, out: acc, accumulate: true });
  }
  dw.set(acc);
};
