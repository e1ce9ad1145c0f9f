/**
 * Where the first NaN or ±Infinity of an explanation appeared (the policy of docs/conventions.md: no non-finite
 * number leaves `explain` without being an error, or in lenient mode a warning that names the layer and the
 * unit). One pass over the activations that could hold one (not the outputs of ReLU, max pooling and the other
 * kinds that keep finite inputs finite); explain tells finite relevances by their per-sample magnitudes, which it
 * sums anyway (`internal/sampleSums.ts`), and scans a relevance tensor only when a magnitude is not finite.
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

/**
 * Kinds whose output is finite whenever their inputs are: its entries are input entries, zeros, or clipped to a
 * finite bound (ReLU maps even NaN to 0). The scan skips their outputs once their inputs have passed it.
 */
const keepsFinite: { readonly [K in L.Kind]: boolean } = {
  relu: true,
  clippedRelu: true,
  identity: true,
  maxPool2d: true,
  globalMaxPool: true,
  flatten: true,
  select: true,
  pad2d: true,
  concat: true,
  dense: false,
  conv2d: false,
  depthwiseConv2d: false,
  sumPool: false,
  pNormPool: false,
  avgPool2d: false,
  globalAvgPool: false,
  scaleShift: false,
  batchNorm: false,
  add: false,
};

/**
 * The first non-finite activation of a forward pass, in layer order (activations[0], the input, is checked by
 * checkInput). Positions are scanned in order and the first non-finite one ends the scan, so a node of a
 * {@link keepsFinite} kind reading only scanned positions (not the input) has finite inputs: its output is not
 * scanned again (net C's ReLU and max pooling outputs: half of its activations).
 */
export const nonFiniteActivation = (model: L.Model, activations: readonly T.Tensor[]): NonFiniteError | undefined => {
  for (let i = 1; i < activations.length; i++) {
    if (keepsFinite[model.layers[i - 1]!.kind] && model.sources[i - 1]!.every((p) => p >= 1)) continue;
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
