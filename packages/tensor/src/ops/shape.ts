/**
 * Shape ops: reshape, transpose, slice and its adjoint pad, concat, stack, broadcastTo. Every result is a fresh
 * contiguous tensor (no views), so immutability needs no bookkeeping.
 * @module
 */
import { alloc, type DType } from "../DType.ts";
import * as Shape from "../Shape.ts";
import { type AnyTensor, sameDType, type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";
import { broadcastLoop } from "./elementwise.ts";

/** The same data under another shape of equal size; one extent may be −1 (inferred). */
export const reshape = <S extends Shape.Shape, D extends DType>(x: Tensor<Shape.Shape, D>, shape: S): Tensor<S, D> => {
  const op = "reshape";
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1 || shape.some((d) => d !== -1 && (!Number.isInteger(d) || d < 0))) {
    fail({ _tag: "InvalidShape", op, shape: [...shape], reason: "expected non-negative integer extents and at most one -1" });
  }
  let target: number[] = [...shape];
  if (holes === 1) {
    const known = Shape.size(shape.filter((d) => d !== -1));
    if (known === 0 || x.data.length % known !== 0) {
      fail({ _tag: "ShapeMismatch", op, expected: `a shape whose size divides ${x.data.length}`, found: showShape(shape) });
    }
    target = shape.map((d) => (d === -1 ? x.data.length / known : d));
  }
  if (Shape.size(target) !== x.data.length) {
    fail({ _tag: "ShapeMismatch", op, expected: `a shape of size ${x.data.length} (from ${showShape(x.shape)})`, found: `${showShape(shape)} of size ${Shape.size(target)}` });
  }
  return { dtype: x.dtype, shape: target as unknown as S, data: x.data };
};

/** Permutes the axes (default: reverse them). `transpose(x)` of a `[m, n]` is `[n, m]`. */
export const transpose = <S extends Shape.Shape, D extends DType>(
  x: Tensor<S, D>,
  perm?: readonly number[],
): Tensor<S extends readonly [infer A, infer B] ? [B, A] : number[], D> => {
  const r = x.shape.length;
  const p = perm ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  if (p.length !== r || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    fail({ _tag: "InvalidArgument", op: "transpose", expected: `a permutation of 0..${r - 1}`, found: showShape(p) });
  }
  const shape = p.map((a) => x.shape[a]!);
  const st = Shape.strides(x.shape);
  const src = p.map((a) => st[a]!);
  const out = alloc(x.dtype, x.data.length);
  const X = x.data;
  broadcastLoop(shape, src, src, (o, ia, _ib, len, sa) => {
    for (let t = 0; t < len; t++) out[o + t] = X[ia + t * sa]!;
  });
  return unsafeMake(shape, out) as Tensor<S extends readonly [infer A, infer B] ? [B, A] : number[], D>;
};

/** Copies the window `begin ≤ index < begin + size` (size −1 = to the end). */
export const slice = <D extends DType>(x: Tensor<Shape.Shape, D>, begin: readonly number[], size: readonly number[]): Tensor<number[], D> => {
  const r = x.shape.length;
  if (begin.length !== r || size.length !== r) {
    fail({ _tag: "InvalidArgument", op: "slice", expected: `begin and size of length ${r}`, found: `${begin.length} and ${size.length}` });
  }
  const shape = size.map((s, a) => (s === -1 ? x.shape[a]! - begin[a]! : s));
  shape.forEach((s, a) => {
    if (!Number.isInteger(begin[a]) || begin[a]! < 0 || !Number.isInteger(s) || s < 0 || begin[a]! + s > x.shape[a]!) {
      fail({ _tag: "InvalidArgument", op: "slice", expected: `a window inside ${showShape(x.shape)}`, found: `begin ${showShape(begin)}, size ${showShape(shape)}` });
    }
  });
  const st = Shape.strides(x.shape);
  const base = begin.reduce((acc, b, a) => acc + b * st[a]!, 0);
  const out = alloc(x.dtype, Shape.size(shape));
  const X = x.data;
  broadcastLoop(shape, st, st, (o, ia, _ib, len, sa) => {
    for (let t = 0; t < len; t++) out[o + t] = X[base + ia + t * sa]!;
  });
  return unsafeMake(shape, out);
};

/** Zero padding: `before[a]` zeros before and `after[a]` after axis a. The adjoint of `slice`. */
export const pad = <D extends DType>(x: Tensor<Shape.Shape, D>, before: readonly number[], after: readonly number[]): Tensor<number[], D> => {
  const r = x.shape.length;
  if (before.length !== r || after.length !== r || [...before, ...after].some((v) => !Number.isInteger(v) || v < 0)) {
    fail({ _tag: "InvalidArgument", op: "pad", expected: `non-negative integer paddings of length ${r}`, found: `${showShape(before)} and ${showShape(after)}` });
  }
  const shape = x.shape.map((d, a) => d + before[a]! + after[a]!);
  const st = Shape.strides(shape);
  const base = before.reduce((acc, b, a) => acc + b * st[a]!, 0);
  const out = alloc(x.dtype, Shape.size(shape));
  const X = x.data;
  broadcastLoop(x.shape, st, st, (o, io, _ib, len, so) => {
    const src = (o / Math.max(len, 1)) * len;
    for (let t = 0; t < len; t++) out[base + io + t * so] = X[src + t]!;
  });
  return unsafeMake(shape, out);
};

/** Joins tensors along an existing axis; the other extents must agree. */
export const concat = <D extends DType>(ts: readonly Tensor<Shape.Shape, D>[], axis: number): Tensor<number[], D> => {
  if (ts.length === 0) fail({ _tag: "InvalidArgument", op: "concat", expected: "at least one tensor", found: "none" });
  const first = ts[0]!;
  sameDType("concat", ...ts);
  const ax = Shape.normalizeAxis("concat", axis, first.shape.length);
  for (const t of ts) {
    if (t.shape.length !== first.shape.length || t.shape.some((d, a) => a !== ax && d !== first.shape[a])) {
      fail({ _tag: "ShapeMismatch", op: "concat", expected: `shapes equal to ${showShape(first.shape)} except on axis ${ax}`, found: showShape(t.shape) });
    }
  }
  const shape = [...first.shape];
  shape[ax] = ts.reduce((acc, t) => acc + t.shape[ax]!, 0);
  const outer = Shape.size(first.shape.slice(0, ax));
  const inner = Shape.size(first.shape.slice(ax + 1));
  const out = alloc(first.dtype, Shape.size(shape));
  const rowOut = shape[ax]! * inner;
  let offset = 0;
  for (const t of ts) {
    const chunk = t.shape[ax]! * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * chunk, (o + 1) * chunk), o * rowOut + offset);
    offset += chunk;
  }
  return unsafeMake(shape, out);
};

/** Stacks equally shaped tensors along a new axis. */
export const stack = <D extends DType>(ts: readonly Tensor<Shape.Shape, D>[], axis = 0): Tensor<number[], D> => {
  if (ts.length === 0) fail({ _tag: "InvalidArgument", op: "stack", expected: "at least one tensor", found: "none" });
  const first = ts[0]!;
  for (const t of ts) {
    if (!Shape.equals(t.shape, first.shape)) fail({ _tag: "ShapeMismatch", op: "stack", expected: showShape(first.shape), found: showShape(t.shape) });
  }
  const ax = Shape.normalizeAxis("stack", axis, first.shape.length + 1);
  const expanded = [...first.shape.slice(0, ax), 1, ...first.shape.slice(ax)];
  return concat(ts.map((t) => reshape(t, expanded)), ax);
};

/** Materialises the broadcast of `x` to `shape` (NumPy rules). */
export const broadcastTo = <S extends Shape.Shape, D extends DType>(x: Tensor<Shape.Shape, D>, shape: S): Tensor<S, D> => {
  const b = Shape.broadcast("broadcastTo", x.shape, shape);
  if (!Shape.equals(b, shape)) fail({ _tag: "ShapeMismatch", op: "broadcastTo", expected: `a shape that ${showShape(x.shape)} broadcasts to`, found: showShape(shape) });
  if (Shape.equals(x.shape, shape)) return x as unknown as Tensor<S, D>;
  const sx = Shape.broadcastStrides(x.shape, shape);
  const out = alloc(x.dtype, Shape.size(shape));
  const X = x.data;
  broadcastLoop(shape, sx, sx, (o, ia, _ib, len, sa) => {
    for (let t = 0; t < len; t++) out[o + t] = X[ia + t * sa]!;
  });
  return unsafeMake(shape, out);
};

/** Inserts an axis of extent 1. */
export const expandDims = <D extends DType>(x: Tensor<Shape.Shape, D>, axis: number): Tensor<number[], D> => {
  const ax = Shape.normalizeAxis("expandDims", axis, x.shape.length + 1);
  return reshape(x, [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]);
};

/** Keeps the leading axis and flattens the rest: `[n, ...] → [n, prod(...)]`. */
export const flattenBatch = <D extends DType>(x: Tensor<Shape.Shape, D>): Tensor<[number, number], D> => {
  if (x.shape.length === 0) fail({ _tag: "InvalidArgument", op: "flattenBatch", expected: "a tensor of rank ≥ 1", found: "a scalar" });
  return reshape(x, [x.shape[0]!, Shape.size(x.shape.slice(1))] as [number, number]);
};

export type { AnyTensor };
