/**
 * The io-ts codec of one layer object: its `type` selects the codec of that kind (a table typed by
 * `L.Kind`, so a kind without a codec is a compile error); each kind's fields are checked, then checked
 * against each other (a bias with one value per output), and the layer is made with @dtd/layers' constructors.
 * Whether consecutive layers chain is `L.build`'s business, not this module's.
 * @module
 */
import * as t from "io-ts";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { LAYER_TYPES } from "../ModelFileJson.ts";
import * as F from "./fields.ts";
import { type Fields, record, type RecordOf, refine } from "./record.ts";
import { at, describe, fail, field, isObject } from "./report.ts";
import type { Base64Reader } from "./base64.ts";
import { tensor as tensorIn, type TensorRole } from "./tensorCodec.ts";

const ROLES = {
  denseWeight: { rank: 2, axes: "(in × out)" },
  denseBias: { rank: 1, axes: "(one per output)" },
  convWeight: { rank: 4, axes: "(out × in × kh × kw)" },
  convBias: { rank: 1, axes: "(one per output channel)" },
  scaleShift: { rank: 1, axes: "(one per feature, or per channel of a CHW input)" },
  depthwiseWeight: { rank: 4, axes: "(channels × multiplier × kh × kw)" },
  depthwiseBias: { rank: 1, axes: "(one per output channel: channels × multiplier)" },
} as const satisfies Record<string, TensorRole>;

const isKind = (s: string): s is L.Kind => (LAYER_TYPES as readonly string[]).includes(s);

const isLayerOf =
  <K extends L.Kind>(kind: K) =>
  (u: unknown): u is L.LayerOf<K> =>
    isObject(u) && u["kind"] === kind;

/** The fields every layer object may have besides its kind's: `type`, and in version 2 `name` and `inputs`. */
const GRAPH_FIELDS = ["type", "name", "inputs"] as const;

/**
 * A kind's codec: a strict record of its fields (plus `checked`: `type`, and `name` and `inputs` in version 2),
 * then `make`, which may report on any field.
 */
const kindCodecWith =
  (checked: readonly string[]) =>
  <K extends L.Kind, R extends Fields, O extends Fields>(
    kind: K,
    required: R,
    optional: O,
    make: (r: RecordOf<R, O>, u: Readonly<Record<string, unknown>>, c: t.Context) => t.Validation<L.LayerOf<K>>,
  ): t.Type<L.LayerOf<K>, unknown, unknown> => {
    const noun = `a ${kind} layer`;
    const fields = record(noun, required, optional, checked);
    return refine(fields, noun, isLayerOf(kind), (r, u, c) => make(r, u as Readonly<Record<string, unknown>>, c));
  };

/** Fails at field `key` of the layer unless tensor `x` holds `n` values; `why` says where n comes from. */
const checkLength = (x: T.Tensor, n: number, why: string, key: string, u: Readonly<Record<string, unknown>>, c: t.Context): t.Validation<null> =>
  x.shape[0] === n ? t.success(null) : fail(field(u, key), at(c, key, t.unknown, field(u, key)), `${n} values (${why})`, `${x.shape[0]} values`);

/** The optional window of sumPool and pNormPool: no stride without a kernel. */
const windowOf = (
  r: { readonly kernel?: readonly [number, number]; readonly stride?: readonly [number, number] },
  u: Readonly<Record<string, unknown>>,
  c: t.Context,
): t.Validation<{ kernel?: readonly [number, number]; stride?: readonly [number, number] }> => {
  if (r.kernel === undefined && r.stride !== undefined) {
    return fail(r.stride, at(c, "stride", F.stride, field(u, "stride")), "no stride without a kernel (without a kernel, the whole input is pooled into one value)");
  }
  return t.success({ ...(r.kernel ? { kernel: r.kernel } : {}), ...(r.stride ? { stride: r.stride } : {}) });
};

const chain = <A, B>(v: t.Validation<A>, f: (a: A) => t.Validation<B>): t.Validation<B> => (v._tag === "Left" ? v : f(v.right));

const andThen = <A, B>(v: t.Validation<A>, f: (a: A) => B): t.Validation<B> => (v._tag === "Left" ? v : t.success(f(v.right)));

/** Checks that the tensors `keys` have as many values as `scale`. */
const sameLengths = (r: Readonly<Record<string, T.Tensor>>, keys: readonly string[], u: Readonly<Record<string, unknown>>, c: t.Context): t.Validation<null> => {
  for (const k of keys) {
    const v = checkLength(r[k]!, r["scale"]!.shape[0]!, "as many as scale", k, u, c);
    if (v._tag === "Left") return v;
  }
  return t.success(null);
};

/** The codec of every kind, building tensors in `dtype`; `graph`: a version-2 layer (may carry name and inputs). */
export const kindCodecs = (dtype: T.DType, graph = false, reader?: Base64Reader): { readonly [K in L.Kind]: t.Type<L.LayerOf<K>, unknown, unknown> } => {
  const kindCodec = kindCodecWith(graph ? GRAPH_FIELDS : ["type"]);
  const tensor = (role: TensorRole, d: T.DType) => tensorIn(role, d, reader);
  return {
  dense: kindCodec("dense", { weight: tensor(ROLES.denseWeight, dtype), bias: tensor(ROLES.denseBias, dtype) }, {}, (r, u, c) =>
    andThen(checkLength(r.bias, r.weight.shape[1]!, `one per output: the weight is ${T.showShape(r.weight.shape)}, in × out`, "bias", u, c), () => L.dense(r.weight, r.bias)),
  ),
  conv2d: kindCodec(
    "conv2d",
    { weight: tensor(ROLES.convWeight, dtype), bias: tensor(ROLES.convBias, dtype) },
    { stride: F.stride, padding: F.padding },
    (r, u, c) =>
      andThen(checkLength(r.bias, r.weight.shape[0]!, `one per output channel: the weight is ${T.showShape(r.weight.shape)}, out × in × kh × kw`, "bias", u, c), () =>
        L.conv2d(r.weight, r.bias, { ...(r.stride ? { stride: r.stride } : {}), ...(r.padding ? { padding: r.padding } : {}) }),
      ),
  ),
  relu: kindCodec("relu", {}, {}, () => t.success(L.relu)),
  sumPool: kindCodec("sumPool", {}, { kernel: F.kernel, stride: F.stride }, (r, u, c) => andThen(windowOf(r, u, c), (w) => L.sumPool(w))),
  pNormPool: kindCodec("pNormPool", { p: F.pNorm }, { kernel: F.kernel, stride: F.stride }, (r, u, c) => andThen(windowOf(r, u, c), (w) => L.pNormPool(r.p, w))),
  maxPool2d: kindCodec("maxPool2d", { kernel: F.kernel }, { stride: F.stride, padding: F.padding4 }, (r) => t.success(L.maxPool2d(r.kernel, r.stride, r.padding === undefined ? {} : { padding: r.padding }))),
  avgPool2d: kindCodec("avgPool2d", { kernel: F.kernel }, { stride: F.stride }, (r) => t.success(L.avgPool2d(r.kernel, r.stride))),
  flatten: kindCodec("flatten", {}, {}, () => t.success(L.flatten)),
  select: kindCodec("select", { index: F.index }, {}, (r) => t.success(L.select(r.index))),
  scaleShift: kindCodec("scaleShift", { scale: tensor(ROLES.scaleShift, dtype), shift: tensor(ROLES.scaleShift, dtype) }, {}, (r, u, c) =>
    andThen(checkLength(r.shift, r.scale.shape[0]!, "as many as scale", "shift", u, c), () => L.scaleShift(r.scale, r.shift)),
  ),
  depthwiseConv2d: kindCodec(
    "depthwiseConv2d",
    { weight: tensor(ROLES.depthwiseWeight, dtype), bias: tensor(ROLES.depthwiseBias, dtype) },
    { stride: F.stride, padding: F.padding },
    (r, u, c) =>
      andThen(
        checkLength(r.bias, r.weight.shape[0]! * r.weight.shape[1]!, `one per output channel: the weight is ${T.showShape(r.weight.shape)}, channels × multiplier × kh × kw`, "bias", u, c),
        () => L.depthwiseConv2d(r.weight, r.bias, { ...(r.stride ? { stride: r.stride } : {}), ...(r.padding ? { padding: r.padding } : {}) }),
      ),
  ),
  clippedRelu: kindCodec("clippedRelu", { maxValue: F.maxValue }, {}, (r) => t.success(L.clippedRelu(r.maxValue))),
  globalAvgPool: kindCodec("globalAvgPool", {}, {}, () => t.success(L.globalAvgPool)),
  globalMaxPool: kindCodec("globalMaxPool", {}, {}, () => t.success(L.globalMaxPool)),
  batchNorm: kindCodec(
    "batchNorm",
    { scale: tensor(ROLES.scaleShift, dtype), shift: tensor(ROLES.scaleShift, dtype), mean: tensor(ROLES.scaleShift, dtype), variance: tensor(ROLES.scaleShift, dtype) },
    { epsilon: F.epsilon },
    (r, u, c) =>
      chain(sameLengths({ scale: r.scale, shift: r.shift, mean: r.mean, variance: r.variance }, ["shift", "mean", "variance"], u, c), () => {
        const eps = r.epsilon ?? 1e-5;
        const bad = r.variance.data.findIndex((v) => !(v >= 0 && v + eps > 0));
        if (bad >= 0) {
          return fail(field(u, "variance"), at(c, "variance", t.unknown, field(u, "variance")), `variances ≥ 0 with variance + epsilon > 0 (epsilon ${eps})`, `${r.variance.data[bad]} at index ${bad}`);
        }
        return t.success(L.batchNorm({ scale: r.scale, shift: r.shift, mean: r.mean, variance: r.variance, epsilon: eps }));
      }),
  ),
  add: kindCodec("add", {}, {}, () => t.success(L.add)),
  concat: kindCodec("concat", {}, { axis: F.axis }, (r) => t.success(L.concat(r.axis ?? 0))),
  pad2d: kindCodec("pad2d", { padding: F.padding4 }, {}, (r) => t.success(L.pad2d(r.padding))),
  identity: kindCodec("identity", {}, {}, () => t.success(L.identityLayer)),
  };
};

/** Edit distance, for "did you mean" (the strings are short). */
const distance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
};

/** A description of an unknown type, with the nearest kind when one is close. */
const unknownType = (type: unknown): string => {
  if (type === undefined) return "nothing (the field is missing)";
  if (typeof type !== "string") return describe(type);
  const near = LAYER_TYPES.find((k) => k.toLowerCase() === type.toLowerCase()) ?? LAYER_TYPES.find((k) => distance(k.toLowerCase(), type.toLowerCase()) <= 2);
  return near === undefined ? describe(type) : `${describe(type)} (did you mean ${JSON.stringify(near)}?)`;
};

/** One layer object, decoded into a layer of @dtd/layers with tensors in `dtype` (`graph`: version 2 fields allowed). */
export const layer = (dtype: T.DType, graph = false, reader?: Base64Reader): t.Type<L.Layer, unknown, unknown> => {
  const codecs = kindCodecs(dtype, graph, reader);
  const expectedType = `one of ${LAYER_TYPES.map((k) => JSON.stringify(k)).join(", ")}`;
  const typeField = F.text(expectedType);
  return new t.Type<L.Layer, unknown, unknown>(
    "a layer",
    (u): u is L.Layer => isObject(u) && typeof u["kind"] === "string" && isKind(u["kind"]) && codecs[u["kind"]].is(u),
    (u, c) => {
      if (!isObject(u)) return fail(u, c, 'a layer object such as { "type": "relu" }');
      const type = field(u, "type");
      if (typeof type === "string" && isKind(type)) return codecs[type].validate(u, c);
      return fail(type, at(c, "type", typeField, type), expectedType, unknownType(type));
    },
    (a) => a,
  );
};

/** A version-2 layer object: the layer, and its optional `name` and `inputs` (a node of a graph model). */
export const node = (dtype: T.DType, reader?: Base64Reader): t.Type<L.NodeSpec, unknown, unknown> => {
  const layerCodec = layer(dtype, true, reader);
  return new t.Type<L.NodeSpec, unknown, unknown>(
    "a layer",
    (u): u is L.NodeSpec => isObject(u) && "layer" in u,
    (u, c) => {
      const decoded = layerCodec.validate(u, c);
      if (!isObject(u)) return decoded;
      const errors: t.ValidationError[] = decoded._tag === "Left" ? [...decoded.left] : [];
      const extra: { name?: string; inputs?: readonly string[] } = {};
      for (const [key, codec] of [["name", F.name], ["inputs", F.inputs]] as const) {
        if (!Object.hasOwn(u, key)) continue;
        const v = codec.validate(field(u, key), at(c, key, codec, field(u, key)));
        if (v._tag === "Left") errors.push(...v.left);
        else (extra as Record<string, unknown>)[key] = v.right;
      }
      if (errors.length > 0 || decoded._tag === "Left") return t.failures(errors);
      return t.success({ layer: decoded.right, ...extra });
    },
    (a) => a,
  );
};
