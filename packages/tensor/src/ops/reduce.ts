/**
 * Reductions along axes: sum, mean, max, min, argmax, and `sumTo` (the adjoint of broadcasting).
 * @module
 */
import { alloc, type DType } from "../DType.ts";
import * as Shape from "../Shape.ts";
import { type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";

/** Options of a reduction: the axes (default all) and whether to keep them with extent 1. */
export interface ReduceOptions {
  readonly axes?: number | readonly number[];
  readonly keepDims?: boolean;
}

/** Splits a reduction into (outer, reduced, inner) when the reduced axes are contiguous; else undefined. */
const reducedShape = (shape: Shape.Shape, axes: readonly number[], keepDims: boolean): number[] =>
  keepDims ? shape.map((d, a) => (axes.includes(a) ? 1 : d)) : shape.filter((_, a) => !axes.includes(a));

/** How a reduction combines two values: acc + v, the larger, the smaller (NaN never replaces an accumulator). */
type Fold = "sum" | "max" | "min";

/**
 * `acc` folded with X[from .. from + len). A switch on the fold rather than a callback: with one callback per
 * reduction the loop's call site saw several targets, and V8 threw its optimised `reduce` away and compiled it
 * again for each (~20 ms of compilation every time, in every worker thread of a pool: docs/performance.md,
 * "Every core"); the same additions, in the same order.
 */
const foldRow = (fold: Fold, X: ArrayLike<number>, from: number, len: number, acc: number): number => {
  if (fold === "sum") for (let t = 0; t < len; t++) acc += X[from + t]!;
  else if (fold === "max") {
    for (let t = 0; t < len; t++) {
      const v = X[from + t]!;
      if (v > acc) acc = v;
    }
  } else {
    for (let t = 0; t < len; t++) {
      const v = X[from + t]!;
      if (v < acc) acc = v;
    }
  }
  return acc;
};

/** out[o + t] folded with X[i + t] for t < len (a reduction that keeps the last axis). */
const foldInto = (fold: Fold, out: { [k: number]: number }, o: number, X: ArrayLike<number>, i: number, len: number): void => {
  for (let t = 0; t < len; t++) out[o + t] = foldRow(fold, X, i + t, 1, out[o + t]!);
};

/**
 * Generic reduction: `init` then the fold of every value over the reduced axes. Iterates the input once in
 * row-major order with an odometer, writing into the output slot whose strides are 0 along reduced axes.
 */
const reduce = <D extends DType>(op: string, x: Tensor<Shape.Shape, D>, opts: ReduceOptions, init: number, fold: Fold): { out: Tensor<number[], D>; count: number } => {
  const axes = Shape.normalizeAxes(op, opts.axes, x.shape.length);
  const kept = reducedShape(x.shape, axes, true);
  const outShape = reducedShape(x.shape, axes, opts.keepDims ?? false);
  const out = alloc(x.dtype, Shape.size(kept));
  const count = Shape.size(axes.map((a) => x.shape[a]!));
  if (count === 0 && init !== 0) fail({ _tag: "InvalidArgument", op, expected: "a non-empty reduction", found: `shape ${showShape(x.shape)}` });
  out.fill(init);
  const X = x.data;
  const r = x.shape.length;
  if (r === 0) {
    out[0] = foldRow(fold, X, 0, 1, init);
    return { out: unsafeMake(outShape, out), count: 1 };
  }
  const so = Shape.broadcastStrides(kept, x.shape);
  const idx = new Array<number>(r).fill(0);
  const len = x.shape[r - 1]!;
  const lastStride = so[r - 1]!;
  let o = 0;
  for (let i = 0; i < X.length; i += len) {
    if (lastStride === 0) out[o] = foldRow(fold, X, i, len, out[o]!);
    else foldInto(fold, out, o, X, i, len);
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]!++;
      o += so[ax]!;
      if (idx[ax]! < x.shape[ax]!) break;
      o -= so[ax]! * x.shape[ax]!;
      idx[ax] = 0;
    }
  }
  return { out: unsafeMake(outShape, out), count };
};

/** Σ over the axes (default all). */
export const sum = <D extends DType>(x: Tensor<Shape.Shape, D>, opts: ReduceOptions = {}): Tensor<number[], D> =>
  reduce("sum", x, opts, 0, "sum").out;

/** Mean over the axes (default all). */
export const mean = <D extends DType>(x: Tensor<Shape.Shape, D>, opts: ReduceOptions = {}): Tensor<number[], D> => {
  const { out, count } = reduce("mean", x, opts, 0, "sum");
  if (count === 0) fail({ _tag: "InvalidArgument", op: "mean", expected: "a non-empty reduction", found: `shape ${showShape(x.shape)}` });
  for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! / count;
  return out;
};

/** Maximum over the axes (default all). */
export const max = <D extends DType>(x: Tensor<Shape.Shape, D>, opts: ReduceOptions = {}): Tensor<number[], D> =>
  reduce("max", x, opts, -Infinity, "max").out;

/** Minimum over the axes (default all). */
export const min = <D extends DType>(x: Tensor<Shape.Shape, D>, opts: ReduceOptions = {}): Tensor<number[], D> =>
  reduce("min", x, opts, Infinity, "min").out;

/** Index of the maximum along one axis (first on ties), as numbers in the input's dtype. */
export const argmax = <D extends DType>(x: Tensor<Shape.Shape, D>, axis = -1): Tensor<number[], D> => {
  const r = x.shape.length;
  const ax = Shape.normalizeAxis("argmax", axis, r);
  const n = x.shape[ax]!;
  if (n === 0) fail({ _tag: "InvalidArgument", op: "argmax", expected: "a non-empty axis", found: `shape ${showShape(x.shape)}` });
  const outer = Shape.size(x.shape.slice(0, ax));
  const inner = Shape.size(x.shape.slice(ax + 1));
  const out = alloc(x.dtype, outer * inner);
  const X = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = X[o * n * inner + i]!;
      let bi = 0;
      for (let k = 1; k < n; k++) {
        const v = X[(o * n + k) * inner + i]!;
        if (v > best) {
          best = v;
          bi = k;
        }
      }
      out[o * inner + i] = bi;
    }
  }
  return unsafeMake(x.shape.filter((_, a) => a !== ax), out);
};

/**
 * Sums `x` down to `shape`, which `shape` broadcasts to `x.shape`: the adjoint of broadcasting (used by the VJPs
 * of broadcasting ops).
 */
export const sumTo = <S extends Shape.Shape, D extends DType>(x: Tensor<Shape.Shape, D>, shape: S): Tensor<S, D> => {
  if (Shape.equals(x.shape, shape)) return x as unknown as Tensor<S, D>;
  const lead = x.shape.length - shape.length;
  const b = lead >= 0 ? Shape.broadcast("sumTo", shape, x.shape) : [];
  if (lead < 0 || !Shape.equals(b, x.shape)) {
    fail({ _tag: "ShapeMismatch", op: "sumTo", expected: `a shape that broadcasts to ${showShape(x.shape)}`, found: showShape(shape) });
  }
  const axes: number[] = [];
  for (let a = 0; a < x.shape.length; a++) if (a < lead || (shape[a - lead] === 1 && x.shape[a] !== 1)) axes.push(a);
  const s = sum(x, { axes, keepDims: true });
  return { dtype: s.dtype, shape, data: s.data };
};
