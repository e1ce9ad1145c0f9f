/**
 * Reading a model file: JSON → a `Model` of @dtd/layers. Pure (no Node API): it runs in browsers.
 *
 * The order of checks: the file is JSON (`parseModel`); it is an object with `"format": "dtd-model"`; its
 * `version` is one this dtd reads (1: a chain of layers; 2: layers with optional `name` and `inputs`, a graph);
 * every field decodes (io-ts, every problem reported with its JSON path); every input names an earlier, named
 * layer or "input"; the graph is sound and the layers fit (`L.build`: unique names, each kind's number of inputs,
 * no unused layer, shape inference); no buffer of a forward pass exceeds MAX_ACTIVATION_SIZE values per sample.
 * A model returned in `Right` therefore runs: `L.forward(model, T.zeros([n, ...inputShape], dtype))` succeeds.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import * as F from "./internal/fields.ts";
import type { Base64Reader } from "./internal/base64.ts";
import { layer, node } from "./internal/layerCodec.ts";
import { sizeProblem } from "./internal/limits.ts";
import { record } from "./internal/record.ts";
import { describe, field, isObject, toProblems } from "./internal/report.ts";
import { describeValueProblem, formatPath, parseJson, valueProblemPath } from "./json.ts";
import type { ModelFileError, Problem } from "./ModelFileError.ts";
import { FORMAT, SUPPORTED_VERSIONS } from "./ModelFileJson.ts";

/** A decoded file: the model (shapes inferred), its free-form metadata (`{}` when absent) and the dtype it was built in. */
export interface DecodedModel {
  readonly model: L.Model;
  readonly metadata: Record<string, unknown>;
  readonly dtype: T.DType;
}

export { MAX_ACTIVATION_SIZE } from "./internal/limits.ts";

/** Options of decoding. */
export interface DecodeOptions {
  /**
   * The platform's own base64 decoder for the tensors' bytes (`@dtd/model-io/file`'s `nodeBase64` under Node);
   * by default model-io's strict decoder, which runs everywhere. Either way the same bytes, the same refusals.
   */
  readonly base64?: Base64Reader;
}

/** The io-ts codec of a whole file whose tensors are built in `dtype` (`graph`: version 2, layers may be named). */
const fileCodec = (dtype: T.DType, graph: boolean, reader: Base64Reader | undefined) =>
  record(
    "a dtd model file",
    {
      format: t.literal(FORMAT),
      version: F.version,
      inputShape: F.inputShape,
      layers: t.array((graph ? node(dtype, reader) : layer(dtype, false, reader)) as t.Type<L.NodeSpec, unknown, unknown>, "an array of layers"),
    },
    { dtype: F.dtype, metadata: F.metadata },
  );

const invalid = (problems: readonly Problem[]): E.Either<ModelFileError, never> => E.left({ _tag: "InvalidModel", problems });

/** The explicit name of a layer spec, if the file gives one. */
const nameOf = (s: L.NodeSpec): string | undefined => ("layer" in s ? s.name : undefined);
const kindOf = (s: L.NodeSpec): string => ("layer" in s ? s.layer : s).kind;
const inputsOf = (s: L.NodeSpec): readonly string[] | undefined => ("layer" in s ? s.inputs : undefined);

/** `layers[2] "proj" (conv2d)`, the name shown when the file gives one. */
const labelOf = (specs: readonly L.NodeSpec[], i: number): string => {
  const n = nameOf(specs[i]!);
  return `layers[${i}]${n === undefined ? "" : ` "${n}"`} (${kindOf(specs[i]!)})`;
};

/** Every input that names no earlier, named layer (nor "input"): unknown names, unnamed layers, later layers. */
const referenceProblems = (specs: readonly L.NodeSpec[]): Problem[] => {
  const named = new Map<string, number>();
  specs.forEach((s, i) => {
    const n = nameOf(s);
    if (n !== undefined && !named.has(n)) named.set(n, i);
  });
  const problems: Problem[] = [];
  specs.forEach((s, i) =>
    inputsOf(s)?.forEach((ref, k) => {
      if (ref === L.INPUT) return;
      const j = named.get(ref);
      const path = `layers[${i}].inputs[${k}]`;
      const expected = 'the name of an earlier layer, or "input" (the model input)';
      if (j === undefined) problems.push({ path, expected, found: `${JSON.stringify(ref)}, which names no layer (only layers with a "name" can be inputs)` });
      else if (j >= i) problems.push({ path, expected, found: `${JSON.stringify(ref)}, the name of ${j === i ? "this layer itself (a cycle)" : `layers[${j}], a later layer (a cycle, or layers out of topological order)`}` });
    }),
  );
  return problems;
};

/** A LayerError from `L.build` as a model-file error naming the layer (JSON path) and the shapes. */
const fromLayerError = (e: L.LayerError, specs: readonly L.NodeSpec[]): ModelFileError => {
  if (e._tag === "IncompatibleLayers") {
    const s = specs[e.index]!;
    const given = inputsOf(s);
    const name = nameOf(s);
    const previous = e.index > 0 ? kindOf(specs[e.index - 1]!) : undefined;
    const base = { _tag: "IncompatibleLayers", index: e.index, kind: e.kind, previous, inputShape: e.inputShape, reason: e.reason, ...(name === undefined ? {} : { name }) } as const;
    const isDefault = given === undefined || (given.length === 1 && given[0] === (e.index === 0 ? L.INPUT : nameOf(specs[e.index - 1]!)));
    if (isDefault) return base;
    const from = (ref: string): string => {
      if (ref === L.INPUT) return "the model input";
      const j = specs.findIndex((x) => nameOf(x) === ref);
      return `the output of ${labelOf(specs, j)}`;
    };
    return { ...base, inputs: given.map((ref, k) => ({ from: from(ref), shape: e.inputShapes[k]! })) };
  }
  if (e._tag === "InvalidGraph") return { _tag: "InvalidModel", problems: [graphProblem(e.index, e.problem, specs)] };
  const path = e._tag === "InvalidLayer" && e.index >= 0 ? `layers[${e.index}]` : "inputShape";
  return { _tag: "InvalidModel", problems: [{ path, expected: "a model that @dtd/layers can build", found: L.message(e) }] };
};

/** The JSON path and words of a graph problem (references were checked before building). */
const graphProblem = (i: number, p: L.GraphProblem, specs: readonly L.NodeSpec[]): Problem => {
  const name = nameOf(specs[i]!);
  switch (p._tag) {
    case "DuplicateName": {
      const other = nameOf(specs[p.first]!) === undefined ? `the default name of the unnamed layers[${p.first}]` : `the name of layers[${p.first}]`;
      return { path: `layers[${i}].name`, expected: "a name no other layer has", found: `${JSON.stringify(name ?? "")}, ${other}` };
    }
    case "ReservedName":
    case "EmptyName":
      return { path: `layers[${i}].name`, expected: 'a non-empty name other than "input" (the model input)', found: JSON.stringify(name ?? "") };
    case "UnknownInput":
    case "LaterInput":
      return { path: `layers[${i}].inputs[${p.input}]`, expected: 'the name of an earlier layer, or "input"', found: JSON.stringify(p.ref) };
    case "Arity": {
      const kind = kindOf(specs[i]!);
      const a = /^[aeiou]/.test(kind) ? "an" : "a";
      return p.defaulted
        ? { path: `layers[${i}]`, expected: `${p.expected} for ${a} ${kind} layer: list them in "inputs" (version 2)`, found: "no inputs (one by default: the previous layer's output)" }
        : { path: `layers[${i}].inputs`, expected: `${p.expected} for ${a} ${kind} layer`, found: `${p.found} input${p.found === 1 ? "" : "s"}` };
    }
    case "Unused":
      return { path: `layers[${i}]`, expected: "a layer whose output a later layer uses (or the last layer: the output)", found: `${labelOf(specs, i)}, used by no later layer (a dead branch)` };
  }
};

/** Decodes a parsed JSON value into a model, or says everything that is wrong with it. */
export const decodeModel = (json: unknown, opts: DecodeOptions = {}): E.Either<ModelFileError, DecodedModel> => {
  if (!isObject(json)) return invalid([{ path: "", expected: `a dtd model file: a JSON object with "format": ${JSON.stringify(FORMAT)}`, found: describe(json) }]);
  const format = field(json, "format");
  if (format !== FORMAT) return invalid([{ path: "format", expected: JSON.stringify(FORMAT), found: describe(format) }]);
  const version = field(json, "version");
  if (typeof version === "number" && !SUPPORTED_VERSIONS.includes(version)) return E.left({ _tag: "UnsupportedVersion", found: version, supported: SUPPORTED_VERSIONS });
  const declared = field(json, "dtype");
  // A bad dtype is reported by the codec; the tensors are still checked, in float64.
  const dtype: T.DType = T.isDType(declared) ? declared : "float64";
  const decoded = fileCodec(dtype, version === 2, opts.base64).decode(json);
  if (E.isLeft(decoded)) return invalid(toProblems(decoded.left));
  const file = decoded.right;
  const references = referenceProblems(file.layers);
  if (references.length > 0) return invalid(references);
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
export const parseModel = (text: string, opts: DecodeOptions = {}): E.Either<ModelFileError, DecodedModel> => {
  const json = parseJson(text);
  if (E.isRight(json)) return decodeModel(json.right, opts);
  const e = json.left;
  if (e._tag === "InvalidJson") return E.left(e);
  return invalid([{ path: formatPath(valueProblemPath(e)), ...describeValueProblem(e) }]);
};
