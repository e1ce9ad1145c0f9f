/**
 * The score function f of a model whose output is one value per sample, with its gradient from @dtd/layers'
 * VJP (autodiff): the common ground of the baselines.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { DtdError } from "../DtdError.ts";
import { locateNonFinite, nonFiniteActivation } from "../nonFinite.ts";

/**
 * Refuses a batch that does not fit the model, a model whose output is not one score per sample, and a batch
 * whose forward pass is not finite (naming the layer and the unit where it stops being finite).
 */
export const checkScoreModel = (model: L.Model, x: T.Tensor): E.Either<DtdError, void> => {
  const checked = L.checkInput(model, x);
  if (E.isLeft(checked)) return E.left({ _tag: "Layer", error: checked.left });
  const out = L.outputShapeOf(model);
  if (out.length !== 1 || out[0] !== 1) return E.left({ _tag: "NotAScore", outputShape: out });
  const nonFinite = nonFiniteActivation(model, L.forward(model, x).activations);
  return nonFinite === undefined ? E.right(undefined) : E.left(nonFinite);
};

/** A baseline's heatmap, or the first non-finite value in it (an overflow of the gradient, say). */
export const finiteHeatmap = <B extends { readonly R: T.Tensor }>(method: string, b: B): E.Either<DtdError, B> => {
  const at = locateNonFinite(b.R);
  return at === undefined ? E.right(b) : E.left({ _tag: "NonFinite", stage: "heatmap", layer: -1, name: "", kind: method, rule: "", ...at });
};

/** f(x) [N] and ∂f/∂x [N, ...] for a batch (samples are independent, so one VJP with ones gives every gradient). */
export const scoreAndGradient = (model: L.Model, x: T.Tensor): { readonly f: T.Tensor; readonly gradient: T.Tensor } => {
  const [y, pullback] = L.modelVjp(model, x);
  return { f: T.reshape(y, [x.shape[0]!]), gradient: pullback(T.onesLike(y))[0]! };
};

/** One sample's point as a batch of one, or undefined when a value is not finite in `dtype` (a search step overflowed). */
const batchAt = (model: L.Model, point: Float64Array, dtype: T.DType): T.Tensor | undefined => {
  const t = T.fromArray(point, [1, ...model.inputShape], dtype);
  return E.isRight(t) ? t.right : undefined;
};

/** f at one point (flat data of one sample); NaN at a point that does not fit the dtype. */
export const scoreAt = (model: L.Model, point: Float64Array, dtype: T.DType): number => {
  const x = batchAt(model, point, dtype);
  return x === undefined ? Number.NaN : T.item(L.applyModel(model, AD.constant(x)).value);
};

/** f and ∂f/∂x at one point (flat data of one sample), the gradient as flat float64 data; NaNs at a point that does not fit the dtype. */
export const scoreAndGradientAt = (model: L.Model, point: Float64Array, dtype: T.DType): { readonly f: number; readonly g: Float64Array } => {
  const x = batchAt(model, point, dtype);
  if (x === undefined) return { f: Number.NaN, g: new Float64Array(point.length).fill(Number.NaN) };
  const { f, gradient } = scoreAndGradient(model, x);
  return { f: T.item(f), g: Float64Array.from(gradient.data) };
};
