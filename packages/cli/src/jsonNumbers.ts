/**
 * Reading numbers from JSON files: a flat array of numbers, or a rectangular nested array flattened row-major
 * (so `[[1, 2], [3, 4]]` reads as 1, 2, 3, 4). Every refusal names the JSON path and says what was found —
 * including `null`, which is what `JSON.stringify` writes for NaN and ±Infinity.
 * @module
 */
import { readFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";

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

/** The numbers of a flat or rectangular nested array, row-major. */
export const flattenNumbers = (value: unknown): E.Either<string, Float64Array> => {
  if (!Array.isArray(value)) return E.left(`expected a JSON array of numbers, found ${describe(value)}`);
  // The shape is read along the first elements; every other element must follow it (rectangular nesting).
  const shape: number[] = [];
  for (let cur: unknown = value; Array.isArray(cur); cur = cur[0]) {
    shape.push(cur.length);
    if (cur.length === 0) break;
  }
  const out: number[] = [];
  const walk = (v: unknown, depth: number, path: string): string | undefined => {
    if (depth === shape.length) {
      if (typeof v !== "number") return `expected a number at ${path}, found ${describe(v)}`;
      out.push(v);
      return undefined;
    }
    if (!Array.isArray(v)) return `expected an array of length ${shape[depth]} at ${path} (rectangular nesting of shape [${shape.join(", ")}]), found ${describe(v)}`;
    if (v.length !== shape[depth]) return `expected an array of length ${shape[depth]} at ${path} (rectangular nesting of shape [${shape.join(", ")}]), found length ${v.length}`;
    for (let i = 0; i < v.length; i++) {
      const err = walk(v[i], depth + 1, `${path}[${i}]`);
      if (err !== undefined) return err;
    }
    return undefined;
  };
  const err = walk(value, 0, "$");
  return err === undefined ? E.right(Float64Array.from(out)) : E.left(err);
};

/** Parses JSON text; the message says where it broke and hints at NaN/Infinity, which JSON cannot spell. */
export const parseJson = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (u) {
    const why = (u instanceof Error ? u.message : String(u)).replace(/\s*\n\s*/g, " ");
    const hint = /\b(NaN|-?Infinity)\b/.test(text) ? " (NaN and Infinity are not JSON numbers)" : "";
    return E.left(`expected JSON, found text that does not parse: ${why}${hint}`);
  }
};

/** Reads a file's bytes; the message names the path and the system's reason (e.g. no such file). */
export const readBytes = (path: string): E.Either<string, Uint8Array> => {
  try {
    return E.right(readFileSync(path));
  } catch (u) {
    const code = (u as { readonly code?: unknown }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : u instanceof Error ? u.message : String(u);
    return E.left(`cannot read ${path}: ${why}`);
  }
};

/** Reads a JSON file of numbers (flat or nested), with the path in every message. */
export const readNumbersFile = (path: string): E.Either<string, Float64Array> =>
  E.flatMap(readBytes(path), (bytes) =>
    E.mapLeft((m: string) => `${path}: ${m}`)(E.flatMap(parseJson(new TextDecoder().decode(bytes)), flattenNumbers)),
  );
