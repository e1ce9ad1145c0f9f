/**
 * Layers are plain values: a readonly record whose `kind` selects its behaviour in the kind table
 * (`kinds.ts`). Shapes are per sample; every forward pass works on a batch with a leading batch axis.
 *
 * Dense weights follow the deck: `W[i][j] = w_ij`, inputs × outputs, so a layer computes `z_j = Σ_i x_i w_ij + b_j`.
 * Conv2d weights are OIHW over CHW inputs, with stride and zero padding; depthwise weights are [C, M, KH, KW].
 * Most kinds take one input; `add` and `concat` take two or more (the model is a graph, see `Model.ts`).
 * @module
 */
import type * as T from "@dtd/tensor";

/** z = x·W + b, W of shape [in, out] (`W[i][j] = w_ij`). */
export interface Dense {
  readonly kind: "dense";
  readonly W: T.Tensor;
  readonly b: T.Tensor;
}

/** 2-D convolution over CHW inputs: W [out, in, kh, kw], b [out]. */
export interface Conv2d {
  readonly kind: "conv2d";
  readonly W: T.Tensor;
  readonly b: T.Tensor;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** max(0, x) */
export interface ReLU {
  readonly kind: "relu";
}

/**
 * Sum pooling: without `kernel`, the whole sample into one value (the deck's output neuron x_k = Σ_j x_j);
 * with `kernel`, over 2-D windows of a CHW input.
 */
export interface SumPool {
  readonly kind: "sumPool";
  readonly kernel?: readonly [number, number];
  readonly stride?: readonly [number, number];
}

/** p-norm pooling x_k = ‖{x_j}‖_p = (Σ_j |x_j|ᵖ)^(1/p), globally or over 2-D windows (p ≥ 1). */
export interface PNormPool {
  readonly kind: "pNormPool";
  readonly p: number;
  readonly kernel?: readonly [number, number];
  readonly stride?: readonly [number, number];
}

/**
 * Max pooling over 2-D windows of a CHW input. `padding` [top, bottom, left, right] (absent: none) acts as −∞, as
 * in TF's and ONNX's padded max pools: a window that overhangs the input takes the maximum of its part inside,
 * so the padding never wins and relevance (winner-take-all) always reaches an input element. Each pad is smaller
 * than the window along its axis, so that every window holds one.
 */
export interface MaxPool2d {
  readonly kind: "maxPool2d";
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding?: readonly [number, number, number, number];
}

/** Average pooling over 2-D windows of a CHW input. */
export interface AvgPool2d {
  readonly kind: "avgPool2d";
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
}

/** Flattens each sample to a vector. */
export interface Flatten {
  readonly kind: "flatten";
}

/** One output of a vector: the explained score f (output shape [1]). */
export interface Select {
  readonly kind: "select";
  readonly index: number;
}

/**
 * An affine normalisation y = x·scale + shift per feature (per channel for CHW inputs), as batch norm is at
 * inference. Canonization folds it into the Dense/Conv2d before it.
 */
export interface ScaleShift {
  readonly kind: "scaleShift";
  readonly scale: T.Tensor;
  readonly shift: T.Tensor;
}

/**
 * Depthwise 2-D convolution over CHW inputs: W [C, M, KH, KW] (M filters per input channel, the depth multiplier),
 * b [C·M]; output channel c·M + m is input channel c convolved with W[c, m], plus b[c·M + m]. An affine layer
 * like Dense and Conv2d (MobileNet's separable convolutions are a depthwise and a 1×1 Conv2d).
 */
export interface DepthwiseConv2d {
  readonly kind: "depthwiseConv2d";
  readonly W: T.Tensor;
  readonly b: T.Tensor;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** The elementwise sum of two or more inputs of one shape (residual connections). */
export interface Add {
  readonly kind: "add";
}

/**
 * Two or more inputs joined along `axis` of the per-sample shape: 0 is the channel axis of CHW inputs and the
 * feature axis of vectors (Inception blocks); the other axes must agree.
 */
export interface Concat {
  readonly kind: "concat";
  readonly axis: number;
}

/** Global average pooling: CHW → [C], each channel's mean. */
export interface GlobalAvgPool {
  readonly kind: "globalAvgPool";
}

/** Global max pooling: CHW → [C], each channel's maximum. */
export interface GlobalMaxPool {
  readonly kind: "globalMaxPool";
}

/**
 * Batch normalisation at inference, per feature (per channel for CHW inputs):
 * y = (x − mean) / √(variance + epsilon) · scale + shift. Canonization folds it into an adjacent affine layer
 * when that is exact; otherwise it is explained as its own node.
 */
export interface BatchNorm {
  readonly kind: "batchNorm";
  readonly scale: T.Tensor;
  readonly shift: T.Tensor;
  readonly mean: T.Tensor;
  readonly variance: T.Tensor;
  readonly epsilon: number;
}

/** Zero padding of a CHW input, `[top, bottom, left, right]` (asymmetric, as TF's "same" padding needs). */
export interface Pad2d {
  readonly kind: "pad2d";
  readonly padding: readonly [number, number, number, number];
}

/** The clipped ReLU min(max(0, x), maxValue) (ReLU6 for maxValue = 6). */
export interface ClippedReLU {
  readonly kind: "clippedRelu";
  readonly maxValue: number;
}

/** The identity (e.g. Dropout at inference): passes its input on unchanged. */
export interface Identity {
  readonly kind: "identity";
}

/** Every layer kind. */
export type Layer =
  | Dense
  | Conv2d
  | DepthwiseConv2d
  | ReLU
  | ClippedReLU
  | SumPool
  | PNormPool
  | MaxPool2d
  | AvgPool2d
  | GlobalAvgPool
  | GlobalMaxPool
  | Flatten
  | Select
  | ScaleShift
  | BatchNorm
  | Add
  | Concat
  | Pad2d
  | Identity;

/** The name of a kind. */
export type Kind = Layer["kind"];

/** The layer of a kind. */
export type LayerOf<K extends Kind> = Extract<Layer, { kind: K }>;

/** Layers with weights and a bias, z = linear(x; W) + b: the ones deep Taylor rules apply to. */
export type Affine = Dense | Conv2d | DepthwiseConv2d;

/** The kinds of the affine layers. */
export const affineKinds = ["dense", "conv2d", "depthwiseConv2d"] as const satisfies readonly Affine["kind"][];

/** True for Dense, Conv2d and DepthwiseConv2d. */
export const isAffine = (l: Layer): l is Affine => l.kind === "dense" || l.kind === "conv2d" || l.kind === "depthwiseConv2d";

/** Dense layer with W [in, out] and b [out]. */
export const dense = (W: T.Tensor, b: T.Tensor): Dense => ({ kind: "dense", W, b });
/** Conv2d layer with W OIHW and b [O]. */
export const conv2d = (W: T.Tensor, b: T.Tensor, opts: { stride?: readonly [number, number]; padding?: readonly [number, number] } = {}): Conv2d => ({
  kind: "conv2d",
  W,
  b,
  stride: opts.stride ?? [1, 1],
  padding: opts.padding ?? [0, 0],
});
/** Depthwise conv2d layer with W [C, M, KH, KW] and b [C·M]. */
export const depthwiseConv2d = (
  W: T.Tensor,
  b: T.Tensor,
  opts: { stride?: readonly [number, number]; padding?: readonly [number, number] } = {},
): DepthwiseConv2d => ({ kind: "depthwiseConv2d", W, b, stride: opts.stride ?? [1, 1], padding: opts.padding ?? [0, 0] });
/** The elementwise sum of its inputs. */
export const add: Add = { kind: "add" };
/** Concatenation along `axis` of the per-sample shape (default 0: channels of CHW, features of vectors). */
export const concat = (axis = 0): Concat => ({ kind: "concat", axis });
/** Global average pooling, CHW → [C]. */
export const globalAvgPool: GlobalAvgPool = { kind: "globalAvgPool" };
/** Global max pooling, CHW → [C]. */
export const globalMaxPool: GlobalMaxPool = { kind: "globalMaxPool" };
/** Batch norm at inference; epsilon defaults to 1e-5. */
export const batchNorm = (p: { scale: T.Tensor; shift: T.Tensor; mean: T.Tensor; variance: T.Tensor; epsilon?: number }): BatchNorm => ({
  kind: "batchNorm",
  scale: p.scale,
  shift: p.shift,
  mean: p.mean,
  variance: p.variance,
  epsilon: p.epsilon ?? 1e-5,
});
/** Zero padding `[top, bottom, left, right]` of a CHW input. */
export const pad2d = (padding: readonly [number, number, number, number]): Pad2d => ({ kind: "pad2d", padding });
/** The clipped ReLU min(max(0, x), maxValue). */
export const clippedRelu = (maxValue: number): ClippedReLU => ({ kind: "clippedRelu", maxValue });
/** The identity layer (the kind "identity"; `identity` itself is the empty sequence, the unit of `compose`). */
export const identityLayer: Identity = { kind: "identity" };
/** The ReLU. */
export const relu: ReLU = { kind: "relu" };
/** Flatten. */
export const flatten: Flatten = { kind: "flatten" };
/** Global sum pooling (no kernel) or windowed. */
export const sumPool = (opts: { kernel?: readonly [number, number]; stride?: readonly [number, number] } = {}): SumPool => ({ kind: "sumPool", ...opts });
/** p-norm pooling, global or windowed. */
export const pNormPool = (p: number, opts: { kernel?: readonly [number, number]; stride?: readonly [number, number] } = {}): PNormPool => ({
  kind: "pNormPool",
  p,
  ...opts,
});
/** Max pooling (stride defaults to the kernel; padding, −∞, to none: all-zero padding is none). */
export const maxPool2d = (kernel: readonly [number, number], stride?: readonly [number, number], opts: { readonly padding?: readonly [number, number, number, number] } = {}): MaxPool2d => ({
  kind: "maxPool2d",
  kernel,
  stride: stride ?? kernel,
  ...(opts.padding === undefined || opts.padding.every((q) => q === 0) ? {} : { padding: opts.padding }),
});
/** Average pooling (stride defaults to the kernel). */
export const avgPool2d = (kernel: readonly [number, number], stride?: readonly [number, number]): AvgPool2d => ({ kind: "avgPool2d", kernel, stride: stride ?? kernel });
/** Select output `index` as the explained score. */
export const select = (index: number): Select => ({ kind: "select", index });
/** Per-feature affine normalisation. */
export const scaleShift = (scale: T.Tensor, shift: T.Tensor): ScaleShift => ({ kind: "scaleShift", scale, shift });

/** The detection block of the deck, x_j = max(0, Σ_i x_i w_ij + b_j): a Dense layer followed by a ReLU. */
export const detection = (W: T.Tensor, b: T.Tensor): readonly [Dense, ReLU] => [dense(W, b), relu];
