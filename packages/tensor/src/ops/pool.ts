/**
 * 2-D pooling of NCHW (or single-image CHW) tensors: windows kh×kw every sh×sw (stride defaults to the kernel),
 * output OH = ⌊(H − kh)/sh⌋ + 1, OW likewise. Max pooling may also take padding [top, bottom, left, right] that
 * acts as −∞ (TF's and ONNX's padded max pools): its windows overhang the input and take the maximum of the part
 * inside it, OH = ⌊(H + top + bottom − kh)/sh⌋ + 1.
 *
 * Max pooling returns the argmax routing with its result, so that its derivative is a scatter and the linear map
 * "max pooling with the routing frozen" is a gather:
 *
 *   maxPool2dGather(x, argmax)[i]  = x[argmax[i]]
 *   maxPool2dScatter(dy, argmax)   = its adjoint, dx[argmax[i]] += dy[i]
 *
 * Sum pooling is linear with adjoint `sumPool2dTranspose`; average pooling is sum pooling over kh·kw.
 * @module
 */
import { alloc, type DType } from "../DType.ts";
import * as Shape from "../Shape.ts";
import { type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";
import {
  gather,
  maxPool2dForward,
  maxPool2dPaddedForward,
  type PaddedPool2dGeometry,
  scatterAdd,
  sumPool2dForward,
  sumPool2dTranspose as sumPoolTransposeKernel,
} from "../internal/kernels/pool2d.ts";
import type { Conv2dShape } from "./conv.ts";

/** The shape of a pooled tensor: rank 4 for a batch, rank 3 for one CHW image. */
export type Pool2dShape<S extends Shape.Shape> = Conv2dShape<S>;

/** Window [kh, kw] and stride [sh, sw] (default: the window, i.e. non-overlapping), positive integers. */
export interface Pool2dOptions {
  readonly kernel: readonly [number, number];
  readonly stride?: readonly [number, number];
}

/**
 * Max pooling's options: also padding `[top, bottom, left, right]` (default none) that acts as −∞ — it never wins a
 * window. Each pad must be smaller than the window along its axis, so that every window holds an input element.
 */
export interface MaxPool2dOptions extends Pool2dOptions {
  readonly padding?: readonly [number, number, number, number];
}

/** Max pooling's output and, for each output element, the flat index into x of the maximum it took. */
export interface MaxPool2dResult<S extends Shape.Shape, D extends DType> {
  readonly y: Tensor<S, D>;
  readonly argmax: Int32Array;
}

/** Largest tensor whose flat indices fit an Int32Array. */
const MAX_INDEXABLE = 2 ** 31 - 1;

interface Resolved {
  readonly g: PaddedPool2dGeometry;
  readonly outShape: number[];
}

const NO_PADDING = [0, 0, 0, 0] as const;

/** Checks rank, window, stride and padding (−∞ padding: max pooling only); throws a TensorException naming the culprit. */
const resolve = (op: string, xShape: Shape.Shape, opts: Pool2dOptions, padding: readonly number[] = NO_PADDING): Resolved => {
  Shape.assertValid(op, xShape);
  if (xShape.length !== 4 && xShape.length !== 3) {
    fail({ _tag: "InvalidArgument", op, expected: "x of rank 4 (NCHW) or 3 (CHW)", found: `rank ${xShape.length} (shape ${showShape(xShape)})` });
  }
  const { kernel } = opts;
  const stride = opts.stride ?? kernel;
  if (kernel.length !== 2 || !kernel.every((k) => Number.isInteger(k) && k >= 1)) {
    fail({ _tag: "InvalidArgument", op, expected: "a kernel of positive integers", found: showShape(kernel) });
  }
  if (stride.length !== 2 || !stride.every((s) => Number.isInteger(s) && s >= 1)) {
    fail({ _tag: "InvalidArgument", op, expected: "a stride of positive integers", found: showShape(stride) });
  }
  const [kh, kw] = kernel;
  if (padding.length !== 4 || !padding.every((q, a) => Number.isInteger(q) && q >= 0 && q < kernel[a < 2 ? 0 : 1]!)) {
    fail({ _tag: "InvalidArgument", op, expected: `a padding [top, bottom, left, right] of non-negative integers smaller than the window ${kh}x${kw}`, found: showShape(padding) });
  }
  const [pt, pb, pl, pr] = padding as [number, number, number, number];
  const batched = xShape.length === 4;
  const [n, c, h, w] = batched ? (xShape as readonly number[]) : [1, ...xShape];
  const [sh, sw] = stride;
  if (kh > h! + pt + pb || kw > w! + pl + pr) {
    fail({ _tag: "InvalidArgument", op, expected: `a kernel no larger than the ${pt + pb + pl + pr > 0 ? "padded " : ""}input ${h! + pt + pb}x${w! + pl + pr}`, found: `kernel ${kh}x${kw}` });
  }
  if (Shape.size(xShape) > MAX_INDEXABLE) {
    fail({ _tag: "InvalidArgument", op, expected: `at most ${MAX_INDEXABLE} elements (Int32 indices)`, found: `${Shape.size(xShape)}` });
  }
  const oh = Math.floor((h! + pt + pb - kh) / sh) + 1;
  const ow = Math.floor((w! + pl + pr - kw) / sw) + 1;
  const g: PaddedPool2dGeometry = { n: n!, c: c!, h: h!, w: w!, kh, kw, sh, sw, oh, ow, pt, pl };
  return { g, outShape: batched ? [n!, c!, oh, ow] : [c!, oh, ow] };
};

/** The output shape of pooling `xShape` with these options (padding: max pooling's); throws like {@link maxPool2d}. */
export const pool2dOutputShape = (xShape: Shape.Shape, opts: MaxPool2dOptions): number[] => resolve("pool2dOutputShape", xShape, opts, opts.padding).outShape;

/**
 * y[n, c, u, v] = max over the window at (u·sh − top, v·sw − left) of x — the part of it inside x when padded —
 * and the flat x index of each maximum (first on ties): the padding never wins, as −∞ would not.
 */
export const maxPool2d = <S extends Shape.Shape, D extends DType>(
  x: Tensor<S, D>,
  opts: MaxPool2dOptions,
): MaxPool2dResult<Pool2dShape<S>, D> => {
  const { g, outShape } = resolve("maxPool2d", x.shape, opts, opts.padding);
  const size = Shape.size(outShape);
  const y = alloc(x.dtype, size);
  const argmax = new Int32Array(size);
  const padded = opts.padding !== undefined && opts.padding.some((q) => q !== 0);
  if (padded) maxPool2dPaddedForward(x.data, g, y, argmax);
  else maxPool2dForward(x.data, g, y, argmax);
  return { y: unsafeMake(outShape as Pool2dShape<S>, y), argmax };
};

/** Throws unless `argmax` has one entry per element of `perShape` (named `what`). */
const checkCount = (op: string, argmax: Int32Array, what: string, perShape: Shape.Shape): void => {
  const count = Shape.size(perShape);
  if (argmax.length !== count) {
    fail({ _tag: "InvalidArgument", op, expected: `argmax with one entry per element of ${what} ${showShape(perShape)} (${count})`, found: `${argmax.length} entries` });
  }
};

/** Throws for the argmax entry at `bad` (a kernel's report of an index outside [0, limit)), if any (bad ≥ 0). */
const checkIndex = (op: string, argmax: Int32Array, bad: number, limit: number): void => {
  if (bad >= 0) fail({ _tag: "InvalidArgument", op, expected: `argmax indices in [0, ${limit})`, found: `${argmax[bad]} at position ${bad}` });
};

/**
 * dx of shape `xShape` with dx[argmax[i]] = Σ dy[i] over the i routed there: max pooling's vector–Jacobian
 * product, and the adjoint of {@link maxPool2dGather}. `argmax` has one entry per element of `dy`, each a flat
 * index into dx (checked as the kernel reads it: no separate pass).
 */
export const maxPool2dScatter = <S extends Shape.Shape, D extends DType>(dy: Tensor<Shape.Shape, D>, argmax: Int32Array, xShape: S): Tensor<S, D> => {
  const op = "maxPool2dScatter";
  Shape.assertValid(op, xShape);
  const limit = Shape.size(xShape);
  checkCount(op, argmax, "dy", dy.shape);
  const dx = alloc(dy.dtype, limit);
  // Zero-filled already, but a fresh large array's pages are not mapped yet: the scatter's first read of each page
  // would map the shared zero page and its write copy it — two faults a page, in the winners' order. Zeros written
  // in order first take one fault a page, in sequence (antispoof's first pooling, 8 MB float64: the scatter 5.0 →
  // 1.6 + 1.9 ms in explain); on reused memory the pass is a cached write.
  dx.fill(0);
  checkIndex(op, argmax, scatterAdd(dy.data, argmax, dx), limit);
  return unsafeMake([...xShape] as Shape.Shape as S, dx);
};

/** y of shape `yShape` with y[i] = x[argmax[i]]: max pooling's routing applied to another input. */
export const maxPool2dGather = <S extends Shape.Shape, D extends DType>(x: Tensor<Shape.Shape, D>, argmax: Int32Array, yShape: S): Tensor<S, D> => {
  const op = "maxPool2dGather";
  Shape.assertValid(op, yShape);
  checkCount(op, argmax, "yShape", yShape);
  const y = alloc(x.dtype, argmax.length);
  checkIndex(op, argmax, gather(x.data, argmax, y), x.data.length);
  return unsafeMake([...yShape] as Shape.Shape as S, y);
};

const sumPoolAs = <S extends Shape.Shape, D extends DType>(op: string, x: Tensor<S, D>, opts: Pool2dOptions, divisor: number): Tensor<Pool2dShape<S>, D> => {
  const { g, outShape } = resolve(op, x.shape, opts);
  const y = alloc(x.dtype, Shape.size(outShape));
  sumPool2dForward(x.data, g, y);
  if (divisor !== 1) divideInPlace(y, divisor);
  return unsafeMake(outShape as Pool2dShape<S>, y);
};

const divideInPlace = (data: Float32Array | Float64Array, divisor: number): void => {
  for (let i = 0; i < data.length; i++) data[i] = data[i]! / divisor;
};

/** y[n, c, u, v] = Σ_{i<kh, j<kw} x[n, c, u·sh + i, v·sw + j]. */
export const sumPool2d = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, opts: Pool2dOptions): Tensor<Pool2dShape<S>, D> =>
  sumPoolAs("sumPool2d", x, opts, 1);

/** Average pooling: {@link sumPool2d} divided by kh·kw. */
export const avgPool2d = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, opts: Pool2dOptions): Tensor<Pool2dShape<S>, D> =>
  sumPoolAs("avgPool2d", x, opts, opts.kernel[0] * opts.kernel[1]);

const checkDy = (op: string, dy: Tensor<Shape.Shape, DType>, r: Resolved, xShape: Shape.Shape): void => {
  if (!Shape.equals(dy.shape, r.outShape)) {
    fail({ _tag: "ShapeMismatch", op, expected: `dy of shape ${showShape(r.outShape)} (the pooled shape of x ${showShape(xShape)})`, found: showShape(dy.shape) });
  }
};

const sumPoolTransposeAs = <S extends Shape.Shape, D extends DType>(
  op: string,
  dy: Tensor<Shape.Shape, D>,
  xShape: S,
  opts: Pool2dOptions,
  divisor: number,
): Tensor<S, D> => {
  const r = resolve(op, xShape, opts);
  checkDy(op, dy, r, xShape);
  const dx = alloc(dy.dtype, Shape.size(xShape));
  sumPoolTransposeKernel(dy.data, r.g, dx);
  if (divisor !== 1) divideInPlace(dx, divisor);
  return unsafeMake([...xShape] as Shape.Shape as S, dx);
};

/** The adjoint of {@link sumPool2d}: every input element receives the sum of dy over the windows containing it. */
export const sumPool2dTranspose = <S extends Shape.Shape, D extends DType>(dy: Tensor<Shape.Shape, D>, xShape: S, opts: Pool2dOptions): Tensor<S, D> =>
  sumPoolTransposeAs("sumPool2dTranspose", dy, xShape, opts, 1);

/** The adjoint of {@link avgPool2d}: {@link sumPool2dTranspose} divided by kh·kw. */
export const avgPool2dTranspose = <S extends Shape.Shape, D extends DType>(dy: Tensor<Shape.Shape, D>, xShape: S, opts: Pool2dOptions): Tensor<S, D> =>
  sumPoolTransposeAs("avgPool2dTranspose", dy, xShape, opts, opts.kernel[0] * opts.kernel[1]);
