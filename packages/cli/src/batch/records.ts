/**
 * The JSONL records of `dtd explain` over many inputs: one line per input, in input order —
 * `{"index": i, "f": …, "relevance": […], "conservationError": …, "minRelevance": …, "consistent": …,
 * "biasRelevance": …}` (the object of `dtd explain --json`, after the input's index, and `"file"` for a folder's
 * files, `"warnings"` when --lenient tolerated some), or `{"index": i, "error": "…", "kind": "…"}`. Numbers keep
 * their full float64 precision; a non-finite one is written by name ("NaN", "Infinity"), as --json does.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as DT from "@dtd/deep-taylor";
import { type Heatmap, type InputError, type Outcome, inputMessage } from "@dtd/parallel";
import { type ExplainJson, toJson } from "../explainJson.ts";

/** What the summary needs of one record. */
export type RecordStats =
  | { readonly _tag: "Explained"; readonly f: number; readonly conservationError: number; readonly minRelevance: number; readonly consistent: boolean; readonly biasRelevance: number }
  | { readonly _tag: "Failed"; readonly kind: string; readonly message: string };

/** The error of an input, without the "input i: " that the record's index already says. */
const errorText = (e: InputError): string => inputMessage(e).replace(/^input \d+: /, "");

/** The record of an outcome, as one line of JSON (no newline). */
export const recordLine = (o: Outcome<unknown>, file: string | undefined): string => {
  const head = { index: o.index, ...(file === undefined ? {} : { file }) };
  if (E.isLeft(o.result)) return JSON.stringify({ ...head, error: errorText(o.result.left), kind: o.result.left._tag });
  const h: Heatmap = o.result.right;
  const warnings = h.warnings.map(DT.message);
  return JSON.stringify({ ...head, ...toJson({ f: h.f, R: h.R, consistency: h.consistency, biasRelevance: h.biasRelevance }), ...(warnings.length === 0 ? {} : { warnings }) });
};

/** The summary's view of an outcome. */
export const statsOf = (o: Outcome<unknown>): RecordStats =>
  E.isLeft(o.result)
    ? { _tag: "Failed", kind: o.result.left._tag, message: inputMessage(o.result.left) }
    : {
        _tag: "Explained",
        f: o.result.right.f,
        conservationError: o.result.right.consistency.conservationError,
        minRelevance: o.result.right.consistency.minRelevance,
        consistent: o.result.right.consistency.consistent,
        biasRelevance: o.result.right.biasRelevance,
      };

const num = (v: unknown): number => (typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN);

/** The summary's view of a record read back from a file (for --resume and `dtd merge`), or why it is not a record. */
export const statsOfRecord = (record: unknown): E.Either<string, RecordStats> => {
  if (typeof record !== "object" || record === null || Array.isArray(record)) return E.left("expected a JSON object");
  const r = record as Partial<ExplainJson> & { readonly error?: unknown; readonly kind?: unknown; readonly index?: unknown };
  if (typeof r.index !== "number") return E.left('expected an "index"');
  if (typeof r.error === "string") return E.right({ _tag: "Failed", kind: typeof r.kind === "string" ? r.kind : "unknown", message: `input ${r.index}: ${r.error}` });
  if (r.f === undefined || typeof r.consistent !== "boolean") return E.left('expected "f" and "consistent", or "error"');
  return E.right({ _tag: "Explained", f: num(r.f), conservationError: num(r.conservationError), minRelevance: num(r.minRelevance), consistent: r.consistent, biasRelevance: num(r.biasRelevance ?? 0) });
};
