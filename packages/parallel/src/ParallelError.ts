/**
 * Tagged errors of the pool: why it could not start or run (a model or composite that does not fit, options out
 * of range, a worker that could not start, a cancelled run), and why one input got no heatmap (an input the
 * pool or the worker could not read, an explanation refused, a worker that died with the input in hand). An
 * input's error never costs the other inputs theirs.
 * @module
 */
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

/** Why a pool could not start, or a run did not finish. */
export type ParallelError =
  | { readonly _tag: "InvalidModel"; readonly error: L.LayerError }
  | { readonly _tag: "InvalidComposite"; readonly error: DT.DtdError }
  | { readonly _tag: "InvalidStrategy"; readonly strategy: string; readonly reason: string }
  | { readonly _tag: "InvalidOptions"; readonly option: string; readonly expected: string; readonly found: string }
  | { readonly _tag: "WorkerFailed"; readonly worker: number; readonly reason: string }
  /** The run was cancelled (its AbortSignal fired) after `completed` inputs had been delivered. */
  | { readonly _tag: "Aborted"; readonly completed: number }
  | { readonly _tag: "Closed" };

/** Why one input has no heatmap. */
export type InputError =
  /** The input could not be read: its length, a non-finite value, or the worker's decoder refused it. */
  | { readonly _tag: "InvalidInput"; readonly index: number; readonly reason: string }
  /** Deep Taylor decomposition refused it (a violated precondition, a non-finite value, …); `sample` fields name the input's index. */
  | { readonly _tag: "Refused"; readonly index: number; readonly error: DT.DtdError }
  /** The worker explaining it died (out of memory, an exception in a custom hook) or was stopped. */
  | { readonly _tag: "WorkerFailed"; readonly index: number; readonly reason: string };

/** A one-line message. */
export const message = (e: ParallelError): string => {
  switch (e._tag) {
    case "InvalidModel":
      return `the model cannot be rebuilt in a worker: ${L.message(e.error)}`;
    case "InvalidComposite":
      return DT.message(e.error);
    case "InvalidStrategy":
      return `strategy ${e.strategy}: ${e.reason}`;
    case "InvalidOptions":
      return `option ${e.option}: expected ${e.expected}, found ${e.found}`;
    case "WorkerFailed":
      return `worker ${e.worker} failed: ${e.reason}`;
    case "Aborted":
      return `cancelled after ${e.completed} input${e.completed === 1 ? "" : "s"}`;
    case "Closed":
      return "the pool is closed";
  }
};

/** A one-line message for an input's error, naming the input. */
export const inputMessage = (e: InputError): string => {
  switch (e._tag) {
    case "InvalidInput":
      return `input ${e.index}: ${e.reason}`;
    case "Refused":
      return `input ${e.index}: ${DT.message(e.error)}`;
    case "WorkerFailed":
      return `input ${e.index}: the worker failed: ${e.reason}`;
  }
};
