/**
 * The trained MNIST network is cached as a dtd model file (docs/model-format.md, tensors in base64) under
 * `.cache/dtd/`, named by everything that determines it — the recipe's fingerprint, the seed and the number of
 * steps — so that a second run with the same flags skips training, and any other run trains its own.
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import { readModelFile, writeModelFile } from "@dtd/model-io/file";
import { formatError } from "@dtd/model-io/ModelFileError";
import { fingerprint, type Recipe } from "./network.ts";

/** What names a cached model. */
export interface CacheKey {
  readonly recipe: Recipe;
  readonly seed: number;
  readonly steps: number;
}

/** The cache file of a key: `<dir>/mnist-<fingerprint>-seed<seed>-steps<steps>.json`. */
export const cacheFile = (dir: string, key: CacheKey): string => join(dir, `mnist-${fingerprint(key.recipe)}-seed${key.seed}-steps${key.steps}.json`);

/** The outcome of looking in the cache: a model, nothing there, or a file that could not be used (and why). */
export type CacheLookup =
  | { readonly _tag: "Hit"; readonly model: L.Model; readonly metadata: Record<string, unknown> }
  | { readonly _tag: "Miss" }
  | { readonly _tag: "Unusable"; readonly reason: string };

/** The shapes the cached network must have: 1568 → 400 → 400 → 1 (dense, relu, sumPool). */
const expectedShapes = (recipe: Recipe): string => JSON.stringify([[1568], [recipe.hidden], [recipe.hidden], [1]]);

/** Reads the cached model of `key` from `path`, checking that it is the network the key describes. */
export const lookup = (path: string, key: CacheKey): CacheLookup => {
  if (!existsSync(path)) return { _tag: "Miss" };
  const read = readModelFile(path);
  if (E.isLeft(read)) return { _tag: "Unusable", reason: formatError(read.left) };
  const { model, metadata } = read.right;
  const kinds = model.layers.map((l) => l.kind).join(",");
  if (kinds !== "dense,relu,sumPool" || JSON.stringify(model.shapes) !== expectedShapes(key.recipe)) {
    return { _tag: "Unusable", reason: `expected layers dense,relu,sumPool with shapes ${expectedShapes(key.recipe)}, found ${kinds} with ${JSON.stringify(model.shapes)}` };
  }
  const first = model.layers[0];
  if (first !== undefined && L.isAffine(first) && first.b.data.some((b) => b > 0)) return { _tag: "Unusable", reason: "expected every bias ≤ 0, found a positive one" };
  return { _tag: "Hit", model, metadata };
};

/** Writes a trained model to `path` (creating its directory), with `metadata` describing how it was trained. */
export const store = (path: string, model: L.Model, metadata: Record<string, unknown>): E.Either<string, void> => {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (u) {
    return E.left(`could not create the cache directory ${dir}: ${u instanceof Error ? u.message : String(u)}`);
  }
  return E.mapLeft(formatError)(writeModelFile(path, model, { tensors: "base64", metadata }));
};
