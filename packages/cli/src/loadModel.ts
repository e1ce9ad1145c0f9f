/**
 * Reading the model of a command: a dtd model file (via @dtd/model-io), or a model made elsewhere — a TF.js
 * model.json (layers or graph, its weight shards read from beside it) or an ONNX file — imported with
 * @dtd/import. Every refusal is a failure (exit 1) carrying the reader's message, which names the JSON path or
 * the node, what was expected and what was found.
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type * as T from "@dtd/tensor";
import { importModel, type ImportedModel, message as importMessage } from "@dtd/import";
import { parseModel } from "@dtd/model-io";
import { formatError, type ModelFileError } from "@dtd/model-io/ModelFileError";
import { type CliError, failure } from "./CliError.ts";
import { type ImportedInfo, infoFromMetadata, infoOf } from "./imported.ts";

/** A model with the metadata its file carries. */
export interface Loaded {
  readonly model: L.Model;
  readonly metadata: unknown;
  /** For an imported model (directly, or a dtd model file written by `dtd import`): what the import settled. */
  readonly imported?: ImportedInfo;
}

/** Options of loading. */
export interface LoadOptions {
  /** The dtype an imported model is built in (default float64, the precision consistency checks need). */
  readonly dtype?: T.DType;
  /** The per-sample input shape of an imported model whose file leaves the size unknown (the file's layout). */
  readonly inputShape?: readonly number[];
}

const readBytes = (path: string): E.Either<CliError, Uint8Array> => {
  try {
    return E.right(new Uint8Array(readFileSync(path)));
  } catch (u) {
    const code = typeof u === "object" && u !== null && "code" in u ? String(u.code) : "";
    return E.left(failure(`cannot read the model file ${path}${code === "ENOENT" ? ": no such file" : `: ${u instanceof Error ? u.message : String(u)}`}`));
  }
};

/** True when a JSON text is a dtd model file (`"format": "dtd-model"`) rather than a TF.js model.json. */
const isDtdModel = (text: string): boolean => {
  try {
    const o = JSON.parse(text) as unknown;
    return typeof o === "object" && o !== null && (o as Readonly<Record<string, unknown>>)["format"] === "dtd-model";
  } catch {
    return true; // not JSON at all: model-io's reader reports where the syntax breaks
  }
};

/** Imports a TF.js or ONNX file, its shards read from its directory. */
export const importFile = (path: string, bytes: Uint8Array, opts: LoadOptions = {}): E.Either<CliError, ImportedModel> => {
  const dir = dirname(path);
  const r = importModel(bytes, {
    name: path,
    dtype: opts.dtype ?? "float64",
    ...(opts.inputShape === undefined ? {} : { inputShape: opts.inputShape }),
    readFile: (p) => {
      try {
        return new Uint8Array(readFileSync(join(dir, p)));
      } catch {
        return undefined;
      }
    },
  });
  return E.mapLeft((e: Parameters<typeof importMessage>[0]) => failure(importMessage(e)))(r);
};

/** Reads a model file of any kind dtd reads. */
export const loadModel = (path: string, opts: LoadOptions = {}): E.Either<CliError, Loaded> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return bytes;
  const isJson = bytes.right[0] === 0x7b || /^\s*(\uFEFF)?\s*\{/.test(new TextDecoder().decode(bytes.right.subarray(0, 64)));
  const text = isJson ? new TextDecoder().decode(bytes.right) : "";
  if (isJson && isDtdModel(text)) {
    return E.bimap(
      (e: ModelFileError) => failure(`model file ${path}: ${formatError(e).replace(/\n/g, "\n  ")}`),
      (r: { readonly model: L.Model; readonly metadata?: unknown }): Loaded => {
        const imported = infoFromMetadata(r.metadata);
        return { model: r.model, metadata: r.metadata, ...(imported === undefined ? {} : { imported }) };
      },
    )(parseModel(text));
  }
  return E.map((m: ImportedModel): Loaded => ({ model: m.model, metadata: {}, imported: infoOf(m.ir, path) }))(importFile(path, bytes.right, opts));
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
