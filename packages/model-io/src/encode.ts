/**
 * Writing a model file: a `Model` of @dtd/layers → a plain JSON-able object (`encodeModel`) or its text
 * (`stringifyModel`). Pure (no Node API).
 *
 * Round trips are exact: `decodeModel(JSON.parse(JSON.stringify(encodeModel(m))))` gives bit-identical tensors
 * and equal layer records, because JavaScript prints every number with the fewest digits that read back to the
 * same double, and base64 carries the bytes themselves. One exception, from JSON.stringify: a -0 in a nested
 * tensor is written as 0 (base64 keeps it).
 * @module
 */
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import * as B64 from "./internal/base64.ts";
import { prettyJson } from "./internal/prettyJson.ts";
import { FORMAT, type LayerJson, type LayerJsonOf, type ModelFileJson, type TensorJson, VERSION } from "./ModelFileJson.ts";

/** How to write a model. */
export interface EncodeOptions {
  /** `"nested"` (default): nested arrays of numbers, readable and hand-editable; `"base64"`: compact, for large models. */
  readonly tensors?: "nested" | "base64";
  /** Free-form metadata (name, description, training info), written as the file's `metadata` when given. */
  readonly metadata?: Record<string, unknown>;
}

type TensorWriter = (x: T.Tensor) => TensorJson;

const nested: TensorWriter = (x) => T.toNested(x);
const base64: TensorWriter = (x) => ({ shape: [...x.shape], dtype: x.dtype, base64: B64.encode(B64.packFloats(x.data, x.dtype)) });

/** The layer object of each kind (a table typed by `L.Kind`: a kind without an entry is a compile error). */
const writers: { readonly [K in L.Kind]: (l: L.LayerOf<K>, w: TensorWriter) => LayerJsonOf<K> } = {
  dense: (l, w) => ({ type: "dense", weight: w(l.W), bias: w(l.b) }),
  conv2d: (l, w) => ({ type: "conv2d", weight: w(l.W), bias: w(l.b), stride: [...l.stride], padding: [...l.padding] }),
  relu: () => ({ type: "relu" }),
  sumPool: (l) => ({ type: "sumPool", ...(l.kernel ? { kernel: [...l.kernel] } : {}), ...(l.stride ? { stride: [...l.stride] } : {}) }),
  pNormPool: (l) => ({ type: "pNormPool", p: l.p, ...(l.kernel ? { kernel: [...l.kernel] } : {}), ...(l.stride ? { stride: [...l.stride] } : {}) }),
  maxPool2d: (l) => ({ type: "maxPool2d", kernel: [...l.kernel], stride: [...l.stride], ...(l.padding === undefined ? {} : { padding: [...l.padding] }) }),
  avgPool2d: (l) => ({ type: "avgPool2d", kernel: [...l.kernel], stride: [...l.stride] }),
  flatten: () => ({ type: "flatten" }),
  select: (l) => ({ type: "select", index: l.index }),
  scaleShift: (l, w) => ({ type: "scaleShift", scale: w(l.scale), shift: w(l.shift) }),
  depthwiseConv2d: (l, w) => ({ type: "depthwiseConv2d", weight: w(l.W), bias: w(l.b), stride: [...l.stride], padding: [...l.padding] }),
  clippedRelu: (l) => ({ type: "clippedRelu", maxValue: l.maxValue }),
  globalAvgPool: () => ({ type: "globalAvgPool" }),
  globalMaxPool: () => ({ type: "globalMaxPool" }),
  batchNorm: (l, w) => ({ type: "batchNorm", scale: w(l.scale), shift: w(l.shift), mean: w(l.mean), variance: w(l.variance), epsilon: l.epsilon }),
  add: () => ({ type: "add" }),
  concat: (l) => ({ type: "concat", axis: l.axis }),
  pad2d: (l) => ({ type: "pad2d", padding: [...l.padding] }),
  identity: () => ({ type: "identity" }),
};

const writeLayer = <K extends L.Kind>(l: L.LayerOf<K>, w: TensorWriter): LayerJson => (writers[l.kind] as (l: L.LayerOf<K>, w: TensorWriter) => LayerJson)(l, w);

/**
 * The model's dtype: the one dtype of all its parameters (float64 for a model without parameters). Mixed dtypes are a
 * programmer error (such a model cannot run) and throw a TensorException (DTypeMismatch).
 */
export const dtypeOfModel = (model: L.Model): T.DType => {
  const tensors = L.paramTree(model).flatMap((p) => Object.values(p));
  return tensors.length === 0 ? "float64" : T.sameDType("encodeModel", ...tensors);
};

/**
 * The layer objects of a model: `inputs` where a layer does not simply take the previous layer's output, and
 * `name` where the name is not the default one (`kind_index`) or where an `inputs` list refers to the layer
 * (a file refers only to named layers).
 */
const writeNodes = (model: L.Model, w: TensorWriter): LayerJson[] => {
  const previous = (i: number): string => (i === 0 ? L.INPUT : model.nodes[i - 1]!.name);
  const explicit = model.nodes.map((n, i) => !(n.inputs.length === 1 && n.inputs[0] === previous(i)));
  const referenced = new Set(model.nodes.flatMap((n, i) => (explicit[i] ? n.inputs : [])));
  return model.nodes.map((n, i) => {
    const named = n.name !== L.defaultName(n.layer.kind, i) || referenced.has(n.name);
    return { ...(named ? { name: n.name } : {}), ...writeLayer(n.layer, w), ...(explicit[i] ? { inputs: [...n.inputs] } : {}) };
  });
};

/** The model as a plain JSON-able object (version 2): `JSON.stringify` it, or use {@link stringifyModel}. */
export const encodeModel = (model: L.Model, opts: EncodeOptions = {}): ModelFileJson => {
  const w = opts.tensors === "base64" ? base64 : nested;
  return {
    format: FORMAT,
    version: VERSION,
    dtype: dtypeOfModel(model),
    inputShape: [...model.inputShape],
    layers: writeNodes(model, w),
    ...(opts.metadata === undefined ? {} : { metadata: opts.metadata }),
  };
};

/**
 * The model file's text: objects one field per line, a tensor's innermost rows on one line each. The same
 * JSON value as `JSON.stringify(encodeModel(model, opts))`.
 */
export const stringifyModel = (model: L.Model, opts: EncodeOptions = {}): string => {
  const file = encodeModel(model, opts);
  // Metadata may hold anything JSON.stringify accepts (toJSON, undefined fields): make it plain JSON first.
  const metadata: unknown = file.metadata === undefined ? undefined : JSON.parse(JSON.stringify(file.metadata));
  return `${prettyJson({ ...file, metadata })}\n`;
};
