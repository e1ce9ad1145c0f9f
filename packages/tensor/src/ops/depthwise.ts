/**
 * Depthwise 2-D convolution of NCHW (or single-image CHW) inputs with [C, M, KH, KW] filters — M filters per input
 * channel (the depth multiplier), output channel c·M + m made from input channel c alone — with zero padding and
 * strides, and its two adjoints, which are also its vector–Jacobian products:
 *
 *   y[n, c·M + m, u, v] = Σ_{i,j} w[c, m, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]
 *   depthwiseConv2dBackpropInput(dy)  = J_xᵀ·dy
 *   depthwiseConv2dBackpropFilter(dy) = J_wᵀ·dy
 *
 * It equals conv2d with the block-diagonal filters W[c·M + m, c', i, j] = [c = c']·w[c, m, i, j] (the data layout
 * of w is PyTorch's and ONNX's [C·M, 1, KH, KW] for a grouped convolution with C groups), at C times less work.
 * Every shape is validated before the kernels run; results are fresh tensors.
 * @module
 */
import { alloc, type DType } from "../DType.ts";
import * as Shape from "../Shape.ts";
import { sameDType, type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";
import { convOutputSize } from "../internal/kernels/conv2d.ts";
import { type DepthwiseGeometry, depthwiseBackpropFilter as filterKernel, depthwiseBackpropInput as inputKernel, depthwiseForward } from "../internal/kernels/depthwiseConv2d.ts";
import type { Conv2dOptions, Conv2dShape } from "./conv.ts";

interface Resolved {
  readonly g: DepthwiseGeometry;
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
    fail({ _tag: "InvalidArgument", op, expected: "w of rank 4 [C, M, KH, KW]", found: `rank ${wShape.length} (shape ${showShape(wShape)})` });
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
  const [cw, m, kh, kw] = wShape as readonly number[];
  if (c !== cw) {
    fail({ _tag: "ShapeMismatch", op, expected: `the channels of x ${showShape(xShape)} to equal the filters' channels of w ${showShape(wShape)}`, found: `${c} != ${cw}` });
  }
  const [sh, sw] = stride;
  const [ph, pw] = padding;
  if (kh! > h! + 2 * ph || kw! > w! + 2 * pw) {
    fail({ _tag: "InvalidArgument", op, expected: `a kernel no larger than the padded input ${h! + 2 * ph}x${w! + 2 * pw}`, found: `kernel ${kh}x${kw}` });
  }
  const oh = convOutputSize(h!, kh!, sh, ph);
  const ow = convOutputSize(w!, kw!, sw, pw);
  const g: DepthwiseGeometry = { n: n!, c: c!, m: m!, h: h!, w: w!, kh: kh!, kw: kw!, sh, sw, ph, pw, oh, ow };
  return { g, outShape: batched ? [n!, c! * m!, oh, ow] : [c! * m!, oh, ow] };
};

/**
 * The depthwise convolution of `x` (NCHW, or CHW for one image) with filters `w` [C, M, KH, KW]:
 * y[n, c·M + m, u, v] = Σ_{i,j} w[c, m, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j], zero outside the image.
 */
export const depthwiseConv2d = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, w: Tensor<Shape.Shape, D>, opts: Conv2dOptions = {}): Tensor<Conv2dShape<S>, D> => {
  const op = "depthwiseConv2d";
  const { g, outShape } = resolve(op, x.shape, w.shape, opts);
  sameDType(op, x, w);
  const out = alloc(x.dtype, Shape.size(outShape));
  depthwiseForward(x.data, w.data, g, out);
  return unsafeMake(outShape as Conv2dShape<S>, out);
};

const checkDy = (op: string, dy: Tensor<Shape.Shape, DType>, r: Resolved): void => {
  if (!Shape.equals(dy.shape, r.outShape)) fail({ _tag: "ShapeMismatch", op, expected: `dy of shape ${showShape(r.outShape)} (the depthwiseConv2d output)`, found: showShape(dy.shape) });
};

/** J_xᵀ·dy: the gradient of ⟨depthwiseConv2d(x, w), dy⟩ with respect to an x of shape `xShape`. */
export const depthwiseConv2dBackpropInput = <S extends Shape.Shape, D extends DType>(dy: Tensor<Shape.Shape, D>, w: Tensor<Shape.Shape, D>, xShape: S, opts: Conv2dOptions = {}): Tensor<S, D> => {
  const op = "depthwiseConv2dBackpropInput";
  const r = resolve(op, xShape, w.shape, opts);
  sameDType(op, dy, w);
  checkDy(op, dy, r);
  const dx = alloc(dy.dtype, Shape.size(xShape));
  inputKernel(dy.data, w.data, r.g, dx);
  return unsafeMake([...xShape] as Shape.Shape as S, dx);
};

/** J_wᵀ·dy: the gradient of ⟨depthwiseConv2d(x, w), dy⟩ with respect to filters of shape `wShape`, summed over the batch. */
export const depthwiseConv2dBackpropFilter = <S extends Shape.Shape, D extends DType>(x: Tensor<Shape.Shape, D>, dy: Tensor<Shape.Shape, D>, wShape: S, opts: Conv2dOptions = {}): Tensor<S, D> => {
  const op = "depthwiseConv2dBackpropFilter";
  const r = resolve(op, x.shape, wShape, opts);
  sameDType(op, x, dy);
  checkDy(op, dy, r);
  const dw = alloc(x.dtype, Shape.size(wShape));
  filterKernel(x.data, dy.data, r.g, dw);
  return unsafeMake([...wShape] as Shape.Shape as S, dw);
};
