/**
 * 2-D convolution of NCHW (or single-image CHW) inputs with OIHW filters, zero padding and strides, and its two
 * adjoints, which are also its vector–Jacobian products:
 *
 *   y[n, o, u, v] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]
 *   conv2dBias(x, w, b)      = conv2d(x, w) + b[o] on every output of channel o (fused)
 *   conv2dBackpropInput(dy)  = J_xᵀ·dy   (the transposed convolution)
 *   conv2dBackpropInputQuotient(R, s, K) = J_xᵀ·(R / (s + K))   (eq. (4)'s quotient fused into it)
 *   conv2dBackpropFilter(dy) = J_wᵀ·dy
 *
 * so that ⟨conv2d(x, w), dy⟩ = ⟨x, conv2dBackpropInput(dy, w)⟩ = ⟨w, conv2dBackpropFilter(x, dy)⟩.
 * Every shape is validated before the kernels run; results are fresh tensors.
 * @module
 */
import { alloc, type DType, recycle } from "../DType.ts";
import * as Shape from "../Shape.ts";
import { sameDType, type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";
import { divNoNanSum } from "./fused.ts";
import {
  type Conv2dGeometry,
  conv2dBackpropFilter as backpropFilterKernel,
  conv2dBackpropInput as backpropInputKernel,
  conv2dBackpropInputQuotient as backpropInputQuotientKernel,
  conv2dForward,
  convOutputSize,
} from "../internal/kernels/conv2d.ts";

/** Stride [sh, sw] (default [1, 1], positive integers) and zero padding [ph, pw] on each side (default [0, 0]). */
export interface Conv2dOptions {
  readonly stride?: readonly [number, number];
  readonly padding?: readonly [number, number];
}

/** The shape of a convolution's output: rank 4 for a batch, rank 3 for one CHW image. */
export type Conv2dShape<S extends Shape.Shape> = S extends readonly [unknown, unknown, unknown, unknown]
  ? [number, number, number, number]
  : S extends readonly [unknown, unknown, unknown]
    ? [number, number, number]
    : number[];

/** Validated geometry, plus whether the caller used the unbatched CHW form. */
interface Resolved {
  readonly g: Conv2dGeometry;
  readonly batched: boolean;
  readonly outShape: number[];
}

/** Checks ranks, stride, padding, channels and kernel extent; throws a TensorException naming the culprit. */
const resolve = (op: string, xShape: Shape.Shape, wShape: Shape.Shape, opts: Conv2dOptions): Resolved => {
  Shape.assertValid(op, xShape);
  Shape.assertValid(op, wShape);
  if (xShape.length !== 4 && xShape.length !== 3) {
    fail({ _tag: "InvalidArgument", op, expected: "x of rank 4 (NCHW) or 3 (CHW)", found: `rank ${xShape.length} (shape ${showShape(xShape)})` });
  }
  if (wShape.length !== 4) {
    fail({ _tag: "InvalidArgument", op, expected: "w of rank 4 (OIHW)", found: `rank ${wShape.length} (shape ${showShape(wShape)})` });
  }
  const stride = opts.stride ?? [1, 1];
  const padding = opts.padding ?? [0, 0];
  if (stride.length !== 2 || !stride.every((s) => Number.isInteger(s) && s >= 1)) {
    fail({ _tag: "InvalidArgument", op, expected: "a stride of positive integers", found: showShape(stride) });
  }
  if (padding.length !== 2 || !padding.every((p) => Number.isInteger(p) && p >= 0)) {
    fail({ _tag: "InvalidArgument", op, expected: "a padding of non-negative integers", found: showShape(padding) });
  }
  const batched = xShape.length === 4;
  const [n, c, h, w] = batched ? (xShape as readonly number[]) : [1, ...xShape];
  const [o, ci, kh, kw] = wShape as readonly number[];
  if (c !== ci) {
    fail({
      _tag: "ShapeMismatch",
      op,
      expected: `the input channels of x ${showShape(xShape)} to equal the filter's in-channels of w ${showShape(wShape)}`,
      found: `${c} != ${ci}`,
    });
  }
  const [sh, sw] = stride;
  const [ph, pw] = padding;
  const hp = h! + 2 * ph;
  const wp = w! + 2 * pw;
  if (kh! < 1 || kw! < 1 || kh! > hp || kw! > wp) {
    fail({
      _tag: "InvalidArgument",
      op,
      expected: `a non-empty kernel no larger than the padded input ${hp}x${wp}`,
      found: `kernel ${kh}x${kw}`,
    });
  }
  const oh = convOutputSize(h!, kh!, sh, ph);
  const ow = convOutputSize(w!, kw!, sw, pw);
  const g: Conv2dGeometry = { n: n!, c: c!, h: h!, w: w!, o: o!, kh: kh!, kw: kw!, sh, sw, ph, pw, oh, ow };
  return { g, batched, outShape: batched ? [n!, o!, oh, ow] : [o!, oh, ow] };
};

/**
 * The output shape of `conv2d(x, w, opts)` for these input shapes: `[N, O, OH, OW]` (or `[O, OH, OW]` for CHW)
 * with OH = ⌊(H + 2·ph − KH)/sh⌋ + 1 and OW likewise. Throws like {@link conv2d} on invalid arguments.
 */
export const conv2dOutputShape = (xShape: Shape.Shape, wShape: Shape.Shape, opts: Conv2dOptions = {}): number[] =>
  resolve("conv2dOutputShape", xShape, wShape, opts).outShape;

/** The forward convolution behind conv2d and conv2dBias: validated, into a fresh tensor (bias added when given). */
const convolve = <S extends Shape.Shape, D extends DType>(
  op: string,
  x: Tensor<S, D>,
  w: Tensor<Shape.Shape, D>,
  b: Tensor<Shape.Shape, D> | undefined,
  opts: Conv2dOptions,
): Tensor<Conv2dShape<S>, D> => {
  const { g, outShape } = resolve(op, x.shape, w.shape, opts);
  sameDType(op, x, w);
  if (b !== undefined) {
    sameDType(op, x, b);
    if (b.shape.length !== 1 || b.shape[0] !== g.o) {
      fail({ _tag: "ShapeMismatch", op, expected: `a bias of shape [${g.o}] (one per out-channel of w ${showShape(w.shape)})`, found: showShape(b.shape) });
    }
  }
  const out = alloc(x.dtype, Shape.size(outShape));
  conv2dForward(x.data, w.data, g, out, b?.data);
  return unsafeMake(outShape as Conv2dShape<S>, out);
};

/**
 * The convolution (cross-correlation) of `x` (NCHW, or CHW for one image) with filters `w` (OIHW):
 * y[n, o, u, v] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j], zero outside the image.
 */
export const conv2d = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, w: Tensor<Shape.Shape, D>, opts: Conv2dOptions = {}): Tensor<Conv2dShape<S>, D> =>
  convolve("conv2d", x, w, undefined, opts);

/**
 * `conv2d(x, w, opts)` plus a bias per output channel, `y[n, o, u, v] += b[o]`, fused into the convolution (the
 * bias is added to each image's output while it is in cache; the result is identical to a separate broadcast add).
 * `b` has shape [O], O the filters' out-channels.
 */
export const conv2dBias = <S extends Shape.Shape, D extends DType>(
  x: Tensor<S, D>,
  w: Tensor<Shape.Shape, D>,
  b: Tensor<Shape.Shape, D>,
  opts: Conv2dOptions = {},
): Tensor<Conv2dShape<S>, D> => convolve("conv2dBias", x, w, b, opts);

const checkDy = (op: string, dy: Tensor<Shape.Shape, DType>, r: Resolved, xShape: Shape.Shape, wShape: Shape.Shape): void => {
  if (!Shape.equals(dy.shape, r.outShape)) {
    fail({
      _tag: "ShapeMismatch",
      op,
      expected: `dy of shape ${showShape(r.outShape)} (the conv2d output for x ${showShape(xShape)} and w ${showShape(wShape)})`,
      found: showShape(dy.shape),
    });
  }
};

/**
 * The transposed convolution J_xᵀ·dy: the gradient of ⟨conv2d(x, w), dy⟩ with respect to an x of shape
 * `xShape`. `dy` must have the shape conv2d produces for `xShape`, `w.shape` and `opts`.
 */
export const conv2dBackpropInput = <S extends Shape.Shape, D extends DType>(
  dy: Tensor<Shape.Shape, D>,
  w: Tensor<Shape.Shape, D>,
  xShape: S,
  opts: Conv2dOptions = {},
): Tensor<S, D> => {
  const op = "conv2dBackpropInput";
  const r = resolve(op, xShape, w.shape, opts);
  sameDType(op, dy, w);
  checkDy(op, dy, r, xShape, w.shape);
  const dx = alloc(dy.dtype, Shape.size(xShape));
  backpropInputKernel(dy.data, w.data, r.g, dx);
  return unsafeMake([...xShape] as Shape.Shape as S, dx);
};

/** Whether K is one sample of R's batch ([1, ...] or without the batch axis): what the fused kernel reads. */
const oneSampleOf = (K: Tensor<Shape.Shape, DType>, R: Tensor<Shape.Shape, DType>): boolean => {
  const sample = R.shape.slice(1);
  return R.shape.length === 4 && (Shape.equals(K.shape, sample) || (K.shape[0] === 1 && Shape.equals(K.shape.slice(1), sample)));
};

/**
 * J_xᵀ·c for eq. (4)'s quotients c = R / (s + K), 0 where s + K = 0 — `conv2dBackpropInput(divNoNanSum(R, s, K), w,
 * xShape, opts)`, bit for bit, without the quotient tensor: the native kernels form each quotient while packing it
 * for the product (Montavon et al. 2017, eq. 4: steps 2 and 3 in one pass). R and s have the conv2d output's shape;
 * K (optional) broadcasts to it as in divNoNanSum. Without the native kernel, or for a K that is not one sample's
 * shape, the two ops run one after the other (the quotient's memory handed back for reuse).
 */
export const conv2dBackpropInputQuotient = <S extends Shape.Shape, D extends DType>(
  R: Tensor<Shape.Shape, D>,
  s: Tensor<Shape.Shape, D>,
  K: Tensor<Shape.Shape, D> | undefined,
  w: Tensor<Shape.Shape, D>,
  xShape: S,
  opts: Conv2dOptions = {},
): Tensor<S, D> => {
  const op = "conv2dBackpropInputQuotient";
  const r = resolve(op, xShape, w.shape, opts);
  sameDType(op, R, w);
  checkDy(op, R, r, xShape, w.shape);
  if (K === undefined || oneSampleOf(K, R)) {
    sameDType(op, R, s);
    if (K !== undefined) sameDType(op, R, K);
    if (!Shape.equals(R.shape, s.shape)) fail({ _tag: "ShapeMismatch", op, expected: `s of R's shape ${showShape(R.shape)}`, found: showShape(s.shape) });
    const dx = alloc(R.dtype, Shape.size(xShape));
    if (backpropInputQuotientKernel(R.data, s.data, K?.data, w.data, r.g, dx)) return unsafeMake([...xShape] as Shape.Shape as S, dx);
    recycle(dx);
  }
  const c = divNoNanSum(R, s as Tensor<Shape.Shape, D>, K);
  const dx = conv2dBackpropInput(c, w, xShape, opts);
  recycle(c.data);
  return dx;
};

/**
 * J_wᵀ·dy: the gradient of ⟨conv2d(x, w), dy⟩ with respect to filters of shape `wShape`, summed over the batch.
 */
export const conv2dBackpropFilter = <S extends Shape.Shape, D extends DType>(
  x: Tensor<Shape.Shape, D>,
  dy: Tensor<Shape.Shape, D>,
  wShape: S,
  opts: Conv2dOptions = {},
): Tensor<S, D> => {
  const op = "conv2dBackpropFilter";
  const r = resolve(op, x.shape, wShape, opts);
  sameDType(op, x, dy);
  checkDy(op, dy, r, x.shape, wShape);
  const dw = alloc(x.dtype, Shape.size(wShape));
  backpropFilterKernel(x.data, dy.data, r.g, dw);
  return unsafeMake([...wShape] as Shape.Shape as S, dw);
};
