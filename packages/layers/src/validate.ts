/**
 * What `build` and `checkInput` check beyond shapes: an input shape of positive extents, parameters that are
 * finite and share one dtype (a model that mixes float32 and float64 cannot run), and batches in that dtype.
 * Each problem names the layer, the parameter and the flat index.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import type { Layer } from "./Layer.ts";
import type { LayerError } from "./LayerError.ts";
import { paramsOf } from "./kinds.ts";

/** Why `shape` is not a per-sample input shape (a non-empty list of positive integers), or undefined. */
export const inputShapeProblem = (shape: readonly number[]): LayerError | undefined =>
  shape.length > 0 && shape.every((d) => Number.isInteger(d) && d >= 1)
    ? undefined
    : { _tag: "InvalidLayer", index: -1, kind: "input", reason: `expected a non-empty shape of positive integers, found ${T.showShape(shape)}` };

/**
 * The first parameter that is not finite, or whose dtype differs from the first parameter's (layer order, then
 * parameter order), or undefined when every parameter is finite and all share one dtype.
 */
export const paramsProblem = (layers: readonly Layer[]): LayerError | undefined => {
  let first: { readonly dtype: T.DType; readonly where: string } | undefined;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    for (const [name, t] of Object.entries(paramsOf(layer))) {
      if (first === undefined) first = { dtype: t.dtype, where: `layer ${i} (${layer.kind}) ${name}` };
      else if (t.dtype !== first.dtype) {
        return { _tag: "InvalidLayer", index: i, kind: layer.kind, reason: `expected ${name} in ${first.dtype} like every parameter (the dtype of ${first.where}), found ${t.dtype}` };
      }
      const bad = T.firstNonFinite(t.data);
      if (bad >= 0) return { _tag: "InvalidLayer", index: i, kind: layer.kind, reason: `expected finite parameters, found ${t.data[bad]} in ${name} at flat index ${bad}` };
    }
  }
  return undefined;
};

/**
 * The dtype of a model's parameters, which its inputs must have; undefined for a model without parameters
 * (it runs in either dtype).
 */
export const modelDType = (m: { readonly layers: readonly Layer[] }): T.DType | undefined => {
  for (const layer of m.layers) for (const t of Object.values(paramsOf(layer))) return t.dtype;
  return undefined;
};

/** Checks that `x` is a batch `[N, ...inputShape]` of finite values in the model's dtype (every dtype fits a model without parameters). */
export const checkBatch = (m: { readonly inputShape: readonly number[]; readonly layers: readonly Layer[] }, x: T.Tensor): E.Either<LayerError, T.Tensor> => {
  if (x.shape.length !== m.inputShape.length + 1 || !T.Shape.equals(x.shape.slice(1), m.inputShape)) {
    return E.left({ _tag: "InputShape", expected: m.inputShape, found: x.shape.slice(1) });
  }
  const dtype = modelDType(m);
  if (dtype !== undefined && x.dtype !== dtype) return E.left({ _tag: "InputDType", expected: dtype, found: x.dtype });
  return E.mapLeft((error: T.TensorError): LayerError => ({ _tag: "Tensor", error }))(T.checkFinite("input", x));
};
