/**
 * The messages between the pool and its workers. Everything survives structured cloning; the large arrays are
 * moved, not copied: a batch of inputs is transferred to the worker (or shared, when it lies in a
 * SharedArrayBuffer), the batch's heatmaps are transferred back in one buffer.
 * @module
 */
import type * as DT from "@dtd/deep-taylor";
import type { Consistency } from "@dtd/deep-taylor";
import type { CompositeSpec } from "../CompositeSpec.ts";
import type { ModelData } from "../ModelData.ts";
import type { Sample } from "../Outcome.ts";
import type { InputError, ParallelError } from "../ParallelError.ts";

/** Options every batch of a pool is explained with. */
export interface ExplainSettings {
  readonly lenient: boolean;
  readonly biasSink: boolean;
}

/** The target of one batch, per input of the batch. */
export type BatchTarget = { readonly _tag: "argmax" } | { readonly _tag: "classes"; readonly classes: readonly number[] } | undefined;

/** Pool → worker. */
export type Request =
  | {
      readonly _tag: "Init";
      readonly worker: number;
      readonly model: ModelData;
      readonly composite: CompositeSpec;
      readonly settings: ExplainSettings;
      /** For a custom worker module's hooks (`PoolOptions.workerOptions`). */
      readonly options: unknown;
    }
  | {
      readonly _tag: "Batch";
      readonly id: number;
      /** The index of the batch's first input. */
      readonly start: number;
      readonly count: number;
      /** Either the inputs packed one after the other (count × d values, in the model's dtype)… */
      readonly values?: Float64Array | Float32Array;
      /** …or one sample each. */
      readonly samples?: readonly Sample[];
      readonly target: BatchTarget;
    };

/** One input's result, without its heatmap (which travels in the batch's buffer). */
export type Item =
  | { readonly _tag: "Ok"; readonly f: number; readonly biasRelevance: number; readonly consistency: Consistency.SampleConsistency; readonly warnings: readonly DT.DtdError[] }
  | { readonly _tag: "Failed"; readonly error: InputError };

/** Worker → pool. */
export type Response =
  | { readonly _tag: "Ready"; readonly worker: number }
  | { readonly _tag: "InitFailed"; readonly worker: number; readonly error: ParallelError }
  /** The batch threw (a hook of a custom worker, or a bug): its inputs fail with the reason, the worker lives on. */
  | { readonly _tag: "Threw"; readonly id: number; readonly reason: string }
  /** R: count × d values, the heatmap of input k at [k·d, (k+1)·d) (zeros for failed inputs). */
  | { readonly _tag: "Done"; readonly id: number; readonly R: Float64Array | Float32Array; readonly items: readonly Item[]; readonly payloads: readonly unknown[] | undefined };
