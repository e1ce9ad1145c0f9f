/**
 * The kind table: for every layer kind, its arity, its shape inference, its differentiable forward pass on a batch
 * and its parameters. Typed `{ [K in Kind]: KindOps<K> }`, so a kind without an entry is a compile error.
 * Gradients are never hand-written here: they come from @dtd/autodiff.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { Kind, Layer, LayerOf } from "./Layer.ts";

/** A layer's parameters by name (W and b for the affine kinds; scale and shift for ScaleShift; none otherwise). */
export type LayerParams = Readonly<Record<string, T.Tensor>>;

/** Parameters given to a forward pass: tensors or Vars (when differentiating with respect to them). */
export type ParamInputs = Readonly<Record<string, AD.Input>>;

/** How many inputs a kind takes: one, or `min` or more. */
export interface Arity {
  readonly min: number;
  readonly max: number;
}

/** What every kind provides. */
export interface KindOps<K extends Kind> {
  /** The number of inputs (most kinds take exactly one; add and concat two or more). */
  readonly arity: Arity;
  /** The per-sample output shape for the per-sample input shapes, or why the layer cannot take them. */
  readonly outputShape: (layer: LayerOf<K>, inputs: readonly T.Shape.Shape[]) => E.Either<string, number[]>;
  /** The forward pass on batches `[N, ...input]`, differentiable in the inputs and in the parameters. */
  readonly apply: (layer: LayerOf<K>, xs: readonly AD.Var[], params: ParamInputs) => AD.Var;
  /** The parameter names. */
  readonly paramNames: readonly string[];
}

/** A one-input kind, written for its single input. */
const unary = <K extends Kind>(ops: {
  readonly paramNames: readonly string[];
  readonly outputShape: (layer: LayerOf<K>, input: T.Shape.Shape) => E.Either<string, number[]>;
  readonly apply: (layer: LayerOf<K>, x: AD.Var, params: ParamInputs) => AD.Var;
}): KindOps<K> => ({
  arity: { min: 1, max: 1 },
  paramNames: ops.paramNames,
  outputShape: (l, inputs) => ops.outputShape(l, inputs[0]!),
  apply: (l, xs, p) => ops.apply(l, xs[0]!, p),
});

const show = T.showShape;
const ok = (s: number[]): E.Either<string, number[]> => E.right(s);
const NO_PADDING = [0, 0, 0, 0] as const;
/** The output of pooling a CHW input; `padding` [top, bottom, left, right] (max pooling's −∞ padding) smaller than the window. */
const pool2dShape = (input: T.Shape.Shape, kernel: readonly [number, number], stride: readonly [number, number], padding: readonly number[] = NO_PADDING): E.Either<string, number[]> => {
  if (input.length !== 3) return E.left(`expected a CHW input of rank 3, found ${show(input)}`);
  const [c, h0, w0] = input as [number, number, number];
  if (kernel.some((k) => !Number.isInteger(k) || k < 1) || stride.some((s) => !Number.isInteger(s) || s < 1)) {
    return E.left(`expected positive integer kernel and stride, found kernel ${show(kernel)} and stride ${show(stride)}`);
  }
  if (padding.length !== 4 || padding.some((q, a) => !Number.isInteger(q) || q < 0 || q >= kernel[a < 2 ? 0 : 1])) {
    return E.left(`expected a padding [top, bottom, left, right] of non-negative integers smaller than the window ${kernel[0]}×${kernel[1]} (every window must hold an input element), found ${show(padding)}`);
  }
  const h = h0 + padding[0]! + padding[1]!;
  const w = w0 + padding[2]! + padding[3]!;
  const padded = h !== h0 || w !== w0 ? "padded " : "";
  if (kernel[0] > h || kernel[1] > w) return E.left(`expected a window no larger than the ${padded}input ${h}×${w}, found kernel ${kernel[0]}×${kernel[1]}`);
  return ok([c, Math.floor((h - kernel[0]) / stride[0]) + 1, Math.floor((w - kernel[1]) / stride[1]) + 1]);
};
const sampleAxes = (x: AD.Var): number[] => Array.from({ length: x.value.shape.length - 1 }, (_, i) => i + 1);
const param = (p: ParamInputs, name: string): AD.Input => {
  const v = p[name];
  if (v === undefined) throw new Error(`missing parameter ${name}`);
  return v;
};
/** The convolution geometry shared by conv2d and depthwiseConv2d: output [outChannels, oh, ow] for a CHW input. */
const convShape = (
  input: T.Shape.Shape,
  l: { readonly W: T.Tensor; readonly stride: readonly [number, number]; readonly padding: readonly [number, number] },
  outChannels: number,
): E.Either<string, number[]> => {
  const [, , kh, kw] = l.W.shape as [number, number, number, number];
  const [sh, sw] = l.stride;
  const [ph, pw] = l.padding;
  if (![sh, sw].every((s) => Number.isInteger(s) && s >= 1) || ![ph, pw].every((q) => Number.isInteger(q) && q >= 0)) {
    return E.left(`expected positive strides and non-negative paddings, found stride ${show(l.stride)} and padding ${show(l.padding)}`);
  }
  const h = input[1]! + 2 * ph;
  const w = input[2]! + 2 * pw;
  if (kh > h || kw > w) return E.left(`expected a kernel no larger than the padded input ${h}×${w}, found ${kh}×${kw}`);
  return ok([outChannels, Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1]);
};
/** The feature count of a per-feature (vector) or per-channel (CHW) normalisation's input, or −1. */
const featuresOf = (input: T.Shape.Shape): number => (input.length === 3 || input.length === 1 ? input[0]! : -1);
/** Checks per-feature parameters: one value per feature of a vector or channel of a CHW input. */
const perFeature = (input: T.Shape.Shape, params: readonly (readonly [string, T.Tensor])[]): E.Either<string, number[]> => {
  const n = featuresOf(input);
  if (n < 0) return E.left(`expected a vector or CHW input, found ${show(input)}`);
  for (const [name, t] of params) {
    if (t.shape.length !== 1 || t.shape[0] !== n) return E.left(`expected ${name} of shape [${n}] (one per ${input.length === 3 ? "channel" : "feature"}), found ${show(t.shape)}`);
  }
  return ok([...input]);
};
/** A per-feature tensor shaped to broadcast over a batch of vectors ([F]) or CHW images ([C, 1, 1]). */
const perFeatureShape = (x: AD.Var): number[] => (x.value.shape.length === 4 ? [-1, 1, 1] : [-1]);
/** The whole image of a batch [N, C, H, W] as one pooling window. */
const globalWindow = (x: AD.Var): [number, number] => [x.value.shape[2]!, x.value.shape[3]!];
/** Every input has the first one's shape, or the first that differs. */
const sameShapes = (inputs: readonly T.Shape.Shape[]): E.Either<string, number[]> => {
  const bad = inputs.findIndex((s) => !T.Shape.equals(s, inputs[0]!));
  return bad < 0 ? ok([...inputs[0]!]) : E.left(`expected inputs of one shape, found ${inputs.map(show).join(" and ")} (input ${bad} differs from input 0)`);
};

/** The table of kinds. */
export const kinds: { readonly [K in Kind]: KindOps<K> } = {
  dense: unary({
    paramNames: ["W", "b"],
    outputShape: (l, input) => {
      if (l.W.shape.length !== 2) return E.left(`expected a weight of rank 2 [in, out], found ${show(l.W.shape)}`);
      const [nIn, nOut] = l.W.shape as [number, number];
      if (l.b.shape.length !== 1 || l.b.shape[0] !== nOut) return E.left(`expected a bias of shape [${nOut}], found ${show(l.b.shape)}`);
      if (input.length !== 1 || input[0] !== nIn) return E.left(`expected an input of shape [${nIn}] (the weight is ${show(l.W.shape)}), found ${show(input)}`);
      return ok([nOut]);
    },
    apply: (_l, x, p) => AD.add(AD.matmul(x, param(p, "W")), param(p, "b")),
  }),
  conv2d: unary({
    paramNames: ["W", "b"],
    outputShape: (l, input) => {
      if (l.W.shape.length !== 4) return E.left(`expected a weight of rank 4 [out, in, kh, kw], found ${show(l.W.shape)}`);
      const [o, c] = l.W.shape as [number, number, number, number];
      if (l.b.shape.length !== 1 || l.b.shape[0] !== o) return E.left(`expected a bias of shape [${o}], found ${show(l.b.shape)}`);
      if (input.length !== 3) return E.left(`expected a CHW input of rank 3, found ${show(input)}`);
      if (input[0] !== c) return E.left(`expected ${c} input channels (the weight is ${show(l.W.shape)}), found ${input[0]} in ${show(input)}`);
      return convShape(input, l, o);
    },
    // conv2d(x; W) + b with the bias add fused into the convolution (no extra pass over the output).
    apply: (l, x, p) => AD.conv2dBias(x, param(p, "W"), param(p, "b"), { stride: l.stride, padding: l.padding }),
  }),
  depthwiseConv2d: unary({
    paramNames: ["W", "b"],
    outputShape: (l, input) => {
      if (l.W.shape.length !== 4) return E.left(`expected a weight of rank 4 [channels, multiplier, kh, kw], found ${show(l.W.shape)}`);
      const [c, m] = l.W.shape as [number, number, number, number];
      if (l.b.shape.length !== 1 || l.b.shape[0] !== c * m) return E.left(`expected a bias of shape [${c * m}] (channels × multiplier), found ${show(l.b.shape)}`);
      if (input.length !== 3) return E.left(`expected a CHW input of rank 3, found ${show(input)}`);
      if (input[0] !== c) return E.left(`expected ${c} input channels (the weight is ${show(l.W.shape)}), found ${input[0]} in ${show(input)}`);
      return convShape(input, l, c * m);
    },
    apply: (l, x, p) => AD.add(AD.depthwiseConv2d(x, param(p, "W"), { stride: l.stride, padding: l.padding }), AD.reshape(param(p, "b"), [-1, 1, 1])),
  }),
  relu: unary({
    paramNames: [],
    outputShape: (_l, input) => ok([...input]),
    apply: (_l, x) => AD.relu(x),
  }),
  clippedRelu: unary({
    paramNames: [],
    outputShape: (l, input) => (l.maxValue > 0 && Number.isFinite(l.maxValue) ? ok([...input]) : E.left(`expected a finite maxValue > 0, found ${l.maxValue}`)),
    apply: (l, x) => AD.minimum(AD.relu(x), l.maxValue),
  }),
  sumPool: unary({
    paramNames: [],
    outputShape: (l, input) => (l.kernel === undefined ? ok([1]) : pool2dShape(input, l.kernel, l.stride ?? l.kernel)),
    apply: (l, x) =>
      l.kernel === undefined
        ? AD.reshape(AD.sum(x, { axes: sampleAxes(x) }), [-1, 1])
        : AD.sumPool2d(x, { kernel: l.kernel, stride: l.stride ?? l.kernel }),
  }),
  pNormPool: unary({
    paramNames: [],
    outputShape: (l, input) => {
      if (!(l.p >= 1) || !Number.isFinite(l.p)) return E.left(`expected a finite p ≥ 1, found ${l.p}`);
      return l.kernel === undefined ? ok([1]) : pool2dShape(input, l.kernel, l.stride ?? l.kernel);
    },
    apply: (l, x) => {
      const powered = AD.pow(AD.abs(x), l.p);
      const pooled =
        l.kernel === undefined
          ? AD.reshape(AD.sum(powered, { axes: sampleAxes(x) }), [-1, 1])
          : AD.sumPool2d(powered, { kernel: l.kernel, stride: l.stride ?? l.kernel });
      return AD.pow(pooled, 1 / l.p);
    },
  }),
  maxPool2d: unary({
    paramNames: [],
    outputShape: (l, input) => pool2dShape(input, l.kernel, l.stride, l.padding),
    apply: (l, x) => AD.maxPool2d(x, { kernel: l.kernel, stride: l.stride, ...(l.padding === undefined ? {} : { padding: l.padding }) }),
  }),
  avgPool2d: unary({
    paramNames: [],
    outputShape: (l, input) => pool2dShape(input, l.kernel, l.stride),
    apply: (l, x) => AD.avgPool2d(x, { kernel: l.kernel, stride: l.stride }),
  }),
  // Global pooling is the window pooling whose window is the whole image, then [N, C, 1, 1] → [N, C].
  globalAvgPool: unary({
    paramNames: [],
    outputShape: (_l, input) => (input.length === 3 ? ok([input[0]!]) : E.left(`expected a CHW input of rank 3, found ${show(input)}`)),
    apply: (_l, x) => AD.reshape(AD.avgPool2d(x, { kernel: globalWindow(x) }), [x.value.shape[0]!, -1]),
  }),
  globalMaxPool: unary({
    paramNames: [],
    outputShape: (_l, input) => (input.length === 3 ? ok([input[0]!]) : E.left(`expected a CHW input of rank 3, found ${show(input)}`)),
    apply: (_l, x) => AD.reshape(AD.maxPool2d(x, { kernel: globalWindow(x) }), [x.value.shape[0]!, -1]),
  }),
  flatten: unary({
    paramNames: [],
    outputShape: (_l, input) => ok([T.Shape.size(input)]),
    apply: (_l, x) => AD.reshape(x, [x.value.shape[0]!, -1]),
  }),
  select: unary({
    paramNames: [],
    outputShape: (l, input) => {
      if (input.length !== 1) return E.left(`expected a vector input, found ${show(input)}`);
      if (!Number.isInteger(l.index) || l.index < 0 || l.index >= input[0]!) {
        return E.left(`expected an index in [0, ${input[0]! - 1}], found ${l.index}`);
      }
      return ok([1]);
    },
    apply: (l, x) => AD.slice(x, [0, l.index], [-1, 1]),
  }),
  scaleShift: unary({
    paramNames: ["scale", "shift"],
    outputShape: (l, input) => perFeature(input, [["scale", l.scale], ["shift", l.shift]]),
    apply: (_l, x, p) => {
      const shape = perFeatureShape(x);
      return AD.add(AD.mul(x, AD.reshape(param(p, "scale"), shape)), AD.reshape(param(p, "shift"), shape));
    },
  }),
  batchNorm: unary({
    paramNames: ["scale", "shift", "mean", "variance"],
    outputShape: (l, input) => {
      if (!(l.epsilon >= 0) || !Number.isFinite(l.epsilon)) return E.left(`expected a finite epsilon ≥ 0, found ${l.epsilon}`);
      const bad = l.variance.data.findIndex((v) => !(v + l.epsilon > 0));
      if (bad >= 0) return E.left(`expected variance + epsilon > 0 for every feature, found variance ${l.variance.data[bad]} at feature ${bad} (epsilon ${l.epsilon})`);
      return perFeature(input, [["scale", l.scale], ["shift", l.shift], ["mean", l.mean], ["variance", l.variance]]);
    },
    // (x − mean) · (scale / √(variance + ε)) + shift
    apply: (l, x, p) => {
      const shape = perFeatureShape(x);
      const s = AD.div(param(p, "scale"), AD.sqrt(AD.add(param(p, "variance"), l.epsilon)));
      return AD.add(AD.mul(AD.sub(x, AD.reshape(param(p, "mean"), shape)), AD.reshape(s, shape)), AD.reshape(param(p, "shift"), shape));
    },
  }),
  add: {
    arity: { min: 2, max: Infinity },
    paramNames: [],
    outputShape: (_l, inputs) => sameShapes(inputs),
    apply: (_l, xs) => xs.slice(1).reduce((sum, x) => AD.add(sum, x), xs[0]!),
  },
  concat: {
    arity: { min: 2, max: Infinity },
    paramNames: [],
    outputShape: (l, inputs) => {
      const rank = inputs[0]!.length;
      if (!Number.isInteger(l.axis) || l.axis < 0 || l.axis >= rank) return E.left(`expected an axis in [0, ${rank - 1}] (of the per-sample shape), found ${l.axis}`);
      const bad = inputs.findIndex((s) => s.length !== rank || s.some((d, a) => a !== l.axis && d !== inputs[0]![a]));
      if (bad >= 0) return E.left(`expected inputs that agree on every axis but ${l.axis}, found ${inputs.map(show).join(" and ")} (input ${bad} differs from input 0)`);
      const out = [...inputs[0]!];
      out[l.axis] = inputs.reduce((n, s) => n + s[l.axis]!, 0);
      return ok(out);
    },
    apply: (l, xs) => AD.concat(xs, l.axis + 1),
  },
  pad2d: unary({
    paramNames: [],
    outputShape: (l, input) => {
      if (input.length !== 3) return E.left(`expected a CHW input of rank 3, found ${show(input)}`);
      if (l.padding.length !== 4 || !l.padding.every((q) => Number.isInteger(q) && q >= 0)) {
        return E.left(`expected a padding [top, bottom, left, right] of non-negative integers, found ${show(l.padding)}`);
      }
      const [top, bottom, left, right] = l.padding;
      return ok([input[0]!, input[1]! + top + bottom, input[2]! + left + right]);
    },
    apply: (l, x) => AD.pad(x, [0, 0, l.padding[0], l.padding[2]], [0, 0, l.padding[1], l.padding[3]]),
  }),
  identity: unary({
    paramNames: [],
    outputShape: (_l, input) => ok([...input]),
    apply: (_l, x) => x,
  }),
};

/** A layer's parameters as tensors. */
export const paramsOf = (layer: Layer): LayerParams => {
  const names = kinds[layer.kind].paramNames;
  const rec = layer as unknown as Readonly<Record<string, T.Tensor>>;
  return Object.fromEntries(names.map((n) => [n, rec[n]!]));
};

/** The same layer with other parameter values (names as in `paramsOf`). */
export const withParams = <L extends Layer>(layer: L, params: LayerParams): L => ({ ...layer, ...params });

/** The number of inputs a kind takes. */
export const arityOf = (kind: Kind): Arity => kinds[kind].arity;

/** Shape inference for one layer with the per-sample shapes of its inputs (their count is checked by `build`). */
export const inferShape = (layer: Layer, inputs: readonly T.Shape.Shape[]): E.Either<string, number[]> =>
  (kinds[layer.kind] as KindOps<Kind>).outputShape(layer as never, inputs);

/** Shape inference for a one-input layer. */
export const outputShape = (layer: Layer, input: T.Shape.Shape): E.Either<string, number[]> => inferShape(layer, [input]);

/**
 * The differentiable forward pass of one layer on a batch (one input, or a list for add and concat), with its own
 * or the given parameters.
 */
export const applyLayer = (layer: Layer, x: AD.Var | readonly AD.Var[], params: ParamInputs = paramsOf(layer)): AD.Var =>
  (kinds[layer.kind] as KindOps<Kind>).apply(layer as never, isVarList(x) ? x : [x], params);

const isVarList = (x: AD.Var | readonly AD.Var[]): x is readonly AD.Var[] => Array.isArray(x);
