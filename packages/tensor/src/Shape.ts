/**
 * Shapes: row-major, contiguous. Literal shapes are tracked in the type (`Tensor<[2, 3]>`); every shape is also
 * checked at run time.
 * @module
 */
import { fail, showShape } from "./TensorError.ts";

/** A shape: one non-negative integer per axis. */
export type Shape = readonly number[];

/** Shape of a matrix product `[..., m, k] x [..., k, n]`. */
export type MatMulShape<A extends Shape, B extends Shape> = A extends readonly [infer M, number]
  ? B extends readonly [number, infer N]
    ? [M, N]
    : number[]
  : A extends readonly [infer Bt, infer M, number]
    ? B extends readonly [unknown, number, infer N]
      ? [Bt, M, N]
      : number[]
    : number[];

/** Shape with two axes swapped (rank-2 transpose). */
export type Transposed<S extends Shape> = S extends readonly [infer A, infer B] ? [B, A] : number[];

/** Number of elements of a shape (1 for a scalar `[]`). */
export const size = (shape: Shape): number => {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
};

/** Row-major strides of a shape. */
export const strides = (shape: Shape): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
};

/** True when both shapes have the same rank and extents. */
export const equals = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** True when `shape` has only non-negative integer extents. */
export const isValid = (shape: Shape): boolean => shape.every((d) => Number.isInteger(d) && d >= 0);

/** Throws an InvalidShape error unless every extent is a non-negative integer. */
export const assertValid = (op: string, shape: Shape): void => {
  if (!isValid(shape)) fail({ _tag: "InvalidShape", op, shape: [...shape], reason: "expected non-negative integer extents" });
};

/** Normalises a possibly negative axis; throws AxisOutOfRange. */
export const normalizeAxis = (op: string, axis: number, rank: number): number => {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) fail({ _tag: "AxisOutOfRange", op, axis, rank });
  return axis < 0 ? axis + rank : axis;
};

/** Normalised, sorted, de-duplicated axes; `undefined` means all axes. */
export const normalizeAxes = (op: string, axes: number | readonly number[] | undefined, rank: number): number[] => {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  return [...new Set(list.map((a) => normalizeAxis(op, a, rank)))].sort((p, q) => p - q);
};

/** NumPy broadcasting of two shapes; throws ShapeMismatch when they are incompatible. */
export const broadcast = (op: string, a: Shape, b: Shape): number[] => {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail({ _tag: "ShapeMismatch", op, expected: `shapes broadcastable with ${showShape(a)}`, found: showShape(b) });
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
};

/**
 * Strides of `shape` viewed inside the broadcast shape `target` (0 along broadcast axes), one per axis of
 * `target`.
 */
export const broadcastStrides = (shape: Shape, target: Shape): number[] => {
  const own = strides(shape);
  const offset = target.length - shape.length;
  return target.map((_, i) => {
    const j = i - offset;
    return j < 0 || shape[j] === 1 ? 0 : own[j]!;
  });
};
