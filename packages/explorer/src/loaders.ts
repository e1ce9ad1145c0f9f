/**
 * Opening a model file: the format is told from the file (a dtd model file, a TF.js model.json with its weight
 * shards, an ONNX file), and each format has one loader in a table keyed by format — a format without a loader
 * does not compile. dtd files are read by @dtd/model-io; TF.js and ONNX by @dtd/import, loaded only when such a
 * file is opened (it brings a protobuf decoder), and imported in float64 so that the checks are exact.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import { formatError, parseModel } from "@dtd/model-io";

/** The formats the page opens. */
export type ModelFormat = "dtd" | "tfjs" | "onnx";

/** The files the user gave: the model file, and the others (TF.js weight shards) by name. */
export interface ModelFiles {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly others: ReadonlyMap<string, Uint8Array>;
}

/** A model ready to explain. */
export interface LoadedModel {
  readonly model: L.Model;
  readonly name: string;
  readonly format: ModelFormat;
  /** The model file's metadata (dtd files; {} otherwise). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** What the import changed or dropped (e.g. a final softmax), for the page. */
  readonly notes: readonly string[];
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** The format of a file: JSON with `"format": "dtd-model"` is dtd, other JSON is TF.js, anything else ONNX. */
export const detectFormat = (files: ModelFiles): ModelFormat => {
  const head = utf8.decode(files.bytes.subarray(0, 4096)).replace(/^\uFEFF/, "").trimStart();
  if (!head.startsWith("{")) return "onnx";
  return /"format"\s*:\s*"dtd-model"/.test(head) ? "dtd" : "tfjs";
};

/** TF.js and ONNX, through @dtd/import (a separate chunk, fetched the first time). */
const imported = async (files: ModelFiles, format: ModelFormat): Promise<E.Either<string, LoadedModel>> => {
  const I = await import("@dtd/import");
  const r = I.importModel(files.bytes, { name: files.name, readFile: (path) => files.others.get(path.split("/").pop() ?? path), dtype: "float64" });
  return E.bimap(I.message, (m: { readonly model: L.Model; readonly ir: { readonly notes: readonly string[] } }) => ({ model: m.model, name: files.name, format, metadata: {}, notes: m.ir.notes }))(r);
};

/** One loader per format. */
export const loaders: { readonly [F in ModelFormat]: (files: ModelFiles) => Promise<E.Either<string, LoadedModel>> } = {
  dtd: async (files) =>
    E.bimap(formatError, (d: { readonly model: L.Model; readonly metadata: Record<string, unknown> }) => ({ model: d.model, name: files.name, format: "dtd" as const, metadata: d.metadata, notes: [] }))(
      parseModel(utf8.decode(files.bytes)),
    ),
  tfjs: (files) => imported(files, "tfjs"),
  onnx: (files) => imported(files, "onnx"),
};

/** Opens a model from its files, whatever the format. */
export const loadModel = (files: ModelFiles): Promise<E.Either<string, LoadedModel>> => loaders[detectFormat(files)](files);
