/**
 * Trained MNIST networks are cached as dtd model files (docs/model-format.md, tensors in base64) under
 * `.cache/dtd/`, named by everything that determines them — the network's name, the recipe's fingerprint, the
 * seed and the number of steps — so that a second run with the same flags skips training, and any other run
 * trains its own. A cached file is used only when it is the network its name says (layer kinds and shapes) and
 * every bias is ≤ 0.
 * @module
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import { readModelFile, writeModelFile } from "@dtd/model-io/file";
import { formatError } from "@dtd/model-io";
import { fingerprint, type Recipe } from "./network.ts";

/** What names a cached model of the one-layer demo. */
export interface CacheKey {
  readonly recipe: Recipe;
  readonly seed: number;
  readonly steps: number;
}

/** What names any cached model: `<prefix>-<fingerprint>-seed<seed>-steps<steps>.json`. */
export interface ModelName {
  readonly prefix: string;
  readonly fingerprint: string;
  readonly seed: number;
  readonly steps: number;
}

/** The cache file of a model name. */
export const modelFile = (dir: string, n: ModelName): string => join(dir, `${n.prefix}-${n.fingerprint}-seed${n.seed}-steps${n.steps}.json`);

/** The cache file of a key: `<dir>/mnist-<fingerprint>-seed<seed>-steps<steps>.json`. */
export const cacheFile = (dir: string, key: CacheKey): string => modelFile(dir, { prefix: "mnist", fingerprint: fingerprint(key.recipe), seed: key.seed, steps: key.steps });

/** The outcome of looking in the cache: a model, nothing there, or a file that could not be used (and why). */
export type CacheLookup =
  | { readonly _tag: "Hit"; readonly model: L.Model; readonly metadata: Record<string, unknown> }
  | { readonly _tag: "Miss" }
  | { readonly _tag: "Unusable"; readonly reason: string };

/** The structure a cached network must have: its layer kinds and its shapes (input first, output last). */
export interface Structure {
  readonly kinds: readonly string[];
  readonly shapes: readonly (readonly number[])[];
}

/** The structure of a model. */
export const structureOf = (model: L.Model): Structure => ({ kinds: model.layers.map((l) => l.kind), shapes: model.shapes });

/** Reads the cached model at `path`, checking that it has the structure expected and biases ≤ 0. */
export const lookupModel = (path: string, expected: Structure): CacheLookup => {
  if (!existsSync(path)) return { _tag: "Miss" };
  const read = readModelFile(path);
  if (E.isLeft(read)) return { _tag: "Unusable", reason: formatError(read.left) };
  const { model, metadata } = read.right;
  const found = structureOf(model);
  const show = (s: Structure): string => `layers ${s.kinds.join(",")} with shapes ${JSON.stringify(s.shapes)}`;
  if (show(found) !== show(expected)) return { _tag: "Unusable", reason: `expected ${show(expected)}, found ${show(found)}` };
  const positive = model.layers.findIndex((l) => L.isAffine(l) && l.b.data.some((b) => b > 0));
  if (positive >= 0) return { _tag: "Unusable", reason: `expected every bias ≤ 0, found a positive one in layer ${positive}` };
  return { _tag: "Hit", model, metadata };
};

/** Reads the cached one-layer model of `key` from `path`: 1568 → hidden → hidden → 1 (dense, relu, sumPool). */
export const lookup = (path: string, key: CacheKey): CacheLookup =>
  lookupModel(path, { kinds: ["dense", "relu", "sumPool"], shapes: [[1568], [key.recipe.hidden], [key.recipe.hidden], [1]] });

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
