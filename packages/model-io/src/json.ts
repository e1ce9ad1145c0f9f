/**
 * Reading JSON text strictly, for model files and for the data files of the tools built on them: a syntax
 * error with its line, column and an excerpt; a field given twice (JSON.parse keeps the last one, so a refused
 * value could hide behind an accepted one); a number beyond ±1.8e308 (JSON.parse reads it as ±Infinity). Each
 * refusal names the JSON path. Pure (no Node API); any nesting depth.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { findValueProblem, invalidJson, lineColumn, type PathStep } from "./internal/jsonSyntax.ts";
import { formatError, type ModelFileError } from "./ModelFileError.ts";

export type { PathStep } from "./internal/jsonSyntax.ts";

/** Why a text is not JSON that reads back faithfully. */
export type JsonError =
  | Extract<ModelFileError, { _tag: "InvalidJson" }>
  | { readonly _tag: "DuplicateKey"; readonly path: readonly PathStep[]; readonly key: string; readonly line: number; readonly column: number }
  | { readonly _tag: "NumberOverflow"; readonly path: readonly PathStep[]; readonly literal: string; readonly line: number; readonly column: number };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A path as `layers[0].bias` (after `root`, e.g. "$" for `$[2][0]`); field names that are not identifiers are quoted. */
export const formatPath = (path: readonly PathStep[], root = ""): string => {
  let out = root;
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (IDENTIFIER.test(step)) out += out === "" ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
};

/** Parses JSON text (a leading byte-order mark is ignored), refusing duplicate fields and overflowing numbers. */
export const parseJson = (text: string): E.Either<JsonError, unknown> => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (u) {
    return E.left(invalidJson(body, u instanceof Error ? u.message : String(u)));
  }
  const problem = findValueProblem(body);
  if (problem === undefined) return E.right(value);
  const at = lineColumn(body, problem.position);
  return E.left(problem._tag === "DuplicateKey" ? { _tag: "DuplicateKey", path: problem.path, key: problem.key, ...at } : { _tag: "NumberOverflow", path: problem.path, literal: problem.literal, ...at });
};

/** Where a value problem is: the number itself, or the object that holds the field twice. */
export const valueProblemPath = (e: Exclude<JsonError, { _tag: "InvalidJson" }>): readonly PathStep[] => (e._tag === "DuplicateKey" ? e.path.slice(0, -1) : e.path);

/** What was expected and found at the problem's path (value problems), in words. */
export const describeValueProblem = (e: Exclude<JsonError, { _tag: "InvalidJson" }>): { readonly expected: string; readonly found: string } =>
  e._tag === "DuplicateKey"
    ? { expected: `each field once`, found: `a second field ${JSON.stringify(e.key)} (line ${e.line}, column ${e.column}; JSON.parse would keep the last one silently)` }
    : { expected: "a finite number (|x| ≤ 1.7976931348623157e308)", found: `${e.literal} (line ${e.line}, column ${e.column}), which JSON.parse reads as ${Number(e.literal)}` };

/** One line for a human: where and what (a syntax error keeps its excerpt lines). */
export const formatJsonError = (e: JsonError, root = "$"): string => {
  if (e._tag === "InvalidJson") return formatError(e);
  const { expected, found } = describeValueProblem(e);
  return `${formatPath(valueProblemPath(e), root) || "(top level)"}: expected ${expected}, found ${found}`;
};
