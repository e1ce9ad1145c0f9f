/**
 * The operations the three importers share, on {@link Value}s of a {@link GraphBuilder}: each takes weights
 * already in dtd's layouts (OIHW, W [in, out] in the original model's row order) and settles the rest — the
 * rows of a dense layer (and per-feature constants) after a flatten of an NHWC tensor, padding that pooling
 * cannot take, activations, constant scaling of the input (preprocessing), global pooling with kept dims.
 * @module
 */
import * as T from "@dtd/tensor";
import type { NodeSpec, Value } from "./GraphBuilder.ts";
import type { GraphBuilder } from "./GraphBuilder.ts";
import type { OutputActivation, Pads, Pair } from "./Ir.ts";
import { f32, isIdentity, nhwcFlattenPermutation, permute, permuteRows } from "./layout.ts";

/** A node's name and original op; its inputs are given per operation. */
export interface Origin {
  readonly name: string;
  readonly source: string;
}

const spec = (o: Origin, inputs: readonly Value[]): NodeSpec => ({ name: o.name, source: o.source, inputs });
const zeros = (n: number): T.Tensor => f32([n], new Float32Array(n));
const hasPads = (p: Pads): boolean => p.some((q) => q !== 0);

/** The bias as a float32 tensor of `n` values (zeros when absent). */
const biasOf = (b: GraphBuilder, o: Origin, bias: ArrayLike<number> | undefined, n: number): T.Tensor => {
  if (bias === undefined) return zeros(n);
  if (bias.length !== n) b.refuse(o.name, o.source, `expected a bias of ${n} values, found ${bias.length}`);
  return f32([n], bias);
};

/** z = x·W + b with W [in, out] in the original model's row order (permuted here when x was flattened from NHWC). */
export const dense = (b: GraphBuilder, o: Origin, x: Value, p: { readonly W: T.Tensor; readonly bias?: ArrayLike<number> | undefined }): Value => {
  if (x.shape.length !== 1) b.refuse(o.name, o.source, `a dense layer on a ${x.shape.length}-D input [${x.shape.join(", ")}]: dtd's dense takes vectors (flatten first)`);
  const W = x.perm === undefined ? p.W : permuteRows(p.W, x.perm);
  return b.add("dense", spec(o, [x]), { W, b: biasOf(b, o, p.bias, p.W.shape[1]!) });
};

/**
 * A convolution, W OIHW. On a global-pooled vector that the original holds as 1×1 (Keras's MobileNet head,
 * ONNX's GlobalAveragePool → Conv), a 1×1 convolution is the dense layer W[c][o] = W[o, c, 0, 0].
 */
export const conv2d = (b: GraphBuilder, o: Origin, x: Value, p: { readonly W: T.Tensor; readonly bias?: ArrayLike<number> | undefined; readonly stride: Pair; readonly pads: Pads }): Value => {
  const [co, ci, kh, kw] = p.W.shape as [number, number, number, number];
  if (x.squeezed === true) {
    if (kh !== 1 || kw !== 1 || hasPads(p.pads)) b.refuse(o.name, o.source, `a ${kh}×${kw} convolution with padding on a 1×1 map: only 1×1 convolutions without padding are supported there`);
    const W = new Float32Array(ci * co);
    for (let c = 0; c < ci; c++) for (let k = 0; k < co; k++) W[c * co + k] = p.W.data[k * ci + c]!;
    return { ...dense(b, o, { ...x, squeezed: false }, { W: f32([ci, co], W), bias: p.bias }), squeezed: true };
  }
  return b.add("conv2d", spec(o, [x]), { W: p.W, b: biasOf(b, o, p.bias, co), stride: p.stride, pads: p.pads });
};

/** A depthwise convolution, W [C·m, 1, kh, kw]. */
export const depthwiseConv2d = (b: GraphBuilder, o: Origin, x: Value, p: { readonly W: T.Tensor; readonly bias?: ArrayLike<number> | undefined; readonly multiplier: number; readonly stride: Pair; readonly pads: Pads }): Value =>
  b.add("depthwiseConv2d", spec(o, [x]), { W: p.W, b: biasOf(b, o, p.bias, p.W.shape[0]!), multiplier: p.multiplier, stride: p.stride, pads: p.pads });

/**
 * y = x·scale + shift with one value per channel (per feature of a vector) or one for all; either may be
 * absent. On the model input it becomes preprocessing; elsewhere a scaleShift node.
 */
export const channelAffine = (b: GraphBuilder, o: Origin, x: Value, p: { readonly scale?: ArrayLike<number>; readonly shift?: ArrayLike<number> }): Value => {
  const n = x.shape[0]!;
  const expand = (v: ArrayLike<number> | undefined, fill: number): Float32Array | Float64Array => {
    if (v === undefined) return new Float64Array(n).fill(fill);
    if (v.length === 1) return new Float64Array(n).fill(v[0]!);
    if (v.length !== n) b.refuse(o.name, o.source, `expected a constant of 1 or ${n} values (one per ${x.shape.length === 3 ? "channel" : "feature"}), found ${v.length}`);
    return Float64Array.from(v);
  };
  const scale = expand(p.scale, 1);
  const shift = expand(p.shift, 0);
  if (x.isInput) {
    if (x.shape.length === 1 && n > 1 && (p.scale?.length ?? 1) > 1) b.refuse(o.name, o.source, "per-feature scaling of a vector input cannot be preprocessing");
    return b.scaleInput(spec(o, [x]), x, p.scale === undefined ? [1] : Array.from(p.scale), p.shift === undefined ? [0] : Array.from(p.shift));
  }
  const s = x.perm === undefined ? scale : permute(scale, x.perm);
  const t = x.perm === undefined ? shift : permute(shift, x.perm);
  return { ...b.add("scaleShift", spec(o, [x]), { scale: f32([n], s), shift: f32([n], t) }), ...keepLayout(x) };
};

/** What an elementwise op keeps of its input's layout facts. */
const keepLayout = (x: Value): Partial<Value> => ({ ...(x.perm === undefined ? {} : { perm: x.perm }), ...(x.squeezed === true ? { squeezed: true } : {}) });

/**
 * min(x, c) for a constant c > 0 — a clipped ReLU when x is a ReLU's output (min(max(0, z), c)) — or undefined
 * when x can be negative (then min(x, c) is no unit dtd has).
 */
export const minimum = (b: GraphBuilder, o: Origin, x: Value, c: number): Value | undefined =>
  x.rectified === true && c > 0 ? activation(b, o, x, { kind: "clippedRelu", max: c }) : undefined;

/** The activations dtd represents: ReLU and ReLU clipped at a maximum (ReLU6). */
export type Activation = { readonly kind: "relu" } | { readonly kind: "clippedRelu"; readonly max: number };

/** An elementwise activation. */
export const activation = (b: GraphBuilder, o: Origin, x: Value, a: Activation): Value => {
  const v = a.kind === "relu" ? b.add("relu", spec(o, [x]), {}) : b.add("clippedRelu", spec(o, [x]), { max: a.max });
  return { ...v, ...keepLayout(x) };
};

/** The final sigmoid or softmax: the value becomes the model's output, which no node may take. */
export const finalActivation = (x: Value, a: Exclude<OutputActivation, "none">): Value => ({ ...x, activated: a });

/**
 * Zero channels added before and after a CHW value's own (BlazeFace pads its residual skips to the wider branch
 * this way): the 1×1 convolution with W[before + c, c] = 1 and no bias, exact in floating point (x·1 + 0·… = x).
 */
export const padChannels = (b: GraphBuilder, o: Origin, x: Value, before: number, after: number): Value => {
  if (before === 0 && after === 0) return x;
  if (x.shape.length !== 3) b.refuse(o.name, o.source, `channel padding of a ${x.shape.length}-D value [${x.shape.join(", ")}]: dtd pads the channels of CHW images`);
  const c = x.shape[0]!;
  const out = before + c + after;
  const W = new Float32Array(out * c);
  for (let k = 0; k < c; k++) W[(before + k) * c + k] = 1;
  b.note("zero channels added by padding are a 1×1 convolution with an identity weight (the same function)");
  return conv2d(b, o, x, { W: f32([out, c, 1, 1], W), stride: [1, 1], pads: [0, 0, 0, 0] });
};

/** Zero padding of a CHW value. */
export const pad2d = (b: GraphBuilder, o: Origin, x: Value, pads: Pads): Value => (hasPads(pads) ? b.add("pad2d", spec(o, [x]), { pads }) : x);

/**
 * Window pooling with padding `pads`. A padded max pool ignores its padding (−∞ in TF and ONNX): dtd's max pooling
 * takes the same padding. A padded average pool is exact as zero padding then pooling only when the original
 * counts the padding (ONNX count_include_pad = 1); TF's excludes it and is refused.
 */
export const pool = (b: GraphBuilder, o: Origin, x: Value, p: { readonly kind: "max" | "avg"; readonly kernel: Pair; readonly stride: Pair; readonly pads: Pads; readonly countIncludePad: boolean }): Value => {
  if (x.shape.length !== 3) b.refuse(o.name, o.source, `expected a CHW input, found [${x.shape.join(", ")}]`);
  if (p.kind === "max") return b.add("maxPool2d", spec(o, [x]), { kernel: p.kernel, stride: p.stride, pads: p.pads });
  if (hasPads(p.pads) && !p.countIncludePad) {
    b.refuse(o.name, o.source, `average pooling with padding [${p.pads.join(", ")}] that excludes the padding from the average: dtd's average pooling has no padding and zero padding would count it`);
  }
  const padded = pad2d(b, { name: `${o.name}/pad`, source: o.source }, x, p.pads);
  return b.add("avgPool2d", spec(o, [padded]), { kernel: p.kernel, stride: p.stride });
};

/** Global pooling CHW → [C]; `keepDims` when the original keeps a 1×1 map (the result is then marked squeezed). */
export const globalPool = (b: GraphBuilder, o: Origin, x: Value, p: { readonly kind: "max" | "avg"; readonly keepDims: boolean }): Value => {
  const v = b.add(p.kind === "max" ? "globalMaxPool" : "globalAvgPool", spec(o, [x]), {});
  return p.keepDims ? { ...v, squeezed: true } : v;
};

/** Flatten. Of an NHWC tensor the vector's order differs from dtd's CHW flatten: the permutation is kept. */
export const flatten = (b: GraphBuilder, o: Origin, x: Value, layout: "NHWC" | "NCHW"): Value => {
  if (x.shape.length === 1) return { ...x, squeezed: false };
  const v = b.add("flatten", spec(o, [x]), {});
  if (layout === "NCHW") return v;
  const perm = nhwcFlattenPermutation(x.shape);
  return isIdentity(perm) ? v : { ...v, perm };
};

const samePerm = (a: Int32Array | undefined, c: Int32Array | undefined): boolean => (isIdentity(a) && isIdentity(c)) || (a !== undefined && c !== undefined && a.length === c.length && a.every((p, i) => p === c[i]));

/** The elementwise sum of values of one shape (a residual connection). */
export const add = (b: GraphBuilder, o: Origin, xs: readonly Value[]): Value => {
  const first = xs[0]!;
  if (xs.some((x) => !samePerm(x.perm, first.perm))) b.refuse(o.name, o.source, "adding vectors flattened in different orders");
  return { ...b.add("add", spec(o, xs), {}), ...keepLayout(first) };
};

/** Joins values along the channel axis (CHW) or the feature axis (vectors). */
export const concat = (b: GraphBuilder, o: Origin, xs: readonly Value[]): Value => {
  const v = b.add("concat", spec(o, xs), {});
  if (xs.every((x) => isIdentity(x.perm))) return xs.every((x) => x.squeezed === true) ? { ...v, squeezed: true } : v;
  const perm = new Int32Array(v.shape[0]!);
  let offset = 0;
  for (const x of xs) {
    const n = x.shape[0]!;
    for (let d = 0; d < n; d++) perm[offset + d] = offset + (x.perm === undefined ? d : x.perm[d]!);
    offset += n;
  }
  return { ...v, perm };
};
