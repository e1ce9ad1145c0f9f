/**
 * Runs a plan (`plan.ts`): step 1 with one forward pass per modified weight, the constant terms' passes cached per
 * layer, z − b reused where the plan allows; steps 3–4 with one transposed product per modified weight. Modified
 * weights and transposes are cached per layer (`affineCache.ts`): those of data selectors by the layer, those of
 * functions by their values, so a function reading a variable is never answered from a stale cache.
 * @module
 */
import * as T from "@dtd/tensor";
import { conv2dBackpropInputQuotient, recycle, unsafeMake } from "@dtd/tensor/unsafe";
import type { Affine } from "@dtd/layers";
import type { DirectionContext, DirectionTerm } from "../Strategy.ts";
import { byValue, cached, idOf, transposeWith } from "./affineCache.ts";
import { type Forwarded, forwardWith, type ModifiedForward } from "./ModifiedForward.ts";
import { ALL, type BackGroup, type Part, partsOf, type Plan } from "./plan.ts";
import { type Free, freeOf, modifierAt } from "./termValues.ts";

/** The modified weights of each part for one layer, resolved once per call (function parts: by value). */
type Weights = (p: Part) => T.Tensor;
const weightsFor = (layer: Affine): Weights => {
  const memo = new Map<Part, T.Tensor>();
  return (p) => {
    if (p === ALL) return layer.W;
    let w = memo.get(p);
    if (w === undefined) {
      w = p.byFunction ? byValue(layer, `W|${p.key}`, p.make(layer.W)) : cached(layer, `W|${p.key}`, () => p.make(layer.W));
      memo.set(p, w);
    }
    return w;
  };
};

/** Adds tensors that may be undefined. */
const plus = (a: T.Tensor | undefined, b: T.Tensor): T.Tensor => (a === undefined ? b : T.add(a, b));

/** c·t, without a pass over t when c = 1. */
const times = (t: T.Tensor, c: number): T.Tensor => (c === 1 ? t : T.mul(t, c));

/** One call's view of a layer: the layer, its modified weights, the input batch and the inputs a direction moves. */
interface Call {
  readonly layer: Affine;
  readonly weights: Weights;
  readonly x: T.Tensor;
  readonly free: Free;
  readonly ctx: DirectionContext;
}

/**
 * One transposed product of steps 3–4, linear(·; W)ᵀ applied to the call's quotients c, for weights W cached under
 * `key` and an input batch of `shape`: from a tensor c ({@link ofQuotients}), or from R, s and K with each quotient
 * formed inside the product ({@link ofRelevance}).
 */
type Transposed = (key: string, W: T.Tensor, shape: readonly number[]) => T.Tensor;

/** The transposed products of stored quotients c. */
const ofQuotients =
  (call: Call, c: T.Tensor): Transposed =>
  (key, W, shape) =>
    transposeWith(call.layer, key, W, shape, call.x.dtype)(c);

/**
 * The transposed products of the quotients c = R / (s + K) on a conv2d layer, each quotient formed while the product
 * reads it (`conv2dBackpropInputQuotient` of @dtd/tensor/unsafe: the bits of the quotient, then the product).
 */
const ofRelevance = (layer: Affine & { readonly kind: "conv2d" }, R: T.Tensor, s: T.Tensor, K: T.Tensor | undefined): Transposed => {
  const opts = { stride: layer.stride, padding: layer.padding };
  return (_key, W, shape) => conv2dBackpropInputQuotient(R, s, K, W, shape, opts);
};

/**
 * K: Σ over the constant terms of linear(a_t; W_t) for one sample [1, ...out], minus b when z − b stands for the
 * input pass (so that z + K is the denominator). Cached per layer, valid for the modified weights it came from.
 */
const constantTotal = (constants: readonly DirectionTerm[], call: Call, minusBias: boolean): T.Tensor | undefined => {
  if (constants.length === 0 && !minusBias) return undefined;
  const { layer, x, free, weights } = call;
  const key = `K|${constants.map((t) => idOf(t)).join(",")}|${minusBias}|${x.shape.slice(1).join(",")}|${x.dtype}|${free === undefined ? "" : idOf(free)}`;
  const token = constants.flatMap((t) => partsOf(t.weight).map(([p]) => idOf(weights(p)))).join(",");
  const make = (): T.Tensor => {
    const one = T.zeros([1, ...x.shape.slice(1)], x.dtype);
    let K: T.Tensor | undefined;
    for (const t of constants) {
      const a = modifierAt(t.input, one, call.ctx, free);
      const a1 = typeof a === "number" ? T.full(one.shape, a, x.dtype) : a;
      for (const [p, c] of partsOf(t.weight)) K = plus(K, times(forwardWith(layer, weights(p), a1), c));
    }
    // −b in the layer's per-sample output shape (a zero output of that shape, then −b broadcast over it).
    if (minusBias) K = plus(K, T.sub(forwardWith(layer, T.zerosLike(layer.W), one), T.reshape(layer.b, layer.kind === "dense" ? [-1] : [-1, 1, 1])));
    return K!;
  };
  return cached(layer, key, make, token);
};

/** Step 1: s [N, ...out] from the input and custom terms, K [1, ...out] from the constant ones. */
const denominators = (plan: Plan, call: Call, z: T.Tensor | undefined): Pick<Forwarded, "s" | "K"> => {
  const { layer, x, weights } = call;
  const reuseZ = z !== undefined && plan.reusesZ;
  let s: T.Tensor | undefined;
  for (const [p, c] of plan.onInput) s = plus(s, p === ALL && c === 1 && reuseZ ? z : times(forwardWith(layer, weights(p), x), c));
  for (const t of plan.custom) {
    const a = modifierAt(t.input, x, call.ctx, call.free);
    const moved = typeof a === "number" ? T.full(x.shape, a, x.dtype) : T.broadcastTo(a, x.shape);
    for (const [p, c] of partsOf(t.weight)) s = plus(s, times(forwardWith(layer, weights(p), moved), c));
  }
  return { s, K: constantTotal(plan.constants, call, reuseZ) };
};

/** Σ of one group's modifiers a_t(x): a number while every one is, else a tensor. */
const modifierSum = (inputs: BackGroup["inputs"], call: Call): T.Tensor | number => {
  let a: T.Tensor | number | undefined;
  for (const m of inputs) {
    const v = modifierAt(m, call.x, call.ctx, call.free);
    a = a === undefined ? v : typeof a === "number" && typeof v === "number" ? a + v : T.add(a, v);
  }
  return a!;
};

/** R + a ⊙ back (a a number or a tensor), R undefined for none yet. */
const addProduct = (R: T.Tensor | undefined, a: T.Tensor | number, back: T.Tensor): T.Tensor => plus(R, typeof a === "number" ? times(back, a) : T.mul(back, a));

/**
 * The axis of W along which a layer's input features run, where stacking gains: conv2d W [out, in, kh, kw], whose
 * input gradient is one product per image (antispoof's first layer, float64: the two input gradients 5.4 → 3.8
 * ms). Dense layers are left to one product per group: their stacked product measured slower at batch 128 (net B
 * float32 17.8 → 23.4 ms) and equal at batch 1; depthwise filters each read one channel (nothing to stack along).
 */
const inputAxis = (layer: Affine): number | undefined => (layer.kind === "conv2d" ? 1 : undefined);

/**
 * Steps 3–4 with every group's transposed product in one: the groups' weights W_1 … W_G stacked along the input
 * axis are one linear map from G copies of the input to the output, whose transpose takes c once to the G
 * gradients [W_1ᵀc; …; W_Gᵀc] (the input axis G times as long): one pass over c and one wider product instead of
 * G. Each block is the same sum as its own transposed product (per input feature, over the outputs, in the same
 * order), so the result equals {@link separately}'s up to the order of the final sum over groups.
 */
const stacked = (plan: Plan, call: Call, product: Transposed, c: T.Tensor | undefined, axis: number): T.Tensor => {
  const { layer, x, weights } = call;
  const parts = plan.back.map((g) => g.part);
  const key = `S|${parts.map((p) => p.key).join("|")}`;
  const token = parts.map((p) => idOf(weights(p))).join(",");
  const W = cached(layer, key, () => T.concat(parts.map((p) => weights(p)), axis), token);
  const [N, F, ...rest] = x.shape as [number, number, ...number[]];
  const D = product(key, W, [N, parts.length * F, ...rest]);
  let R: T.Tensor | undefined;
  plan.back.forEach(({ inputs }, g) => {
    R = addProduct(R, modifierSum(inputs, call), block(D, g, parts.length, x.shape));
  });
  return release(D, R!, c);
};

/**
 * R, after handing `temp` — this call's own transposed product, read by nothing after R was formed from it — back
 * for reuse (`recycle` of @dtd/tensor/unsafe), unless R is (a view of) it (a group whose modifier is 1) or it is
 * the quotients c themselves (a transpose that passed them through), which later groups still read (no c: the
 * quotients were formed inside the products).
 */
const release = (temp: T.Tensor, R: T.Tensor, c: T.Tensor | undefined): T.Tensor => {
  if (R.data.buffer !== temp.data.buffer && c?.data.buffer !== temp.data.buffer) recycle(temp.data);
  return R;
};

/**
 * Block g of G along axis 1 of D [N, G·F, ...], shaped like one input [N, F, ...]: per sample, a contiguous run.
 * One sample's block is a view of D (D is this call's own temporary, never written again), a batch's a copy.
 */
const block = (D: T.Tensor, g: number, G: number, shape: readonly number[]): T.Tensor => {
  const N = shape[0]!;
  const size = D.data.length / (N * G);
  if (N === 1) return unsafeMake([...shape], D.data.subarray(g * size, (g + 1) * size));
  const out = T.alloc(D.dtype, N * size);
  for (let n = 0; n < N; n++) out.set(D.data.subarray((n * G + g) * size, (n * G + g + 1) * size), n * size);
  return unsafeMake([...shape], out);
};

/** Steps 3–4 group by group: one transposed product each. */
const separately = (plan: Plan, call: Call, product: Transposed, c: T.Tensor | undefined): T.Tensor => {
  const { x, weights } = call;
  let R: T.Tensor | undefined;
  for (const { part, inputs } of plan.back) {
    const back = product(part.key, weights(part), x.shape);
    R = release(back, addProduct(R, modifierSum(inputs, call), back), c);
  }
  return R ?? T.zerosLike(x);
};

/**
 * Steps 3–4: R_i = Σ_groups (Σ a_t(x)_i) [linear(·; W_p)ᵀ c]_i — in one stacked product when the plan says so; c is
 * the stored quotients the products read, if any (undefined when they form them themselves).
 */
const relevance = (plan: Plan, call: Call, product: Transposed, c: T.Tensor | undefined): T.Tensor => {
  const axis = inputAxis(call.layer);
  return plan.stacked && axis !== undefined && plan.back.length > 1 ? stacked(plan, call, product, c, axis) : separately(plan, call, product, c);
};

/**
 * Step 1 of a planned rule, with steps 3–4 as the closure `back` and, on conv2d layers, steps 2–4 as `backQuotient`
 * (the quotients formed inside the transposed products). s, when it is not z itself, is this call's own: its
 * memory is handed back once `backQuotient`, its last reader, is done.
 */
export const plannedForward =
  (plan: Plan, ctx: DirectionContext): ModifiedForward =>
  (layer, x, opts) => {
    const call: Call = { layer, weights: weightsFor(layer), x, free: freeOf(opts.fixed, x), ctx };
    const { s, K } = denominators(plan, call, opts.z);
    const back = (c: T.Tensor): T.Tensor => relevance(plan, call, ofQuotients(call, c), c);
    if (layer.kind !== "conv2d" || s === undefined) return { s, K, back };
    const backQuotient = (R: T.Tensor): T.Tensor => {
      const Rin = relevance(plan, call, ofRelevance(layer, R, s, K), undefined);
      if (s !== opts.z && s.data.buffer !== Rin.data.buffer) recycle(s.data);
      return Rin;
    };
    return { s, K, back, backQuotient };
  };
