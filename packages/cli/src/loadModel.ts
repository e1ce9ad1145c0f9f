/**
 * Reading the model file of a command (via @dtd/model-io). Every refusal — unreadable file, not JSON, an invalid
 * or unsupported model, layers that do not chain — is a failure (exit 1) carrying model-io's message, which names
 * the JSON path, what was expected and what was found.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type * as T from "@dtd/tensor";
import type { DecodedModel } from "@dtd/model-io";
import { readModelFile } from "@dtd/model-io/file";
import { formatError, type ModelFileError } from "@dtd/model-io/ModelFileError";
import { type CliError, failure } from "./CliError.ts";

/** A model with the metadata its file carries, and the dtype it was built in (its inputs' dtype). */
export interface Loaded {
  readonly model: L.Model;
  readonly metadata: unknown;
  readonly dtype: T.DType;
}

/** Reads and decodes a model file. */
export const loadModel = (path: string): E.Either<CliError, Loaded> =>
  E.bimap(
    (e: ModelFileError) => failure(`${e._tag === "FileError" ? "" : `model file ${path}: `}${formatError(e).replace(/\n/g, "\n  ")}`),
    (r: DecodedModel): Loaded => ({ model: r.model, metadata: r.metadata, dtype: r.dtype }),
  )(readModelFile(path));

/** Feature names from a model's metadata, when it has a string array `featureNames` (or `inputNames`). */
export const featureNames = (metadata: unknown): readonly string[] | undefined => {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  for (const key of ["featureNames", "inputNames"]) {
    const v = (metadata as Readonly<Record<string, unknown>>)[key];
    if (Array.isArray(v) && v.every((s): s is string => typeof s === "string")) return v;
  }
  return undefined;
};
