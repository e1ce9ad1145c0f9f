/**
 * Per-layer caches of the derivation: modified weights g(W)⊙W, transposed linear maps, and the forward passes of
 * constant input modifiers. Layers and their weights are immutable, so a cache entry never goes stale; entries
 * are keyed weakly by the layer object and vanish with it.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import { type Affine, applyLayer, withParams } from "@dtd/layers";

type Entry = T.Tensor | ((ct: T.Tensor) => T.Tensor);
const caches = new WeakMap<Affine, Map<string, Entry>>();
const ids = new WeakMap<object, number>();
let nextId = 0;

/** A stable id for an object (a custom selector or modifier), for cache keys. */
export const idOf = (o: object): number => {
  let id = ids.get(o);
  if (id === undefined) {
    id = ++nextId;
    ids.set(o, id);
  }
  return id;
};

/** The cached value of `key` for `layer`, computed once by `make`. */
export const cached = <E extends Entry>(layer: Affine, key: string, make: () => E): E => {
  let m = caches.get(layer);
  if (m === undefined) {
    m = new Map();
    caches.set(layer, m);
  }
  let e = m.get(key);
  if (e === undefined) {
    e = make();
    m.set(key, e);
  }
  return e as E;
};

/** The layer's linear part with weights W (bias zero), as a differentiable function of its input. */
export const linear = (layer: Affine, W: T.Tensor) => {
  const unbiased = withParams(layer, { W, b: T.zerosLike(layer.b) });
  return (x: AD.Var): AD.Var => applyLayer(unbiased, x);
};

/** x ↦ linear(x; W) evaluated on a batch. */
export const forwardWith = (layer: Affine, W: T.Tensor, x: T.Tensor): T.Tensor => linear(layer, W)(AD.constant(x)).value;

/** ct ↦ linear(·; W)ᵀ ct for batches of `shape` (cached per weight key and shape: one transposed product per call). */
export const transposeWith = (layer: Affine, weightKey: string, W: T.Tensor, shape: readonly number[], dtype: T.DType) =>
  cached(layer, `T|${weightKey}|${shape.join(",")}|${dtype}`, () => AD.linearTranspose(linear(layer, W), shape, dtype));
