/**
 * Matrix products: C = op(A)·op(B), C_ij = Σ_p op(A)_ip · op(B)_pj, where op transposes the last two axes when
 * asked. Rank 2 × rank 2 is a plain product; rank 3 × rank 3 multiplies matching batch entries; a rank-2 operand
 * beside a rank-3 one is broadcast over the batch. Shapes and dtypes are checked before any arithmetic; the
 * work is done by the blocked gemm kernel.
 * @module
 */
import { alloc, type DType } from "../DType.ts";
import type { MatMulShape } from "../Shape.ts";
import * as Shape from "../Shape.ts";
import { sameDType, type Tensor, unsafeMake } from "../Tensor.ts";
import { fail, showShape } from "../TensorError.ts";
import { gemm } from "../internal/kernels/gemm.ts";

/** Transpose flags: op(A) = Aᵀ when `transposeA` (the last two axes swapped); same for B. */
export interface MatMulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/**
 * The matrix product of `a` and `b`: `[m, k] × [k, n] → [m, n]`, `[B, m, k] × [B, k, n] → [B, m, n]`, and a
 * rank-2 operand broadcast against a rank-3 one (`[B, m, k] × [k, n] → [B, m, n]`, `[m, k] × [B, k, n] →
 * [B, m, n]`). With `transposeA` the stored `a` is `[…, k, m]`, with `transposeB` the stored `b` is `[…, n, k]`.
 *
 * Throws InvalidArgument for ranks outside 2–3, DTypeMismatch for mixed dtypes and ShapeMismatch when the inner
 * or batch dimensions differ.
 *
 * @example
 * matmul(Tensor.of([1, 2, 3, 4, 5, 6], [2, 3]), Tensor.of([1, 0, 0, 1, 1, 1], [3, 2])) // [[4, 5], [10, 11]]
 */
export function matmul<A extends Shape.Shape, B extends Shape.Shape, D extends DType>(
  a: Tensor<A, D>,
  b: Tensor<B, D>,
): Tensor<MatMulShape<A, B>, D>;
export function matmul<D extends DType>(a: Tensor<Shape.Shape, D>, b: Tensor<Shape.Shape, D>, opts: MatMulOptions): Tensor<number[], D>;
export function matmul<A extends Shape.Shape, B extends Shape.Shape, D extends DType>(
  a: Tensor<A, D>,
  b: Tensor<B, D>,
  opts: MatMulOptions = {},
): Tensor<MatMulShape<A, B>, D> {
  const op = "matmul";
  const tA = opts.transposeA === true;
  const tB = opts.transposeB === true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2 || ra > 3 || rb > 3) {
    fail({
      _tag: "InvalidArgument",
      op,
      expected: "operands of rank 2 or 3",
      found: `ranks ${ra} and ${rb} (shapes ${showShape(a.shape)} and ${showShape(b.shape)})`,
    });
  }
  sameDType(op, a, b);
  const dtype = a.dtype;
  const m = a.shape[tA ? ra - 1 : ra - 2]!;
  const ka = a.shape[tA ? ra - 2 : ra - 1]!;
  const kb = b.shape[tB ? rb - 1 : rb - 2]!;
  const n = b.shape[tB ? rb - 2 : rb - 1]!;
  const pair = `${showShape(a.shape)}${tA ? "ᵀ" : ""} x ${showShape(b.shape)}${tB ? "ᵀ" : ""}`;
  if (ka !== kb) fail({ _tag: "ShapeMismatch", op, expected: `equal inner dimensions for ${pair}`, found: `${ka} != ${kb}` });
  const batchA = ra === 3 ? a.shape[0]! : undefined;
  const batchB = rb === 3 ? b.shape[0]! : undefined;
  if (batchA !== undefined && batchB !== undefined && batchA !== batchB) {
    fail({ _tag: "ShapeMismatch", op, expected: `equal batch sizes for ${pair}`, found: `${batchA} != ${batchB}` });
  }
  const k = ka;
  const batch = batchA ?? batchB;
  if (batch === undefined) {
    const out = alloc(dtype, m * n);
    gemm({ m, n, k, a: { data: a.data, transpose: tA }, b: { data: b.data, transpose: tB }, out });
    return unsafeMake([m, n] as MatMulShape<A, B>, out);
  }
  const out = alloc(dtype, batch * m * n);
  if (batchB === undefined && !tA) {
    // [B, m, k] × [k, n] is one product of the stacked [B·m, k] rows.
    gemm({ m: batch * m, n, k, a: { data: a.data }, b: { data: b.data, transpose: tB }, out });
  } else {
    const strideA = batchA === undefined ? 0 : m * k;
    const strideB = batchB === undefined ? 0 : k * n;
    for (let i = 0; i < batch; i++) {
      gemm({ m, n, k, a: { data: a.data, offset: i * strideA, transpose: tA }, b: { data: b.data, offset: i * strideB, transpose: tB }, out, outOffset: i * m * n });
    }
  }
  return unsafeMake([batch, m, n] as MatMulShape<A, B>, out);
}
