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
export * from "./ops.ts";
export * from "./vjp.ts";
export { constant, isVar, lift, type Input, type Var, type Eqn } from "./Var.ts";
export { primitives, type Primitive, type Params, type ConvParams, type PoolParams } from "./Primitive.ts";
export { vjpRules, type VjpRule } from "./rules.ts";
