/**
 * Relevance through the nodes that are not explained by an eq. (4) rule, each from the node's own forward pass
 * and VJP (Montavon et al. 2017, Sec. 4–5 for pooling; docs/deep-taylor.md for the joins):
 * - proportional: R_j = x_j / Σ_j' x_j' · R_k over what the node sums — pooling windows (sum, average, p-norm,
 *   global average; max pooling when chosen), i.e. R_in = x ⊙ Jᵀ(R / Jx) with J the window sums; the inputs of
 *   an add, R_a = a / Σ_b b · R (0 where the sum is 0); and a batch norm's scaled input s⊙x of
 *   y = s⊙x + t, R_x = s⊙x / y · R, the shift t absorbing the rest (which explain reports);
 * - winner-take-all (max pooling, default): R_in = Jᵀ R, J the max pooling's Jacobian at x (each window's
 *   relevance goes to its maximum);
 * - pass-through: elementwise activations (ReLU, clipped ReLU, identity) pass R on unchanged; selections
 *   (flatten, select, pad2d's interior, concat's slices) route it, R_in = Jᵀ R.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { MaxPoolMode, Redistribution } from "../Composite.ts";

/** Jᵀ·R for a node at its inputs (one cotangent per input). */
const pullback = (layer: L.Layer, xs: readonly T.Tensor[], R: T.Tensor): T.Tensor[] => {
  const [, pb] = AD.vjp((...vs) => L.applyLayer(layer, vs), ...xs);
  return pb(R);
};

/** R_in = x ⊙ Jᵀ(R / Jx) for a linear pooling J (window sums): proportional redistribution. */
const proportionalPool = (J: (v: AD.Var) => AD.Var, x: T.Tensor, R: T.Tensor): T.Tensor => {
  const [z, pb] = AD.vjp(J, x);
  return T.mul(x, pb(T.divNoNan(R, z))[0]!);
};

/** The layer as J. */
const asMap =
  (layer: L.Layer) =>
  (v: AD.Var): AD.Var =>
    L.applyLayer(layer, v);

/**
 * The sums over the same windows as a pooling layer. A padded max pool's windows are clipped to the input (its
 * padding is −∞, no member): their sums are those of the zero-padded input.
 */
const windowSums = (layer: L.SumPool | L.PNormPool | L.MaxPool2d | L.AvgPool2d): ((v: AD.Var) => AD.Var) => {
  const sums = asMap(layer.kernel === undefined ? L.sumPool() : L.sumPool({ kernel: layer.kernel, ...(layer.stride ? { stride: layer.stride } : {}) }));
  if (layer.kind !== "maxPool2d" || layer.padding === undefined) return sums;
  const [top, bottom, left, right] = layer.padding;
  return (v) => sums(AD.pad(v, [0, 0, top, left], [0, 0, bottom, right]));
};

/** s⊙x of a per-feature affine node y = s⊙x + t, for a batch (s per feature of a vector or channel of CHW). */
const scaledInput = (layer: L.ScaleShift | L.BatchNorm, x: T.Tensor): T.Tensor => {
  const { s } = L.featureAffine(layer);
  return T.mul(x, T.reshape(T.astype(T.of(s, [s.length]), x.dtype), x.shape.length === 4 ? [-1, 1, 1] : [-1]));
};

const invalid = (layer: L.Layer, how: Redistribution): never => {
  throw new Error(`propagateNonAffine: ${layer.kind} cannot take ${how._tag} (the composite's assignment was not checked)`);
};

/**
 * The relevance of a node's inputs (one tensor per input, in order) from that of its output, for the
 * redistribution the composite assigned: `xs` are its inputs, `y` its output, `R` its output's relevance.
 */
export const propagateNonAffine = (layer: L.Layer, xs: readonly T.Tensor[], y: T.Tensor, R: T.Tensor, how: Redistribution): T.Tensor[] => {
  const x = xs[0]!;
  switch (layer.kind) {
    case "relu":
    case "clippedRelu":
    case "identity":
      return how._tag === "PassThrough" ? [R] : invalid(layer, how);
    case "flatten":
    case "select":
    case "pad2d":
    case "concat":
      return how._tag === "PassThrough" ? pullback(layer, xs, R) : invalid(layer, how);
    case "sumPool":
    case "avgPool2d":
    case "pNormPool":
      return how._tag === "Proportional" ? [proportionalPool(windowSums(layer), x, R)] : invalid(layer, how);
    case "globalAvgPool":
      return how._tag === "Proportional" ? [proportionalPool(asMap(layer), x, R)] : invalid(layer, how);
    case "maxPool2d":
      return how._tag === "WinnerTakeAll" ? pullback(layer, xs, R) : how._tag === "Proportional" ? [proportionalPool(windowSums(layer), x, R)] : invalid(layer, how);
    case "globalMaxPool":
      return how._tag === "WinnerTakeAll" ? pullback(layer, xs, R) : how._tag === "Proportional" ? [proportionalPool(asMap(L.globalAvgPool), x, R)] : invalid(layer, how);
    case "add": {
      if (how._tag !== "Proportional") return invalid(layer, how);
      // R_a = a · R / Σ_b b, with y = Σ_b b as the forward pass computed it.
      const c = T.divNoNan(R, y);
      return xs.map((a) => T.mul(a, c));
    }
    case "scaleShift":
    case "batchNorm":
      return how._tag === "Proportional" ? [T.mul(scaledInput(layer, x), T.divNoNan(R, y))] : invalid(layer, how);
    case "dense":
    case "conv2d":
    case "depthwiseConv2d":
      return invalid(layer, how);
  }
};

/**
 * True for the nodes that redistribute proportionally over what they pool, R_j = x_j / Σ_j' x_j' · R_k: sum,
 * average, p-norm and global average pooling, and max pooling in proportional mode. Their relevance is positive
 * only for inputs x_j ≥ 0 (a precondition, like the rules' domains). An add split proportionally is not listed:
 * it is conservative for inputs of any sign, and positive only where they share one (docs/deep-taylor.md).
 */
export const redistributesProportionally = (layer: L.Layer, how: Redistribution | MaxPoolMode): boolean => {
  const proportional = typeof how === "string" ? how === "proportional" : how._tag === "Proportional";
  switch (layer.kind) {
    case "sumPool":
    case "avgPool2d":
    case "pNormPool":
    case "globalAvgPool":
      return true;
    case "maxPool2d":
    case "globalMaxPool":
      return proportional;
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
