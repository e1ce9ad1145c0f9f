/**
 * TF.js graph models (converted SavedModels: `modelTopology.node`, NHWC) → IR. Only the nodes the output
 * depends on are read, from the output back to the single Placeholder; Const nodes are weights looked up by
 * their name. The op subset real CNNs use: fused convolutions and matmuls (BiasAdd, Relu, Relu6), depthwise
 * convolutions, per-channel constant Mul/Add/Sub (folded batch norms; on the input: preprocessing), pooling,
 * Mean over H, W, Reshape as a flatten, ConcatV2, Pad, Identity, and a final Sigmoid/Softmax.
 * @module
 */
import type { GraphBuilder, Value } from "../GraphBuilder.ts";
import { GraphBuilder as Builder } from "../GraphBuilder.ts";
import * as Emit from "../emit.ts";
import type { IrModel, Pads, Pair } from "../Ir.ts";
import { noSuchOutput, severalOutputs } from "../ImportError.ts";
import { fail } from "../internal/fail.ts";
import { sampleShape } from "../inputShape.ts";
import * as J from "../internal/json.ts";
import { base64Text } from "../internal/text.ts";
import { depthwiseToOihw, f32, hwioToOihw, samePads2d } from "../layout.ts";
import { GATE, unsupportedReason } from "../unsupportedOps.ts";
import { sizeOf, type WeightTensor } from "../WeightTensor.ts";

const format = "tfjs-graph" as const;

/** A node of the graph as the file has it. */
interface GraphNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs: node names (an output index `:k` kept; control inputs `^name` dropped). */
  readonly inputs: readonly string[];
  readonly attr: J.Cursor;
}

interface Ctx {
  readonly b: GraphBuilder;
  readonly node: GraphNode;
  readonly origin: Emit.Origin;
  /** The value of data input i (refused when it is a constant). */
  readonly value: (i: number) => Value;
  /** The constant behind data input i, or undefined when it is computed. */
  readonly constant: (i: number) => WeightTensor | undefined;
  /**
   * The node behind data input i when it is computed: its op, its scalar constant input if it has one, and its
   * other (computed) input's value — for patterns of two ops that are one unit in dtd.
   */
  readonly producer: (i: number) => { readonly op: string; readonly scalar: number | undefined; readonly value: () => Value } | undefined;
}

type OpImporter = (ctx: Ctx) => Value;

const refuse = (ctx: Ctx, reason: string): never => ctx.b.refuse(ctx.node.name, ctx.node.op, reason);

// ---- attributes ({ "s": base64 } | { "i": "1" } | { "f": 0.5 } | { "b": true } | { "list": { "i": [...] } })

const attr = (ctx: Ctx, key: string): J.Cursor => J.at(ctx.node.attr, key);
const attrString = (ctx: Ctx, key: string, fallback?: string): string => {
  const a = attr(ctx, key);
  if (J.isNil(a)) return fallback ?? refuse(ctx, `attribute ${key} is missing`);
  const s = J.at(a, "s");
  return base64Text(J.string(s)) ?? J.refuse(s, "a base64 string");
};
const attrInts = (ctx: Ctx, key: string): number[] => {
  const a = attr(ctx, key);
  if (J.isNil(a)) return [];
  const list = J.at(J.at(a, "list"), "i");
  return J.isNil(list) ? [] : J.array(list).map(J.integerLike);
};
const attrStrings = (ctx: Ctx, key: string): string[] => {
  const a = attr(ctx, key);
  if (J.isNil(a)) return [];
  const list = J.at(J.at(a, "list"), "s");
  return J.isNil(list) ? [] : J.array(list).map((s) => base64Text(J.string(s)) ?? J.refuse(s, "a base64 string"));
};
const attrBool = (ctx: Ctx, key: string): boolean => {
  const a = attr(ctx, key);
  return J.isNil(a) || J.isNil(J.at(a, "b")) ? false : J.boolean(J.at(a, "b"));
};

const checkNhwc = (ctx: Ctx): void => {
  const f = attrString(ctx, "data_format", "NHWC");
  if (f !== "NHWC") refuse(ctx, `data_format ${f}: dtd reads NHWC graphs`);
};

/** `[1, h, w, 1]` → `[h, w]`. */
const spatial = (ctx: Ctx, key: string, fallback: Pair): Pair => {
  const v = attrInts(ctx, key);
  if (v.length === 0) return fallback;
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) refuse(ctx, `${key} [${v.join(", ")}]: expected [1, h, w, 1]`);
  return [v[1]!, v[2]!];
};

const padsOf = (ctx: Ctx, x: Value, kernel: Pair, stride: Pair): Pads => {
  const mode = attrString(ctx, "padding");
  if (mode === "VALID") return [0, 0, 0, 0];
  if (mode === "SAME") return samePads2d(x.shape, kernel, stride);
  if (mode === "EXPLICIT") {
    const p = attrInts(ctx, "explicit_paddings");
    if (p.length !== 8 || p[0] !== 0 || p[1] !== 0 || p[6] !== 0 || p[7] !== 0) refuse(ctx, `explicit_paddings [${p.join(", ")}]: expected padding of H and W only`);
    return [p[2]!, p[3]!, p[4]!, p[5]!];
  }
  return refuse(ctx, `padding ${mode}: expected VALID, SAME or EXPLICIT`);
};

const checkDilations = (ctx: Ctx): void => {
  const d = attrInts(ctx, "dilations");
  if (d.some((v) => v !== 1)) refuse(ctx, `dilations [${d.join(", ")}]: dtd supports dilation 1`);
};

/** A weight input, required. */
const weightInput = (ctx: Ctx, i: number, what: string, rank: number): WeightTensor => {
  const w = ctx.constant(i) ?? refuse(ctx, `its ${what} (input ${i}, "${ctx.node.inputs[i] ?? "missing"}") is not a constant`);
  if (w.shape.length !== rank) refuse(ctx, `its ${what} "${w.name}" has shape [${w.shape.join(", ")}]: expected rank ${rank}`);
  return w;
};

/** The ops fused after a convolution or matmul: BiasAdd, then Relu or Relu6, or nothing. */
const fused = (ctx: Ctx, z: (bias: ArrayLike<number> | undefined) => Value): Value => {
  const ops = attrStrings(ctx, "fused_ops");
  const [first, second, ...rest] = ops;
  const bias = first === "BiasAdd" ? weightInput(ctx, 2, "bias", 1).data : undefined;
  if ((first !== undefined && first !== "BiasAdd") || rest.length > 0 || (second !== undefined && second !== "Relu" && second !== "Relu6")) {
    refuse(ctx, `fused_ops [${ops.join(", ")}]: dtd supports BiasAdd optionally followed by Relu or Relu6`);
  }
  const out = z(bias);
  if (second === undefined) return out;
  const origin = { name: `${ctx.node.name}/${second}`, source: ctx.node.op };
  return Emit.activation(ctx.b, origin, out, second === "Relu" ? { kind: "relu" } : { kind: "clippedRelu", max: 6 });
};

/** A convolution's activation input, its filter (HWIO or HWCM, as the file has it), stride and pads. */
const windowInput = (ctx: Ctx): { x: Value; k: WeightTensor; stride: Pair; pads: Pads } => {
  checkNhwc(ctx);
  checkDilations(ctx);
  const x = ctx.value(0);
  const k = weightInput(ctx, 1, "filter", 4);
  const stride = spatial(ctx, "strides", [1, 1]);
  return { x, k, stride, pads: padsOf(ctx, x, [k.shape[0]!, k.shape[1]!], stride) };
};

const conv2d: OpImporter = (ctx) => {
  const { x, k, stride, pads } = windowInput(ctx);
  const W = hwioToOihw(k.shape, k.data);
  return ctx.node.op === "Conv2D" ? Emit.conv2d(ctx.b, ctx.origin, x, { W, stride, pads }) : fused(ctx, (bias) => Emit.conv2d(ctx.b, ctx.origin, x, { W, bias, stride, pads }));
};

const depthwise: OpImporter = (ctx) => {
  const { x, k, stride, pads } = windowInput(ctx);
  const p = { W: depthwiseToOihw(k.shape, k.data), multiplier: k.shape[3]!, stride, pads };
  return ctx.node.op === "DepthwiseConv2dNative" ? Emit.depthwiseConv2d(ctx.b, ctx.origin, x, p) : fused(ctx, (bias) => Emit.depthwiseConv2d(ctx.b, ctx.origin, x, { ...p, bias }));
};

const matMul: OpImporter = (ctx) => {
  if (attrBool(ctx, "transpose_a")) refuse(ctx, "transpose_a: dtd supports x·W with x the batch of vectors");
  const x = ctx.value(0);
  const w = weightInput(ctx, 1, "weight", 2);
  let W = f32(w.shape, w.data);
  if (attrBool(ctx, "transpose_b")) {
    const [o, i] = w.shape as [number, number];
    const t = new Float32Array(i * o);
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) t[c * o + r] = w.data[r * i + c]!;
    W = f32([i, o], t);
  }
  return ctx.node.op === "MatMul" ? Emit.dense(ctx.b, ctx.origin, x, { W }) : fused(ctx, (bias) => Emit.dense(ctx.b, ctx.origin, x, { W, bias }));
};

/**
 * A constant that broadcasts per channel (NHWC: shape [C], [1, C], [1, 1, C], [1, 1, 1, C]) or per feature of a
 * vector ([F], [1, F]), or a scalar: its values, one per channel or one in all.
 */
const perChannel = (ctx: Ctx, c: WeightTensor, x: Value): ArrayLike<number> => {
  const n = sizeOf(c.shape);
  const lastIsAll = c.shape.slice(0, -1).every((d) => d === 1) && c.shape.length <= (x.shape.length === 3 ? 4 : 2);
  const channels = x.shape[0]!;
  if (n === 1 || (lastIsAll && n === channels)) return c.data;
  return refuse(ctx, `its constant "${c.name}" of shape [${c.shape.join(", ")}] does not broadcast per ${x.shape.length === 3 ? "channel" : "feature"} (${channels}) over an input [${x.shape.join(", ")}] (dtd layout)`);
};

/** Which input of a binary op is the constant, if any. */
const splitConstant = (ctx: Ctx): { x: Value; c: WeightTensor; constantFirst: boolean } | undefined => {
  const c1 = ctx.constant(1);
  if (c1 !== undefined) return { x: ctx.value(0), c: c1, constantFirst: false };
  const c0 = ctx.constant(0);
  if (c0 !== undefined) return { x: ctx.value(1), c: c0, constantFirst: true };
  return undefined;
};

const addOp: OpImporter = (ctx) => {
  const k = splitConstant(ctx);
  if (k !== undefined && ctx.node.inputs.length === 2) return Emit.channelAffine(ctx.b, ctx.origin, k.x, { shift: perChannel(ctx, k.c, k.x) });
  return Emit.add(ctx.b, ctx.origin, ctx.node.inputs.map((_, i) => ctx.value(i)));
};

const subOp: OpImporter = (ctx) => {
  const k = splitConstant(ctx);
  if (k === undefined || k.constantFirst) return refuse(ctx, "dtd supports x − constant only");
  return Emit.channelAffine(ctx.b, ctx.origin, k.x, { shift: Array.from(perChannel(ctx, k.c, k.x), (v) => -v) });
};

const mulOp: OpImporter = (ctx) => {
  const k = splitConstant(ctx) ?? refuse(ctx, `Mul of two activations: ${GATE}`);
  return Emit.channelAffine(ctx.b, ctx.origin, k.x, { scale: perChannel(ctx, k.c, k.x) });
};

const divOp: OpImporter = (ctx) => {
  const k = splitConstant(ctx);
  if (k === undefined || k.constantFirst) return refuse(ctx, "dtd supports x / constant only");
  const c = perChannel(ctx, k.c, k.x);
  if (Array.from(c).some((v) => v === 0)) refuse(ctx, `it divides by zero (constant "${k.c.name}")`);
  return Emit.channelAffine(ctx.b, ctx.origin, k.x, { scale: Array.from(c, (v) => 1 / v) });
};

/**
 * FusedBatchNorm(V3) at inference (what the converter leaves when it does not fold a batch norm):
 * y = (x − mean)·scale/√(variance + ε) + offset per channel.
 */
const fusedBatchNorm: OpImporter = (ctx) => {
  checkNhwc(ctx);
  if (attrBool(ctx, "is_training")) refuse(ctx, "is_training = true: dtd imports models at inference");
  const x = ctx.value(0);
  const [scale, offset, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(ctx, weightInput(ctx, i, ["scale", "offset", "mean", "variance"][i - 1]!, 1), x));
  const a = attr(ctx, "epsilon");
  const eps = J.isNil(a) || J.isNil(J.at(a, "f")) ? 1e-3 : J.number(J.at(a, "f"));
  const s = Array.from(scale!, (g, k) => g / Math.sqrt(variance![k]! + eps));
  return Emit.channelAffine(ctx.b, ctx.origin, x, { scale: s, shift: Array.from(offset!, (o, k) => o - mean![k]! * s[k]!) });
};

const biasAdd: OpImporter = (ctx) => {
  checkNhwc(ctx);
  const x = ctx.value(0);
  return Emit.channelAffine(ctx.b, ctx.origin, x, { shift: perChannel(ctx, weightInput(ctx, 1, "bias", 1), x) });
};

const pooling =
  (kind: "max" | "avg"): OpImporter =>
  (ctx) => {
    checkNhwc(ctx);
    const x = ctx.value(0);
    const kernel = spatial(ctx, "ksize", [1, 1]);
    const stride = spatial(ctx, "strides", [1, 1]);
    return Emit.pool(ctx.b, ctx.origin, x, { kind, kernel, stride, pads: padsOf(ctx, x, kernel, stride), countIncludePad: false });
  };

/** Mean / Max over the spatial axes [1, 2] of an NHWC tensor: global pooling. */
const reduce =
  (kind: "max" | "avg"): OpImporter =>
  (ctx) => {
    const x = ctx.value(0);
    const axes = Array.from(weightInput(ctx, 1, "axes", 1).data, (a) => (a < 0 ? a + 4 : a)).sort();
    if (x.shape.length !== 3 || axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2) refuse(ctx, `reduction over axes [${axes.join(", ")}] of an input [${x.shape.join(", ")}] (dtd layout): dtd supports the spatial axes [1, 2] of NHWC images`);
    return Emit.globalPool(ctx.b, ctx.origin, x, { kind, keepDims: attrBool(ctx, "keep_dims") });
  };

/** Reshape where it is a flatten ([-1, n]), or a vector made a 1×1×C map, or such a map made a vector. */
const reshape: OpImporter = (ctx) => {
  const x = ctx.value(0);
  const target = Array.from(weightInput(ctx, 1, "shape", 1).data);
  const size = x.shape.reduce((a, d) => a * d, 1);
  const rest = target.slice(1);
  const fits = (d: number): boolean => d === size || d === -1;
  // A flatten, possibly with unit axes around the vector (BlazeFace's [N, anchors, 1]).
  const vector = rest.filter((d) => d !== 1);
  if (rest.length === 1 ? fits(rest[0]!) : vector.length === 1 && fits(vector[0]!) && x.shape.length === 3) return Emit.flatten(ctx.b, ctx.origin, x, "NHWC");
  if (x.shape.length === 1 && rest.length === 3 && rest[0] === 1 && rest[1] === 1 && fits(rest[2]!)) return { ...x, squeezed: true };
  return refuse(ctx, `target shape [${target.join(", ")}] of an input [${x.shape.join(", ")}] (dtd layout): only reshapes that flatten are supported`);
};

/** Squeeze of the 1×1 spatial axes of a global-pooled map. */
const squeeze: OpImporter = (ctx) => {
  const x = ctx.value(0);
  const dims = attrInts(ctx, "squeeze_dims").map((a) => (a < 0 ? a + 4 : a)).sort();
  if (x.squeezed === true && dims.length === 2 && dims[0] === 1 && dims[1] === 2) return { ...x, squeezed: false };
  return refuse(ctx, `squeeze_dims [${dims.join(", ")}] of an input [${x.shape.join(", ")}]: dtd supports squeezing the 1×1 map of a global pooling`);
};

const concat: OpImporter = (ctx) => {
  const n = ctx.node.inputs.length - 1;
  const axisTensor = weightInput(ctx, n, "axis", 0);
  const xs = Array.from({ length: n }, (_, i) => ctx.value(i));
  const rank = xs[0]!.squeezed === true ? 4 : xs[0]!.shape.length + 1;
  const axis = axisTensor.data[0]! < 0 ? axisTensor.data[0]! + rank : axisTensor.data[0]!;
  if (axis !== rank - 1) refuse(ctx, `axis ${axisTensor.data[0]}: dtd concatenates along channels (the last axis of NHWC) or features`);
  return Emit.concat(ctx.b, ctx.origin, xs);
};

const pad: OpImporter = (ctx) => {
  const x = ctx.value(0);
  const p = weightInput(ctx, 1, "paddings", 2);
  const v = ctx.node.op === "PadV2" ? weightInput(ctx, 2, "constant value", 0).data[0] : 0;
  const d = Array.from(p.data);
  if (v !== 0 || d.length !== 8 || d[0] !== 0 || d[1] !== 0 || d.some((q) => q < 0)) {
    refuse(ctx, `paddings [${d.join(", ")}] with value ${v}: dtd supports zero padding of H, W and channels`);
  }
  const spatial = Emit.pad2d(ctx.b, d[6]! + d[7]! > 0 ? { ...ctx.origin, name: `${ctx.origin.name}/spatial` } : ctx.origin, x, [d[2]!, d[3]!, d[4]!, d[5]!]);
  return Emit.padChannels(ctx.b, ctx.origin, spatial, d[6]!, d[7]!);
};

/** A scalar constant input, or undefined. */
const scalarConstant = (ctx: Ctx, i: number): number | undefined => {
  const c = ctx.constant(i);
  return c !== undefined && c.data.length === 1 ? c.data[0] : undefined;
};

/** Minimum(x, c) of a ReLU's output (Keras's ReLU(max_value), clip_by_value after a ReLU): a clipped ReLU. */
const minimumOp: OpImporter = (ctx) => {
  const c = scalarConstant(ctx, 1) ?? scalarConstant(ctx, 0) ?? refuse(ctx, "dtd supports Minimum with a scalar constant only");
  const x = ctx.value(scalarConstant(ctx, 1) === undefined ? 1 : 0);
  return Emit.minimum(ctx.b, ctx.origin, x, c) ?? refuse(ctx, `min(x, ${c}) of an input that can be negative: dtd's clipped ReLU is min(max(0, x), c) (clip_by_value(x, 0, c) is Minimum then Maximum with 0)`);
};

/**
 * Maximum(x, 0): a ReLU; Maximum(Minimum(z, c), 0) — tf.clip_by_value(z, 0, c), Keras's ReLU6 in old graphs — is
 * the clipped ReLU min(max(0, z), c).
 */
const maximumOp: OpImporter = (ctx) => {
  const k = scalarConstant(ctx, 1) === undefined ? 0 : 1;
  if (scalarConstant(ctx, k === 1 ? 1 : 0) !== 0 || ctx.node.inputs.length !== 2) refuse(ctx, "dtd supports Maximum with the constant 0 (a ReLU) only");
  const inner = ctx.producer(k === 1 ? 0 : 1);
  if (inner?.op === "Minimum") {
    const c = inner.scalar;
    if (c !== undefined && c > 0) return Emit.activation(ctx.b, ctx.origin, inner.value(), { kind: "clippedRelu", max: c });
  }
  return Emit.activation(ctx.b, ctx.origin, ctx.value(k === 1 ? 0 : 1), { kind: "relu" });
};

const relu: OpImporter = (ctx) => Emit.activation(ctx.b, ctx.origin, ctx.value(0), { kind: "relu" });
const relu6: OpImporter = (ctx) => Emit.activation(ctx.b, ctx.origin, ctx.value(0), { kind: "clippedRelu", max: 6 });
const identity: OpImporter = (ctx) => ctx.value(0);
const final =
  (a: "sigmoid" | "softmax"): OpImporter =>
  (ctx) =>
    Emit.finalActivation(ctx.value(0), a);

/** The graph ops dtd imports. */
const importers: Readonly<Record<string, OpImporter>> = {
  Conv2D: conv2d,
  _FusedConv2D: conv2d,
  DepthwiseConv2dNative: depthwise,
  FusedDepthwiseConv2dNative: depthwise,
  MatMul: matMul,
  _FusedMatMul: matMul,
  BiasAdd: biasAdd,
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
  Add: addOp,
  AddV2: addOp,
  AddN: addOp,
  Sub: subOp,
  Mul: mulOp,
  RealDiv: divOp,
  MaxPool: pooling("max"),
  AvgPool: pooling("avg"),
  Mean: reduce("avg"),
  Max: reduce("max"),
  Relu: relu,
  Relu6: relu6,
  Minimum: minimumOp,
  Maximum: maximumOp,
  Reshape: reshape,
  Squeeze: squeeze,
  ConcatV2: concat,
  Pad: pad,
  PadV2: pad,
  Identity: identity,
  StopGradient: identity,
  Sigmoid: final("sigmoid"),
  Softmax: final("softmax"),
};

const readNodes = (topology: J.Cursor): ReadonlyMap<string, GraphNode> => {
  const nodes = new Map<string, GraphNode>();
  for (const c of J.array(J.at(topology, "node"))) {
    const name = J.string(J.at(c, "name"));
    const inputsAt = J.at(c, "input");
    const inputs = J.isNil(inputsAt) ? [] : J.array(inputsAt).map(J.string).filter((s) => !s.startsWith("^"));
    if (nodes.has(name)) J.refuse(J.at(c, "name"), "a node name not used before");
    nodes.set(name, { name, op: J.string(J.at(c, "op")), inputs, attr: J.at(c, "attr") });
  }
  return nodes;
};

/**
 * The output node: the chosen one (a signature output key, or a node name), else the signature's single output,
 * else the single node nobody consumes.
 */
const outputNode = (root: J.Cursor, nodes: ReadonlyMap<string, GraphNode>, chosen: string | undefined): string => {
  const outputs = J.at(J.at(root, "signature"), "outputs");
  const signature = J.isNil(outputs) ? [] : Object.keys(J.object(outputs)).map((k) => ({ key: k, name: J.string(J.at(J.at(outputs, k), "name")).replace(/:0$/, "") }));
  const consumed = new Set([...nodes.values()].flatMap((n) => n.inputs.map((i) => i.replace(/:\d+$/, ""))));
  const sinks = [...nodes.values()].filter((n) => !consumed.has(n.name) && n.op !== "Const" && n.op !== "NoOp").map((n) => n.name);
  const names = signature.length > 0 ? signature.map((o) => (o.key === o.name ? o.name : `${o.key} (${o.name})`)) : sinks;
  if (chosen !== undefined) {
    const bySignature = signature.find((o) => o.key === chosen || o.name === chosen.replace(/:0$/, ""));
    if (bySignature !== undefined) return bySignature.name;
    if (nodes.has(chosen.replace(/:0$/, ""))) return chosen.replace(/:0$/, "");
    return fail(noSuchOutput(format, chosen, names));
  }
  const candidates = signature.length > 0 ? signature.map((o) => o.name) : sinks;
  if (candidates.length !== 1) fail(severalOutputs(format, names));
  return candidates[0]!;
};

const placeholderShape = (node: GraphNode, overrideShape: readonly number[] | undefined): number[] => {
  const dims = J.at(J.at(J.at(node.attr, "shape"), "shape"), "dim");
  const shape = J.isNil(dims) ? [] : J.array(dims).map((d) => (J.isNil(J.at(d, "size")) ? -1 : J.integerLike(J.at(d, "size"))));
  const sample = sampleShape({ format, input: node.name, dims: shape, override: overrideShape, layout: "H, W, C" });
  if (sample.length !== 3 && sample.length !== 1) fail({ _tag: "UnsupportedModel", format, reason: `its input "${node.name}" has per-sample shape [${sample.join(", ")}]: dtd reads NHWC images and vectors` });
  return sample.length === 3 ? [sample[2]!, sample[0]!, sample[1]!] : [...sample];
};

/**
 * Imports a graph model. `inputShape` (per sample, NHWC, e.g. [224, 224, 3]) sets the input size when the
 * Placeholder leaves it unknown; `output` chooses among several outputs.
 */
export const importGraphModel = (root: J.Cursor, weights: ReadonlyMap<string, WeightTensor>, opts: { readonly inputShape?: readonly number[]; readonly output?: string } = {}): IrModel => {
  const nodes = readNodes(J.at(root, "modelTopology"));
  const outName = outputNode(root, nodes, opts.output);
  const inputShape = opts.inputShape;
  const placeholders = [...nodes.values()].filter((n) => n.op === "Placeholder");
  if (placeholders.length !== 1) fail({ _tag: "UnsupportedModel", format, reason: `it has ${placeholders.length} inputs (Placeholder nodes): dtd explains models with one input` });
  const inputNode = placeholders[0]!;
  const shape = placeholderShape(inputNode, inputShape);
  const b = new Builder(format, { name: inputNode.name, shape, originalLayout: shape.length === 3 ? "NHWC" : "flat" });
  const values = new Map<string, Value>([[inputNode.name, b.inputValue()]]);
  const visiting = new Set<string>();

  const nodeOf = (ref: string, consumer: GraphNode): GraphNode => {
    const m = /^(.*?)(?::(\d+))?$/.exec(ref)!;
    if (m[2] !== undefined && m[2] !== "0") b.refuse(consumer.name, consumer.op, `it takes output ${m[2]} of "${m[1]}": dtd supports ops with one output`);
    return nodes.get(m[1]!) ?? b.refuse(consumer.name, consumer.op, `its input "${ref}" is not a node of the graph`);
  };
  const constantOf = (n: GraphNode): WeightTensor | undefined => {
    if (n.op === "Const") return weights.get(n.name) ?? b.fail({ _tag: "Weight", format, node: n.name, weight: n.name, reason: "(a Const node) is not in the weights manifest" });
    if (n.op === "Identity" && n.inputs.length === 1) return constantOf(nodeOf(n.inputs[0]!, n));
    return undefined;
  };
  const valueOf = (n: GraphNode): Value => {
    const known = values.get(n.name);
    if (known !== undefined) return known;
    if (visiting.has(n.name)) b.refuse(n.name, n.op, "the graph has a cycle through it");
    visiting.add(n.name);
    const importer = importers[n.op] ?? b.refuse(n.name, n.op, unsupportedReason(n.op, Object.keys(importers)));
    const ctx: Ctx = {
      b,
      node: n,
      origin: { name: n.name, source: n.op },
      value: (i) => {
        const ref = n.inputs[i] ?? b.refuse(n.name, n.op, `expected an input ${i}, found ${n.inputs.length} inputs`);
        const input = nodeOf(ref, n);
        if (constantOf(input) !== undefined) b.refuse(n.name, n.op, `its input ${i} ("${ref}") is a constant where dtd expects an activation`);
        return valueOf(input);
      },
      constant: (i) => {
        const ref = n.inputs[i];
        return ref === undefined ? undefined : constantOf(nodeOf(ref, n));
      },
      producer: (i) => {
        const ref = n.inputs[i];
        const p = ref === undefined ? undefined : nodeOf(ref, n);
        if (p === undefined || constantOf(p) !== undefined || p.inputs.length !== 2) return undefined;
        const cs = p.inputs.map((r) => constantOf(nodeOf(r, p)));
        const k = cs.findIndex((c) => c !== undefined && c.data.length === 1);
        if (k < 0 || cs[1 - k] !== undefined) return { op: p.op, scalar: undefined, value: () => valueOf(p) };
        return { op: p.op, scalar: cs[k]!.data[0], value: () => valueOf(nodeOf(p.inputs[1 - k]!, p)) };
      },
    };
    const v = importer(ctx);
    visiting.delete(n.name);
    values.set(n.name, v);
    return v;
  };
  return b.finish(valueOf(nodes.get(outName) ?? fail({ _tag: "UnsupportedModel", format, reason: `its output "${outName}" is not a node of the graph` })));
};
