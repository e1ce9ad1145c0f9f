/**
 * The immutable tensor: a dtype, a row-major shape and a typed array that nobody writes after construction.
 *
 * Validated constructors (`fromArray`, `fromNested`) return an fp-ts `Either` with a tagged {@link TensorError};
 * NaN and ±Infinity in input data are reported there, never propagated silently.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { alloc, type ArrayOf, type DType, dtypeOf, type FloatArray } from "./DType.ts";
import * as Shape from "./Shape.ts";
import { type TensorError, attempt, fail, showShape } from "./TensorError.ts";
import { nativeFrom, nativeKernels } from "./internal/kernels/native.ts";

/** An immutable tensor of shape `S` and dtype `D`. `data` must not be written to once the tensor exists. */
export interface Tensor<S extends Shape.Shape = Shape.Shape, D extends DType = DType> {
  readonly dtype: D;
  readonly shape: S;
  readonly data: ArrayOf<D>;
}

/** Any tensor. */
export type AnyTensor = Tensor<Shape.Shape, DType>;

/**
 * Wraps `data` without copying or checking finiteness (the caller promises data.length == size(shape) and
 * hands over ownership). Used by kernels; throws on a length mismatch, which is a bug.
 */
export const unsafeMake = <S extends Shape.Shape, D extends DType>(shape: S, data: ArrayOf<D>): Tensor<S, D> => {
  if (data.length !== Shape.size(shape)) {
    fail({ _tag: "LengthMismatch", op: "Tensor.unsafeMake", expected: Shape.size(shape), found: data.length });
  }
  return { dtype: dtypeOf(data) as D, shape, data };
};

/**
 * Index of the first non-finite value, or -1. Typed arrays are first scanned without a branch per element:
 * 0·x is NaN exactly when x is ±∞ or NaN (else ±0), so Σ 0·x is 0 exactly when every x is finite. One loop per
 * element type keeps each load monomorphic; measured with callgrind, 5.8 instructions per element against 32
 * for the element-by-element test (explain checks activations with it, and relevances whose sums are not finite).
 */
export const firstNonFinite = (data: ArrayLike<number>): number => {
  if (data instanceof Float64Array || data instanceof Float32Array) {
    if (nativeAllFinite(data) ?? (data instanceof Float64Array ? allFinite64(data) : allFinite32(data))) return -1;
  }
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
};

/**
 * Whether every entry is finite, by the installed native kernels' `rowSums` over one row (explain's scan of a conv
 * layer's output: a vector pass, ~3× the JavaScript loop): Σ|x| is finite exactly when every |x| is, except for
 * finite entries whose sum overflows float64, which read as "not all finite" and go to the exact scan. Undefined
 * without the kernel or below its length threshold.
 */
const nativeAllFinite = (d: FloatArray): boolean | undefined => {
  const rowSums = d.length >= nativeFrom ? nativeKernels()?.rowSums : undefined;
  if (rowSums === undefined) return undefined;
  rowSums(d, rowSum, rowAbs);
  return Number.isFinite(rowAbs[0]!);
};
const rowSum = new Float64Array(1);
const rowAbs = new Float64Array(1);

const allFinite64 = (d: Float64Array): boolean => {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const n = d.length;
  let i = 0;
  for (const n4 = n & ~3; i < n4; i += 4) {
    a0 += d[i]! * 0;
    a1 += d[i + 1]! * 0;
    a2 += d[i + 2]! * 0;
    a3 += d[i + 3]! * 0;
  }
  for (; i < n; i++) a0 += d[i]! * 0;
  return a0 + a1 + a2 + a3 === 0;
};

// The Float32Array copy of allFinite64: keep them identical but for the type.
const allFinite32 = (d: Float32Array): boolean => {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const n = d.length;
  let i = 0;
  for (const n4 = n & ~3; i < n4; i += 4) {
    a0 += d[i]! * 0;
    a1 += d[i + 1]! * 0;
    a2 += d[i + 2]! * 0;
    a3 += d[i + 3]! * 0;
  }
  for (; i < n; i++) a0 += d[i]! * 0;
  return a0 + a1 + a2 + a3 === 0;
};

/**
 * A tensor from flat row-major data, validated: integer extents, length = size(shape), finite values.
 * The data are copied.
 */
export const fromArray = <S extends Shape.Shape, D extends DType = "float64">(
  data: ArrayLike<number>,
  shape: S,
  dtype?: D,
): E.Either<TensorError, Tensor<S, D>> => {
  const op = "Tensor.fromArray";
  const dt = (dtype ?? "float64") as D;
  if (dt !== "float32" && dt !== "float64") {
    return E.left({ _tag: "DTypeMismatch", op, expected: "float32 | float64", found: String(dt) });
  }
  if (!Shape.isValid(shape)) {
    return E.left({ _tag: "InvalidShape", op, shape: [...shape], reason: "expected non-negative integer extents" });
  }
  if (data.length !== Shape.size(shape)) {
    return E.left({ _tag: "LengthMismatch", op, expected: Shape.size(shape), found: data.length });
  }
  const bad = firstNonFinite(data);
  if (bad >= 0) return E.left({ _tag: "NonFinite", op, index: bad, value: data[bad]! });
  const out = alloc(dt, data.length);
  out.set(data);
  // A finite double beyond ±3.4e38 becomes ±Infinity in float32: report it rather than store it.
  const over = dt === "float32" ? firstNonFinite(out) : -1;
  if (over >= 0) return E.left({ _tag: "NonFinite", op, index: over, value: data[over]!, overflows: "float32" });
  return E.right({ dtype: dt, shape, data: out });
};

/** Nested arrays of numbers (a scalar is a number). */
export type Nested = number | readonly Nested[];

/** Why nested arrays are not a rectangular array of numbers: where (indices from the outside in), what was expected and what was found there. */
export interface NestedProblem {
  readonly path: readonly number[];
  readonly expected: string;
  readonly found: unknown;
}

/**
 * The shape and the row-major values of nested arrays, validated to be rectangular with a number at every leaf.
 * The shape is read along the first elements; every other element must follow it. Iterative (an explicit stack,
 * no recursion), so nesting of any depth cannot overflow the call stack. Values are not checked for finiteness.
 */
export const flattenNested = (nested: unknown): E.Either<NestedProblem, { readonly shape: number[]; readonly data: number[] }> => {
  const shape: number[] = [];
  for (let cur: unknown = nested; Array.isArray(cur); cur = (cur as readonly unknown[])[0]) {
    shape.push(cur.length);
    if (cur.length === 0) break;
  }
  const depth = shape.length;
  const data: number[] = [];
  if (depth === 0) {
    if (typeof nested !== "number") return E.left({ path: [], expected: "a number", found: nested });
    data.push(nested);
    return E.right({ shape, data });
  }
  const arrays: (readonly unknown[])[] = [nested as readonly unknown[]];
  const index: number[] = [0];
  while (arrays.length > 0) {
    const k = arrays.length - 1;
    const a = arrays[k]!;
    const i = index[k]!;
    if (i === a.length) {
      arrays.pop();
      index.pop();
      if (index.length > 0) index[index.length - 1]!++;
      continue;
    }
    const v = a[i];
    if (k + 1 === depth) {
      if (typeof v !== "number") return E.left({ path: [...index], expected: "a number", found: v });
      data.push(v);
      index[k] = i + 1;
    } else if (!Array.isArray(v) || v.length !== shape[k + 1]) {
      return E.left({ path: [...index], expected: `an array of length ${shape[k + 1]} (rectangular nesting of shape ${showShape(shape)})`, found: v });
    } else {
      arrays.push(v as readonly unknown[]);
      index.push(0);
    }
  }
  return E.right({ shape, data });
};

const nestedError = (p: NestedProblem): TensorError => ({
  _tag: "InvalidArgument",
  op: "Tensor.fromNested",
  expected: `${p.expected} at $${p.path.map((i) => `[${i}]`).join("")}`,
  found: Array.isArray(p.found) ? `an array of length ${p.found.length}` : typeof p.found,
});

/** The shape of a nested array, validated to be rectangular (iterative: every depth). */
export const nestedShape = (nested: Nested): E.Either<TensorError, number[]> =>
  E.bimap(nestedError, (r: { readonly shape: number[] }) => r.shape)(flattenNested(nested));

/** A tensor from nested arrays, validated (rectangular, finite; iterative: every depth). */
export const fromNested = <D extends DType = "float64">(nested: Nested, dtype?: D): E.Either<TensorError, Tensor<number[], D>> =>
  E.flatMap(E.mapLeft(nestedError)(flattenNested(nested)), ({ shape, data }) => fromArray(data, shape, dtype));

/** Unwraps a validated tensor, throwing a TensorException on Left. For tests and literals known to be valid. */
export const unsafeGet = <A>(e: E.Either<TensorError, A>): A => (E.isRight(e) ? e.right : fail(e.left));

/** `fromArray`, throwing on invalid data. Convenient for literals in tests and examples. */
export const of = <S extends Shape.Shape, D extends DType = "float64">(data: ArrayLike<number>, shape: S, dtype?: D): Tensor<S, D> =>
  unsafeGet(fromArray(data, shape, dtype));

/** A tensor filled with `value`. */
export const full = <S extends Shape.Shape, D extends DType = "float64">(shape: S, value: number, dtype?: D): Tensor<S, D> => {
  Shape.assertValid("Tensor.full", shape);
  const dt = (dtype ?? "float64") as D;
  const data = alloc(dt, Shape.size(shape));
  if (value !== 0) data.fill(value);
  return { dtype: dt, shape, data };
};

/** Zeros of a shape. */
export const zeros = <S extends Shape.Shape, D extends DType = "float64">(shape: S, dtype?: D): Tensor<S, D> => full(shape, 0, dtype);

/** Ones of a shape. */
export const ones = <S extends Shape.Shape, D extends DType = "float64">(shape: S, dtype?: D): Tensor<S, D> => full(shape, 1, dtype);

/** A rank-0 tensor. */
export const scalar = <D extends DType = "float64">(value: number, dtype?: D): Tensor<[], D> => full([] as [], value, dtype);

/** Zeros with the shape and dtype of `t`. */
export const zerosLike = <S extends Shape.Shape, D extends DType>(t: Tensor<S, D>): Tensor<S, D> => full(t.shape, 0, t.dtype);

/** Ones with the shape and dtype of `t`. */
export const onesLike = <S extends Shape.Shape, D extends DType>(t: Tensor<S, D>): Tensor<S, D> => full(t.shape, 1, t.dtype);

/** Number of elements. */
export const size = (t: AnyTensor): number => t.data.length;

/** Rank (number of axes). */
export const rank = (t: AnyTensor): number => t.shape.length;

/** The data as nested arrays following the shape. */
export const toNested = (t: AnyTensor): Nested => {
  const build = (axis: number, offset: number): Nested => {
    if (axis === t.shape.length) return t.data[offset]!;
    const stride = Shape.size(t.shape.slice(axis + 1));
    return Array.from({ length: t.shape[axis]! }, (_, i) => build(axis + 1, offset + i * stride));
  };
  return build(0, 0);
};

/** The element at a multi-index (bounds-checked). */
export const get = (t: AnyTensor, index: readonly number[]): number => {
  if (index.length !== t.shape.length || index.some((i, a) => !Number.isInteger(i) || i < 0 || i >= t.shape[a]!)) {
    fail({ _tag: "InvalidArgument", op: "Tensor.get", expected: `an index within ${showShape(t.shape)}`, found: showShape(index) });
  }
  const st = Shape.strides(t.shape);
  let off = 0;
  for (let a = 0; a < index.length; a++) off += index[a]! * st[a]!;
  return t.data[off]!;
};

/** The single value of a one-element tensor. */
export const item = (t: AnyTensor): number => {
  if (t.data.length !== 1) fail({ _tag: "LengthMismatch", op: "Tensor.item", expected: 1, found: t.data.length });
  return t.data[0]!;
};

/** `t` converted to `dtype` (float64 → float32 rounds); `t` itself when it already has that dtype (tensors are immutable). */
export const astype = <S extends Shape.Shape, D extends DType>(t: Tensor<S, DType>, dtype: D): Tensor<S, D> => {
  if (t.dtype === dtype) return t as Tensor<S, D>;
  const data = alloc(dtype, t.data.length);
  data.set(t.data);
  return { dtype, shape: t.shape, data };
};

/** Throws DTypeMismatch unless every tensor has the same dtype; returns it. */
export const sameDType = (op: string, ...ts: readonly AnyTensor[]): DType => {
  const d = ts[0]!.dtype;
  for (const t of ts) if (t.dtype !== d) fail({ _tag: "DTypeMismatch", op, expected: d, found: t.dtype });
  return d;
};

/** Checks that a tensor holds only finite values; Left(NonFinite) names the first offender. */
export const checkFinite = <T extends AnyTensor>(op: string, t: T): E.Either<TensorError, T> => {
  const bad = firstNonFinite(t.data);
  return bad < 0 ? E.right(t) : E.left({ _tag: "NonFinite", op, index: bad, value: t.data[bad]! });
};

/** True when the tensor holds only finite values. */
export const isFinite = (t: AnyTensor): boolean => firstNonFinite(t.data) < 0;

export { attempt };
export type { FloatArray };
