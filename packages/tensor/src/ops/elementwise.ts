/**
 * Elementwise ops with NumPy broadcasting. Unary ops keep the shape; binary ops broadcast their operands
 * (a number operand is a scalar of the other operand's dtype). Comparisons return 0/1 in the operands' dtype.
 * Arithmetic follows IEEE 754 (log 0 = −∞); `divNoNan` is the division that deep Taylor denominators use.
 * @module
 */
import { alloc, type ArrayOf, type DType, type FloatArray } from "../DType.ts";
import { type BinaryCode, binaryRun, binarySame, type UnaryCode, unaryRun } from "../internal/elementwiseRun.ts";
import * as Shape from "../Shape.ts";
import { type AnyTensor, sameDType, type Tensor, unsafeMake } from "../Tensor.ts";
import { fail } from "../TensorError.ts";
import { broadcastTo } from "./shape.ts";

/** A tensor or a plain number (a scalar of the other operand's dtype). */
export type Operand<D extends DType = DType> = Tensor<Shape.Shape, D> | number;

const asTensor = <D extends DType>(x: Operand<D>, dtype: D): Tensor<Shape.Shape, D> =>
  typeof x === "number" ? { dtype, shape: [], data: filled(dtype, x) } : x;

const filled = <D extends DType>(dtype: D, v: number): ArrayOf<D> => {
  const d = alloc(dtype, 1);
  d[0] = v;
  return d;
};

/** Applies `f` to every element. */
export const map = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, f: (v: number) => number): Tensor<S, D> => {
  const src = x.data;
  const out = alloc(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return { dtype: x.dtype, shape: x.shape, data: out };
};

/** A built-in unary op through its dedicated loop. */
const unary = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, code: UnaryCode): Tensor<S, D> => {
  const out = alloc(x.dtype, x.data.length);
  unaryRun(code, out, x.data);
  return { dtype: x.dtype, shape: x.shape, data: out };
};

/**
 * Applies `f` elementwise to two operands broadcast together. Fast paths: equal shapes and scalar operands;
 * otherwise an odometer over the output with per-operand broadcast strides (no allocation in the loop).
 * The built-in arithmetic passes a `code` and runs a dedicated loop instead of calling `f` per element.
 */
export const zipWith = <D extends DType>(
  op: string,
  a: Operand<D>,
  b: Operand<D>,
  f: (p: number, q: number) => number,
  code?: BinaryCode,
): Tensor<Shape.Shape, D> => {
  if (typeof a === "number" && typeof b === "number") fail({ _tag: "InvalidArgument", op, expected: "at least one tensor operand", found: "two numbers" });
  const dtype = (typeof a === "number" ? (b as AnyTensor).dtype : a.dtype) as D;
  const ta = asTensor(a, dtype);
  const tb = asTensor(b, dtype);
  if (typeof a !== "number" && typeof b !== "number") sameDType(op, ta, tb);
  const A = ta.data;
  const B = tb.data;
  const run =
    code === undefined
      ? (out: FloatArray, o: number, ia: number, sai: number, ib: number, sbi: number, len: number) => {
          for (let t = 0; t < len; t++) out[o + t] = f(A[ia + t * sai]!, B[ib + t * sbi]!);
        }
      : (out: FloatArray, o: number, ia: number, sai: number, ib: number, sbi: number, len: number) => binaryRun(code, out, o, A, ia, sai, B, ib, sbi, len);
  const shape = Shape.equals(ta.shape, tb.shape) ? ta.shape : Shape.broadcast(op, ta.shape, tb.shape);
  const n = Shape.size(shape);
  const out = alloc(dtype, n);
  if (Shape.equals(ta.shape, tb.shape)) {
    if (code === undefined) run(out, 0, 0, 1, 0, 1, n);
    else binarySame(code, out, A, B);
  }
  else if (B.length === 1 && Shape.equals(shape, ta.shape)) run(out, 0, 0, 1, 0, 0, n);
  else if (A.length === 1 && Shape.equals(shape, tb.shape)) run(out, 0, 0, 0, 0, 1, n);
  else {
    const sa = Shape.broadcastStrides(ta.shape, shape);
    const sb = Shape.broadcastStrides(tb.shape, shape);
    broadcastLoop(shape, sa, sb, (o, ia, ib, len, sai, sbi) => run(out, o, ia, sai, ib, sbi, len));
  }
  return unsafeMake(shape, out);
};

/**
 * Merges adjacent axes that both operands traverse contiguously (stride[k] = stride[k+1]·shape[k+1]) and drops
 * axes of extent 1, so that a row is as long as possible: e.g. adding a per-channel bias [C, 1, 1] to
 * [N, C, H, W] runs rows of H·W instead of W.
 */
const coalesce = (
  shape: Shape.Shape,
  sa: readonly number[],
  sb: readonly number[],
): { shape: Shape.Shape; sa: readonly number[]; sb: readonly number[] } => {
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && as[last] === sa[k]! * d && bs[last] === sb[k]! * d) {
      dims[last] = dims[last]! * d;
      as[last] = sa[k]!;
      bs[last] = sb[k]!;
    } else {
      dims.push(d);
      as.push(sa[k]!);
      bs.push(sb[k]!);
    }
  }
  return { shape: dims, sa: as, sb: bs };
};

/**
 * Walks a broadcast output shape row by row (the last axis is the inner run): calls `row(outOffset, aOffset,
 * bOffset, length, aStride, bStride)` once per row.
 */
export const broadcastLoop = (
  shape: Shape.Shape,
  sa: readonly number[],
  sb: readonly number[],
  row: (o: number, ia: number, ib: number, len: number, sai: number, sbi: number) => void,
): void => {
  ({ shape, sa, sb } = coalesce(shape, sa, sb));
  const r = shape.length;
  if (r === 0) return row(0, 0, 0, 1, 0, 0);
  const len = shape[r - 1]!;
  const rows = Shape.size(shape) / Math.max(len, 1);
  if (len === 0 || rows === 0) return;
  const idx = new Array<number>(r).fill(0);
  let ia = 0;
  let ib = 0;
  for (let rowI = 0; rowI < rows; rowI++) {
    row(rowI * len, ia, ib, len, sa[r - 1]!, sb[r - 1]!);
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]!++;
      ia += sa[ax]!;
      ib += sb[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      ia -= sa[ax]! * shape[ax]!;
      ib -= sb[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
};

/** −x */
export const neg = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "neg");
/** |x| */
export const abs = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "abs");
/** x² */
export const square = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "square");
/** √x */
export const sqrt = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => map(x, Math.sqrt);
/** eˣ */
export const exp = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => map(x, Math.exp);
/** ln x */
export const log = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => map(x, Math.log);
/** sign(x) ∈ {−1, 0, 1} */
export const sign = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "sign");
/** Positive part x⁺ = max(0, x) (the ReLU). */
export const positivePart = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "positivePart");
/** Negative part x⁻ = min(0, x). */
export const negativePart = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "negativePart");
/** The step 1[x > 0]. */
export const step = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unary(x, "step");
/** min(max(x, lo), hi); requires lo ≤ hi. */
export const clamp = <S extends Shape.Shape, D extends DType>(x: Tensor<S, D>, lo: number, hi: number): Tensor<S, D> => {
  if (!(lo <= hi)) fail({ _tag: "InvalidArgument", op: "clamp", expected: "lo <= hi", found: `lo = ${lo}, hi = ${hi}` });
  return map(x, (v) => (v < lo ? lo : v > hi ? hi : v));
};

/** a + b */
export const add = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("add", a, b, (p, q) => p + q, "add");
/** a − b */
export const sub = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("sub", a, b, (p, q) => p - q, "sub");
/** a · b */
export const mul = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("mul", a, b, (p, q) => p * q, "mul");
/** a / b (IEEE: x/0 = ±∞, 0/0 = NaN). */
export const div = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("div", a, b, (p, q) => p / q, "div");
/** a / b where b ≠ 0, and 0 where b = 0: a unit with a zero denominator passes nothing on. */
export const divNoNan = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> =>
  zipWith("divNoNan", a, b, (p, q) => (q === 0 ? 0 : p / q), "divNoNan");
/** aᵇ */
export const pow = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("pow", a, b, Math.pow);
/** max(a, b) */
export const maximum = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("maximum", a, b, (p, q) => (p >= q ? p : q), "maximum");
/** min(a, b) */
export const minimum = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("minimum", a, b, (p, q) => (p <= q ? p : q), "minimum");
/** 1[a > b] */
export const greater = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("greater", a, b, (p, q) => (p > q ? 1 : 0));
/** 1[a ≥ b] */
export const greaterEqual = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> =>
  zipWith("greaterEqual", a, b, (p, q) => (p >= q ? 1 : 0));
/** 1[a < b] */
export const less = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("less", a, b, (p, q) => (p < q ? 1 : 0));
/** 1[a ≤ b] */
export const lessEqual = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("lessEqual", a, b, (p, q) => (p <= q ? 1 : 0));
/** 1[a = b] */
export const equal = <D extends DType>(a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => zipWith("equal", a, b, (p, q) => (p === q ? 1 : 0));

/** cond ≠ 0 ? a : b, all three broadcast together. */
export const where = <D extends DType>(cond: Operand<D>, a: Operand<D>, b: Operand<D>): Tensor<Shape.Shape, D> => {
  const ref = [cond, a, b].find((t): t is Tensor<Shape.Shape, D> => typeof t !== "number");
  if (ref === undefined) return fail({ _tag: "InvalidArgument", op: "where", expected: "at least one tensor operand", found: "three numbers" });
  const [tc, ta, tb] = [cond, a, b].map((t) => asTensor(t, ref.dtype)) as [Tensor<Shape.Shape, D>, Tensor<Shape.Shape, D>, Tensor<Shape.Shape, D>];
  sameDType("where", tc, ta, tb);
  const shape = Shape.broadcast("where", Shape.broadcast("where", tc.shape, ta.shape), tb.shape);
  const [C, A, B] = [tc, ta, tb].map((t) => broadcastTo(t, shape).data);
  const out = alloc(ref.dtype, Shape.size(shape));
  for (let i = 0; i < out.length; i++) out[i] = C![i] !== 0 ? A![i]! : B![i]!;
  return unsafeMake(shape, out);
};
