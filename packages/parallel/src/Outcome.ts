/**
 * What goes into the pool and what comes out: samples (numbers in the model's input layout, or encoded records
 * a worker's decoder reads), and for each one, in input order, its heatmap with its diagnostics or why it has
 * none.
 * @module
 */
import type * as E from "fp-ts/lib/Either.js";
import type * as DT from "@dtd/deep-taylor";
import type { Consistency } from "@dtd/deep-taylor";
import type { InputError } from "./ParallelError.ts";

/**
 * An input as bytes or text for the worker to read (a JSON line, a PNG file): the worker's `decode` hook turns
 * it into numbers (`serve({ decode })`), so that parsing runs on every core too.
 */
export interface Encoded {
  readonly _tag: "Encoded";
  readonly data: string | Uint8Array;
  /** Where it came from (a file name), for the decoder's messages. */
  readonly name?: string;
}

/** One input: its values, flat in the model's input layout, or an encoded record. */
export type Sample = Float64Array | Float32Array | Encoded;

/** An encoded record. */
export const encoded = (data: string | Uint8Array, name?: string): Encoded => (name === undefined ? { _tag: "Encoded", data } : { _tag: "Encoded", data, name });

/** The explanation of one input. */
export interface Heatmap {
  /** f(x), the explained score. */
  readonly f: number;
  /** R_p, flat in the input's layout, in the model's dtype (a view: the heatmaps of one batch share a buffer). */
  readonly R: Float64Array | Float32Array;
  /** What bias sinks absorbed (0 without `biasSink`): Σ_p R_p + biasRelevance = f up to rounding. */
  readonly biasRelevance: number;
  /** Conservation and positivity (Montavon et al. 2017, Defs. 1–3) within the rounding of the model's dtype and size. */
  readonly consistency: Consistency.SampleConsistency;
  /** With `lenient`: the violated preconditions and non-finite values of this input, tolerated. */
  readonly warnings: readonly DT.DtdError[];
}

/** The result for the input at `index`, with what the worker's `encode` hook made of it (where it made something). */
export interface Outcome<P = unknown> {
  readonly index: number;
  readonly result: E.Either<InputError, Heatmap>;
  readonly payload: P | undefined;
}
