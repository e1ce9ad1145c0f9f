/**
 * The layer algebra: a `Sequential` is a list of layers; composition is concatenation (associative, with the
 * empty sequence as identity). `build` infers every shape from the input shape and rejects an incompatible
 * pair with the layer's index, kind and both shapes. A built `Model` runs forward on batches and exposes every
 * intermediate activation; its gradients come from @dtd/autodiff.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { Layer } from "./Layer.ts";
import { type LayerError, LayerException } from "./LayerError.ts";
import { applyLayer, type LayerParams, outputShape, type ParamInputs, paramsOf, withParams } from "./kinds.ts";
import { checkBatch, inputShapeProblem, paramsProblem } from "./validate.ts";

/** A composition of layers, first applied first. */
export type Sequential = readonly Layer[];

/** The identity of composition: no layers. */
export const identity: Sequential = [];

/** Composition: `compose(a, b)` applies a, then b. Associative; `identity` is its unit. */
export const compose = (...parts: readonly Sequential[]): Sequential => parts.flat();

/** A sequence from layers and blocks (e.g. `detection(W, b)`). */
export const sequential = (...parts: readonly (Layer | readonly Layer[])[]): Sequential => parts.flatMap((p) => (Array.isArray(p) ? p : [p as Layer]));

/** A sequence with its shapes inferred: `shapes[i]` is the per-sample input shape of layer i, `shapes[n]` the output's. */
export interface Model {
  readonly inputShape: readonly number[];
  readonly layers: Sequential;
  readonly shapes: readonly (readonly number[])[];
}

/**
 * Infers and checks every shape (the first incompatible layer is reported with its index and both shapes), then
 * the parameters: finite, and all in one dtype.
 */
export const build = (inputShape: readonly number[], layers: Sequential): E.Either<LayerError, Model> => {
  const badInput = inputShapeProblem(inputShape);
  if (badInput !== undefined) return E.left(badInput);
  const shapes: number[][] = [[...inputShape]];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const prev = shapes[i]!;
    const out = outputShape(layer, prev);
    if (E.isLeft(out)) return E.left({ _tag: "IncompatibleLayers", index: i, kind: layer.kind, inputShape: prev, reason: out.left });
    shapes.push(out.right);
  }
  const badParams = paramsProblem(layers);
  if (badParams !== undefined) return E.left(badParams);
  return E.right({ inputShape: [...inputShape], layers, shapes });
};

/** The per-sample output shape. */
export const outputShapeOf = (m: Model): readonly number[] => m.shapes[m.shapes.length - 1]!;

/** Checks that `x` is a batch `[N, ...inputShape]` of finite values in the model's dtype (see `validate.ts`). */
export const checkInput = (m: Model, x: T.Tensor): E.Either<LayerError, T.Tensor> => checkBatch(m, x);

const assertInput = (m: Model, x: T.Tensor): void => {
  const c = checkInput(m, x);
  if (E.isLeft(c)) throw new LayerException(c.left);
};

/** The forward pass as a differentiable function of the input and, optionally, of the parameters. */
export const applyModel = (m: Model, x: AD.Var, params?: readonly ParamInputs[]): AD.Var =>
  m.layers.reduce((h, layer, i) => applyLayer(layer, h, params?.[i] ?? paramsOf(layer)), x);

/** A forward pass with every activation: `activations[0]` is x, `activations[i + 1]` the output of layer i. */
export interface ForwardPass {
  readonly output: T.Tensor;
  readonly activations: readonly T.Tensor[];
}

/** Runs the model on a batch, keeping every intermediate activation. */
export const forward = (m: Model, x: T.Tensor): ForwardPass => {
  assertInput(m, x);
  const activations: T.Tensor[] = [x];
  let h: AD.Var = AD.constant(x);
  for (const layer of m.layers) {
    h = AD.constant(applyLayer(layer, h).value);
    activations.push(h.value);
  }
  return { output: h.value, activations };
};

/** The model's output and a pullback to the input (vector-Jacobian product), from @dtd/autodiff. */
export const vjp = (m: Model, x: T.Tensor): [T.Tensor, AD.Pullback<T.Tensor>] => {
  assertInput(m, x);
  return AD.vjp((v) => applyModel(m, v), x);
};

/** The gradient of Σ over the batch of the (single) output with respect to the input: ∂f/∂x per sample. */
export const inputGradient = (m: Model, x: T.Tensor): T.Tensor => {
  const [y, pb] = vjp(m, x);
  return pb(T.onesLike(y))[0]!;
};

/** The parameter tree: one record per layer. */
export const paramTree = (m: Model): readonly LayerParams[] => m.layers.map(paramsOf);

/** The same model with other parameters (shapes unchanged). */
export const withParamTree = (m: Model, params: readonly LayerParams[]): Model => ({
  ...m,
  layers: m.layers.map((l, i) => withParams(l, params[i] ?? {})),
});
