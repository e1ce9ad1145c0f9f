/**
 * Constant folding of the small tensor programs exporters write around the layers: PyTorch computes a
 * flatten's target shape (`x.view(x.size(0), -1)`: Shape → Gather → Unsqueeze → Concat) and `F.pad`'s pads
 * (ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast) at run time. Every such op whose inputs are
 * constants is evaluated here; `Shape` of an activation is known from shape inference, with a batch of 1.
 * Integer tensors are float64 arrays, float ones float32 (as in {@link WeightTensor}).
 * @module
 */
import { badShape, sizeOf, type WeightTensor } from "../WeightTensor.ts";
import { attribute, type NodeProto, num } from "./proto.ts";
import { readTensor } from "./tensor.ts";

/** Why an op could not be folded. */
export type FoldResult = { readonly ok: WeightTensor } | { readonly error: string };

type Data = Float32Array | Float64Array;
const make = (name: string, shape: readonly number[], data: Data): FoldResult => ({ ok: { name, shape, data } });
const isFloat = (t: WeightTensor): boolean => t.data instanceof Float32Array;
const like = (t: WeightTensor, n: number): Data => (isFloat(t) ? new Float32Array(n) : new Float64Array(n));
const ints = (node: NodeProto, key: string): number[] | undefined => {
  const a = attribute(node, key);
  return a === undefined ? undefined : (a.ints ?? []).map(num);
};
const int = (node: NodeProto, key: string, fallback: number): number => {
  const a = attribute(node, key);
  return a === undefined ? fallback : num(a.i);
};
const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
};
const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** NumPy broadcasting of two shapes, or undefined. */
const broadcast = (a: readonly number[], b: readonly number[]): number[] | undefined => {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
};

const elementwise =
  (f: (x: number, y: number, integer: boolean) => number) =>
  (node: NodeProto, [a, b]: readonly WeightTensor[]): FoldResult => {
    const shape = broadcast(a!.shape, b!.shape);
    if (shape === undefined) return { error: `shapes [${a!.shape.join(", ")}] and [${b!.shape.join(", ")}] do not broadcast` };
    const bad = badShape(shape);
    if (bad !== undefined) return { error: `its result is impossible: ${bad}` };
    const n = sizeOf(shape);
    const out = isFloat(a!) || isFloat(b!) ? new Float32Array(n) : new Float64Array(n);
    const st = stridesOf(shape);
    const index = (t: WeightTensor, flat: number): number => {
      let k = 0;
      let stride = 1;
      for (let d = t.shape.length - 1; d >= 0; d--) {
        const axis = shape.length - t.shape.length + d;
        const coord = Math.floor(flat / st[axis]!) % shape[axis]!;
        k += (t.shape[d] === 1 ? 0 : coord) * stride;
        stride *= t.shape[d]!;
      }
      return k;
    };
    for (let i = 0; i < n; i++) out[i] = f(a!.data[index(a!, i)]!, b!.data[index(b!, i)]!, !(out instanceof Float32Array));
    return make(node.output?.[0] ?? "", shape, out);
  };

const gather = (node: NodeProto, [data, indices]: readonly WeightTensor[]): FoldResult => {
  const axis = normAxis(int(node, "axis", 0), data!.shape.length);
  const outer = data!.shape.slice(0, axis);
  const inner = data!.shape.slice(axis + 1);
  const innerSize = sizeOf(inner);
  const dim = data!.shape[axis]!;
  const outerSize = sizeOf(outer);
  const nIdx = indices!.data.length;
  const out = like(data!, outerSize * nIdx * innerSize);
  for (let o = 0; o < outerSize; o++)
    for (let j = 0; j < nIdx; j++) {
      const k = normAxis(indices!.data[j]!, dim);
      if (k < 0 || k >= dim) return { error: `index ${indices!.data[j]} out of range for axis ${axis} of size ${dim}` };
      for (let i = 0; i < innerSize; i++) out[(o * nIdx + j) * innerSize + i] = data!.data[(o * dim + k) * innerSize + i]!;
    }
  return make(node.output?.[0] ?? "", [...outer, ...indices!.shape, ...inner], out);
};

const axesOf = (node: NodeProto, inputs: readonly WeightTensor[]): number[] => ints(node, "axes") ?? Array.from(inputs[1]?.data ?? []);

const unsqueeze = (node: NodeProto, inputs: readonly WeightTensor[]): FoldResult => {
  const t = inputs[0]!;
  const rank = t.shape.length + axesOf(node, inputs).length;
  const axes = new Set(axesOf(node, inputs).map((a) => normAxis(a, rank)));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.has(i) ? 1 : t.shape[k++]!);
  return make(node.output?.[0] ?? "", shape, t.data as Data);
};

const squeeze = (node: NodeProto, inputs: readonly WeightTensor[]): FoldResult => {
  const t = inputs[0]!;
  const given = axesOf(node, inputs).map((a) => normAxis(a, t.shape.length));
  const shape = t.shape.filter((d, i) => (given.length === 0 ? d !== 1 : !given.includes(i)));
  return make(node.output?.[0] ?? "", shape, t.data as Data);
};

const concat = (node: NodeProto, inputs: readonly WeightTensor[]): FoldResult => {
  const first = inputs[0]!;
  const axis = normAxis(int(node, "axis", 0), first.shape.length);
  const outer = sizeOf(first.shape.slice(0, axis));
  const total = inputs.reduce((a, t) => a + t.shape[axis]!, 0);
  const inner = sizeOf(first.shape.slice(axis + 1));
  const out = inputs.some(isFloat) ? new Float32Array(outer * total * inner) : new Float64Array(outer * total * inner);
  let offset = 0;
  for (const t of inputs) {
    const d = t.shape[axis]!;
    for (let o = 0; o < outer; o++) for (let i = 0; i < d * inner; i++) out[(o * total + offset) * inner + i] = t.data[o * d * inner + i]!;
    offset += d;
  }
  const shape = [...first.shape];
  shape[axis] = total;
  return make(node.output?.[0] ?? "", shape, out);
};

/** The target shape of a Reshape: 0 copies the input's dimension (unless allowzero), −1 is inferred. */
export const reshapeTarget = (input: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined => {
  const shape = target.map((d, i) => (d === 0 && !allowZero ? input[i]! : d));
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const minus = shape.filter((d) => d === -1).length;
  const size = sizeOf(input);
  if (minus > 1 || (minus === 1 && (known === 0 || size % known !== 0)) || (minus === 0 && known !== size)) return undefined;
  return shape.map((d) => (d === -1 ? size / known : d));
};

const reshape = (node: NodeProto, [t, s]: readonly WeightTensor[]): FoldResult => {
  const shape = reshapeTarget(t!.shape, Array.from(s!.data), int(node, "allowzero", 0) === 1);
  return shape === undefined ? { error: `cannot reshape [${t!.shape.join(", ")}] to [${Array.from(s!.data).join(", ")}]` } : make(node.output?.[0] ?? "", shape, t!.data as Data);
};

const slice = (node: NodeProto, inputs: readonly WeightTensor[]): FoldResult => {
  const t = inputs[0]!;
  const rank = t.shape.length;
  const starts = ints(node, "starts") ?? Array.from(inputs[1]?.data ?? []);
  const ends = ints(node, "ends") ?? Array.from(inputs[2]?.data ?? []);
  const axes = (ints(node, "axes") ?? (inputs[3] === undefined ? starts.map((_, i) => i) : Array.from(inputs[3].data))).map((a) => normAxis(a, rank));
  const steps = inputs[4] === undefined ? starts.map(() => 1) : Array.from(inputs[4].data);
  const ranges = t.shape.map((d) => ({ start: 0, step: 1, count: d }));
  for (let k = 0; k < axes.length; k++) {
    const d = t.shape[axes[k]!]!;
    const step = steps[k]!;
    if (step === 0) return { error: "a step of 0" };
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const start = step > 0 ? clamp(starts[k]!, 0, d) : clamp(starts[k]!, -1, d - 1);
    const end = step > 0 ? clamp(ends[k]!, 0, d) : clamp(ends[k]!, -1, d - 1);
    ranges[axes[k]!] = { start, step, count: Math.max(0, Math.ceil((end - start) / step)) };
  }
  const shape = ranges.map((r) => r.count);
  const out = like(t, sizeOf(shape));
  const inStrides = stridesOf(t.shape);
  const outStrides = stridesOf(shape);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (ranges[d]!.start + (Math.floor(i / outStrides[d]!) % shape[d]!) * ranges[d]!.step) * inStrides[d]!;
    out[i] = t.data[src]!;
  }
  return make(node.output?.[0] ?? "", shape, out);
};

const transpose = (node: NodeProto, [t]: readonly WeightTensor[]): FoldResult => {
  const rank = t!.shape.length;
  const perm = ints(node, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const shape = perm.map((p) => t!.shape[p]!);
  const inStrides = stridesOf(t!.shape);
  const outStrides = stridesOf(shape);
  const out = like(t!, t!.data.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (Math.floor(i / outStrides[d]!) % shape[d]!) * inStrides[perm[d]!]!;
    out[i] = t!.data[src]!;
  }
  return make(node.output?.[0] ?? "", shape, out);
};

const FLOAT_TYPES = new Set([1, 10, 11]);
const cast = (node: NodeProto, [t]: readonly WeightTensor[]): FoldResult => {
  const toFloat = FLOAT_TYPES.has(int(node, "to", 1));
  return make(node.output?.[0] ?? "", t!.shape, toFloat ? Float32Array.from(t!.data) : Float64Array.from(t!.data, Math.trunc));
};

const constantOfShape = (node: NodeProto, [s]: readonly WeightTensor[]): FoldResult => {
  const v = attribute(node, "value");
  const value = v?.t === undefined || v.t === null ? { data: new Float32Array(1) } : readTensor(v.t, node.name ?? "ConstantOfShape");
  const shape = Array.from(s!.data);
  const bad = badShape(shape);
  if (bad !== undefined) return { error: `its shape input is impossible: ${bad}` };
  const out = value.data instanceof Float32Array ? new Float32Array(sizeOf(shape)) : new Float64Array(sizeOf(shape));
  out.fill(value.data[0] ?? 0);
  return make(node.output?.[0] ?? "", shape, out);
};

/** The value of a Constant node. */
export const constantValue = (node: NodeProto): FoldResult => {
  const name = node.output?.[0] ?? "";
  const a = (node.attribute ?? [])[0];
  if (a === undefined) return { error: "a Constant without a value" };
  switch (a.name) {
    case "value":
      return a.t === undefined || a.t === null ? { error: "a value attribute without a tensor" } : { ok: { ...readTensor(a.t, name), name } };
    case "value_float":
      return make(name, [], Float32Array.of(a.f ?? 0));
    case "value_floats":
      return make(name, [(a.floats ?? []).length], Float32Array.from(a.floats ?? []));
    case "value_int":
      return make(name, [], Float64Array.of(num(a.i)));
    case "value_ints":
      return make(name, [(a.ints ?? []).length], Float64Array.from((a.ints ?? []).map(num)));
    default:
      return { error: `a Constant given as ${a.name ?? "?"}` };
  }
};

/**
 * DequantizeLinear of a constant (weight-only quantization: int8/uint8 weights with a scale): y = (x − zero_point)·scale,
 * scale and zero point per tensor or per slice along `axis` (default 1).
 */
const dequantizeLinear = (node: NodeProto, [x, scale, zero]: readonly WeightTensor[]): FoldResult => {
  const rank = x!.shape.length;
  const perAxis = scale!.data.length > 1;
  const axis = normAxis(int(node, "axis", 1), rank);
  if (perAxis && x!.shape[axis] !== scale!.data.length) return { error: `a scale of ${scale!.data.length} values along axis ${axis} of a tensor [${x!.shape.join(", ")}]` };
  const inner = perAxis ? sizeOf(x!.shape.slice(axis + 1)) : 1;
  const k = (i: number): number => (perAxis ? Math.floor(i / inner) % scale!.data.length : 0);
  const out = Float32Array.from(x!.data, (v, i) => (v - (zero?.data[k(i)] ?? 0)) * scale!.data[k(i)]!);
  return make(node.output?.[0] ?? "", x!.shape, out);
};

/** The ops folded when every input is constant. */
export const folders: Readonly<Record<string, (node: NodeProto, inputs: readonly WeightTensor[]) => FoldResult>> = {
  Identity: (node, [t]) => make(node.output?.[0] ?? "", t!.shape, t!.data as Data),
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Concat: concat,
  Reshape: reshape,
  Slice: slice,
  Transpose: transpose,
  Cast: cast,
  ConstantOfShape: constantOfShape,
  Add: elementwise((x, y) => x + y),
  Sub: elementwise((x, y) => x - y),
  Mul: elementwise((x, y) => x * y),
  Div: elementwise((x, y, integer) => (integer ? Math.trunc(x / y) : x / y)),
  DequantizeLinear: dequantizeLinear,
};
