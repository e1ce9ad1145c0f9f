/**
 * What an implementation plugs into the benchmark: given a job (net, rule, batch, dtype, input), it prepares
 * what computes one batch of heatmaps, forward pass included. In this process that is a closure the harness
 * times; a peer in another process (PyTorch) times its own calls with the same loop and returns the samples.
 * Everything that is not per-call work (casting weights and inputs, building graphs, allocating buffers) belongs
 * in `prepare`, outside the timing.
 * @module
 */
import type { DType } from "@dtd/tensor";
import type { Timing, TimingOptions } from "./harness.ts";
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

interface PreparedCommon {
  /** Releases what `prepare` allocated outside the garbage collector (e.g. tfjs tensors). */
  readonly dispose: () => void;
  /**
   * Computes the heatmaps once more and returns them as float64 in the input's layout `[batch, ...inputShape]`;
   * untimed, used by the bench to check results (each peer against an independent computation of its method).
   */
  readonly heatmaps?: () => Float64Array | Promise<Float64Array>;
  /** Number of live library-managed buffers, when the library has them: used to check that memory stays flat. */
  readonly liveTensors?: () => number;
}

/** A prepared configuration: `run` computes the whole batch of heatmaps once (timed by the harness), or
 * `measure` times such calls where they run (another process) with the harness's loop. */
export type Prepared = PreparedCommon & ({ readonly run: () => void } | { readonly measure: (timing: TimingOptions) => Promise<Timing> });

/** Who computes the heatmaps: the dtd explanation (deep Taylor) or a peer library. */
export type ImplKind = "dtd" | "peer";

/** The explanation an implementation computes: what its heatmaps are checked against. */
export type Method = "deepTaylor" | "gradientTimesInput";

/** An implementation under benchmark. */
export interface Impl {
  /** Row name in the output, e.g. `"dtd"`, `"tfjs-cpu"`, `"torch-dt-1t"`. */
  readonly name: string;
  readonly kind: ImplKind;
  readonly method: Method;
  /** The peer this row is compared as (ratios divide by the fastest row of a group), e.g. "tfjs" for both tfjs
   * backends; the implementation's name when absent. */
  readonly group?: string;
  /** Threads the implementation computes with. */
  readonly threads: number;
  /** The dtypes this implementation computes in; a peer without float64 is run in float32 only. */
  readonly dtypes: readonly DType[];
  /** Called once before the implementation's jobs (e.g. start a process, select a backend); a string says why
   * the implementation cannot run here (it is then skipped with that note). */
  readonly setup: () => Promise<string | undefined>;
  /** Called before each of the implementation's jobs when several implementations share one library state (e.g.
   * the active tfjs backend). */
  readonly activate?: () => Promise<void>;
  /** Short description of the implementation's environment for the meta block (e.g. backend flags). */
  readonly describe: () => Promise<Record<string, string | number | boolean>>;
  /** Prepares a job; throws when the job is not supported (e.g. an unknown layer kind). */
  readonly prepare: (job: Job) => Prepared | Promise<Prepared>;
}
