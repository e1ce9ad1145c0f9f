import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { type DecodedModel, decodeModel, encodeModel, formatError, LAYER_TYPES, type ModelFileError, parseModel } from "@dtd/model-io";
import * as Arb from "./arbitraries.ts";

/**
 * The fuzz contract: decoding never throws, and a model it returns does not fail later — it runs forward on
 * a batch of zeros (in its dtype). A refusal must format to a message.
 */
const runsOrIsRefused = (r: E.Either<ModelFileError, DecodedModel>): void => {
  if (E.isLeft(r)) {
    expect(formatError(r.left)).not.toBe("");
    return;
  }
  const { model, dtype } = r.right;
  const y = L.forward(model, T.zeros([1, ...model.inputShape], dtype)).output;
  expect(y.shape).toEqual([1, ...L.outputShapeOf(model)]);
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Key = string | number;

/** Every path into a JSON value (the root is []). */
const paths = (v: Json, prefix: Key[] = []): Key[][] => {
  const out: Key[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
};

const MUTATIONS = ["delete", "toString", "replace", "perturb", "truncate", "duplicate"] as const;
interface Mutation {
  readonly pick: number;
  readonly op: (typeof MUTATIONS)[number];
  readonly junk: Json;
  readonly factor: number;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom(...MUTATIONS),
  junk: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  factor: fc.constantFrom(-1, 0, 0.5, 2, 3, 1e9, Number.POSITIVE_INFINITY, 1e-300),
});

/** The mutated copy: one value changed at one path, in one of several ways. */
const mutate = (file: Json, m: Mutation): Json => {
  const root: Json = structuredClone(file);
  const all = paths(root);
  const path = all[m.pick % all.length]!;
  const change = (v: Json): Json | undefined => {
    switch (m.op) {
      case "delete":
        return undefined;
      case "toString":
        return typeof v === "string" ? `${v}x` : JSON.stringify(v);
      case "replace":
        return m.junk;
      case "perturb":
        return typeof v === "number" ? (m.factor === 0 ? v + 1 : v * m.factor) : Array.isArray(v) ? [...v, ...v] : m.factor;
      case "truncate":
        return typeof v === "string" ? v.slice(0, Math.max(0, v.length - 1 - (m.pick % 7))) : Array.isArray(v) ? v.slice(0, -1) : v;
      case "duplicate":
        return Array.isArray(v) && v.length > 0 ? [...v, v[v.length - 1]!] : [v];
    }
  };
  if (path.length === 0) return change(root) ?? null;
  let parent: Json = root;
  for (const k of path.slice(0, -1)) parent = (parent as Record<Key, Json>)[k]!;
  const last = path[path.length - 1]!;
  const next = change((parent as Record<Key, Json>)[last]!);
  if (Array.isArray(parent) && typeof last === "number") {
    if (next === undefined) parent.splice(last, 1);
    else parent[last] = next;
  } else if (parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
    if (next === undefined) delete parent[last];
    else parent[last] = next;
  }
  return root;
};

const oddJson = fc.jsonValue({ maxDepth: 1 });
/** Mostly valid-looking, sometimes anything. */
const mostly = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | unknown> => fc.oneof({ arbitrary: arb, weight: 9 }, { arbitrary: oddJson, weight: 1 });
const extent = fc.integer({ min: 1, max: 2 });
const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true }));
const vector = fc.array(value, { minLength: 1, maxLength: 2 });
const matrix = fc.array(vector, { minLength: 1, maxLength: 2 });
const kernel4 = fc.array(fc.array(matrix, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 });
const pair = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));

/** Per kind: its fields (required ones first) with small, nearly valid values, so that some files decode. */
const fieldArbs: { readonly [K in (typeof LAYER_TYPES)[number]]: readonly [Record<string, fc.Arbitrary<unknown>>, readonly string[]] } = {
  dense: [{ weight: matrix, bias: vector }, ["weight", "bias"]],
  conv2d: [{ weight: kernel4, bias: vector, stride: pair, padding: pair }, ["weight", "bias"]],
  relu: [{}, []],
  sumPool: [{ kernel: pair, stride: pair }, []],
  pNormPool: [{ p: fc.constantFrom(1, 2, 0.5, 1e308), kernel: pair, stride: pair }, ["p"]],
  maxPool2d: [{ kernel: pair, stride: pair, padding: fc.tuple(pair, pair).map(([a, b]) => [...a, ...b]) }, ["kernel"]],
  avgPool2d: [{ kernel: pair, stride: pair }, ["kernel"]],
  flatten: [{}, []],
  select: [{ index: fc.integer({ min: -1, max: 2 }) }, ["index"]],
  scaleShift: [{ scale: vector, shift: vector }, ["scale", "shift"]],
  depthwiseConv2d: [{ weight: kernel4, bias: vector, stride: pair, padding: pair }, ["weight", "bias"]],
  clippedRelu: [{ maxValue: fc.constantFrom(6, 0, -1, 1e308) }, ["maxValue"]],
  globalAvgPool: [{}, []],
  globalMaxPool: [{}, []],
  batchNorm: [{ scale: vector, shift: vector, mean: vector, variance: vector, epsilon: fc.constantFrom(0, 1e-5, -1) }, ["scale", "shift", "mean", "variance"]],
  add: [{ inputs: fc.constantFrom(["input", "input"], ["a", "input"], ["input"]) }, []],
  concat: [{ axis: fc.integer({ min: -1, max: 3 }), inputs: fc.constantFrom(["input", "input"], ["input"]) }, []],
  pad2d: [{ padding: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 3, maxLength: 5 }) }, ["padding"]],
  identity: [{}, []],
};
const layerLike = fc.constantFrom(...LAYER_TYPES).chain((type) => {
  const [fields, required] = fieldArbs[type];
  const arbs: Record<string, fc.Arbitrary<unknown>> = { type: mostly(fc.constant(type)), name: fc.constantFrom("a", "b", "input", "") };
  for (const [k, a] of Object.entries(fields)) arbs[k] = mostly(a);
  return fc.record(arbs, { requiredKeys: ["type", ...required] });
});
const fileLike = fc.record(
  {
    format: mostly(fc.constant("dtd-model")),
    version: mostly(fc.constantFrom(1, 2)),
    dtype: fc.constantFrom("float32", "float64", "float16"),
    inputShape: mostly(fc.oneof(fc.tuple(extent), fc.tuple(extent, extent, extent))),
    layers: fc.array(layerLike, { maxLength: 3 }),
    metadata: oddJson,
  },
  { requiredKeys: ["format", "version", "inputShape", "layers"] },
);

describe("fuzz: the decoder never throws and never returns a model that fails later", () => {
  test("any JSON value (fc.jsonValue)", () => {
    fc.assert(fc.property(fc.jsonValue(), (json) => runsOrIsRefused(decodeModel(json))));
  });
  test("any text (parseModel)", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => runsOrIsRefused(parseModel(text))));
  });
  test("files of layer-shaped objects with random fields", () => {
    fc.assert(fc.property(fileLike, (json) => runsOrIsRefused(decodeModel(json))));
  });
  test("mutations of valid models (nested and base64): delete a field, change a type, perturb a number or a shape, truncate base64", () => {
    fc.assert(
      fc.property(Arb.model, fc.constantFrom("nested" as const, "base64" as const), fc.array(mutation, { minLength: 1, maxLength: 3 }), ({ model }, tensors, ms) => {
        const file = JSON.parse(JSON.stringify(encodeModel(model, { tensors }))) as Json;
        const mutated = ms.reduce(mutate, file);
        runsOrIsRefused(decodeModel(mutated));
        runsOrIsRefused(parseModel(JSON.stringify(mutated)));
      }),
    );
  });
});
