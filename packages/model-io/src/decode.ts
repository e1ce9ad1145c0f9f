/**
 * Reading a model file: JSON → a `Model` of @dtd/layers. Pure (no Node API): it runs in browsers.
 *
 * The order of checks: the file is JSON (`parseModel`); it is an object with `"format": "dtd-model"`; its
 * `version` is one this dtd reads; every field decodes (io-ts, every problem reported with its JSON path);
 * the layers chain (`L.build`: shape inference); no buffer of a forward pass exceeds MAX_ACTIVATION_SIZE values
 * per sample.
 * A model returned in `Right` therefore runs: `L.forward(model, T.zeros([n, ...inputShape], dtype))` succeeds.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import * as F from "./internal/fields.ts";
import { layer } from "./internal/layerCodec.ts";
import { sizeProblem } from "./internal/limits.ts";
import { record } from "./internal/record.ts";
import { describe, field, isObject, toProblems } from "./internal/report.ts";
import { describeValueProblem, formatPath, parseJson, valueProblemPath } from "./json.ts";
import type { ModelFileError, Problem } from "./ModelFileError.ts";
import { FORMAT, SUPPORTED_VERSIONS, VERSION } from "./ModelFileJson.ts";

/** A decoded file: the model (shapes inferred), its free-form metadata (`{}` when absent) and the dtype it was built in. */
export interface DecodedModel {
  readonly model: L.Model;
  readonly metadata: Record<string, unknown>;
  readonly dtype: T.DType;
}

export { MAX_ACTIVATION_SIZE } from "./internal/limits.ts";

/** The io-ts codec of a whole file whose tensors are built in `dtype`. */
const fileCodec = (dtype: T.DType) =>
  record(
    "a dtd model file",
    { format: t.literal(FORMAT), version: t.literal(VERSION), inputShape: F.inputShape, layers: t.array(layer(dtype), "an array of layers") },
    { dtype: F.dtype, metadata: F.metadata },
  );

const invalid = (problems: readonly Problem[]): E.Either<ModelFileError, never> => E.left({ _tag: "InvalidModel", problems });

/** A LayerError from `L.build` as a model-file error naming the layer and both shapes. */
const fromLayerError = (e: L.LayerError, layers: L.Sequential): ModelFileError => {
  if (e._tag === "IncompatibleLayers") {
    return { _tag: "IncompatibleLayers", index: e.index, kind: e.kind, previous: e.index > 0 ? layers[e.index - 1]?.kind : undefined, inputShape: e.inputShape, reason: e.reason };
  }
  const path = e._tag === "InvalidLayer" && e.index >= 0 ? `layers[${e.index}]` : "inputShape";
  return { _tag: "InvalidModel", problems: [{ path, expected: "a model that @dtd/layers can build", found: L.message(e) }] };
};

/** Decodes a parsed JSON value into a model, or says everything that is wrong with it. */
export const decodeModel = (json: unknown): E.Either<ModelFileError, DecodedModel> => {
  if (!isObject(json)) return invalid([{ path: "", expected: `a dtd model file: a JSON object with "format": ${JSON.stringify(FORMAT)}`, found: describe(json) }]);
  const format = field(json, "format");
  if (format !== FORMAT) return invalid([{ path: "format", expected: JSON.stringify(FORMAT), found: describe(format) }]);
  const version = field(json, "version");
  if (typeof version === "number" && !SUPPORTED_VERSIONS.includes(version)) return E.left({ _tag: "UnsupportedVersion", found: version, supported: SUPPORTED_VERSIONS });
  const declared = field(json, "dtype");
  // A bad dtype is reported by the codec; the tensors are still checked, in float64.
  const dtype: T.DType = T.isDType(declared) ? declared : "float64";
  const decoded = fileCodec(dtype).decode(json);
  if (E.isLeft(decoded)) return invalid(toProblems(decoded.left));
  const file = decoded.right;
  const built = L.build(file.inputShape, file.layers);
  if (E.isLeft(built)) return E.left(fromLayerError(built.left, file.layers));
  const tooLarge = sizeProblem(built.right);
  if (tooLarge) return invalid([tooLarge]);
  return E.right({ model: built.right, metadata: file.metadata ?? {}, dtype });
};

/**
 * Parses a model file's text (JSON; a leading byte-order mark is ignored) and decodes it. A field given twice and
 * a number beyond ±1.8e308 are refused with their JSON path, before anything is decoded.
 */
export const parseModel = (text: string): E.Either<ModelFileError, DecodedModel> => {
  const json = parseJson(text);
  if (E.isRight(json)) return decodeModel(json.right);
  const e = json.left;
  if (e._tag === "InvalidJson") return E.left(e);
  return invalid([{ path: formatPath(valueProblemPath(e)), ...describeValueProblem(e) }]);
};
