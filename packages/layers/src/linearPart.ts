/**
 * An affine layer's linear part: z = linear(x; W) + b with the bias taken out. The root search differentiates it
 * (its Jacobian rows are the w_j of eq. 3) and deep Taylor's derivation runs it with modified weights W_t
 * (eq. 4's s_j = Σ_t [linear(a_t(x); W_t)]_j and their transposes).
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { Affine } from "./Layer.ts";
import { applyLayer, paramsOf } from "./kinds.ts";

/**
 * x ↦ linear(x; W): the layer's forward pass with weights W (default its own) and the bias zeroed, differentiable.
 * A Dense layer's is the product x·W alone: adding a zero bias was a pass over the whole output (every modified
 * forward pass of a deep Taylor rule); the value differs at most in the sign of a zero.
 */
export const linearPart = (layer: Affine, W: T.Tensor = layer.W): ((x: AD.Var) => AD.Var) => {
  if (layer.kind === "dense") return (x) => AD.matmul(x, W);
  const params = { ...paramsOf(layer), W, b: T.zerosLike(layer.b) };
  return (x) => applyLayer(layer, x, params);
};
