/**
 * Importing a model made elsewhere — a TF.js model.json (layers or graph, its weight shards read from beside it)
 * or an ONNX file — with @dtd/import. A module of its own because @dtd/import (with protobufjs) is ~15 ms of the
 * CLI's start-up: `loadModel` loads it only for a file that is not a dtd model file.
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { type ImportError, importModel, type ImportedModel, message as importMessage } from "@dtd/import";
import { type CliError, failure } from "./CliError.ts";
import type { LoadOptions } from "./loadModel.ts";

/** Imports a TF.js or ONNX file, its shards read from its directory. */
export const importFile = (path: string, bytes: Uint8Array, opts: LoadOptions = {}): E.Either<CliError, ImportedModel> => {
  const dir = dirname(path);
  const r = importModel(bytes, {
    name: path,
    dtype: opts.dtype ?? "float64",
    ...(opts.inputShape === undefined ? {} : { inputShape: opts.inputShape }),
    ...(opts.output === undefined ? {} : { output: opts.output }),
    readFile: (p) => {
      try {
        return new Uint8Array(readFileSync(join(dir, p)));
      } catch {
        return undefined;
      }
    },
  });
  return E.mapLeft((e: ImportError) => failure(importMessage(e)))(r);
};
