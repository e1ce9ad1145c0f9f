/**
 * Relevance through the layers that are not Dense/Conv2d. All are derived from the layer's own forward pass
 * and VJP:
 * - proportional (sum, average and p-norm pooling; max pooling when selected): R_j = x_j / Σ_j' x_j' · R_k over
 *   each pooling window (the deck's training-free model), i.e. R_in = x ⊙ Jᵀ(R / Jx) with J the window sums;
 * - winner-take-all (max pooling, default): R_in = Jᵀ R, J the max pooling's Jacobian at x (each window's
 *   relevance goes to its maximum);
 * - ReLU passes relevance through; flatten and select are linear selections: R_in = Jᵀ R.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { MaxPoolMode } from "./Composite.ts";

/** Jᵀ·R for a layer at x. */
const pullback = (layer: L.Layer, x: T.Tensor, R: T.Tensor): T.Tensor => {
  const [, pb] = AD.vjp((v) => L.applyLayer(layer, v), x);
  return pb(R)[0]!;
};

/** R_in = x ⊙ Jᵀ(R / Jx) for a linear pooling J (window sums): proportional redistribution. */
const proportional = (sumLayer: L.Layer, x: T.Tensor, R: T.Tensor): T.Tensor => {
  const [z, pb] = AD.vjp((v) => L.applyLayer(sumLayer, v), x);
  return T.mul(x, pb(T.divNoNan(R, z))[0]!);
};

/** The sum pooling over the same windows as a pooling layer. */
const windowSums = (layer: L.SumPool | L.PNormPool | L.MaxPool2d | L.AvgPool2d): L.SumPool =>
  layer.kernel === undefined ? L.sumPool() : L.sumPool({ kernel: layer.kernel, ...(layer.stride ? { stride: layer.stride } : {}) });

/**
 * The relevance of a non-affine layer's inputs from that of its outputs, or undefined when the layer kind has
 * no relevance rule (ScaleShift: canonize the model first).
 */
export const propagateNonAffine = (layer: L.Layer, x: T.Tensor, R: T.Tensor, maxPool: MaxPoolMode): T.Tensor | undefined => {
  switch (layer.kind) {
    case "relu":
    case "clippedRelu":
    case "identity":
      return R;
    case "flatten":
    case "select":
    case "pad2d":
      return pullback(layer, x, R);
    case "globalAvgPool":
      return proportional(layer, x, R);
    case "globalMaxPool":
      return maxPool === "winnerTakeAll" ? pullback(layer, x, R) : proportional(L.globalAvgPool, x, R);
    case "sumPool":
    case "avgPool2d":
    case "pNormPool":
      return proportional(windowSums(layer), x, R);
    case "maxPool2d":
      return maxPool === "winnerTakeAll" ? pullback(layer, x, R) : proportional(windowSums(layer), x, R);
    case "scaleShift":
    case "batchNorm":
    case "dense":
    case "conv2d":
    case "depthwiseConv2d":
    case "add":
    case "concat":
      return undefined;
  }
};

/**
 * True for the layers that redistribute proportionally, R_j = x_j / Σ_j' x_j' · R_k: sum, average and p-norm
 * pooling, and max pooling in proportional mode. Their relevance is positive only for inputs x_j ≥ 0 (a
 * precondition, like the rules' domains).
 */
export const redistributesProportionally = (layer: L.Layer, maxPool: MaxPoolMode): boolean => {
  switch (layer.kind) {
    case "sumPool":
    case "avgPool2d":
    case "pNormPool":
    case "globalAvgPool":
      return true;
    case "maxPool2d":
    case "globalMaxPool":
      return maxPool === "proportional";
    case "relu":
    case "clippedRelu":
    case "identity":
    case "flatten":
    case "select":
    case "pad2d":
    case "concat":
    case "add":
    case "scaleShift":
    case "batchNorm":
    case "dense":
    case "conv2d":
    case "depthwiseConv2d":
      return false;
  }
};
