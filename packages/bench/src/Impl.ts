/**
 * What an implementation plugs into the benchmark: given a job (net, rule, batch, dtype, input), it prepares a
 * closure that computes one batch of heatmaps, forward pass included. The harness only times that closure.
 * Everything that is not per-call work (casting weights and inputs, building graphs, allocating buffers) belongs
 * in `prepare`, outside the timing.
 * @module
 */
import type { DType } from "@dtd/tensor";
import type { F64, NetSpec, Rule } from "./nets.ts";

/** One benchmark configuration. */
export interface Job {
  readonly net: NetSpec;
  readonly rule: Rule;
  readonly batch: number;
  /** The requested element type. */
  readonly dtype: DType;
  /** The input batch `[batch, ...net.inputShape]`, float64, identical for every implementation. */
  readonly x: F64;
}

/** A prepared configuration: `run` computes the whole batch of heatmaps once. */
export interface Prepared {
  readonly run: () => void;
  /** Releases what `prepare` allocated outside the garbage collector (e.g. tfjs tensors). */
  readonly dispose: () => void;
  /**
   * Computes the heatmaps once more and returns them as float64 in the input's layout `[batch, ...inputShape]`;
   * untimed, used by the bench to check results (the peers against an independent gradient × input).
   */
  readonly heatmaps?: () => Float64Array;
  /** Number of live library-managed buffers, when the library has them: used to check that memory stays flat. */
  readonly liveTensors?: () => number;
}

/** Who computes the heatmaps: the dtd explanation (deep Taylor) or a peer library (gradient × input). */
export type ImplKind = "dtd" | "peer";

/** An implementation under benchmark. */
export interface Impl {
  /** Row name in the output, e.g. `"dtd"`, `"tfjs-cpu"`. */
  readonly name: string;
  readonly kind: ImplKind;
  /** The dtypes this implementation computes in; a peer without float64 is run in float32 only. */
  readonly dtypes: readonly DType[];
  /** Called once before the implementation's jobs (e.g. select a backend). */
  readonly setup: () => Promise<void>;
  /** Short description of the implementation's environment for the meta block (e.g. backend flags). */
  readonly describe: () => Promise<Record<string, string | number | boolean>>;
  /** Prepares a job; throws when the job is not supported (e.g. an unknown layer kind). */
  readonly prepare: (job: Job) => Prepared;
}
