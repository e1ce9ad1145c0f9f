/**
 * The intermediate representation every importer produces: a DAG of named nodes in topological order, with
 * weights already in dtd's layouts (CHW activations, OIHW kernels, dense W [in, out] with W[i][j] = w_ij) and
 * every shape inferred, per sample. It is close to dtd's graph model on purpose: converting it is a renaming,
 * and the importers never see dtd's layer types.
 *
 * What the original runtime did that dtd does differently is settled here, once: NHWC → CHW, HWIO → OIHW,
 * TF's asymmetric "same" padding as explicit [top, bottom, left, right] pads, the rows of the first dense
 * layer after a flatten of an NHWC tensor permuted so the function is unchanged, and batch norms at inference
 * as per-channel affine maps.
 * @module
 */
import type * as T from "@dtd/tensor";
import type { SourceFormat } from "./ImportError.ts";

/** Zero padding `[top, bottom, left, right]`. */
export type Pads = readonly [number, number, number, number];

/** A pair `[rows, columns]`. */
export type Pair = readonly [number, number];

/** The ops of the IR, with their attributes and weights (float32 tensors in dtd's layouts). */
export interface IrOps {
  /** z = conv(x; W) + b, W OIHW [O, C, kh, kw], zero padding `pads`. */
  readonly conv2d: { readonly W: T.Tensor; readonly b: T.Tensor; readonly stride: Pair; readonly pads: Pads };
  /** Per-channel filters: output channel c·m + k filters input channel c with W[c·m + k, 0] (W [C·m, 1, kh, kw]). */
  readonly depthwiseConv2d: { readonly W: T.Tensor; readonly b: T.Tensor; readonly multiplier: number; readonly stride: Pair; readonly pads: Pads };
  /** z = x·W + b, W [in, out]. */
  readonly dense: { readonly W: T.Tensor; readonly b: T.Tensor };
  /** y = x·scale + shift per channel (CHW) or per feature (vector): a batch norm at inference, a constant Mul/Add. */
  readonly scaleShift: { readonly scale: T.Tensor; readonly shift: T.Tensor };
  /** max(0, x) */
  readonly relu: Record<never, never>;
  /** min(max(0, x), max) — ReLU6 and Keras ReLU(max_value). */
  readonly clippedRelu: { readonly max: number };
  /** Max pooling; `pads` act as −∞ (as in TF and ONNX: a window overhanging the input takes the maximum of its part inside). */
  readonly maxPool2d: { readonly kernel: Pair; readonly stride: Pair; readonly pads: Pads };
  /** Average pooling without padding. */
  readonly avgPool2d: { readonly kernel: Pair; readonly stride: Pair };
  /** CHW → [C], the mean over each channel. */
  readonly globalAvgPool: Record<never, never>;
  /** CHW → [C], the max over each channel. */
  readonly globalMaxPool: Record<never, never>;
  /** Zero padding of a CHW input. */
  readonly pad2d: { readonly pads: Pads };
  /** CHW → [C·H·W], row-major. */
  readonly flatten: Record<never, never>;
  /** The elementwise sum of ≥ 2 inputs of one shape. */
  readonly add: Record<never, never>;
  /** ≥ 2 inputs joined along the channel axis (CHW) or the feature axis (vectors). */
  readonly concat: Record<never, never>;
}

/** An op's name. */
export type IrOp = keyof IrOps;

/** A node: its op with its attributes, the names of its inputs, its per-sample output shape and where it came from. */
export type IrNode = {
  readonly [K in IrOp]: {
    readonly op: K;
    /** Unique; the name of the layer or node in the original model (with a suffix when one became several). */
    readonly name: string;
    /** Node names, or the model input's name. */
    readonly inputs: readonly string[];
    /** Per-sample output shape in dtd's layout. */
    readonly shape: readonly number[];
    /** The original layer's class or op ("Conv2D", "_FusedConv2D", "Gemm"), for messages. */
    readonly source: string;
  } & IrOps[K];
}[IrOp];

/** The node of op K. */
export type IrNodeOf<K extends IrOp> = Extract<IrNode, { op: K }>;

/**
 * Constant input scaling the original model applies first (a graph model's `Mul`/`Sub` on its input, a Keras
 * `Rescaling` layer): the model's input is x' = x·scale + offset per channel (one value each for all channels
 * when the arrays have length 1). Carried out of the graph as preprocessing, so dtd explains the input the
 * rest of the network sees.
 */
export interface Preprocessing {
  readonly scale: readonly number[];
  readonly offset: readonly number[];
}

/** The output activation the original model ends with; dtd drops it and explains the logits. */
export type OutputActivation = "none" | "sigmoid" | "softmax";

/** An imported model. */
export interface IrModel {
  readonly format: SourceFormat;
  /** The input's name in the original model and its per-sample shape in dtd's layout ([C, H, W] or [n]). */
  readonly input: { readonly name: string; readonly shape: readonly number[]; readonly originalLayout: "NHWC" | "NCHW" | "flat" };
  /** In topological order; the last node is the output unless `output` names the input itself. */
  readonly nodes: readonly IrNode[];
  /** The name of the output node (the logits: the final activation is dropped). */
  readonly output: string;
  readonly outputActivation: OutputActivation;
  readonly preprocessing?: Preprocessing;
  /** What was changed to represent the model exactly (dropped activations, folded constants…), for the user. */
  readonly notes: readonly string[];
}
