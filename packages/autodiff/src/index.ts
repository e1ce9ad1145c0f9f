/**
 * @dtd/autodiff — functional, graph-based reverse-mode automatic differentiation over @dtd/tensor.
 *
 * ```ts
 * import * as AD from "@dtd/autodiff";
 * const f = (x: AD.Var) => AD.sum(AD.square(x));
 * const g = AD.grad(f)(T.of([1, 2], [2])).value; // [2, 4]
 * ```
 * @module
 */

// Values: a Var carries a tensor and the equation that made it; anything else is a constant.
export { constant, isVar, lift, type Input, type Var, type Eqn } from "./Var.ts";

// Differentiable ops (each one primitive, or a few).
export { add, sub, mul, div, pow, maximum, minimum, neg, exp, log, sqrt, abs, positivePart, relu, negativePart, square, where } from "./ops.ts";
export { stopGradient, value, type SumOptions, sum, mean, reshape, broadcastTo, sumTo, transpose, slice, pad, concat, stack, flattenBatch } from "./ops.ts";
export { type MatMulOptions, matmul, type Conv2dOptions, conv2d, conv2dBias, depthwiseConv2d, type Pool2dOptions, sumPool2d, avgPool2d, maxPool2d } from "./ops.ts";
// The adjoints the VJP rules are written in (differentiable too, for gradients of gradients).
export { conv2dBackpropInput, conv2dBackpropFilter, depthwiseConv2dBackpropInput, depthwiseConv2dBackpropFilter, sumPool2dTranspose, gather, scatterAdd } from "./ops.ts";

// Reverse mode: pullbacks, gradients, custom VJPs, the transpose of a linear map.
export { type Pullback, vjp, vjpVar, valueAndGrad, grad, type CustomBackward, customVjp, linearTranspose } from "./vjp.ts";

// The primitives and their VJP rules, one table keyed by the primitive (a primitive without a rule does not compile).
export { primitives, type Primitive, type Params, type ConvParams, type PoolParams } from "./Primitive.ts";
export { vjpRules, type VjpRule, type Cotangent } from "./rules.ts";
