/**
 * The entry point: the bytes of a model file (a TF.js model.json, or an .onnx file) → a dtd model, with what
 * the import settled (the dropped final activation, preprocessing, notes). TF.js weight shards are read
 * through `readFile`, so this runs wherever bytes can be had (browsers included); nothing here touches files.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import { type ImportError, invalidFile } from "./ImportError.ts";
import type { IrModel } from "./Ir.ts";
import { attempt, fail } from "./internal/fail.ts";
import { utf8 } from "./internal/text.ts";
import { importOnnx } from "./onnx/onnxModel.ts";
import { simplify } from "./simplify.ts";
import { importTfjs } from "./tfjs/modelJson.ts";
import { toDtd, type ToDtdOptions } from "./toDtd.ts";

/** Options of an import. */
export interface ImportOptions extends ToDtdOptions {
  /** The file's name, for messages (default "model"). */
  readonly name?: string;
  /** Reads a file beside the model by its relative path (TF.js weight shards); undefined when it cannot. */
  readonly readFile?: (path: string) => Uint8Array | undefined;
  /**
   * The per-sample input shape in the file's own layout (NHWC for TF.js, CHW for ONNX) when the file leaves
   * the input size unknown.
   */
  readonly inputShape?: readonly number[];
  /**
   * The output to explain when the model has several (a detector's or a multi-task net's heads): an ONNX graph
   * output (or any value a node computes), a TF.js graph's signature output key or node name, a Keras output
   * layer's name. Only what it depends on is imported.
   */
  readonly output?: string;
}

/** True when the bytes start (after whitespace or a byte-order mark) with `{` or `[`: a JSON document. */
const looksLikeJson = (bytes: Uint8Array): boolean => {
  for (let i = 0; i < Math.min(bytes.length, 64); i++) {
    const c = bytes[i]!;
    if (c === 0x7b || c === 0x5b) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf) return false;
  }
  return false;
};

const parseJson = (bytes: Uint8Array, file: string): unknown => {
  const text = utf8(bytes) ?? fail(invalidFile(file, "", "UTF-8 JSON text", "bytes that are not UTF-8"));
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(invalidFile(file, "", "a JSON document", `a syntax error (${e instanceof Error ? e.message : String(e)})`));
  }
};

/** Reads a model file into the intermediate representation (weights in dtd's layouts, shapes inferred). */
export const importIr = (bytes: Uint8Array, opts: ImportOptions = {}): E.Either<ImportError, IrModel> =>
  attempt(() => {
    const file = opts.name ?? "model";
    const shape = { ...(opts.inputShape === undefined ? {} : { inputShape: opts.inputShape }), ...(opts.output === undefined ? {} : { output: opts.output }) };
    const ir = looksLikeJson(bytes) ? importTfjs(parseJson(bytes, file), file, opts.readFile ?? (() => undefined), shape) : importOnnx(bytes, file, shape);
    return simplify(ir);
  });

/** An imported model. */
export interface ImportedModel {
  /** The dtd model: its output is the logits (the final activation dropped). */
  readonly model: L.Model;
  /** The intermediate representation it was built from (node names as in the original file). */
  readonly ir: IrModel;
}

/** Imports a model file's bytes as a dtd model. */
export const importModel = (bytes: Uint8Array, opts: ImportOptions = {}): E.Either<ImportError, ImportedModel> =>
  E.chain((ir: IrModel) => E.map((model: L.Model) => ({ model, ir }))(toDtd(ir, opts)))(importIr(bytes, opts));
