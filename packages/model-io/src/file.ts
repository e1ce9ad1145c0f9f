/**
 * Model files on disk (Node only: the rest of the package is pure and runs in browsers). Synchronous, like
 * the CLI that uses it; an I/O failure becomes a FileError naming the path.
 * @module
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import { type DecodedModel, parseModel } from "./decode.ts";
import { type EncodeOptions, stringifyModel } from "./encode.ts";
import { metadataProblem } from "./internal/metadata.ts";
import type { ModelFileError } from "./ModelFileError.ts";

/** A FileError from what fs threw: Node's "ENOENT: no such file or directory, open '…'" becomes its middle part. */
const fileError = (path: string, operation: "read" | "write", u: unknown): ModelFileError => {
  const code = typeof u === "object" && u !== null && "code" in u && typeof u.code === "string" ? u.code : undefined;
  const message = u instanceof Error ? u.message : String(u);
  const reason = /^[A-Z0-9_]+: (.*?), \w+ '.*'$/s.exec(message)?.[1] ?? message;
  return { _tag: "FileError", path, operation, code, reason };
};

/** Reads and decodes a model file. */
export const readModelFile = (path: string): E.Either<ModelFileError, DecodedModel> => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (u) {
    return E.left(fileError(path, "read", u));
  }
  return parseModel(text);
};

/**
 * Writes a model file (see `stringifyModel`); parameters that are not finite (a diverged training) and metadata
 * that a file cannot hold faithfully (NaN, nesting deeper than MAX_METADATA_DEPTH, class instances) are refused
 * first, with their path, and nothing is written. The text goes to a temporary file beside `path`, which is then
 * renamed over it, so a failed write never leaves half a model behind.
 */
export const writeModelFile = (path: string, model: L.Model, opts?: EncodeOptions): E.Either<ModelFileError, void> => {
  // A NaN weight would be written as null (nested) or as NaN bytes (base64), and the file refused when read back.
  const params = L.paramsProblem(model.layers);
  if (params !== undefined) {
    const at = params._tag === "InvalidLayer" && params.index >= 0 ? `layers[${params.index}]` : "layers";
    return E.left({ _tag: "InvalidModel", problems: [{ path: at, expected: "finite parameters of one dtype", found: L.message(params) }] });
  }
  const bad = opts?.metadata === undefined ? undefined : metadataProblem(opts.metadata);
  if (bad !== undefined) return E.left({ _tag: "InvalidModel", problems: [bad] });
  const text = stringifyModel(model, opts);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, "utf8");
    renameSync(tmp, path);
    return E.right(undefined);
  } catch (u) {
    rmSync(tmp, { force: true });
    return E.left(fileError(path, "write", u));
  }
};
