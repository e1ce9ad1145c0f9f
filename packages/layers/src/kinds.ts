/**
 * The kind table: for every layer kind, its shape inference, its differentiable forward pass on a batch and its
 * parameters. Typed `{ [K in Kind]: KindOps<K> }`, so a kind without an entry is a compile error.
 * Gradients are never hand-written here: they come from @dtd/autodiff.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { Kind, Layer, LayerOf } from "./Layer.ts";

/** A layer's parameters by name (W and b for Dense/Conv2d; scale and shift for ScaleShift; none otherwise). */
export type LayerParams = Readonly<Record<string, T.Tensor>>;

/** Parameters given to a forward pass: tensors or Vars (when differentiating with respect to them). */
export type ParamInputs = Readonly<Record<string, AD.Input>>;

/** What every kind provides. */
export interface KindOps<K extends Kind> {
  /** The per-sample output shape for a per-sample input shape, or why the layer cannot take that input. */
  readonly outputShape: (layer: LayerOf<K>, input: T.Shape.Shape) => E.Either<string, number[]>;
  /** The forward pass on a batch `[N, ...input]`, differentiable in x and in the parameters. */
  readonly apply: (layer: LayerOf<K>, x: AD.Var, params: ParamInputs) => AD.Var;
  /** The parameter names. */
  readonly paramNames: readonly string[];
}

const show = T.showShape;
const ok = (s: number[]): E.Either<string, number[]> => E.right(s);
const pool2dShape = (input: T.Shape.Shape, kernel: readonly [number, number], stride: readonly [number, number]): E.Either<string, number[]> => {
  if (input.length !== 3) return E.left(`expected a CHW input of rank 3, found ${show(input)}`);
  const [c, h, w] = input as [number, number, number];
  if (kernel.some((k) => !Number.isInteger(k) || k < 1) || stride.some((s) => !Number.isInteger(s) || s < 1)) {
    return E.left(`expected positive integer kernel and stride, found kernel ${show(kernel)} and stride ${show(stride)}`);
  }
  if (kernel[0] > h || kernel[1] > w) return E.left(`expected a window no larger than the input ${h}×${w}, found kernel ${kernel[0]}×${kernel[1]}`);
  return ok([c, Math.floor((h - kernel[0]) / stride[0]) + 1, Math.floor((w - kernel[1]) / stride[1]) + 1]);
};
const sampleAxes = (x: AD.Var): number[] => Array.from({ length: x.value.shape.length - 1 }, (_, i) => i + 1);
const param = (p: ParamInputs, name: string): AD.Input => {
  const v = p[name];
  if (v === undefined) throw new Error(`missing parameter ${name}`);
  return v;
};

/** The table of kinds. */
export const kinds: { readonly [K in Kind]: KindOps<K> } = {
  dense: {
    paramNames: ["W", "b"],
    outputShape: (l, input) => {
      if (l.W.shape.length !== 2) return E.left(`expected a weight of rank 2 [in, out], found ${show(l.W.shape)}`);
      const [nIn, nOut] = l.W.shape as [number, number];
      if (l.b.shape.length !== 1 || l.b.shape[0] !== nOut) return E.left(`expected a bias of shape [${nOut}], found ${show(l.b.shape)}`);
      if (input.length !== 1 || input[0] !== nIn) return E.left(`expected an input of shape [${nIn}] (the weight is ${show(l.W.shape)}), found ${show(input)}`);
      return ok([nOut]);
    },
    apply: (_l, x, p) => AD.add(AD.matmul(x, param(p, "W")), param(p, "b")),
  },
  conv2d: {
    paramNames: ["W", "b"],
    outputShape: (l, input) => {
      if (l.W.shape.length !== 4) return E.left(`expected a weight of rank 4 [out, in, kh, kw], found ${show(l.W.shape)}`);
      const [o, c, kh, kw] = l.W.shape as [number, number, number, number];
      if (l.b.shape.length !== 1 || l.b.shape[0] !== o) return E.left(`expected a bias of shape [${o}], found ${show(l.b.shape)}`);
      if (input.length !== 3) return E.left(`expected a CHW input of rank 3, found ${show(input)}`);
      if (input[0] !== c) return E.left(`expected ${c} input channels (the weight is ${show(l.W.shape)}), found ${input[0]} in ${show(input)}`);
      const [sh, sw] = l.stride;
      const [ph, pw] = l.padding;
      if (![sh, sw].every((s) => Number.isInteger(s) && s >= 1) || ![ph, pw].every((q) => Number.isInteger(q) && q >= 0)) {
        return E.left(`expected positive strides and non-negative paddings, found stride ${show(l.stride)} and padding ${show(l.padding)}`);
      }
      const h = input[1]! + 2 * ph;
      const w = input[2]! + 2 * pw;
      if (kh > h || kw > w) return E.left(`expected a kernel no larger than the padded input ${h}×${w}, found ${kh}×${kw}`);
      return ok([o, Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1]);
    },
    // conv2d(x; W) + b with the bias add fused into the convolution (no extra pass over the output).
    apply: (l, x, p) => AD.conv2dBias(x, param(p, "W"), param(p, "b"), { stride: l.stride, padding: l.padding }),
  },
  relu: {
    paramNames: [],
    outputShape: (_l, input) => ok([...input]),
    apply: (_l, x) => AD.relu(x),
  },
  sumPool: {
    paramNames: [],
    outputShape: (l, input) => (l.kernel === undefined ? ok([1]) : pool2dShape(input, l.kernel, l.stride ?? l.kernel)),
    apply: (l, x) =>
      l.kernel === undefined
        ? AD.reshape(AD.sum(x, { axes: sampleAxes(x) }), [-1, 1])
        : AD.sumPool2d(x, { kernel: l.kernel, stride: l.stride ?? l.kernel }),
  },
  pNormPool: {
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
  },
  maxPool2d: {
    paramNames: [],
    outputShape: (l, input) => pool2dShape(input, l.kernel, l.stride),
    apply: (l, x) => AD.maxPool2d(x, { kernel: l.kernel, stride: l.stride }),
  },
  avgPool2d: {
    paramNames: [],
    outputShape: (l, input) => pool2dShape(input, l.kernel, l.stride),
    apply: (l, x) => AD.avgPool2d(x, { kernel: l.kernel, stride: l.stride }),
  },
  flatten: {
    paramNames: [],
    outputShape: (_l, input) => ok([T.Shape.size(input)]),
    apply: (_l, x) => AD.reshape(x, [x.value.shape[0]!, -1]),
  },
  select: {
    paramNames: [],
    outputShape: (l, input) => {
      if (input.length !== 1) return E.left(`expected a vector input, found ${show(input)}`);
      if (!Number.isInteger(l.index) || l.index < 0 || l.index >= input[0]!) {
        return E.left(`expected an index in [0, ${input[0]! - 1}], found ${l.index}`);
      }
      return ok([1]);
    },
    apply: (l, x) => AD.slice(x, [0, l.index], [-1, 1]),
  },
  scaleShift: {
    paramNames: ["scale", "shift"],
    outputShape: (l, input) => {
      const n = input.length === 3 ? input[0]! : input.length === 1 ? input[0]! : -1;
      if (n < 0) return E.left(`expected a vector or CHW input, found ${show(input)}`);
      for (const [name, t] of [["scale", l.scale], ["shift", l.shift]] as const) {
        if (t.shape.length !== 1 || t.shape[0] !== n) return E.left(`expected ${name} of shape [${n}] (one per ${input.length === 3 ? "channel" : "feature"}), found ${show(t.shape)}`);
      }
      return ok([...input]);
    },
    apply: (_l, x, p) => {
      const chw = x.value.shape.length === 4;
      const shape = chw ? [-1, 1, 1] : [-1];
      return AD.add(AD.mul(x, AD.reshape(param(p, "scale"), shape)), AD.reshape(param(p, "shift"), shape));
    },
  },
};

/** A layer's parameters as tensors. */
export const paramsOf = (layer: Layer): LayerParams => {
  const names = kinds[layer.kind].paramNames;
  const rec = layer as unknown as Readonly<Record<string, T.Tensor>>;
  return Object.fromEntries(names.map((n) => [n, rec[n]!]));
};

/** The same layer with other parameter values (names as in `paramsOf`). */
export const withParams = <L extends Layer>(layer: L, params: LayerParams): L => ({ ...layer, ...params });

/** Shape inference for one layer. */
export const outputShape = (layer: Layer, input: T.Shape.Shape): E.Either<string, number[]> =>
  (kinds[layer.kind] as KindOps<Kind>).outputShape(layer as never, input);

/** The differentiable forward pass of one layer on a batch, with its own or the given parameters. */
export const applyLayer = (layer: Layer, x: AD.Var, params: ParamInputs = paramsOf(layer)): AD.Var =>
  (kinds[layer.kind] as KindOps<Kind>).apply(layer as never, x, params);
