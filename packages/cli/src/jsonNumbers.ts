/**
 * Reading numbers from JSON files: a flat array of numbers, or a rectangular nested array flattened row-major
 * (so `[[1, 2], [3, 4]]` reads as 1, 2, 3, 4). Every refusal names the JSON path and says what was found —
 * including `null`, which is what `JSON.stringify` writes for NaN and ±Infinity, a number beyond the float64 (or
 * the model's float32) range, and a field given twice.
 * @module
 */
import { readFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { formatJsonError, formatPath, type JsonError, parseJson as parseStrict, type PathStep } from "@dtd/model-io";
import { unravel } from "./format.ts";

const NUMERAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** True for a decimal numeral such as "-1", "0.5", "2e-3" (not "", "0x10", "Infinity", which Number() also reads). */
export const isNumeral = (s: string): boolean => NUMERAL.test(s.trim());

/** What a JSON value is, for messages. */
export const describe = (v: unknown): string => {
  if (v === null) return "null (JSON has no NaN or Infinity: JSON.stringify writes them as null)";
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)})`;
  if (typeof v === "object") return "an object";
  return `a ${typeof v} (${String(v)})`;
};

/** Options of {@link flattenNumbers}. */
export interface FlattenOptions {
  /** The dtype the numbers will be stored in: a float32 model refuses |x| > 3.4e38 (default float64). */
  readonly dtype?: T.DType;
  /** The path of `value` itself in messages (default "$", the whole file). */
  readonly root?: string;
}

/** A JSON path for a message, its middle elided when it is very deep (a 10,000-level nesting must not print 10,000 steps). */
const pathText = (path: readonly PathStep[], root: string): string =>
  path.length <= 16 ? formatPath(path, root) : `${formatPath(path.slice(0, 8), root)}…(${path.length - 12} more levels)…${formatPath(path.slice(-4))}`;

/**
 * The numbers of a flat or rectangular nested array, row-major (nesting of every depth: the walk is iterative), each a
 * number that fits `dtype`. Refusals name the JSON path.
 */
export const flattenNumbers = (value: unknown, opts: FlattenOptions = {}): E.Either<string, Float64Array> => {
  const root = opts.root ?? "$";
  if (!Array.isArray(value)) return E.left(`expected a JSON array of numbers at ${root}, found ${describe(value)}`);
  const flat = T.flattenNested(value);
  if (E.isLeft(flat)) {
    const p = flat.left;
    return E.left(`expected ${p.expected} at ${pathText(p.path, root)}, found ${Array.isArray(p.found) ? `length ${p.found.length}` : describe(p.found)}`);
  }
  const { shape, data } = flat.right;
  const dtype = opts.dtype ?? "float64";
  for (let k = 0; k < data.length; k++) {
    if (!T.fitsDType(data[k]!, dtype)) {
      const at = pathText(unravel(k, shape), root);
      return E.left(`expected a number within the ${dtype} range (|x| ≤ ${T.maxFinite(dtype)}, the model's dtype) at ${at}, found ${data[k]}`);
    }
  }
  return E.right(Float64Array.from(data));
};

/**
 * Parses JSON text strictly (@dtd/model-io's parseJson): a syntax error with its line and column, a field given
 * twice, a number beyond ±1.8e308 — each with its JSON path — instead of JSON.parse's silent last-wins and
 * Infinity.
 */
export const parseJson = (text: string): E.Either<string, unknown> =>
  E.mapLeft((e: JsonError) => {
    const hint = e._tag === "InvalidJson" && /\b(NaN|-?Infinity)\b/.test(text) ? "\n(NaN and Infinity are not JSON numbers)" : "";
    return `${e._tag === "InvalidJson" ? "expected JSON, found text that does not parse: " : ""}${formatJsonError(e)}${hint}`;
  })(parseStrict(text));

/** The system's reason a file could not be read, in words ("no such file", "it is a directory", else its message). */
export const fileProblem = (u: unknown): string => {
  const code = (u as { readonly code?: unknown }).code;
  return code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : u instanceof Error ? u.message : String(u);
};

/** Reads a file's bytes; the message names the path and the system's reason (e.g. no such file). */
export const readBytes = (path: string): E.Either<string, Uint8Array> => {
  try {
    return E.right(readFileSync(path));
  } catch (u) {
    return E.left(`cannot read ${path}: ${fileProblem(u)}`);
  }
};

/** Reads a JSON file of numbers (flat or nested), with the path in every message. */
export const readNumbersFile = (path: string, opts: FlattenOptions = {}): E.Either<string, Float64Array> =>
  E.flatMap(readBytes(path), (bytes) =>
    E.mapLeft((m: string) => `${path}: ${m}`)(E.flatMap(parseJson(new TextDecoder().decode(bytes)), (v) => flattenNumbers(v, opts))),
  );
