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

/** Refuses a batch that does not fit the model, and a model whose output is not one score per sample. */
export const checkScoreModel = (model: L.Model, x: T.Tensor): E.Either<DtdError, void> => {
  const checked = L.checkInput(model, x);
  if (E.isLeft(checked)) return E.left({ _tag: "Layer", error: checked.left });
  const out = L.outputShapeOf(model);
  if (out.length !== 1 || out[0] !== 1) return E.left({ _tag: "NotAScore", outputShape: out });
  return E.right(undefined);
};

/** f(x) [N] and ∂f/∂x [N, ...] for a batch (samples are independent, so one VJP with ones gives every gradient). */
export const scoreAndGradient = (model: L.Model, x: T.Tensor): { readonly f: T.Tensor; readonly gradient: T.Tensor } => {
  const [y, pullback] = L.vjp(model, x);
  return { f: T.reshape(y, [x.shape[0]!]), gradient: pullback(T.onesLike(y))[0]! };
};

/** f at one point (flat data of one sample), without the finiteness check of `forward` (the caller guards). */
export const scoreAt = (model: L.Model, point: Float64Array, dtype: T.DType): number =>
  T.item(L.applyModel(model, AD.constant(T.of(point, [1, ...model.inputShape], dtype))).value);

/** f and ∂f/∂x at one point (flat data of one sample), the gradient as flat float64 data. */
export const scoreAndGradientAt = (model: L.Model, point: Float64Array, dtype: T.DType): { readonly f: number; readonly g: Float64Array } => {
  const { f, gradient } = scoreAndGradient(model, T.of(point, [1, ...model.inputShape], dtype));
  return { f: T.item(f), g: Float64Array.from(gradient.data) };
};
