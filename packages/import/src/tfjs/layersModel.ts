/**
 * TF.js layers models (what `model.save()` and the Keras converter write) → IR. One entry per Keras layer
 * class; activations inside Conv2D/Dense become nodes of their own; a final sigmoid/softmax is dropped.
 * Weights are matched by name (`<layer>/<weight>`, also under a model prefix as Keras 3 writes them).
 * @module
 */
import type { GraphBuilder, Value } from "../GraphBuilder.ts";
import { GraphBuilder as Builder } from "../GraphBuilder.ts";
import * as Emit from "../emit.ts";
import type { IrModel, Pads, Pair } from "../Ir.ts";
import { fail } from "../internal/fail.ts";
import { sampleShape } from "../inputShape.ts";
import { knownReason } from "../unsupportedOps.ts";
import * as J from "../internal/json.ts";
import { depthwiseToOihw, f32, hwioToOihw, samePads2d } from "../layout.ts";
import type { WeightTensor } from "../WeightTensor.ts";
import { type KerasLayer, type LayerCall, readTopology, type TensorRef } from "./layersTopology.ts";

/** What a layer's importer gets. */
interface Ctx {
  readonly b: GraphBuilder;
  readonly layer: KerasLayer;
  readonly origin: Emit.Origin;
  readonly inputs: readonly Value[];
  /** The weight `<layer>/<name>`, or a refusal naming the layer. */
  readonly weight: (name: string) => WeightTensor;
  readonly hasWeight: (name: string) => boolean;
}

type LayerImporter = (ctx: Ctx) => Value;

const cfg = (ctx: Ctx, key: string): J.Cursor => J.at(ctx.layer.config, key);
const refuse = (ctx: Ctx, reason: string): never => ctx.b.refuse(ctx.layer.name, ctx.layer.className, reason);
const one = (ctx: Ctx): Value => {
  if (ctx.inputs.length !== 1) refuse(ctx, `expected one input, found ${ctx.inputs.length}`);
  return ctx.inputs[0]!;
};

/** channels_last only: TF.js runs NHWC, and channels_first files are rare enough to refuse clearly. */
const checkChannelsLast = (ctx: Ctx): void => {
  const f = cfg(ctx, "data_format");
  if (!J.isNil(f) && J.string(f) !== "channels_last") refuse(ctx, `data_format ${JSON.stringify(f.value)}: dtd reads channels_last layers models`);
};

const pairOf = (ctx: Ctx, key: string, fallback?: Pair): Pair => {
  const c = cfg(ctx, key);
  if (J.isNil(c)) return fallback ?? J.refuse(c, "an integer or a pair");
  const [a, b] = J.intPair(c);
  return [a!, b!];
};

const checkDilation = (ctx: Ctx): void => {
  const d = cfg(ctx, "dilation_rate");
  if (!J.isNil(d) && J.intPair(d).some((v) => v !== 1)) refuse(ctx, `dilation_rate ${JSON.stringify(d.value)}: dtd supports dilation 1`);
};

const padsOf = (ctx: Ctx, x: Value, kernel: Pair, stride: Pair): Pads => {
  const mode = J.isNil(cfg(ctx, "padding")) ? "valid" : J.string(cfg(ctx, "padding"));
  if (mode === "valid") return [0, 0, 0, 0];
  if (mode === "same") return samePads2d(x.shape, kernel, stride);
  return refuse(ctx, `padding ${JSON.stringify(mode)}: expected "valid" or "same"`);
};

/** The activation named in a layer's config as a node after it (a final sigmoid/softmax marks the output). */
const activationAfter = (ctx: Ctx, x: Value, name: string, key = "activation"): Value => {
  const a = cfg(ctx, key);
  const act = J.isNil(a) ? "linear" : typeof a.value === "object" ? J.string(J.at(a, "class_name")).toLowerCase() : J.string(a);
  const origin = { name: `${name}/${act}`, source: ctx.layer.className };
  switch (act) {
    case "linear":
      return x;
    case "relu":
      return Emit.activation(ctx.b, origin, x, { kind: "relu" });
    case "relu6":
      return Emit.activation(ctx.b, origin, x, { kind: "clippedRelu", max: 6 });
    case "sigmoid":
    case "softmax":
      return Emit.finalActivation(x, act);
    default:
      return refuse(ctx, `activation ${JSON.stringify(act)}: dtd supports relu, relu6 and linear (and sigmoid/softmax as the model's last op)`);
  }
};

const useBias = (ctx: Ctx): boolean => J.isNil(cfg(ctx, "use_bias")) || J.boolean(cfg(ctx, "use_bias"));

const checkShape = (ctx: Ctx, w: WeightTensor, expected: readonly number[]): void => {
  if (w.shape.length !== expected.length || w.shape.some((d, i) => expected[i] !== -1 && d !== expected[i])) {
    ctx.b.fail({ _tag: "Weight", format: "tfjs-layers", node: ctx.layer.name, weight: w.name, reason: `has shape [${w.shape.join(", ")}]: expected [${expected.map((d) => (d === -1 ? "?" : d)).join(", ")}]` });
  }
};

/** A convolution layer's input, its kernel `name` (HWIO or HWCM), stride and pads. */
const windowInput = (ctx: Ctx, name: string): { x: Value; k: WeightTensor; stride: Pair; pads: Pads } => {
  checkChannelsLast(ctx);
  checkDilation(ctx);
  const x = one(ctx);
  const k = ctx.weight(name);
  checkShape(ctx, k, [-1, -1, x.shape[0] ?? -1, -1]);
  const stride = pairOf(ctx, "strides", [1, 1]);
  return { x, k, stride, pads: padsOf(ctx, x, [k.shape[0]!, k.shape[1]!], stride) };
};

const biasOf = (ctx: Ctx): ArrayLike<number> | undefined => (useBias(ctx) ? ctx.weight("bias").data : undefined);

const conv2d: LayerImporter = (ctx) => {
  const groups = cfg(ctx, "groups");
  if (!J.isNil(groups) && J.integerLike(groups) !== 1) refuse(ctx, `groups ${JSON.stringify(groups.value)}: dtd supports grouped convolutions only as depthwise ones`);
  const { x, k, stride, pads } = windowInput(ctx, "kernel");
  const z = Emit.conv2d(ctx.b, ctx.origin, x, { W: hwioToOihw(k.shape, k.data), bias: biasOf(ctx), stride, pads });
  return activationAfter(ctx, z, ctx.layer.name);
};

const depthwiseConv2d: LayerImporter = (ctx) => {
  const { x, k, stride, pads } = windowInput(ctx, "depthwise_kernel");
  const z = Emit.depthwiseConv2d(ctx.b, ctx.origin, x, { W: depthwiseToOihw(k.shape, k.data), bias: biasOf(ctx), multiplier: k.shape[3]!, stride, pads });
  return activationAfter(ctx, z, ctx.layer.name);
};

/** SeparableConv2D = a depthwise convolution (no bias) then a 1×1 convolution with the bias. */
const separableConv2d: LayerImporter = (ctx) => {
  const { x, k, stride, pads } = windowInput(ctx, "depthwise_kernel");
  const p = ctx.weight("pointwise_kernel");
  const dw = Emit.depthwiseConv2d(ctx.b, { name: `${ctx.layer.name}/depthwise`, source: ctx.layer.className }, x, { W: depthwiseToOihw(k.shape, k.data), multiplier: k.shape[3]!, stride, pads });
  const z = Emit.conv2d(ctx.b, ctx.origin, dw, { W: hwioToOihw(p.shape, p.data), bias: biasOf(ctx), stride: [1, 1], pads: [0, 0, 0, 0] });
  return activationAfter(ctx, z, ctx.layer.name);
};

const dense: LayerImporter = (ctx) => {
  const x = one(ctx);
  const k = ctx.weight("kernel");
  checkShape(ctx, k, [x.shape.length === 1 ? x.shape[0]! : -1, -1]);
  return activationAfter(ctx, Emit.dense(ctx.b, ctx.origin, x, { W: f32(k.shape, k.data), bias: biasOf(ctx) }), ctx.layer.name);
};

const pooling =
  (kind: "max" | "avg"): LayerImporter =>
  (ctx) => {
    checkChannelsLast(ctx);
    const x = one(ctx);
    const kernel = pairOf(ctx, "pool_size", [2, 2]);
    const stride = pairOf(ctx, "strides", kernel);
    return Emit.pool(ctx.b, ctx.origin, x, { kind, kernel, stride, pads: padsOf(ctx, x, kernel, stride), countIncludePad: false });
  };

const globalPooling =
  (kind: "max" | "avg"): LayerImporter =>
  (ctx) => {
    checkChannelsLast(ctx);
    const keep = J.isNil(cfg(ctx, "keepdims")) ? false : J.boolean(cfg(ctx, "keepdims"));
    return Emit.globalPool(ctx.b, ctx.origin, one(ctx), { kind, keepDims: keep });
  };

/** y = γ (x − μ) / √(σ² + ε) + β = x·s + (β − μ·s) with s = γ / √(σ² + ε), per channel (the last axis). */
const batchNormalization: LayerImporter = (ctx) => {
  const x = one(ctx);
  const axisAt = cfg(ctx, "axis");
  const axes = J.isNil(axisAt) ? [-1] : Array.isArray(axisAt.value) ? J.array(axisAt).map(J.integerLike) : [J.integerLike(axisAt)];
  const rank = x.shape.length + 1;
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) refuse(ctx, `axis ${JSON.stringify(axisAt.value)}: dtd supports batch norms over the channel (last) axis`);
  const eps = J.isNil(cfg(ctx, "epsilon")) ? 1e-3 : J.number(cfg(ctx, "epsilon"));
  const n = x.shape[0]!;
  const get = (name: string, fallback: number): ArrayLike<number> => {
    if (!ctx.hasWeight(name)) return new Float64Array(n).fill(fallback);
    const w = ctx.weight(name);
    checkShape(ctx, w, [n]);
    return w.data;
  };
  const scaleOn = J.isNil(cfg(ctx, "scale")) || J.boolean(cfg(ctx, "scale"));
  const centerOn = J.isNil(cfg(ctx, "center")) || J.boolean(cfg(ctx, "center"));
  const gamma = scaleOn ? ctx.weight("gamma").data : new Float64Array(n).fill(1);
  const beta = centerOn ? ctx.weight("beta").data : new Float64Array(n);
  const mean = get("moving_mean", 0);
  const variance = get("moving_variance", 1);
  const scale = Float64Array.from({ length: n }, (_, i) => gamma[i]! / Math.sqrt(variance[i]! + eps));
  const shift = Float64Array.from({ length: n }, (_, i) => beta[i]! - mean[i]! * scale[i]!);
  return Emit.channelAffine(ctx.b, ctx.origin, x, { scale, shift });
};

const relu: LayerImporter = (ctx) => {
  const x = one(ctx);
  for (const key of ["negative_slope", "threshold"]) {
    const v = cfg(ctx, key);
    if (!J.isNil(v) && J.number(v) !== 0) refuse(ctx, `${key} ${String(v.value)}: dtd supports ReLU with negative_slope 0 and threshold 0`);
  }
  const max = cfg(ctx, "max_value");
  return J.isNil(max) ? Emit.activation(ctx.b, ctx.origin, x, { kind: "relu" }) : Emit.activation(ctx.b, ctx.origin, x, { kind: "clippedRelu", max: J.number(max) });
};

const activationLayer: LayerImporter = (ctx) => activationAfter(ctx, one(ctx), ctx.layer.name);

const softmaxLayer: LayerImporter = (ctx) => Emit.finalActivation(one(ctx), "softmax");

const flatten: LayerImporter = (ctx) => {
  checkChannelsLast(ctx);
  return Emit.flatten(ctx.b, ctx.origin, one(ctx), "NHWC");
};

/** Reshape where it is a flatten ([n] or [-1]), or a vector made a 1×1×C map (e.g. before a 1×1 convolution). */
const reshape: LayerImporter = (ctx) => {
  const x = one(ctx);
  const target = J.array(cfg(ctx, "target_shape")).map(J.integerLike);
  const size = x.shape.reduce((a, d) => a * d, 1);
  if (target.length === 1 && (target[0] === size || target[0] === -1)) return Emit.flatten(ctx.b, ctx.origin, x, "NHWC");
  if (x.shape.length === 1 && target.length === 3 && target[0] === 1 && target[1] === 1 && (target[2] === size || target[2] === -1)) return { ...x, squeezed: true };
  return refuse(ctx, `target_shape [${target.join(", ")}] of an input [${x.shape.join(", ")}] (dtd layout): only reshapes that flatten are supported`);
};

const identity: LayerImporter = (ctx) => one(ctx);

/** ZeroPadding2D: `p`, `[ph, pw]` or `[[top, bottom], [left, right]]`. */
const zeroPadding2d: LayerImporter = (ctx) => {
  checkChannelsLast(ctx);
  const c = cfg(ctx, "padding");
  let pads: Pads;
  if (typeof c.value === "number") {
    const p = J.integerLike(c);
    pads = [p, p, p, p];
  } else {
    const parts = J.array(c);
    if (parts.length !== 2) return J.refuse(c, "an integer, [rows, columns] or [[top, bottom], [left, right]]");
    const [h, w] = parts.map((p) => (typeof p.value === "number" ? [J.integerLike(p), J.integerLike(p)] : J.intPair(p))) as [number[], number[]];
    pads = [h[0]!, h[1]!, w[0]!, w[1]!];
  }
  return Emit.pad2d(ctx.b, ctx.origin, one(ctx), pads);
};

const addLayer: LayerImporter = (ctx) => Emit.add(ctx.b, ctx.origin, ctx.inputs);

const concatenate: LayerImporter = (ctx) => {
  const rank = (ctx.inputs[0]?.shape.length ?? 0) + 1;
  const axisAt = cfg(ctx, "axis");
  const axis = J.isNil(axisAt) ? -1 : J.integerLike(axisAt);
  if (axis !== -1 && axis !== rank - 1) refuse(ctx, `axis ${axis}: dtd concatenates along channels (the last axis of NHWC) or features`);
  return Emit.concat(ctx.b, ctx.origin, ctx.inputs);
};

/** Keras's Rescaling: y = x·scale + offset (preprocessing when it is applied to the input). */
const rescaling: LayerImporter = (ctx) => {
  const num = (key: string, fallback: number): number[] => {
    const c = cfg(ctx, key);
    return J.isNil(c) ? [fallback] : typeof c.value === "number" ? [J.number(c)] : J.array(c).map(J.number);
  };
  return Emit.channelAffine(ctx.b, ctx.origin, one(ctx), { scale: num("scale", 1), shift: num("offset", 0) });
};

/** The Keras layer classes dtd imports. */
const importers: Readonly<Record<string, LayerImporter>> = {
  Conv2D: conv2d,
  Convolution2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Dense: dense,
  MaxPooling2D: pooling("max"),
  MaxPool2D: pooling("max"),
  AveragePooling2D: pooling("avg"),
  AvgPool2D: pooling("avg"),
  GlobalAveragePooling2D: globalPooling("avg"),
  GlobalAvgPool2D: globalPooling("avg"),
  GlobalMaxPooling2D: globalPooling("max"),
  GlobalMaxPool2D: globalPooling("max"),
  BatchNormalization: batchNormalization,
  ReLU: relu,
  Activation: activationLayer,
  Softmax: softmaxLayer,
  Flatten: flatten,
  Reshape: reshape,
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  ZeroPadding2D: zeroPadding2d,
  Add: addLayer,
  Concatenate: concatenate,
  Rescaling: rescaling,
};

/** The weight `<layer>/<name>`: exact, or under a prefix (`model/<layer>/<name>`), or with `:0`. */
const weightLookup = (weights: ReadonlyMap<string, WeightTensor>, layer: string): ((name: string) => WeightTensor | undefined) => {
  return (name) => {
    const want = `${layer}/${name}`;
    const exact = weights.get(want) ?? weights.get(`${want}:0`);
    if (exact !== undefined) return exact;
    const found = [...weights.values()].filter((w) => w.name.endsWith(`/${want}`) || w.name.endsWith(`/${want}:0`));
    return found.length === 1 ? found[0] : undefined;
  };
};

/** The input shape as dtd lays it out: NHWC [H, W, C] → [C, H, W]; vectors unchanged. */
const inputShape = (given: readonly number[], name: string, b: (reason: string) => never, override: readonly number[] | undefined): { shape: number[]; layout: "NHWC" | "flat" } => {
  const shape = sampleShape({ format: "tfjs-layers", input: name, dims: [-1, ...given], override, layout: "H, W, C" });
  if (shape.length === 3) return { shape: [shape[2]!, shape[0]!, shape[1]!], layout: "NHWC" };
  if (shape.length === 1) return { shape: [...shape], layout: "flat" };
  return b(`its input "${name}" has rank ${shape.length} ([${shape.join(", ")}]): dtd reads images (H, W, C) and vectors`);
};

/** Imports a layers model: `modelTopology` and the decoded weights. */
export const importLayersModel = (topologyAt: J.Cursor, weights: ReadonlyMap<string, WeightTensor>, opts: { readonly output?: string; readonly inputShape?: readonly number[] } = {}): IrModel => {
  const topology = readTopology(topologyAt, opts.output);
  const unsupported = (reason: string): never => fail({ _tag: "UnsupportedModel", format: "tfjs-layers", reason });
  const { shape, layout } = inputShape(topology.input.shape, topology.input.name, unsupported, opts.inputShape);
  const b = new Builder("tfjs-layers", { name: topology.input.name, shape, originalLayout: layout });
  const values = new Map<string, Value>([[`${topology.input.name}\u0000${0}`, b.inputValue()]]);
  const key = (r: TensorRef): string => `${r.layer}\u0000${r.call}`;
  const used = new Set<string>();
  // Only the calls the output depends on (a multi-head model's other heads are not imported).
  const byKey = new Map(topology.calls.map((c) => [key({ layer: c.layer.name, call: c.call }), c]));
  const needed = new Set<string>();
  const stack = [key(topology.output)];
  while (stack.length > 0) {
    const k = stack.pop()!;
    const c = byKey.get(k);
    if (c === undefined || needed.has(k)) continue;
    needed.add(k);
    stack.push(...c.inputs.map(key));
  }
  const skipped = topology.calls.filter((c) => !needed.has(key({ layer: c.layer.name, call: c.call }))).map((c) => c.layer.name);
  for (const call of topology.calls) {
    if (!needed.has(key({ layer: call.layer.name, call: call.call }))) continue;
    const value = importCall(b, call, weights, (r) => values.get(key(r)) ?? unsupported(`layer "${call.layer.name}" takes "${r.layer}" before it is computed`), used);
    values.set(key({ layer: call.layer.name, call: call.call }), value);
  }
  const unusedWeights = [...weights.keys()].filter((n) => !used.has(n) && !skipped.some((l) => n.startsWith(`${l}/`)));
  if (unusedWeights.length > 0) b.note(`weights not used by any layer: ${unusedWeights.slice(0, 5).join(", ")}${unusedWeights.length > 5 ? ` and ${unusedWeights.length - 5} more` : ""}`);
  return b.finish(values.get(key(topology.output)) ?? unsupported(`its output layer "${topology.output.layer}" is not among its layers`));
};

const importCall = (b: GraphBuilder, call: LayerCall, weights: ReadonlyMap<string, WeightTensor>, valueOf: (r: TensorRef) => Value, used: Set<string>): Value => {
  const { layer } = call;
  const importer = importers[layer.className];
  if (importer === undefined) return b.refuse(layer.name, layer.className, knownReason(layer.className) ?? `dtd does not import ${layer.className} layers (supported: ${Object.keys(importers).join(", ")})`);
  const lookup = weightLookup(weights, layer.name);
  const name = call.call === 0 ? layer.name : `${layer.name}_call${call.call}`;
  const ctx: Ctx = {
    b,
    layer,
    origin: { name, source: layer.className },
    inputs: call.inputs.map(valueOf),
    weight: (w) => {
      const found = lookup(w) ?? b.fail({ _tag: "Weight", format: "tfjs-layers", node: layer.name, weight: `${layer.name}/${w}`, reason: "is not in the weights manifest" });
      used.add(found.name);
      return found;
    },
    hasWeight: (w) => lookup(w) !== undefined,
  };
  return importer(ctx);
};
