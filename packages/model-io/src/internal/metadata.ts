/**
 * What may go into a model file's `metadata`: plain JSON values (null, booleans, strings, finite numbers, arrays,
 * plain objects) nested at most MAX_METADATA_DEPTH levels. Deeper nesting is refused when a file is read, so that
 * a model that was read can always be written again (JSON.stringify overflows the call stack at a few thousand
 * levels), and before anything is written (a NaN would silently become null).
 * @module
 */
import { formatPath, type PathStep } from "../json.ts";
import type { Problem } from "../ModelFileError.ts";

/** The deepest nesting of metadata, in levels below `metadata` itself. */
export const MAX_METADATA_DEPTH = 100;

const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false;
  const proto: unknown = Object.getPrototypeOf(u);
  return proto === Object.prototype || proto === null;
};

/** The first thing in `metadata` that a model file cannot hold faithfully, with its path, or undefined. Iterative. */
export const metadataProblem = (metadata: unknown): Problem | undefined => {
  if (!isPlainObject(metadata)) return { path: "metadata", expected: "an object", found: Array.isArray(metadata) ? "an array" : String(metadata) };
  const stack: { readonly value: unknown; readonly path: readonly PathStep[] }[] = [{ value: metadata, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    const where = (): string => formatPath(path, "metadata");
    if (path.length > MAX_METADATA_DEPTH) {
      return { path: `${formatPath(path.slice(0, 8), "metadata")}…`, expected: `metadata nested at most ${MAX_METADATA_DEPTH} levels deep`, found: `nesting more than ${MAX_METADATA_DEPTH} levels deep` };
    }
    if (value === null || typeof value === "boolean" || typeof value === "string") continue;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return { path: where(), expected: "a finite number (JSON has no NaN or Infinity)", found: String(value) };
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((v: unknown, i) => stack.push({ value: v, path: [...path, i] }));
      continue;
    }
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) stack.push({ value: v, path: [...path, k] });
      continue;
    }
    return { path: where(), expected: "a JSON value (null, a boolean, a string, a finite number, an array or a plain object)", found: value === undefined ? "undefined" : typeof value === "object" ? `an object of class ${(value as object).constructor?.name ?? "unknown"}` : `a ${typeof value}` };
  }
  return undefined;
};
