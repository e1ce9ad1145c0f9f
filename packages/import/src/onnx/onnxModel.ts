/**
 * ONNX models (NCHW, what PyTorch exports) → IR. Nodes are read in the file's (topological) order, only those
 * the output depends on; initializers and Constant nodes are constants, and ops on constants only are folded
 * ({@link folders}). The op subset: Conv (group 1, or depthwise), Gemm, MatMul, Add/Sub/Mul/Div with
 * constants (per channel) or Add of two activations, Relu, Clip, MaxPool, AveragePool, Global{Average,Max}Pool,
 * BatchNormalization, Flatten, Reshape as a flatten, Concat, Pad, Identity, Dropout, Softmax/Sigmoid last.
 * @module
 */
import type { GraphBuilder, Value } from "../GraphBuilder.ts";
import { GraphBuilder as Builder } from "../GraphBuilder.ts";
import * as Emit from "../emit.ts";
import type { IrModel, Pads, Pair } from "../Ir.ts";
import { noSuchOutput, severalOutputs } from "../ImportError.ts";
import { fail } from "../internal/fail.ts";
import { sampleShape } from "../inputShape.ts";
import { f32, samePads2d } from "../layout.ts";
import { firstNonFinite, sizeOf, type WeightTensor } from "../WeightTensor.ts";
import { constantValue, folders, reshapeTarget } from "./constFold.ts";
import { attribute, decodeModel, type GraphProto, type NodeProto, num, type ValueInfoProto } from "./proto.ts";
import { readTensor } from "./tensor.ts";
import { GATE, unsupportedReason } from "../unsupportedOps.ts";

const format = "onnx" as const;

interface Ctx {
  readonly b: GraphBuilder;
  readonly node: NodeProto;
  readonly origin: Emit.Origin;
  readonly op: string;
  /** The activation behind input i (refused when it is a constant or absent). */
  readonly value: (i: number) => Value;
  /** The constant behind input i, or undefined (absent, or an activation). */
  readonly constant: (i: number) => WeightTensor | undefined;
  /** True when input i is given (ONNX marks an omitted optional input by an empty name). */
  readonly has: (i: number) => boolean;
}

type OpImporter = (ctx: Ctx) => Value;

const refuse = (ctx: Ctx, reason: string): never => ctx.b.refuse(ctx.origin.name, ctx.op, reason);
const ints = (ctx: Ctx, key: string): number[] | undefined => {
  const a = attribute(ctx.node, key);
  return a === undefined ? undefined : (a.ints ?? []).map(num);
};
const int = (ctx: Ctx, key: string, fallback: number): number => {
  const a = attribute(ctx.node, key);
  return a === undefined ? fallback : num(a.i);
};
const float = (ctx: Ctx, key: string, fallback: number): number => attribute(ctx.node, key)?.f ?? fallback;
const str = (ctx: Ctx, key: string, fallback: string): string => {
  const s = attribute(ctx.node, key)?.s;
  return s === undefined || s === null ? fallback : String.fromCharCode(...s);
};

/** A constant input used as weights: required, finite. */
const weight = (ctx: Ctx, i: number, what: string): WeightTensor => {
  const w = ctx.constant(i) ?? refuse(ctx, `its ${what} (input ${i}) is not a constant`);
  const bad = firstNonFinite(w.data);
  if (bad >= 0) ctx.b.fail({ _tag: "Weight", format, node: ctx.origin.name, weight: w.name, reason: `holds ${w.data[bad]} at flat index ${bad}: expected finite values` });
  return w;
};

const pair = (v: readonly number[] | undefined, fallback: Pair, ctx: Ctx, key: string): Pair => {
  if (v === undefined) return fallback;
  if (v.length !== 2) refuse(ctx, `${key} [${v.join(", ")}]: dtd supports 2-D windows`);
  return [v[0]!, v[1]!];
};

/** ONNX pads `[top, left, bottom, right]` (or auto_pad) → dtd's `[top, bottom, left, right]`. */
const padsOf = (ctx: Ctx, x: Value, kernel: Pair, stride: Pair): Pads => {
  const auto = str(ctx, "auto_pad", "NOTSET");
  if (auto === "SAME_UPPER" || auto === "SAME_LOWER") return samePads2d(x.shape, kernel, stride, auto === "SAME_LOWER");
  if (auto === "VALID") return [0, 0, 0, 0];
  if (auto !== "NOTSET") refuse(ctx, `auto_pad ${auto}`);
  const p = ints(ctx, "pads") ?? [0, 0, 0, 0];
  if (p.length !== 4) refuse(ctx, `pads [${p.join(", ")}]: expected 4 values for a 2-D window`);
  return [p[0]!, p[2]!, p[1]!, p[3]!];
};

const checkDilations = (ctx: Ctx): void => {
  const d = ints(ctx, "dilations");
  if (d !== undefined && d.some((v) => v !== 1)) refuse(ctx, `dilations [${d.join(", ")}]: dtd supports dilation 1`);
};

const conv: OpImporter = (ctx) => {
  checkDilations(ctx);
  const x = ctx.value(0);
  const w = weight(ctx, 1, "weight");
  if (w.shape.length !== 4) refuse(ctx, `its weight has shape [${w.shape.join(", ")}]: dtd supports 2-D convolutions (OIHW)`);
  const bias = ctx.has(2) ? weight(ctx, 2, "bias").data : undefined;
  const kernel: Pair = [w.shape[2]!, w.shape[3]!];
  const stride = pair(ints(ctx, "strides"), [1, 1], ctx, "strides");
  const group = int(ctx, "group", 1);
  const W = f32(w.shape, w.data);
  const pads = padsOf(ctx, x, kernel, stride);
  if (group === 1) return Emit.conv2d(ctx.b, ctx.origin, x, { W, bias, stride, pads });
  const channels = x.shape[0]!;
  if (group === channels && w.shape[1] === 1) return Emit.depthwiseConv2d(ctx.b, ctx.origin, x, { W, bias, multiplier: w.shape[0]! / group, stride, pads });
  if (group < 1 || channels % group !== 0 || w.shape[0]! % group !== 0 || w.shape[1] !== channels / group) {
    return refuse(ctx, `group ${group} with a weight [${w.shape.join(", ")}] on ${channels} channels: expected [O, C/group, kh, kw] with C and O multiples of group`);
  }
  ctx.b.note("grouped convolutions are ordinary convolutions whose weights between groups are 0 (the same function; those zero weights get no relevance under w², z⁺ or zᵇ)");
  return Emit.conv2d(ctx.b, ctx.origin, x, { W: blockDiagonal(w, group, channels), bias, stride, pads });
};

/**
 * A grouped convolution's weight [O, C/g, kh, kw] as an ordinary one [O, C, kh, kw]: output channel o reads input
 * channels of its group g(o) = ⌊o / (O/g)⌋ only, the other weights 0.
 */
const blockDiagonal = (w: WeightTensor, group: number, channels: number): ReturnType<typeof f32> => {
  const [o, perGroup, kh, kw] = w.shape as [number, number, number, number];
  const k = kh * kw;
  const out = new Float32Array(o * channels * k);
  const outPerGroup = o / group;
  for (let oc = 0; oc < o; oc++) {
    const first = Math.floor(oc / outPerGroup) * perGroup;
    for (let c = 0; c < perGroup; c++) out.set(w.data.subarray((oc * perGroup + c) * k, (oc * perGroup + c + 1) * k), (oc * channels + first + c) * k);
  }
  return f32([o, channels, kh, kw], out);
};

/** W [in, out] from a 2-D constant, transposed when `transposed` ([out, in], PyTorch's Linear). */
const matrix = (w: WeightTensor, transposed: boolean, alpha: number): ReturnType<typeof f32> => {
  const [r, c] = w.shape as [number, number];
  if (!transposed && alpha === 1) return f32(w.shape, w.data);
  const out = new Float32Array(r * c);
  if (transposed) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = alpha * w.data[i * c + j]!;
  else for (let i = 0; i < r * c; i++) out[i] = alpha * w.data[i]!;
  return f32(transposed ? [c, r] : [r, c], out);
};

/** Y = α·A·op(B) + β·C. */
const gemm: OpImporter = (ctx) => {
  if (int(ctx, "transA", 0) !== 0) refuse(ctx, "transA = 1: dtd supports x·W with x the batch of vectors");
  const x = ctx.value(0);
  const w = weight(ctx, 1, "weight");
  if (w.shape.length !== 2) refuse(ctx, `its weight has shape [${w.shape.join(", ")}]: expected a matrix`);
  const W = matrix(w, int(ctx, "transB", 0) === 1, float(ctx, "alpha", 1));
  const nOut = W.shape[1]!;
  let bias: Float32Array | undefined;
  if (ctx.has(2)) {
    const c = weight(ctx, 2, "bias");
    if (sizeOf(c.shape) !== nOut && sizeOf(c.shape) !== 1) refuse(ctx, `its C of shape [${c.shape.join(", ")}] does not broadcast to one value per output (${nOut})`);
    const beta = float(ctx, "beta", 1);
    bias = Float32Array.from({ length: nOut }, (_, j) => beta * c.data[c.data.length === 1 ? 0 : j]!);
  }
  return Emit.dense(ctx.b, ctx.origin, x, { W, bias });
};

const matMul: OpImporter = (ctx) => {
  const x = ctx.value(0);
  const w = weight(ctx, 1, "weight");
  if (w.shape.length !== 2) refuse(ctx, `its second operand has shape [${w.shape.join(", ")}]: dtd supports x·W with W a constant matrix`);
  return Emit.dense(ctx.b, ctx.origin, x, { W: f32(w.shape, w.data) });
};

/** A constant broadcasting per channel over NCHW ([C, 1, 1], [1, C, 1, 1]) or per feature over [N, F] ([F], [1, F]), or a scalar. */
const perChannel = (ctx: Ctx, c: WeightTensor, x: Value): ArrayLike<number> => {
  const n = sizeOf(c.shape);
  if (n === 1) return c.data;
  const channels = x.shape[0]!;
  const rank = x.squeezed === true ? 4 : x.shape.length + 1;
  const padded = [...new Array<number>(Math.max(0, rank - c.shape.length)).fill(1), ...c.shape];
  const ok = padded.length === rank && padded.every((d, i) => (i === 1 ? d === channels : d === 1));
  return ok ? c.data : refuse(ctx, `its constant "${c.name}" of shape [${c.shape.join(", ")}] does not broadcast per ${x.shape.length === 3 ? "channel" : "feature"} (${channels}) over an input of rank ${rank}`);
};

const binary =
  (kind: "add" | "sub" | "mul" | "div"): OpImporter =>
  (ctx) => {
    const c1 = ctx.constant(1);
    const c0 = ctx.constant(0);
    if (c1 === undefined && c0 === undefined) {
      if (kind === "add") return Emit.add(ctx.b, ctx.origin, [ctx.value(0), ctx.value(1)]);
      return refuse(ctx, kind === "mul" ? `${ctx.op} of two activations: ${GATE}` : `${ctx.op} of two activations: dtd supports it with a constant only`);
    }
    const constantFirst = c1 === undefined;
    const x = ctx.value(constantFirst ? 1 : 0);
    const c = weight(ctx, constantFirst ? 0 : 1, "constant");
    const v = Array.from(perChannel(ctx, c, x));
    if (constantFirst && (kind === "sub" || kind === "div")) refuse(ctx, `constant ${kind === "sub" ? "−" : "/"} x: dtd supports x ${kind === "sub" ? "−" : "/"} constant`);
    switch (kind) {
      case "add":
        return Emit.channelAffine(ctx.b, ctx.origin, x, { shift: v });
      case "sub":
        return Emit.channelAffine(ctx.b, ctx.origin, x, { shift: v.map((s) => -s) });
      case "mul":
        return Emit.channelAffine(ctx.b, ctx.origin, x, { scale: v });
      case "div":
        if (v.some((s) => s === 0)) refuse(ctx, `it divides by zero (constant "${c.name}")`);
        return Emit.channelAffine(ctx.b, ctx.origin, x, { scale: v.map((s) => 1 / s) });
    }
  };

const clip: OpImporter = (ctx) => {
  const x = ctx.value(0);
  const bound = (i: number, key: string, fallback: number): number => {
    const a = attribute(ctx.node, key);
    if (a !== undefined) return a.f ?? fallback;
    return ctx.has(i) ? (weight(ctx, i, key).data[0] ?? fallback) : fallback;
  };
  const lo = bound(1, "min", -Infinity);
  const hi = bound(2, "max", Infinity);
  if (lo !== 0) refuse(ctx, `min ${lo}: dtd supports Clip(0, max), a ReLU clipped at max`);
  return hi === Infinity ? Emit.activation(ctx.b, ctx.origin, x, { kind: "relu" }) : Emit.activation(ctx.b, ctx.origin, x, { kind: "clippedRelu", max: hi });
};

/**
 * ceil_mode = 1: the output has ⌈(n + pads − k)/s⌉ + 1 positions along each axis, less the last when it would
 * start in the end padding (PyTorch's rule, which onnxruntime follows). Its last windows overhang the padded input
 * by the returned amounts [rows, columns]: for max pooling, more −∞ padding at the end.
 */
const ceilOverhang = (x: Value, kernel: Pair, stride: Pair, pads: Pads): readonly [number, number] => {
  const axis = (n: number, k: number, s: number, begin: number, end: number): number => {
    const span = n + begin + end - k;
    let out = Math.ceil(span / s) + 1;
    if ((out - 1) * s >= n + begin) out--;
    return Math.max(0, (out - 1) * s - span);
  };
  return [axis(x.shape[1]!, kernel[0], stride[0], pads[0], pads[1]), axis(x.shape[2]!, kernel[1], stride[1], pads[2], pads[3])];
};

const pooling =
  (kind: "max" | "avg"): OpImporter =>
  (ctx) => {
    checkDilations(ctx);
    if ((ctx.node.output ?? []).length > 1 && (ctx.node.output ?? [])[1] !== "") refuse(ctx, "its Indices output is used: dtd supports pooling values only");
    const x = ctx.value(0);
    const kernel = pair(ints(ctx, "kernel_shape"), [1, 1], ctx, "kernel_shape");
    const stride = pair(ints(ctx, "strides"), [1, 1], ctx, "strides");
    const given = padsOf(ctx, x, kernel, stride);
    const overhang = int(ctx, "ceil_mode", 0) === 1 ? ceilOverhang(x, kernel, stride, given) : ([0, 0] as const);
    if (kind === "avg" && (overhang[0] > 0 || overhang[1] > 0)) {
      refuse(ctx, `ceil_mode = 1 with windows that overhang the padded input by [${overhang.join(", ")}]: their averages divide by fewer elements, which dtd's average pooling cannot`);
    }
    const pads: Pads = [given[0], given[1] + overhang[0], given[2], given[3] + overhang[1]];
    return Emit.pool(ctx.b, ctx.origin, x, { kind, kernel, stride, pads, countIncludePad: int(ctx, "count_include_pad", 0) === 1 });
  };

/** ReduceMean / ReduceMax over the spatial axes [2, 3] of an NCHW tensor (axes as an attribute, or an input from opset 18): global pooling. */
const reduce =
  (kind: "max" | "avg"): OpImporter =>
  (ctx) => {
    const x = ctx.value(0);
    const rank = onnxShape(x).length;
    const given = ints(ctx, "axes") ?? (ctx.has(1) ? Array.from(weight(ctx, 1, "axes").data) : undefined);
    const axes = (given ?? []).map((a) => (a < 0 ? a + rank : a)).sort();
    if (x.shape.length !== 3 || axes.length !== 2 || axes[0] !== 2 || axes[1] !== 3) {
      refuse(ctx, `reduction over axes [${given === undefined ? "all" : axes.join(", ")}] of an input [${onnxShape(x).join(", ")}]: dtd supports the spatial axes [2, 3] of NCHW images (global pooling)`);
    }
    return Emit.globalPool(ctx.b, ctx.origin, x, { kind, keepDims: int(ctx, "keepdims", 1) === 1 });
  };

const globalPool =
  (kind: "max" | "avg"): OpImporter =>
  (ctx) =>
    Emit.globalPool(ctx.b, ctx.origin, ctx.value(0), { kind, keepDims: true });

/** y = (x − mean) / √(var + ε) · scale + B per channel. */
const batchNorm: OpImporter = (ctx) => {
  if (int(ctx, "training_mode", 0) !== 0) refuse(ctx, "training_mode = 1: dtd imports models at inference");
  const x = ctx.value(0);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => weight(ctx, i, ["scale", "B", "mean", "var"][i - 1]!).data);
  const eps = float(ctx, "epsilon", 1e-5);
  const n = x.shape[0]!;
  if ([gamma, beta, mean, variance].some((t) => t!.length !== n)) refuse(ctx, `expected ${n} values per parameter (one per channel)`);
  const scale = Float64Array.from({ length: n }, (_, i) => gamma![i]! / Math.sqrt(variance![i]! + eps));
  const shift = Float64Array.from({ length: n }, (_, i) => beta![i]! - mean![i]! * scale[i]!);
  return Emit.channelAffine(ctx.b, ctx.origin, x, { scale, shift });
};

const flatten: OpImporter = (ctx) => {
  const axis = int(ctx, "axis", 1);
  if (axis !== 1) refuse(ctx, `axis ${axis}: dtd supports Flatten(axis = 1), one vector per sample`);
  return Emit.flatten(ctx.b, ctx.origin, ctx.value(0), "NCHW");
};

/** The shape ONNX gives a value: [1, C, H, W], [1, F], or [1, C, 1, 1] for a global pooling's output. */
const onnxShape = (v: Value): number[] => (v.squeezed === true ? [1, v.shape[0]!, 1, 1] : [1, ...v.shape]);

const reshape: OpImporter = (ctx) => {
  const x = ctx.value(0);
  const target = Array.from(weight(ctx, 1, "shape").data);
  const shape = reshapeTarget(onnxShape(x), target, int(ctx, "allowzero", 0) === 1);
  if (shape === undefined) return refuse(ctx, `cannot reshape [${onnxShape(x).join(", ")}] to [${target.join(", ")}]`);
  const size = x.shape.reduce((a, d) => a * d, 1);
  if (shape.length === 2 && shape[1] === size) return Emit.flatten(ctx.b, ctx.origin, x, "NCHW");
  if (x.shape.length === 1 && shape.length === 4 && shape[1] === size && shape[2] === 1 && shape[3] === 1) return { ...x, squeezed: true };
  const shuffle = x.shape.length === 3 && shape.length === 5 && shape[1]! * shape[2]! === x.shape[0] && shape[3] === x.shape[1] && shape[4] === x.shape[2];
  if (shuffle) {
    return refuse(ctx, `reshape of [${onnxShape(x).join(", ")}] to [${shape.join(", ")}]: the start of a channel shuffle (groups × channels per group, then a transpose, as in ShuffleNet), a permutation of channels that dtd's graphs have no layer for`);
  }
  return refuse(ctx, `reshape of [${onnxShape(x).join(", ")}] to [${shape.join(", ")}]: only reshapes that flatten are supported`);
};

/** Squeeze/Unsqueeze between a global pooling's [C, 1, 1] and the vector [C]. */
const squeezeLike =
  (squeeze: boolean): OpImporter =>
  (ctx) => {
    const x = ctx.value(0);
    const axes = (ints(ctx, "axes") ?? Array.from(ctx.constant(1)?.data ?? [])).map((a) => (a < 0 ? a + 4 : a)).sort();
    const spatial = axes.length === 2 && axes[0] === 2 && axes[1] === 3;
    if (squeeze && x.squeezed === true && spatial) return { ...x, squeezed: false };
    if (!squeeze && x.shape.length === 1 && x.squeezed !== true && spatial) return { ...x, squeezed: true };
    return refuse(ctx, `axes [${axes.join(", ")}] of an input [${onnxShape(x).join(", ")}]: dtd supports moving between [N, C, 1, 1] and [N, C]`);
  };

const concat: OpImporter = (ctx) => {
  const n = (ctx.node.input ?? []).length;
  const xs = Array.from({ length: n }, (_, i) => ctx.value(i));
  // torch.cat of one tensor (DenseNet's first layer of a block) is that tensor.
  if (n === 1) return xs[0]!;
  const rank = xs[0]!.squeezed === true ? 4 : xs[0]!.shape.length + 1;
  const axis = int(ctx, "axis", 1);
  if ((axis < 0 ? axis + rank : axis) !== 1) refuse(ctx, `axis ${axis}: dtd concatenates along channels (axis 1)`);
  return Emit.concat(ctx.b, ctx.origin, xs);
};

const pad: OpImporter = (ctx) => {
  const mode = str(ctx, "mode", "constant");
  if (mode !== "constant") refuse(ctx, `mode ${mode}: dtd supports zero (constant) padding`);
  const x = ctx.value(0);
  const p = ints(ctx, "pads") ?? Array.from(weight(ctx, 1, "pads").data);
  const value = attribute(ctx.node, "value")?.f ?? (ctx.has(2) ? (weight(ctx, 2, "constant_value").data[0] ?? 0) : 0);
  if (ctx.has(3)) refuse(ctx, "its axes input: dtd supports pads over all four axes");
  if (value !== 0 || p.length !== 8 || p[0] !== 0 || p[4] !== 0 || p.some((v) => v < 0)) {
    refuse(ctx, `pads [${p.join(", ")}] with value ${value}: dtd supports zero padding of H, W and channels`);
  }
  const spatial = Emit.pad2d(ctx.b, p[1]! + p[5]! > 0 ? { ...ctx.origin, name: `${ctx.origin.name}/spatial` } : ctx.origin, x, [p[2]!, p[6]!, p[3]!, p[7]!]);
  return Emit.padChannels(ctx.b, ctx.origin, spatial, p[1]!, p[5]!);
};

/** Dropout at inference is the identity: refused when the graph asks for training (training_mode true). */
const dropout: OpImporter = (ctx) => {
  if (ctx.has(2)) {
    const training = ctx.constant(2);
    if (training === undefined) refuse(ctx, "its training_mode is computed at run time: dtd imports models at inference (training_mode false)");
    if ((training?.data[0] ?? 0) !== 0) refuse(ctx, "training_mode = true (dropout drops units at random): dtd imports models at inference");
  }
  return ctx.value(0);
};

const finalActivation =
  (a: "sigmoid" | "softmax"): OpImporter =>
  (ctx) => {
    const x = ctx.value(0);
    if (a === "softmax") {
      const rank = x.squeezed === true ? 4 : x.shape.length + 1;
      const axis = int(ctx, "axis", -1);
      if (rank !== 2 || (axis !== -1 && axis !== 1)) refuse(ctx, `softmax over axis ${axis} of a rank-${rank} input: dtd supports a final softmax over class scores`);
    }
    return Emit.finalActivation(x, a);
  };

const importers: Readonly<Record<string, OpImporter>> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matMul,
  Add: binary("add"),
  Sub: binary("sub"),
  Mul: binary("mul"),
  Div: binary("div"),
  Relu: (ctx) => Emit.activation(ctx.b, ctx.origin, ctx.value(0), { kind: "relu" }),
  Clip: clip,
  MaxPool: pooling("max"),
  AveragePool: pooling("avg"),
  GlobalAveragePool: globalPool("avg"),
  ReduceMean: reduce("avg"),
  ReduceMax: reduce("max"),
  GlobalMaxPool: globalPool("max"),
  BatchNormalization: batchNorm,
  Flatten: flatten,
  Reshape: reshape,
  Squeeze: squeezeLike(true),
  Unsqueeze: squeezeLike(false),
  Concat: concat,
  Pad: pad,
  Identity: (ctx) => ctx.value(0),
  Dropout: dropout,
  Softmax: finalActivation("softmax"),
  LogSoftmax: finalActivation("softmax"),
  Sigmoid: finalActivation("sigmoid"),
};

/** The single graph input that is not an initializer, and its per-sample shape in dtd's layout. */
const graphInput = (graph: GraphProto, initializers: ReadonlySet<string>, override: readonly number[] | undefined): { name: string; shape: number[]; layout: "NCHW" | "flat" } => {
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ""));
  if (inputs.length !== 1) fail({ _tag: "UnsupportedModel", format, reason: `it has ${inputs.length} inputs (${inputs.map((i) => i.name).join(", ")}): dtd explains models with one input` });
  const input: ValueInfoProto = inputs[0]!;
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const shape = dims.map((d) => (d.dimValue === null || d.dimValue === undefined ? -1 : num(d.dimValue)));
  const sample = sampleShape({ format, input: input.name ?? "input", dims: shape, override, layout: "C, H, W" });
  if (sample.length !== 3 && sample.length !== 1) fail({ _tag: "UnsupportedModel", format, reason: `its input "${input.name}" has per-sample shape [${sample.join(", ")}]: dtd reads NCHW images and vectors` });
  return { name: input.name ?? "input", shape: [...sample], layout: sample.length === 3 ? "NCHW" : "flat" };
};

/**
 * The nodes the output depends on, each after the nodes computing its inputs (ONNX requires a topological order,
 * but hand-edited graphs may break it); a cycle is refused naming a node on it.
 */
const needed = (nodes: readonly NodeProto[], output: string, nameOf: (n: NodeProto) => string): readonly NodeProto[] => {
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o !== "") producer.set(o, n);
  const order: NodeProto[] = [];
  const state = new Map<NodeProto, "visiting" | "done">();
  // Iterative depth-first search (real graphs are thousands of nodes deep): a node is emitted after its inputs.
  const stack: { node: NodeProto; next: number }[] = [];
  const push = (value: string): void => {
    const n = producer.get(value);
    if (n === undefined) return;
    const s = state.get(n);
    if (s === "visiting") fail({ _tag: "UnsupportedModel", format, reason: `its graph has a cycle through node "${nameOf(n)}" (${n.opType ?? "?"}): its input "${value}" depends on its own output` });
    if (s === undefined) {
      state.set(n, "visiting");
      stack.push({ node: n, next: 0 });
    }
  };
  push(output);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = (top.node.input ?? []).filter((i) => i !== "");
    if (top.next < inputs.length) push(inputs[top.next++]!);
    else {
      stack.pop();
      state.set(top.node, "done");
      order.push(top.node);
    }
  }
  return order;
};

/** Options of an ONNX import. */
export interface OnnxOptions {
  /** The per-sample input shape (CHW) when the file leaves it unknown. */
  readonly inputShape?: readonly number[];
  /** The output to import when the graph has several: a graph output, or any value a node computes. */
  readonly output?: string;
}

/** Imports an ONNX model from its bytes. */
export const importOnnx = (bytes: Uint8Array, file: string, opts: OnnxOptions = {}): IrModel => {
  const model = decodeModel(bytes, file);
  const graph = model.graph!;
  const domains = (model.opsetImport ?? []).filter((o) => o.domain !== undefined && o.domain !== null && o.domain !== "" && o.domain !== "ai.onnx");
  if (domains.length > 0) fail({ _tag: "UnsupportedModel", format, reason: `it uses operator sets of other domains (${domains.map((d) => d.domain).join(", ")})` });
  const constants = new Map<string, WeightTensor>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? "", readTensor(t, t.name ?? "initializer"));
  const input = graphInput(graph, new Set(constants.keys()), opts.inputShape);
  const outputNames = (graph.output ?? []).map((o) => o.name ?? "");
  const nodes = graph.node ?? [];
  const computed = new Set(nodes.flatMap((n) => n.output ?? []));
  if (opts.output === undefined && outputNames.length !== 1) fail(severalOutputs(format, outputNames));
  if (opts.output !== undefined && !outputNames.includes(opts.output) && !computed.has(opts.output)) fail(noSuchOutput(format, opts.output, outputNames));
  const outputName = opts.output ?? outputNames[0]!;
  const b = new Builder(format, { name: input.name, shape: input.shape, originalLayout: input.layout });
  const values = new Map<string, Value>([[input.name, b.inputValue()]]);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const nameOf = (node: NodeProto): string => (node.name !== undefined && node.name !== null && node.name !== "" ? node.name : `${node.opType ?? ""}_${index.get(node) ?? 0}`);
  const secondary = new Map<string, string>();
  for (const n of nodes) (n.output ?? []).forEach((o, k) => k > 0 && o !== "" && secondary.set(o, `output ${k} of node "${nameOf(n)}" (${n.opType ?? "?"}), and dtd reads only a node's first output (a max pool's indices, a dropout's mask, a split's other parts)`));
  const missingInput = (i: number, ref: string): string =>
    ref === "" ? `its input ${i} is absent` : `its input ${i} ("${ref}") is ${secondary.get(ref) ?? "neither the graph's input, an initializer nor any node's output (a truncated or inconsistent file?)"}`;
  for (const node of needed(nodes, outputName, nameOf)) {
    const op = node.opType ?? "";
    const name = nameOf(node);
    const inputs = node.input ?? [];
    const output = (node.output ?? [])[0] ?? "";
    if ((node.domain ?? "") !== "" && node.domain !== "ai.onnx") b.refuse(name, op, `its domain ${node.domain} is not the standard one`);
    if (op === "Constant") {
      const c = constantValue(node);
      constants.set(output, "ok" in c ? c.ok : b.refuse(name, op, c.error));
      continue;
    }
    const given = inputs.filter((i) => i !== "");
    const folder = folders[op];
    if (op === "Shape" && given.length === 1 && values.has(given[0]!)) {
      // Opset 15's start and end select axes (negative from the back, clamped).
      const full = onnxShape(values.get(given[0]!)!);
      const at = (key: string, fallback: number): number => {
        const a = attribute(node, key);
        const v = a === undefined ? fallback : num(a.i);
        return Math.min(Math.max(v < 0 ? v + full.length : v, 0), full.length);
      };
      const s = full.slice(at("start", 0), at("end", full.length));
      constants.set(output, { name: output, shape: [s.length], data: Float64Array.from(s) });
      continue;
    }
    if (folder !== undefined && given.length > 0 && given.every((i) => constants.has(i))) {
      const r = folder(node, inputs.map((i) => constants.get(i)!).filter((t) => t !== undefined));
      constants.set(output, "ok" in r ? { ...r.ok, name: output } : b.refuse(name, op, r.error));
      continue;
    }
    const importer = importers[op] ?? b.refuse(name, op, unsupportedReason(op, Object.keys(importers)));
    const ctx: Ctx = {
      b,
      node,
      op,
      origin: { name, source: op },
      value: (i) => {
        const ref = inputs[i] ?? "";
        if (constants.has(ref)) b.refuse(name, op, `its input ${i} ("${ref}") is a constant where dtd expects an activation`);
        return values.get(ref) ?? b.refuse(name, op, missingInput(i, ref));
      },
      constant: (i) => constants.get(inputs[i] ?? ""),
      has: (i) => (inputs[i] ?? "") !== "",
    };
    values.set(output, importer(ctx));
  }
  const out = values.get(outputName);
  if (out === undefined) return fail({ _tag: "UnsupportedModel", format, reason: `its output "${outputName}" is ${constants.has(outputName) ? "a constant" : "not computed by any node"}` });
  return b.finish(out);
};
