/**
 * Explaining a set of pairs with one method, in chunks (bounded memory), with progress: the heatmaps of all
 * chunks joined, flat [N, 1568] in the pairs' layout whatever the model's input shape.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { unsafeMake } from "@dtd/tensor/unsafe";
import type * as L from "@dtd/layers";
import { PAIR_PIXELS, type PairSet } from "@dtd/datasets";
import { type Heatmaps, type Method, type ProgressHandle } from "../kit/index.ts";
import { batchOf } from "./pairSets.ts";

/** Explains the pairs with one method in chunks of `chunk`, reporting progress. */
export const explainAll = (method: Method, model: L.Model, set: PairSet, bar: ProgressHandle, chunk: number): E.Either<string, Heatmaps> => {
  const f = new Float64Array(set.count);
  const R = new Float64Array(set.count * PAIR_PIXELS);
  let roots: { found: number; searched: number } | undefined;
  let modelled: Float64Array | undefined;
  for (let s = 0; s < set.count; s += chunk) {
    const n = Math.min(chunk, set.count - s);
    const out = method.explain(model, batchOf(model, set, s, n));
    if (E.isLeft(out)) return E.left(`${method.title}: ${out.left}`);
    f.set(out.right.f.data, s);
    R.set(out.right.R.data, s * PAIR_PIXELS);
    const r = out.right.roots;
    if (r !== undefined) roots = { found: (roots?.found ?? 0) + r.found, searched: (roots?.searched ?? 0) + r.searched };
    if (out.right.modelled !== undefined) (modelled ??= new Float64Array(set.count)).set(out.right.modelled.data, s);
    bar.update(s + n);
  }
  return E.right({
    f: unsafeMake([set.count], f),
    R: unsafeMake([set.count, PAIR_PIXELS], R),
    ...(roots !== undefined ? { roots } : {}),
    ...(modelled !== undefined ? { modelled: unsafeMake([set.count], modelled) } : {}),
  });
};
