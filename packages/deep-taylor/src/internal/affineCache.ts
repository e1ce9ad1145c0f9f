/**
 * Per-layer caches of the derivation: modified weights, transposed linear maps, and the forward passes of constant
 * input modifiers. An entry is kept with a token naming what it was computed from, and recomputed when the token
 * differs, so a cache never answers for inputs it was not computed from:
 * - modified weights of data selectors (sign masks, w²) depend on the layer's weights alone: layers are immutable;
 * - modified weights of functions (`weightFn`, `modifiedWeight`) are recomputed on every call — a function may
 *   read a variable (a γ swept in a loop) — and kept only while their values stay the same (`byValue`): then the
 *   very same tensor comes back, and so do the entries computed from it (keyed by its id);
 * - entries derived from modified weights take the ids of those tensors as their token.
 * Entries are kept in an identity memo (IdentityMemo of @dtd/tensor/unsafe, the scheme of every identity-keyed cache), keyed
 * weakly by the layer object, and vanish with it; one entry per key, so a sweep over γ does not pile up transposed
 * maps.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import { IdentityMemo } from "@dtd/tensor/unsafe";
import { type Affine, linearPart } from "@dtd/layers";

type Entry = T.Tensor | ((ct: T.Tensor) => T.Tensor);
const caches = IdentityMemo.make<Affine, Entry>();

/** A stable id for an object (a selector, a term, a tensor), for cache keys and tokens. */
export const idOf = IdentityMemo.idOf;

/** The cached value of `key` for `layer`, computed by `make` when absent or computed from another `token`. */
export const cached = <E extends Entry>(layer: Affine, key: string, make: () => E, token = ""): E => caches.get(layer, key, token, make) as E;

const sameValues = (a: T.Tensor, b: T.Tensor): boolean => {
  if (a.dtype !== b.dtype || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
};

/**
 * `fresh`, or the tensor cached under `key` when it holds the same values (bit for bit): so that what was computed
 * from it stays valid exactly while the values do.
 */
export const byValue = (layer: Affine, key: string, fresh: T.Tensor): T.Tensor => {
  const kept = caches.peek(layer, key, "");
  if (kept !== undefined && typeof kept !== "function" && sameValues(kept, fresh)) return kept;
  caches.set(layer, key, "", fresh);
  return fresh;
};

/**
 * ct ↦ linear(·; W)ᵀ ct for batches of `shape`, cached per weight key, shape and dtype, and valid for these very
 * weights W (one transposed product per call).
 */
export const transposeWith = (layer: Affine, weightKey: string, W: T.Tensor, shape: readonly number[], dtype: T.DType) =>
  cached(layer, `T|${weightKey}|${shape.join(",")}|${dtype}`, () => AD.linearTranspose(linearPart(layer, W), shape, dtype), String(idOf(W)));
