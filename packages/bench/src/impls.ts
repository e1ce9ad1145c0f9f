/**
 * The implementation registry: which implementations `pnpm bench` runs.
 *
 * `dtdImpls` holds the dtd implementation (deep Taylor heatmaps of `job.net` under `job.rule` in `job.dtype`,
 * forward pass included); `peerImpls` the JavaScript peer.
 * @module
 */
import type { Impl } from "./Impl.ts";
import { dtdImpl } from "./dtd.ts";
import { tfjsImpl } from "./peer/tfjs.ts";

/** dtd explanation implementations (deep Taylor). */
export const dtdImpls: readonly Impl[] = [dtdImpl];

/** The JavaScript peer: TensorFlow.js gradient × input on its cpu and wasm backends. */
export const peerImpls: readonly Impl[] = [tfjsImpl("cpu"), tfjsImpl("wasm")];

/** Every registered implementation, dtd first. */
export const allImpls = (): readonly Impl[] => [...dtdImpls, ...peerImpls];
