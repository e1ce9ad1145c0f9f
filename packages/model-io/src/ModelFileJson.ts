/**
 * The JSON of a dtd model file, as TypeScript types (docs/model-format.md is the prose version):
 * `{ "format": "dtd-model", "version": 2, "dtype"?, "inputShape", "layers", "metadata"? }`.
 * One layer object per layer kind of @dtd/layers, selected by its `type`; in version 2 each may also carry a
 * `name` and the names of its `inputs` (a graph model). Version 1 files (no names, a chain) still read.
 * @module
 */
import type * as L from "@dtd/layers";
import type * as T from "@dtd/tensor";

/** The value of `"format"`. */
export const FORMAT = "dtd-model";

/** The version written. */
export const VERSION = 2;

/** The versions this dtd reads: 1 (a chain of layers) and 2 (a graph: named layers with inputs). */
export const SUPPORTED_VERSIONS: readonly number[] = [1, VERSION];

/** A tensor as a base64 object: little-endian values of `dtype`, row-major. */
export interface Base64TensorJson {
  readonly shape: readonly number[];
  readonly dtype: T.DType;
  readonly base64: string;
}

/** A tensor: nested arrays of numbers (row-major) or a base64 object. */
export type TensorJson = T.Nested | Base64TensorJson;

/** A pair `[rows, columns]` (kernel, stride, padding). */
export type PairJson = readonly [number, number];

/** The layer object of each kind. */
export interface LayerJsonTable {
  readonly dense: { readonly type: "dense"; readonly weight: TensorJson; readonly bias: TensorJson };
  readonly conv2d: { readonly type: "conv2d"; readonly weight: TensorJson; readonly bias: TensorJson; readonly stride?: PairJson; readonly padding?: PairJson };
  readonly relu: { readonly type: "relu" };
  readonly sumPool: { readonly type: "sumPool"; readonly kernel?: PairJson; readonly stride?: PairJson };
  readonly pNormPool: { readonly type: "pNormPool"; readonly p: number; readonly kernel?: PairJson; readonly stride?: PairJson };
  /** `padding` [top, bottom, left, right] acts as −∞ (TF's and ONNX's padded max pools); absent: none. */
  readonly maxPool2d: { readonly type: "maxPool2d"; readonly kernel: PairJson; readonly stride?: PairJson; readonly padding?: readonly [number, number, number, number] };
  readonly avgPool2d: { readonly type: "avgPool2d"; readonly kernel: PairJson; readonly stride?: PairJson };
  readonly flatten: { readonly type: "flatten" };
  readonly select: { readonly type: "select"; readonly index: number };
  readonly scaleShift: { readonly type: "scaleShift"; readonly scale: TensorJson; readonly shift: TensorJson };
  readonly depthwiseConv2d: { readonly type: "depthwiseConv2d"; readonly weight: TensorJson; readonly bias: TensorJson; readonly stride?: PairJson; readonly padding?: PairJson };
  readonly clippedRelu: { readonly type: "clippedRelu"; readonly maxValue: number };
  readonly globalAvgPool: { readonly type: "globalAvgPool" };
  readonly globalMaxPool: { readonly type: "globalMaxPool" };
  readonly batchNorm: {
    readonly type: "batchNorm";
    readonly scale: TensorJson;
    readonly shift: TensorJson;
    readonly mean: TensorJson;
    readonly variance: TensorJson;
    readonly epsilon?: number;
  };
  readonly add: { readonly type: "add" };
  readonly concat: { readonly type: "concat"; readonly axis?: number };
  readonly pad2d: { readonly type: "pad2d"; readonly padding: readonly [number, number, number, number] };
  readonly identity: { readonly type: "identity" };
}

/** The graph fields of a version-2 layer: a unique name, and the names of its inputs ("input": the model input). */
export interface NodeJson {
  readonly name?: string;
  readonly inputs?: readonly string[];
}

/** The layer object of kind K. The table has exactly the kinds of @dtd/layers (a missing or extra one fails to compile). */
export type LayerJsonOf<K extends L.Kind> = LayerJsonTable[K] & NodeJson;

/** Any layer object. */
export type LayerJson = LayerJsonTable[L.Kind] & NodeJson;

type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const tableCoversKinds: SameKeys<LayerJsonTable, Record<L.Kind, unknown>> = true;
void tableCoversKinds;

/** Every layer `type`, in the order error messages list them. */
export const LAYER_TYPES = [
  "dense",
  "relu",
  "sumPool",
  "pNormPool",
  "maxPool2d",
  "avgPool2d",
  "conv2d",
  "flatten",
  "select",
  "scaleShift",
  "depthwiseConv2d",
  "clippedRelu",
  "globalAvgPool",
  "globalMaxPool",
  "batchNorm",
  "add",
  "concat",
  "pad2d",
  "identity",
] as const satisfies readonly L.Kind[];
const typesCoverKinds: [Exclude<L.Kind, (typeof LAYER_TYPES)[number]>] extends [never] ? true : false = true;
void typesCoverKinds;

/** A model file. */
export interface ModelFileJson {
  readonly format: typeof FORMAT;
  readonly version: 1 | 2;
  /** The dtype the model is built in (float64 when absent). */
  readonly dtype?: T.DType;
  /** The per-sample input: `[n]` for a flat vector, `[c, h, w]` for a CHW image. */
  readonly inputShape: readonly number[];
  /** The layers in topological order, the last one the output (version 1: a chain, first applied first). */
  readonly layers: readonly LayerJson[];
  /** Free-form: name, description, training info. Kept and round-tripped. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}
