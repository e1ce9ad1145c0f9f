/**
 * Seeded weight initialisation. He: W ~ 𝒩(0, 2 / fan_in) (He et al. 2015, for ReLU networks); Glorot:
 * W ~ 𝒰(−a, a), a = √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010). Fans: Dense [in, out] has
 * fan_in = in, fan_out = out; Conv2d [O, I, KH, KW] has fan_in = I·KH·KW, fan_out = O·KH·KW; DepthwiseConv2d
 * [C, M, KH, KW] has fan_in = KH·KW (each output reads one channel), fan_out = M·KH·KW.
 *
 * Every layer draws from its own stream, forked from `Random.make(seed)` in layer order, so the same seed gives
 * the same model bit for bit, and resizing one layer does not change the draws of the others.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { type Affine, type Conv2d, conv2d, type Dense, dense, isAffine } from "../Layer.ts";
import type { LayerError } from "../LayerError.ts";
import { build, type Model, type NodeSpec, withLayers } from "../Model.ts";

/** The weight scheme: He normal or Glorot uniform. */
export type Scheme = "he" | "glorot";

/** Fan-in and fan-out of an affine layer. */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** The fans of a Dense (W [in, out]), Conv2d (W [O, I, KH, KW]) or DepthwiseConv2d (W [C, M, KH, KW]) layer. */
export const fans = (layer: Affine): Fans => {
  const s = layer.W.shape;
  if (layer.kind === "dense") return { fanIn: s[0]!, fanOut: s[1]! };
  const [o, i, kh, kw] = s as [number, number, number, number];
  if (layer.kind === "depthwiseConv2d") return { fanIn: kh * kw, fanOut: i * kh * kw };
  return { fanIn: i * kh * kw, fanOut: o * kh * kw };
};

/** He normal weights: 𝒩(0, σ²) with σ = √(2 / fan_in). */
export const heNormal = (rng: T.Random.Rng, shape: readonly number[], f: Fans, dtype: T.DType = "float64"): T.Tensor =>
  T.Random.normalTensor(rng, [...shape], 0, Math.sqrt(2 / f.fanIn), dtype);

/** Glorot uniform weights: 𝒰(−a, a) with a = √(6 / (fan_in + fan_out)). */
export const glorotUniform = (rng: T.Random.Rng, shape: readonly number[], f: Fans, dtype: T.DType = "float64"): T.Tensor => {
  const a = Math.sqrt(6 / (f.fanIn + f.fanOut));
  return T.Random.uniformTensor(rng, [...shape], -a, a, dtype);
};

/** Options of `initialize`. */
export interface InitOptions {
  readonly seed: number;
  /** One scheme for every affine layer, or one per layer (default "he"). */
  readonly scheme?: Scheme | ((layer: Affine, index: number) => Scheme);
  /** The initial value of every bias (default 0, as in the deck: non-positive biases initialised to zero). */
  readonly bias?: number;
}

/**
 * The model with fresh weights in every affine layer (Dense, Conv2d, DepthwiseConv2d) (shapes and dtypes kept, previous values
 * ignored) and every bias set to `bias`; other layers are unchanged.
 */
export const initialize = (model: Model, opts: InitOptions): Model => {
  const root = T.Random.make(opts.seed);
  const layers = model.layers.map((layer, index) => {
    const rng = root.fork();
    if (!isAffine(layer)) return layer;
    const scheme = typeof opts.scheme === "function" ? opts.scheme(layer, index) : (opts.scheme ?? "he");
    const draw = scheme === "he" ? heNormal : glorotUniform;
    const W = draw(rng, layer.W.shape, fans(layer), layer.W.dtype);
    const b = T.full(layer.b.shape, opts.bias ?? 0, layer.b.dtype);
    return { ...layer, W, b };
  });
  return withLayers(model, layers);
};

/** Builds a model (a chain of layers or a graph, as `build`) and initialises it from a seed. */
export const initModel = (inputShape: readonly number[], layers: readonly NodeSpec[], opts: InitOptions): E.Either<LayerError, Model> =>
  E.map((m: Model) => initialize(m, opts))(build(inputShape, layers));

/** A Dense layer of the given size with zero parameters: a placeholder for `initModel` to fill. */
export const zeroDense = (nIn: number, nOut: number, dtype: T.DType = "float64"): Dense => dense(T.zeros([nIn, nOut], dtype), T.zeros([nOut], dtype));

/** A Conv2d layer W [out, in, kh, kw] with zero parameters: a placeholder for `initModel` to fill. */
export const zeroConv2d = (
  shape: readonly [outChannels: number, inChannels: number, kh: number, kw: number],
  opts: { stride?: readonly [number, number]; padding?: readonly [number, number] } = {},
  dtype: T.DType = "float64",
): Conv2d => conv2d(T.zeros([...shape], dtype), T.zeros([shape[0]], dtype), opts);
