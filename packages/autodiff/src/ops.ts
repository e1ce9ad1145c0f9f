/**
 * Differentiable operations on Vars (and on plain tensors and numbers, which are lifted to constants).
 * Each is a primitive or a short composition of primitives; their VJPs come from the rule table.
 * @module
 */
import * as T from "@dtd/tensor";
import { IdentityMemo } from "@dtd/tensor/unsafe";
import { apply, record } from "./apply.ts";
import type { ConvParams, PoolParams } from "./Primitive.ts";
import { constant, dtypeOfInputs, type Input, lift, type Var } from "./Var.ts";

const none = {} as Record<string, never>;

const binary =
  (primitive: "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum") =>
  (a: Input, b: Input): Var => {
    const d = dtypeOfInputs([a, b]);
    return apply(primitive, [lift(a, d), lift(b, d)], none);
  };

const unary =
  (primitive: "neg" | "exp" | "log" | "sqrt" | "abs" | "positivePart" | "negativePart") =>
  (x: Input): Var =>
    apply(primitive, [lift(x, dtypeOfInputs([x]))], none);

/** a + b (broadcasting) */
export const add = binary("add");
/** a − b */
export const sub = binary("sub");
/** a · b */
export const mul = binary("mul");
/** a / b */
export const div = binary("div");
/** aᵇ */
export const pow = binary("pow");
/** max(a, b); at ties the gradient goes to a. */
export const maximum = binary("maximum");
/** min(a, b); at ties the gradient goes to a. */
export const minimum = binary("minimum");
/** −x */
export const neg = unary("neg");
/** eˣ */
export const exp = unary("exp");
/** ln x */
export const log = unary("log");
/** √x */
export const sqrt = unary("sqrt");
/** |x| (subgradient 0 at 0) */
export const abs = unary("abs");
/** x⁺ = max(0, x): the ReLU (gradient 1[x > 0]). */
export const positivePart = unary("positivePart");
/** The ReLU, `max(0, x)`. */
export const relu = positivePart;
/** x⁻ = min(0, x) */
export const negativePart = unary("negativePart");
/** x² */
export const square = (x: Input): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  return mul(v, v);
};

/** `cond ≠ 0 ? a : b`; the condition is a constant. */
export const where = (cond: T.Tensor, a: Input, b: Input): Var => {
  const d = dtypeOfInputs([cond, a, b]);
  return apply("where", [lift(a, d), lift(b, d)], { cond });
};

/** A constant copy of x: no gradient flows through it. */
export const stopGradient = (x: Input): Var => constant(lift(x, dtypeOfInputs([x])).value);

/** Options of a sum: axes (default all) and keepDims. */
export interface SumOptions {
  readonly axes?: number | readonly number[];
  readonly keepDims?: boolean;
}

/** Σ over axes. */
export const sum = (x: Input, opts: SumOptions = {}): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  const axes = T.Shape.normalizeAxes("sum", opts.axes, v.value.shape.length);
  return apply("sum", [v], { axes, keepDims: opts.keepDims ?? false });
};

/** Mean over axes. */
export const mean = (x: Input, opts: SumOptions = {}): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  const axes = T.Shape.normalizeAxes("mean", opts.axes, v.value.shape.length);
  const count = axes.reduce((n, a) => n * v.value.shape[a]!, 1);
  return mul(sum(v, opts), 1 / count);
};

/** Reshape (one extent may be −1). */
export const reshape = (x: Input, shape: T.Shape.Shape): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  const target = T.reshape(v.value, shape).shape;
  return T.Shape.equals(target, v.value.shape) ? v : apply("reshape", [v], { shape: target });
};

/** Materialised broadcast to `shape`. */
export const broadcastTo = (x: Input, shape: T.Shape.Shape): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  return T.Shape.equals(v.value.shape, shape) ? v : apply("broadcastTo", [v], { shape });
};

/** Sums `x` down to `shape` (the adjoint of broadcasting `shape` up to x's shape). */
export const sumTo = (x: Var, shape: T.Shape.Shape): Var => {
  const xs = x.value.shape;
  if (T.Shape.equals(xs, shape)) return x;
  const lead = xs.length - shape.length;
  const axes: number[] = [];
  for (let a = 0; a < xs.length; a++) if (a < lead || (shape[a - lead] === 1 && xs[a] !== 1)) axes.push(a);
  return reshape(apply("sum", [x], { axes, keepDims: true }), shape);
};

/** Permutes axes (default: reverse). */
export const transpose = (x: Input, perm?: readonly number[]): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  const r = v.value.shape.length;
  return apply("transpose", [v], { perm: perm ?? Array.from({ length: r }, (_, i) => r - 1 - i) });
};

/** The window `begin ≤ i < begin + size` (size −1: to the end). */
export const slice = (x: Input, begin: readonly number[], size: readonly number[]): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  return apply("slice", [v], { begin, size: size.map((s, a) => (s === -1 ? v.value.shape[a]! - begin[a]! : s)) });
};

/** Zero padding before and after each axis. */
export const pad = (x: Input, before: readonly number[], after: readonly number[]): Var =>
  apply("pad", [lift(x, dtypeOfInputs([x]))], { before, after });

/** Joins along an axis. */
export const concat = (xs: readonly Input[], axis: number): Var => {
  const d = dtypeOfInputs(xs);
  const vs = xs.map((x) => lift(x, d));
  const ax = T.Shape.normalizeAxis("concat", axis, vs[0]?.value.shape.length ?? 0);
  return apply("concat", vs, { axis: ax });
};

/** Stacks along a new axis. */
export const stack = (xs: readonly Input[], axis = 0): Var => {
  const d = dtypeOfInputs(xs);
  const vs = xs.map((x) => lift(x, d));
  const shape = vs[0]!.value.shape;
  const ax = T.Shape.normalizeAxis("stack", axis, shape.length + 1);
  const expanded = [...shape.slice(0, ax), 1, ...shape.slice(ax)];
  return concat(vs.map((v) => reshape(v, expanded)), ax);
};

/** `[n, ...] → [n, prod(...)]` */
export const flattenBatch = (x: Input): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  return reshape(v, [v.value.shape[0]!, T.Shape.size(v.value.shape.slice(1))]);
};

/** Options of matmul. */
export interface MatMulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/**
 * Matrix product `op(a)·op(b)`: `[m,k]×[k,n]`, batched `[B,m,k]×[B,k,n]`, and `[B,m,k]×[k,n]` (the matrix is
 * shared by the batch: computed as one `[B·m,k]×[k,n]` product so that its gradient sums over the batch).
 */
export const matmul = (a: Input, b: Input, opts: MatMulOptions = {}): Var => {
  const d = dtypeOfInputs([a, b]);
  const va = lift(a, d);
  const vb = lift(b, d);
  const ta = opts.transposeA ?? false;
  const tb = opts.transposeB ?? false;
  const sa = va.value.shape;
  if (sa.length === 3 && vb.value.shape.length === 2 && !ta) {
    const flat = reshape(va, [sa[0]! * sa[1]!, sa[2]!]);
    const y = apply("matmul", [flat, vb], { transposeA: false, transposeB: tb });
    return reshape(y, [sa[0]!, sa[1]!, y.value.shape[1]!]);
  }
  return apply("matmul", [va, vb], { transposeA: ta, transposeB: tb });
};

/** Options of conv2d: stride and zero padding, `[rows, columns]`. */
export interface Conv2dOptions {
  readonly stride?: readonly [number, number];
  readonly padding?: readonly [number, number];
}

const convParams = (o: Conv2dOptions): ConvParams => ({ stride: o.stride ?? [1, 1], padding: o.padding ?? [0, 0] });

/** 2-D convolution (cross-correlation) of NCHW (or CHW) `x` with OIHW `w`. */
export const conv2d = (x: Input, w: Input, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([x, w]);
  return apply("conv2d", [lift(x, d), lift(w, d)], convParams(opts));
};

/**
 * `conv2d(x, w) + b` with one bias per output channel (`b` of shape [O]), fused: the same value as the separate
 * broadcast add, without its pass over the output.
 */
export const conv2dBias = (x: Input, w: Input, b: Input, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([x, w, b]);
  return apply("conv2dBias", [lift(x, d), lift(w, d), lift(b, d)], convParams(opts));
};

/**
 * Depthwise 2-D convolution of NCHW (or CHW) `x` with `w` [C, M, KH, KW]: output channel c·M + m is input
 * channel c convolved with filter w[c, m] (see @dtd/tensor's `depthwiseConv2d`).
 */
export const depthwiseConv2d = (x: Input, w: Input, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([x, w]);
  return apply("depthwiseConv2d", [lift(x, d), lift(w, d)], convParams(opts));
};

/** `J_xᵀ dy` of depthwiseConv2d, as a differentiable op. */
export const depthwiseConv2dBackpropInput = (dy: Input, w: Input, xShape: T.Shape.Shape, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([dy, w]);
  return apply("depthwiseConv2dBackpropInput", [lift(dy, d), lift(w, d)], { ...convParams(opts), xShape });
};

/** `J_wᵀ dy` of depthwiseConv2d, as a differentiable op. */
export const depthwiseConv2dBackpropFilter = (x: Input, dy: Input, wShape: T.Shape.Shape, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([x, dy]);
  return apply("depthwiseConv2dBackpropFilter", [lift(x, d), lift(dy, d)], { ...convParams(opts), wShape });
};

/** Options of pooling: window and stride (default: the window). */
export interface Pool2dOptions {
  readonly kernel: readonly [number, number];
  readonly stride?: readonly [number, number];
}

const poolParams = (o: Pool2dOptions): PoolParams => ({ kernel: o.kernel, stride: o.stride ?? o.kernel });

/** Max pooling's options: also padding [top, bottom, left, right] that acts as −∞ (each pad smaller than the window). */
export interface MaxPool2dOptions extends Pool2dOptions {
  readonly padding?: readonly [number, number, number, number];
}

/** Sum pooling over windows. */
export const sumPool2d = (x: Input, opts: Pool2dOptions): Var => apply("sumPool2d", [lift(x, dtypeOfInputs([x]))], poolParams(opts));

/** Average pooling over windows. */
export const avgPool2d = (x: Input, opts: Pool2dOptions): Var => mul(sumPool2d(x, opts), 1 / (opts.kernel[0] * opts.kernel[1]));

/**
 * The last max pooling of each input tensor (by window and stride). Tensors are immutable, so pooling the same
 * tensor again — a relevance or gradient pass re-tracing a layer whose forward pass already ran — reuses its
 * winners instead of scanning every window again. Owners are held weakly: an entry goes with its input.
 */
const pooled = IdentityMemo.make<T.Tensor, { readonly y: T.Tensor; readonly argmax: Int32Array }>();

/**
 * Max pooling: the winners' positions are found on the value, then the output is `gather(x, winners)`, so the
 * gradient goes to each window's maximum (first on ties). Padding never wins (it acts as −∞), so the winners are
 * always elements of x.
 */
export const maxPool2d = (x: Input, opts: MaxPool2dOptions): Var => {
  const v = lift(x, dtypeOfInputs([x]));
  const p = poolParams(opts);
  const padding = opts.padding ?? ([0, 0, 0, 0] as const);
  const key = `${p.kernel.join(",")}|${p.stride.join(",")}|${padding.join(",")}`;
  const hit = pooled.get(v.value, "maxPool2d", key, () => T.maxPool2d(v.value, { kernel: [...p.kernel], stride: [...p.stride], padding: [...padding] }));
  return record("gather", [v], { indices: hit.argmax, shape: hit.y.shape }, hit.y);
};

/** `out[i] = x[indices[i]]` on the flat data, with output shape `shape`. */
export const gather = (x: Var, indices: Int32Array, shape: T.Shape.Shape): Var => apply("gather", [x], { indices, shape });

/** `out[indices[i]] += x[i]` into zeros of shape `shape`. */
export const scatterAdd = (x: Var, indices: Int32Array, shape: T.Shape.Shape): Var => apply("scatterAdd", [x], { indices, shape });

/** The value of an input as a tensor. */
export const value = (x: Input): T.Tensor => lift(x, dtypeOfInputs([x])).value;

/** `J_xᵀ dy` of conv2d: the transposed convolution, as a differentiable op. */
export const conv2dBackpropInput = (dy: Input, w: Input, xShape: T.Shape.Shape, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([dy, w]);
  return apply("conv2dBackpropInput", [lift(dy, d), lift(w, d)], { ...convParams(opts), xShape });
};

/** `J_wᵀ dy` of conv2d, as a differentiable op. */
export const conv2dBackpropFilter = (x: Input, dy: Input, wShape: T.Shape.Shape, opts: Conv2dOptions = {}): Var => {
  const d = dtypeOfInputs([x, dy]);
  return apply("conv2dBackpropFilter", [lift(x, d), lift(dy, d)], { ...convParams(opts), wShape });
};

/** The adjoint of sum pooling, as a differentiable op. */
export const sumPool2dTranspose = (dy: Input, xShape: T.Shape.Shape, opts: Pool2dOptions): Var =>
  apply("sumPool2dTranspose", [lift(dy, dtypeOfInputs([dy]))], { ...poolParams(opts), xShape });
