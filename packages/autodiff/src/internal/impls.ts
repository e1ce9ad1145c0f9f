/**
 * Forward implementations of the primitives on plain tensors, one entry per primitive (compiler-checked).
 * @module
 */
import * as T from "@dtd/tensor";
import * as Unsafe from "@dtd/tensor/unsafe";
import type { Params, Primitive } from "../Primitive.ts";

/** A forward implementation: input tensors and parameters to the output tensor. */
export type Impl<P extends Primitive> = (inputs: readonly T.Tensor[], params: Params[P]) => T.Tensor;

const a0 = (xs: readonly T.Tensor[]): T.Tensor => xs[0]!;
const a1 = (xs: readonly T.Tensor[]): T.Tensor => xs[1]!;

/** The forward table. */
export const impls: { readonly [P in Primitive]: Impl<P> } = {
  identity: (xs) => a0(xs),
  add: (xs) => T.add(a0(xs), a1(xs)),
  sub: (xs) => T.sub(a0(xs), a1(xs)),
  mul: (xs) => T.mul(a0(xs), a1(xs)),
  div: (xs) => T.div(a0(xs), a1(xs)),
  pow: (xs) => T.pow(a0(xs), a1(xs)),
  maximum: (xs) => T.maximum(a0(xs), a1(xs)),
  minimum: (xs) => T.minimum(a0(xs), a1(xs)),
  neg: (xs) => T.neg(a0(xs)),
  exp: (xs) => T.exp(a0(xs)),
  log: (xs) => T.log(a0(xs)),
  sqrt: (xs) => T.sqrt(a0(xs)),
  abs: (xs) => T.abs(a0(xs)),
  positivePart: (xs) => T.positivePart(a0(xs)),
  negativePart: (xs) => T.negativePart(a0(xs)),
  where: (xs, p) => T.where(p.cond, a0(xs), a1(xs)),
  sum: (xs, p) => T.sum(a0(xs), { axes: p.axes, keepDims: p.keepDims }),
  broadcastTo: (xs, p) => T.broadcastTo(a0(xs), p.shape),
  reshape: (xs, p) => T.reshape(a0(xs), p.shape),
  transpose: (xs, p) => T.transpose(a0(xs), p.perm),
  slice: (xs, p) => T.slice(a0(xs), p.begin, p.size),
  pad: (xs, p) => T.pad(a0(xs), p.before, p.after),
  concat: (xs, p) => T.concat(xs, p.axis),
  matmul: (xs, p) => T.matmul(a0(xs), a1(xs), { transposeA: p.transposeA, transposeB: p.transposeB }),
  conv2d: (xs, p) => T.conv2d(a0(xs), a1(xs), { stride: [...p.stride], padding: [...p.padding] }),
  conv2dBias: (xs, p) => Unsafe.conv2dBias(a0(xs), a1(xs), xs[2]!, { stride: [...p.stride], padding: [...p.padding] }),
  conv2dBackpropInput: (xs, p) => Unsafe.conv2dBackpropInput(a0(xs), a1(xs), p.xShape, { stride: [...p.stride], padding: [...p.padding] }),
  conv2dBackpropFilter: (xs, p) => Unsafe.conv2dBackpropFilter(a0(xs), a1(xs), p.wShape, { stride: [...p.stride], padding: [...p.padding] }),
  depthwiseConv2d: (xs, p) => T.depthwiseConv2d(a0(xs), a1(xs), { stride: [...p.stride], padding: [...p.padding] }),
  depthwiseConv2dBackpropInput: (xs, p) => Unsafe.depthwiseConv2dBackpropInput(a0(xs), a1(xs), p.xShape, { stride: [...p.stride], padding: [...p.padding] }),
  depthwiseConv2dBackpropFilter: (xs, p) => Unsafe.depthwiseConv2dBackpropFilter(a0(xs), a1(xs), p.wShape, { stride: [...p.stride], padding: [...p.padding] }),
  sumPool2d: (xs, p) => T.sumPool2d(a0(xs), { kernel: [...p.kernel], stride: [...p.stride] }),
  sumPool2dTranspose: (xs, p) => Unsafe.sumPool2dTranspose(a0(xs), p.xShape, { kernel: [...p.kernel], stride: [...p.stride] }),
  gather: (xs, p) => Unsafe.maxPool2dGather(a0(xs), p.indices, p.shape),
  scatterAdd: (xs, p) => Unsafe.maxPool2dScatter(a0(xs), p.indices, p.shape),
  custom: () => {
    throw new Error("custom primitives are evaluated by customVjp, never through the table");
  },
};
