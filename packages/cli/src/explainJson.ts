/**
 * The JSON object of one explanation — `dtd explain --json`, and each record of `dtd explain` over many inputs
 * (built in the worker threads, which load this module and not the command's).
 * @module
 */

/** What a record is made of: a result of one input, or one of many (`@dtd/parallel`'s Heatmap). */
export interface ExplainedNumbers {
  readonly f: number;
  readonly R: ArrayLike<number>;
  readonly biasRelevance: number;
  readonly consistency: { readonly conservationError: number; readonly minRelevance: number; readonly consistent: boolean };
}

/** A number of the JSON output: itself, or "NaN", "Infinity", "-Infinity" (JSON has none of them; null would hide which). */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

/** The JSON object of `dtd explain --json`. */
export interface ExplainJson {
  readonly f: JsonNumber;
  readonly relevance: JsonNumber[];
  readonly conservationError: JsonNumber;
  readonly minRelevance: JsonNumber;
  readonly consistent: boolean;
  /** Deep Taylor: the relevance the biases absorbed (Σ relevance + biasRelevance = f); 0 for baselines. */
  readonly biasRelevance: JsonNumber;
}

/** A double for JSON: finite numbers as they are, the others by name (only ever printed with exit status 1). */
export const jsonNumber = (v: number): JsonNumber => (Number.isFinite(v) ? v : (String(v) as JsonNumber));

/**
 * The relevance as a JSON array. A plain loop that appends, not `Array.from(R, jsonNumber)`: the array stays a
 * packed array of unboxed doubles while every value is finite (Array.from goes through the iterator protocol and
 * boxes), which `JSON.stringify` then writes on its fast path — the same text, with ~a quarter less time per
 * record in `dtd explain` over many inputs (docs/performance.md, "Every core").
 */
const relevanceJson = (R: ArrayLike<number>): JsonNumber[] => {
  const out: JsonNumber[] = [];
  for (let i = 0; i < R.length; i++) out.push(jsonNumber(R[i]!));
  return out;
};

/** The JSON object of a result (one input's, or one of many: `@dtd/parallel`'s Heatmap): plain doubles, nothing rounded. */
export const toJson = (r: ExplainedNumbers): ExplainJson => ({
  f: jsonNumber(r.f),
  relevance: relevanceJson(r.R),
  conservationError: jsonNumber(r.consistency.conservationError),
  minRelevance: jsonNumber(r.consistency.minRelevance),
  consistent: r.consistency.consistent,
  biasRelevance: jsonNumber(r.biasRelevance),
});
