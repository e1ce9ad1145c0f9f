/**
 * Model files on disk (Node only: the rest of the package is pure and runs in browsers). Synchronous, like
 * the CLI that uses it; an I/O failure becomes a FileError naming the path.
 * @module
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type DecodedModel, parseModel } from "./decode.ts";
import type { Base64Reader } from "./internal/base64.ts";
import { type EncodeOptions, stringifyModel } from "./encode.ts";
import { metadataProblem } from "./internal/metadata.ts";
import { formatError, type ModelFileError } from "./ModelFileError.ts";

/** A FileError from what fs threw: Node's "ENOENT: no such file or directory, open '…'" becomes its middle part. */
const fileError = (path: string, operation: "read" | "write", u: unknown): ModelFileError => {
  const code = typeof u === "object" && u !== null && "code" in u && typeof u.code === "string" ? u.code : undefined;
  const message = u instanceof Error ? u.message : String(u);
  const reason = /^[A-Z0-9_]+: (.*?), \w+ '.*'$/s.exec(message)?.[1] ?? message;
  return { _tag: "FileError", path, operation, code, reason };
};

/**
 * Node's base64 decoder (Buffer, native) as model-io's `DecodeOptions.base64`: the bytes of a text it reads exactly
 * as model-io's strict decoder does, several times faster (a model file's weights are megabytes of base64, read at
 * every start of the CLI). Buffer is lenient — it skips characters outside the alphabet, reads the URL-safe `-`
 * and `_`, and reads a character beyond Latin-1 by its low byte ("Ł" as "A") — so it vouches only for a text that
 * is exactly the base64 of the bytes it decoded (encoding them again gives the text back, a few milliseconds):
 * such a text is canonical base64, which the strict decoder reads into the same bytes. Any other text is left
 * to the strict decoder, which reads it (non-zero padding bits) or says what is wrong with it.
 */
export const nodeBase64: Base64Reader = (text) => {
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
};

/** Reads and decodes a model file (base64 tensors through Node's decoder). */
export const readModelFile = (path: string): E.Either<ModelFileError, DecodedModel> => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (u) {
    return E.left(fileError(path, "read", u));
  }
  return parseModel(text, { base64: nodeBase64 });
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

/** A failing case of a property test: a model, its inputs, the sample that fails and why (the deep-taylor kit's `Counterexample`). */
export interface FailingCase {
  readonly model: L.Model;
  readonly x: T.Tensor;
  readonly sample: number;
  readonly description: string;
}

/**
 * Writes a failing case as files `dtd check` opens: `<dir>/<name>.model.json` (a model file whose metadata holds
 * the description) and `<dir>/<name>.input.json` (the failing sample, nested in the model's input shape).
 */
export const writeFailingCase = (dir: string, name: string, c: FailingCase): E.Either<ModelFileError, { readonly model: string; readonly input: string }> => {
  const model = join(dir, `${name}.model.json`);
  const input = join(dir, `${name}.input.json`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (u) {
    return E.left(fileError(dir, "write", u));
  }
  const written = writeModelFile(model, c.model, { metadata: { counterexample: c.description } });
  if (E.isLeft(written)) return written;
  const shape = c.x.shape.slice(1);
  const sample = T.slice(c.x, [c.sample, ...shape.map(() => 0)], [1, ...shape]);
  try {
    writeFileSync(input, `${JSON.stringify(T.toNested(T.reshape(sample, shape)))}\n`, "utf8");
  } catch (u) {
    return E.left(fileError(input, "write", u));
  }
  return E.right({ model, input });
};

/**
 * A `save` hook for the deep-taylor kit (`Kit.checkRule(rule, { save: counterexampleSaver("out") })`): each failing
 * property's smallest counterexample goes to `<dir>/<property>.model.json` and `.input.json`, and the report says
 * where and how to open them.
 */
export const counterexampleSaver =
  (dir: string) =>
  (c: FailingCase, property: string): string => {
    const r = writeFailingCase(dir, property, c);
    return E.isLeft(r) ? `not saved: ${formatError(r.left)}` : `${r.right.model} and ${r.right.input} (dtd check --model ${r.right.model} --input ${r.right.input} --rule …)`;
  };
