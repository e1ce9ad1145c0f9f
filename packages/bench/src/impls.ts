/**
 * The implementation registry: which implementations `pnpm bench` runs.
 *
 * `dtdImpls` holds the dtd implementations (deep Taylor heatmaps of `job.net` under `job.rule` in `job.dtype`,
 * forward pass included; `dtd-pool` the same on a worker pool, one worker per core); `peerImpls` the peers:
 * TensorFlow.js gradient × input (the JavaScript peer) and PyTorch deep Taylor and gradient × input at 1 and 2
 * threads (the native peer).
 * @module
 */
import type { Impl } from "./Impl.ts";
import { dtdImpl } from "./dtd.ts";
import { poolImpl } from "./pool.ts";
import { tfjsImpl } from "./peer/tfjs.ts";
import { torchImpl } from "./peer/torch.ts";

/** dtd explanation implementations (deep Taylor): one thread, and a worker pool on every core. */
export const dtdImpls: readonly Impl[] = [dtdImpl, poolImpl];

/** The peers: tfjs on its cpu and wasm backends; torch deep Taylor and gradient × input at 1 and 2 threads. */
export const peerImpls: readonly Impl[] = [
  tfjsImpl("cpu"),
  tfjsImpl("wasm"),
  torchImpl("deepTaylor", 1),
  torchImpl("deepTaylor", 2),
  torchImpl("gradientTimesInput", 1),
  torchImpl("gradientTimesInput", 2),
];

/** Every registered implementation, dtd first. */
export const allImpls = (): readonly Impl[] => [...dtdImpls, ...peerImpls];
