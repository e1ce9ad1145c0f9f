/**
 * The implementation registry: which implementations `pnpm bench` runs.
 *
 * REGISTER THE DTD IMPLEMENTATION HERE: add it to `dtdImpls` (an {@link Impl} of kind "dtd" whose `prepare(job)`
 * returns a closure computing `job.batch` deep Taylor heatmaps of `job.net` under `job.rule` in `job.dtype`,
 * forward pass included). Until then the bench prints no dtd rows and no ratios — never invented figures.
 * @module
 */
import type { Impl } from "./Impl.ts";
import { tfjsImpl } from "./peer/tfjs.ts";

/** dtd explanation implementations (deep Taylor). Empty until @dtd/deep-taylor exists. */
export const dtdImpls: readonly Impl[] = [];

/** The JavaScript peer: TensorFlow.js gradient × input on its cpu and wasm backends. */
export const peerImpls: readonly Impl[] = [tfjsImpl("cpu"), tfjsImpl("wasm")];

/** Every registered implementation, dtd first. */
export const allImpls = (): readonly Impl[] => [...dtdImpls, ...peerImpls];
