/**
 * Fused elementwise ops: one pass over the data where the composition of two ops takes two passes and an
 * intermediate array. Each equals its composition to the bit (float32 sums are rounded as the composition
 * rounds them), and falls back to the composition for operand shapes it has no loop for.
 * @module
 */
import { alloc, type DType } from "../DType.ts";
import * as Shape from "../Shape.ts";
import { sameDType, type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";
import { add, divNoNan } from "./elementwise.ts";
import { nativeFrom, nativeKernels } from "../internal/kernels/native.ts";

/**
 * Whether `c` broadcast to `shape` repeats its own data with period `c.length` over the flat output: its shape,
 * leading 1s removed, is a suffix of `shape` (e.g. one sample's [1, C, H, W] against a batch [N, C, H, W]).
 */
const periodicIn = (c: Shape.Shape, shape: Shape.Shape): boolean => {
  let k = 0;
  while (k < c.length && c[k] === 1) k++;
  const tail = c.slice(k);
  return tail.length <= shape.length && Shape.equals(tail, shape.slice(shape.length - tail.length));
};

/**
 * a / (b + c), 0 where b + c = 0 — `divNoNan(a, add(b, c))` in one pass: the quotient of eq. (4) when its
 * denominator is a pre-activation plus a constant per unit (R / (z + K)). `a` and `b` have the same shape; `c`
 * broadcasts to it (the fused loop runs when `c` is one sample's shape, or a suffix of it; other shapes take the
 * two-pass composition). Without `c`, `divNoNan(a, b)` for operands of one shape. Large operands run on the
 * installed native kernels' `quotient` (the same bits), the others in the loops below.
 */
export const divNoNanSum = <S extends Shape.Shape, D extends DType>(a: Tensor<S, D>, b: Tensor<S, D>, c?: Tensor<Shape.Shape, D>): Tensor<S, D> => {
  const op = "divNoNanSum";
  sameDType(op, a, b);
  if (c !== undefined) sameDType(op, a, c);
  if (!Shape.equals(a.shape, b.shape)) fail({ _tag: "ShapeMismatch", op, expected: `a and b of the same shape (a is ${showShape(a.shape)})`, found: `b of shape ${showShape(b.shape)}` });
  if (c !== undefined && !periodicIn(c.shape, b.shape)) return divNoNan(a, add(b, c)) as Tensor<S, D>;
  const native = a.data.length >= nativeFrom ? nativeKernels()?.quotient : undefined;
  // Without c (and native kernels) it is divNoNan itself, with its same-shape loops.
  if (native === undefined && c === undefined) return divNoNan(a, b) as Tensor<S, D>;
  const out = alloc(a.dtype, a.data.length);
  if (native !== undefined) native(a.data, b.data, c?.data, out);
  else if (c !== undefined) {
    if (out instanceof Float64Array) quotient64(out, a.data, b.data, c.data);
    else quotient32(out, a.data, b.data, c.data);
  }
  return unsafeMake(a.shape, out);
};

type Arr = Float32Array | Float64Array;

// The JavaScript loops (without native kernels, and their reference): one per element type, each monomorphic
// in its output.
const quotient64 = (out: Float64Array, A: Arr, B: Arr, C: Arr): void => {
  const period = C.length;
  for (let i0 = 0; i0 < out.length; i0 += period) {
    for (let t = 0, i = i0; t < period; t++, i++) {
      const q = B[i]! + C[t]!;
      out[i] = q === 0 ? 0 : A[i]! / q;
    }
  }
};

const quotient32 = (out: Float32Array, A: Arr, B: Arr, C: Arr): void => {
  const period = C.length;
  for (let i0 = 0; i0 < out.length; i0 += period) {
    for (let t = 0, i = i0; t < period; t++, i++) {
      const q = Math.fround(B[i]! + C[t]!);
      out[i] = q === 0 ? 0 : A[i]! / q;
    }
  }
};
