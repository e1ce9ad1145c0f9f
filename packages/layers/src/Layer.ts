/**
 * Layers are plain values: a readonly record whose `kind` selects its behaviour in the kind table
 * (`kinds.ts`). Shapes are per sample; every forward pass works on a batch with a leading batch axis.
 *
 * Dense weights follow the deck: `W[i][j] = w_ij`, inputs × outputs, so a layer computes `z_j = Σ_i x_i w_ij + b_j`.
 * Conv2d weights are OIHW over CHW inputs, with stride and zero padding.
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

/** Max pooling over 2-D windows of a CHW input. */
export interface MaxPool2d {
  readonly kind: "maxPool2d";
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
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

/** Every layer kind. */
export type Layer = Dense | Conv2d | ReLU | SumPool | PNormPool | MaxPool2d | AvgPool2d | Flatten | Select | ScaleShift;

/** The name of a kind. */
export type Kind = Layer["kind"];

/** The layer of a kind. */
export type LayerOf<K extends Kind> = Extract<Layer, { kind: K }>;

/** Layers with weights and a bias, z = linear(x; W) + b: the ones deep Taylor rules apply to. */
export type Affine = Dense | Conv2d;

/** True for Dense and Conv2d. */
export const isAffine = (l: Layer): l is Affine => l.kind === "dense" || l.kind === "conv2d";

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
/** Max pooling (stride defaults to the kernel). */
export const maxPool2d = (kernel: readonly [number, number], stride?: readonly [number, number]): MaxPool2d => ({ kind: "maxPool2d", kernel, stride: stride ?? kernel });
/** Average pooling (stride defaults to the kernel). */
export const avgPool2d = (kernel: readonly [number, number], stride?: readonly [number, number]): AvgPool2d => ({ kind: "avgPool2d", kernel, stride: stride ?? kernel });
/** Select output `index` as the explained score. */
export const select = (index: number): Select => ({ kind: "select", index });
/** Per-feature affine normalisation. */
export const scaleShift = (scale: T.Tensor, shift: T.Tensor): ScaleShift => ({ kind: "scaleShift", scale, shift });

/** The detection block of the deck, x_j = max(0, Σ_i x_i w_ij + b_j): a Dense layer followed by a ReLU. */
export const detection = (W: T.Tensor, b: T.Tensor): readonly [Dense, ReLU] => [dense(W, b), relu];
