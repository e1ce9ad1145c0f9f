/**
 * Reading the model of a command: a dtd model file (via @dtd/model-io), or a model made elsewhere — a TF.js
 * model.json (layers or graph, its weight shards read from beside it) or an ONNX file — imported with
 * @dtd/import. Every refusal is a failure (exit 1) carrying the reader's message, which names the JSON path or
 * the node, what was expected and what was found.
 * @module
 */
import { readFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type * as T from "@dtd/tensor";
import type { ImportedModel } from "@dtd/import";
import { type DecodedModel, decodeModel, parseJson, parseModel } from "@dtd/model-io";
import { nodeBase64, readModelFile } from "@dtd/model-io/file";
import { formatError, type ModelFileError } from "@dtd/model-io";
import { type CliError, failure } from "./CliError.ts";
import { type ImportedInfo, infoFromMetadata, infoOf } from "./imported.ts";

/** A model with the metadata its file carries, and the dtype it was built in (its inputs' dtype). */
export interface Loaded {
  readonly model: L.Model;
  readonly metadata: unknown;
  readonly dtype: T.DType;
  /** For an imported model (directly, or a dtd model file written by `dtd import`): what the import settled. */
  readonly imported?: ImportedInfo;
}

/** Options of loading. */
export interface LoadOptions {
  /** The dtype an imported model is built in (default float64, the precision consistency checks need). */
  readonly dtype?: T.DType;
  /** The per-sample input shape of an imported model whose file leaves the size unknown (the file's layout). */
  readonly inputShape?: readonly number[];
  /** The output of an imported model with several (by name; see @dtd/import's ImportOptions.output). */
  readonly output?: string;
}

/** The file's bytes; an unreadable file is reported as model-io reports it (the path and the reason). */
const readBytes = (path: string): E.Either<CliError, Uint8Array> => {
  try {
    return E.right(new Uint8Array(readFileSync(path)));
  } catch {
    const r = readModelFile(path);
    return E.left(failure(E.isLeft(r) ? formatError(r.left) : `cannot read ${path}`));
  }
};

/** True when a parsed JSON value is a dtd model file (`"format": "dtd-model"`) rather than a TF.js model.json. */
const isDtdValue = (o: unknown): boolean => typeof o === "object" && o !== null && (o as Readonly<Record<string, unknown>>)["format"] === "dtd-model";

/**
 * A JSON text read as a dtd model file: the decoded model; Left with model-io's refusal when the text is a dtd
 * model file that does not decode or is not JSON at all (model-io says where the syntax breaks); undefined when it
 * is JSON of another kind (a TF.js model.json). The text is parsed once when it reads (a 6.7 MB model file: two
 * parses cost ~30 ms more); a refusal is worded by model-io's `parseModel`, as for a file read on its own.
 */
const asDtdModel = (text: string): E.Either<ModelFileError, DecodedModel> | undefined => {
  const json = parseJson(text);
  // The weights' base64 through Node's decoder (model-io's own is pure JavaScript, for browsers): ~80 ms less at
  // each start with the MNIST demo's 6.7 MB model, on the path every worker of `dtd explain --workers` waits for.
  if (E.isRight(json)) return isDtdValue(json.right) ? decodeModel(json.right, { base64: nodeBase64 }) : undefined;
  if (json.left._tag === "InvalidJson") return parseModel(text);
  // Valid JSON that reads back unfaithfully (a field twice, an overflowing number): model-io refuses a dtd model
  // file for it; a TF.js file goes to its importer as before.
  return isDtdValue(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)) ? parseModel(text) : undefined;
};

/** True when the bytes start, after whitespace or a byte-order mark, with `{`. */
const startsAsJson = (bytes: Uint8Array): boolean => /^\uFEFF?\s*\{/.test(new TextDecoder().decode(bytes.subarray(0, 64)));

/**
 * Reads a model file of any kind dtd reads. Asynchronous because a file that is not a dtd model file loads the
 * importer first (`importFile.ts`: @dtd/import is not loaded at all for a dtd model file).
 */
export const loadModel = async (path: string, opts: LoadOptions = {}): Promise<E.Either<CliError, Loaded>> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return bytes;
  const text = startsAsJson(bytes.right) ? new TextDecoder().decode(bytes.right) : undefined;
  const dtd = text === undefined ? undefined : asDtdModel(text);
  if (dtd !== undefined) {
    return E.bimap(
      (e: ModelFileError) => failure(`model file ${path}: ${formatError(e).replace(/\n/g, "\n  ")}`),
      (r: DecodedModel): Loaded => {
        const imported = infoFromMetadata(r.metadata);
        return { model: r.model, metadata: r.metadata, dtype: r.dtype, ...(imported === undefined ? {} : { imported }) };
      },
    )(dtd);
  }
  const { importFile } = await import("./importFile.ts");
  return E.map((m: ImportedModel): Loaded => ({ model: m.model, metadata: {}, dtype: opts.dtype ?? "float64", imported: infoOf(m.ir, path) }))(importFile(path, bytes.right, opts));
};

/** Feature names from a model's metadata, when it has a string array `featureNames` (or `inputNames`). */
export const featureNames = (metadata: unknown): readonly string[] | undefined => {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  for (const key of ["featureNames", "inputNames"]) {
    const v = (metadata as Readonly<Record<string, unknown>>)[key];
    if (Array.isArray(v) && v.every((s): s is string => typeof s === "string")) return v;
  }
  return undefined;
};
