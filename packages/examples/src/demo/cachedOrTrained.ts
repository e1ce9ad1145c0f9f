/**
 * The model of an example run: from the cache when it holds this network, seed and steps (and no retraining was
 * asked for), else trained now — with a progress bar — and cached for the next run.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import { type Hooks } from "../kit/index.ts";
import { lookupModel, store, type Structure } from "./cache.ts";
import type { Trained, TrainProgress } from "./network.ts";

/** How training went (seconds and losses are unknown for a cached model trained by an older run). */
export interface TrainingRecord {
  readonly steps: number;
  readonly seconds: number | undefined;
  readonly lossStart: number | undefined;
  readonly lossEnd: number | undefined;
}

/** A model obtained for a run. */
export interface Obtained {
  readonly model: L.Model;
  readonly training: TrainingRecord;
  readonly fromCache: boolean;
  readonly modelPath: string;
}

/** Where a model comes from. */
export interface ModelSource {
  /** The cache file. */
  readonly path: string;
  /** The structure the cached network must have. */
  readonly structure: Structure;
  /** "1568-400-Σ detector" in notes. */
  readonly description: string;
  readonly seed: number;
  readonly steps: number;
  /** Trains it, reporting progress. */
  readonly train: (onProgress: (p: TrainProgress) => void) => E.Either<string, Trained>;
  /** The metadata stored with it (e.g. the recipe); the training record is added. */
  readonly metadata: Record<string, unknown>;
}

/** The model of `source`: cached, or trained now and cached (a failure to cache is a note, not an error). */
export const cachedOrTrained = (source: ModelSource, opts: { readonly retrain: boolean; readonly hooks: Hooks }): E.Either<string, Obtained> => {
  const { path, steps, seed } = source;
  const { hooks } = opts;
  const cached = opts.retrain ? ({ _tag: "Miss" } as const) : lookupModel(path, source.structure);
  if (cached._tag === "Hit") {
    hooks.note(`using the cached model ${path} (${steps} steps, seed ${seed}): training skipped (--retrain to train again)`);
    const meta = cached.metadata["training"];
    const seconds = typeof meta === "object" && meta !== null && "seconds" in meta && typeof meta.seconds === "number" ? meta.seconds : undefined;
    return E.right({ model: cached.model, training: { steps, seconds, lossStart: undefined, lossEnd: undefined }, fromCache: true, modelPath: path });
  }
  if (cached._tag === "Unusable") hooks.note(`ignoring the cached model ${path}: ${cached.reason}`);
  hooks.note(`training ${source.description} for ${steps} steps (seed ${seed})`);
  const bar = hooks.progress("training", steps);
  const trained = source.train((p) => bar.update(p.step, { loss: p.loss, throughput: p.examplesPerSecond }));
  bar.stop();
  if (E.isLeft(trained)) return trained;
  const { model, seconds, lossStart, lossEnd } = trained.right;
  const saved = store(path, model, { ...source.metadata, training: { ...(source.metadata["training"] as object | undefined), seed, steps: trained.right.steps, seconds, lossStart, lossEnd } });
  if (E.isLeft(saved)) hooks.note(`could not cache the model (${saved.left}); the run goes on`);
  return E.right({ model, training: { steps: trained.right.steps, seconds, lossStart, lossEnd }, fromCache: false, modelPath: path });
};
