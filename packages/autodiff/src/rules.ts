/**
 * The VJP rule table: for each primitive, the cotangents of its inputs given the cotangent `ct` of its output.
 * Rules are written with the differentiable ops themselves, so a backward pass is again a graph and can be
 * differentiated (`grad(grad(f))`). Masks of piecewise-linear primitives (ReLU, max, abs) are constants.
 * Broadcasting binary ops sum their cotangents back to each input's shape (`sumTo`).
 * @module
 */
import * as T from "@dtd/tensor";
import { apply } from "./apply.ts";
import * as Op from "./ops.ts";
import type { Params, Primitive } from "./Primitive.ts";
import { constant, type Var } from "./Var.ts";

/**
 * A lazily computed input cotangent: the sweep calls it only for inputs that lead to a variable, so a constant
 * weight matrix costs no matmul. Undefined means zero.
 */
export type Cotangent = (() => Var) | undefined;

/** A VJP rule: input cotangents from the output cotangent. */
export type VjpRule<P extends Primitive> = (ct: Var, inputs: readonly Var[], out: Var, params: Params[P]) => readonly Cotangent[];

const shapeOf = (v: Var): T.Shape.Shape => v.value.shape;
const mask = (t: T.Tensor): Var => constant(t);
const x0 = (xs: readonly Var[]): Var => xs[0]!;
const x1 = (xs: readonly Var[]): Var => xs[1]!;
const conv = (p: { stride: readonly [number, number]; padding: readonly [number, number] }) => ({ stride: p.stride, padding: p.padding });
const pool = (p: { kernel: readonly [number, number]; stride: readonly [number, number] }) => ({ kernel: p.kernel, stride: p.stride });

/** The table; `{ [P in Primitive]: VjpRule<P> }` makes a missing rule a compile error. */
export const vjpRules: { readonly [P in Primitive]: VjpRule<P> } = {
  identity: (ct) => [() => ct],
  add: (ct, xs) => [() => Op.sumTo(ct, shapeOf(x0(xs))), () => Op.sumTo(ct, shapeOf(x1(xs)))],
  sub: (ct, xs) => [() => Op.sumTo(ct, shapeOf(x0(xs))), () => Op.sumTo(Op.neg(ct), shapeOf(x1(xs)))],
  mul: (ct, xs) => [() => Op.sumTo(Op.mul(ct, x1(xs)), shapeOf(x0(xs))), () => Op.sumTo(Op.mul(ct, x0(xs)), shapeOf(x1(xs)))],
  div: (ct, xs, out) => [
    () => Op.sumTo(Op.div(ct, x1(xs)), shapeOf(x0(xs))),
    () => Op.sumTo(Op.neg(Op.div(Op.mul(ct, out), x1(xs))), shapeOf(x1(xs))),
  ],
  pow: (ct, xs, out) => {
    const [a, b] = [x0(xs), x1(xs)];
    const da = () => Op.sumTo(Op.mul(ct, Op.mul(b, Op.pow(a, Op.sub(b, 1)))), shapeOf(a));
    // d(aᵇ)/db = aᵇ ln a, taken as 0 where a ≤ 0 (where aᵇ is not differentiable in b).
    const db = () => {
      const positive = T.greater(a.value, 0);
      const lnA = Op.where(positive, Op.log(Op.where(positive, a, 1)), 0);
      return Op.sumTo(Op.mul(ct, Op.mul(out, lnA)), shapeOf(b));
    };
    return [da, db];
  },
  maximum: (ct, xs) => {
    const m = T.broadcastTo(T.greaterEqual(x0(xs).value, x1(xs).value), shapeOf(ct));
    return [() => Op.sumTo(Op.where(m, ct, 0), shapeOf(x0(xs))), () => Op.sumTo(Op.where(m, 0, ct), shapeOf(x1(xs)))];
  },
  minimum: (ct, xs) => {
    const m = T.broadcastTo(T.lessEqual(x0(xs).value, x1(xs).value), shapeOf(ct));
    return [() => Op.sumTo(Op.where(m, ct, 0), shapeOf(x0(xs))), () => Op.sumTo(Op.where(m, 0, ct), shapeOf(x1(xs)))];
  },
  neg: (ct) => [() => Op.neg(ct)],
  exp: (ct, _xs, out) => [() => Op.mul(ct, out)],
  log: (ct, xs) => [() => Op.div(ct, x0(xs))],
  sqrt: (ct, _xs, out) => [() => Op.div(ct, Op.mul(out, 2))],
  abs: (ct, xs) => [() => Op.mul(ct, mask(T.sign(x0(xs).value)))],
  positivePart: (ct, xs) => [() => Op.where(T.greater(x0(xs).value, 0), ct, 0)],
  negativePart: (ct, xs) => [() => Op.where(T.less(x0(xs).value, 0), ct, 0)],
  where: (ct, xs, _out, p) => {
    const cond = T.broadcastTo(p.cond, shapeOf(ct));
    return [() => Op.sumTo(Op.where(cond, ct, 0), shapeOf(x0(xs))), () => Op.sumTo(Op.where(cond, 0, ct), shapeOf(x1(xs)))];
  },
  sum: (ct, xs, _out, p) => {
    const shape = shapeOf(x0(xs));
    const kept = shape.map((d, a) => (p.axes.includes(a) ? 1 : d));
    return [() => Op.broadcastTo(Op.reshape(ct, kept), shape)];
  },
  broadcastTo: (ct, xs) => [() => Op.sumTo(ct, shapeOf(x0(xs)))],
  reshape: (ct, xs) => [() => Op.reshape(ct, shapeOf(x0(xs)))],
  transpose: (ct, _xs, _out, p) => {
    const inverse = new Array<number>(p.perm.length);
    p.perm.forEach((a, i) => (inverse[a] = i));
    return [() => Op.transpose(ct, inverse)];
  },
  slice: (ct, xs, _out, p) => [() => Op.pad(ct, p.begin, shapeOf(x0(xs)).map((d, a) => d - p.begin[a]! - p.size[a]!))],
  pad: (ct, xs, _out, p) => [() => Op.slice(ct, p.before, shapeOf(x0(xs)))],
  concat: (ct, xs, _out, p) => {
    let offset = 0;
    return xs.map((x) => {
      const begin = shapeOf(x).map((_, a) => (a === p.axis ? offset : 0));
      offset += shapeOf(x)[p.axis]!;
      return () => Op.slice(ct, begin, shapeOf(x));
    });
  },
  matmul: (ct, xs, _out, p) => {
    // C = op(A)·op(B): d op(A) = ct·op(B)ᵀ and d op(B) = op(A)ᵀ·ct, transposed back when op is a transpose.
    const [A, B] = [x0(xs), x1(xs)];
    const tA = p.transposeA;
    const tB = p.transposeB;
    const dA = () => (tA ? Op.matmul(B, ct, { transposeA: tB, transposeB: true }) : Op.matmul(ct, B, { transposeB: !tB }));
    const dB = () => (tB ? Op.matmul(ct, A, { transposeA: true, transposeB: tA }) : Op.matmul(A, ct, { transposeA: !tA }));
    return [dA, dB];
  },
  conv2d: (ct, xs, _out, p) => [
    () => apply("conv2dBackpropInput", [ct, x1(xs)], { ...conv(p), xShape: shapeOf(x0(xs)) }),
    () => apply("conv2dBackpropFilter", [x0(xs), ct], { ...conv(p), wShape: shapeOf(x1(xs)) }),
  ],
  // db sums ct over the batch and both spatial axes: every axis but the channel one (1 for NCHW, 0 for CHW).
  conv2dBias: (ct, xs, _out, p) => [
    () => apply("conv2dBackpropInput", [ct, x1(xs)], { ...conv(p), xShape: shapeOf(x0(xs)) }),
    () => apply("conv2dBackpropFilter", [x0(xs), ct], { ...conv(p), wShape: shapeOf(x1(xs)) }),
    () => Op.sum(ct, { axes: shapeOf(ct).length === 4 ? [0, 2, 3] : [1, 2] }),
  ],
  conv2dBackpropInput: (ct, xs, _out, p) => [
    () => apply("conv2d", [ct, x1(xs)], conv(p)),
    () => apply("conv2dBackpropFilter", [ct, x0(xs)], { ...conv(p), wShape: shapeOf(x1(xs)) }),
  ],
  conv2dBackpropFilter: (ct, xs, _out, p) => [
    () => apply("conv2dBackpropInput", [x1(xs), ct], { ...conv(p), xShape: shapeOf(x0(xs)) }),
    () => apply("conv2d", [x0(xs), ct], conv(p)),
  ],
  // The same three-way symmetry as conv2d: each of the three ops is the other two's transpose.
  depthwiseConv2d: (ct, xs, _out, p) => [
    () => apply("depthwiseConv2dBackpropInput", [ct, x1(xs)], { ...conv(p), xShape: shapeOf(x0(xs)) }),
    () => apply("depthwiseConv2dBackpropFilter", [x0(xs), ct], { ...conv(p), wShape: shapeOf(x1(xs)) }),
  ],
  depthwiseConv2dBackpropInput: (ct, xs, _out, p) => [
    () => apply("depthwiseConv2d", [ct, x1(xs)], conv(p)),
    () => apply("depthwiseConv2dBackpropFilter", [ct, x0(xs)], { ...conv(p), wShape: shapeOf(x1(xs)) }),
  ],
  depthwiseConv2dBackpropFilter: (ct, xs, _out, p) => [
    () => apply("depthwiseConv2dBackpropInput", [x1(xs), ct], { ...conv(p), xShape: shapeOf(x0(xs)) }),
    () => apply("depthwiseConv2d", [x0(xs), ct], conv(p)),
  ],
  sumPool2d: (ct, xs, _out, p) => [() => apply("sumPool2dTranspose", [ct], { ...pool(p), xShape: shapeOf(x0(xs)) })],
  sumPool2dTranspose: (ct, _xs, _out, p) => [() => apply("sumPool2d", [ct], pool(p))],
  gather: (ct, xs, _out, p) => [() => apply("scatterAdd", [ct], { indices: p.indices, shape: shapeOf(x0(xs)) })],
  scatterAdd: (ct, xs, _out, p) => [() => apply("gather", [ct], { indices: p.indices, shape: shapeOf(x0(xs)) })],
  custom: (ct, _xs, _out, p) => p.bwd(ct).map((g) => (g === undefined ? undefined : () => g)),
};
