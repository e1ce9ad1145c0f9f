/**
 * Where the first NaN or ±Infinity of an explanation appeared (the policy of docs/conventions.md: no non-finite
 * number leaves `explain` without being an error, or in lenient mode a warning that names the layer and the
 * unit). One pass over each layer's activations and relevances — cheap next to the passes that made them.
 * @module
 */
import * as T from "@dtd/tensor";
import type * as L from "@dtd/layers";
import type { DtdError } from "./DtdError.ts";

type NonFiniteError = Extract<DtdError, { _tag: "NonFinite" }>;

/** The sample, unit and value of the first non-finite entry of a batch [N, ...], or undefined. */
export const locateNonFinite = (t: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }): { sample: number; unit: number; value: number } | undefined => {
  const k = T.firstNonFinite(t.data);
  if (k < 0) return undefined;
  const d = t.data.length / Math.max(t.shape[0] ?? 1, 1);
  return { sample: Math.floor(k / d), unit: k % d, value: t.data[k]! };
};

/** The first non-finite activation of a forward pass, in layer order (activations[0], the input, is checked by checkInput). */
export const nonFiniteActivation = (model: L.Model, activations: readonly T.Tensor[]): NonFiniteError | undefined => {
  for (let i = 1; i < activations.length; i++) {
    const at = locateNonFinite(activations[i]!);
    if (at !== undefined) return { _tag: "NonFinite", stage: "activation", layer: i - 1, name: model.nodes[i - 1]!.name, kind: model.layers[i - 1]!.kind, rule: "", ...at };
  }
  return undefined;
};

/** A non-finite entry of the relevance of node `layer`'s inputs (`layer` = the number of nodes: the top relevance), or undefined. */
export const nonFiniteRelevance = (model: L.Model, layer: number, rule: string, R: T.Tensor): NonFiniteError | undefined => {
  const at = locateNonFinite(R);
  const node = model.nodes[layer];
  return at === undefined ? undefined : { _tag: "NonFinite", stage: "relevance", layer, name: node?.name ?? `output_${layer}`, kind: node?.layer.kind ?? "output", rule, ...at };
};
