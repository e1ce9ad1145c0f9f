/**
 * `deriveRule(strategy)`: the propagation rule of eq. (4) from a root-point strategy (Montavon et al. 2017):
 *
 *   R_i = Σ_j  v_ij w_ij / Σ_i' v_i'j w_i'j · R_j
 *
 * Split directions v_ij = Σ_t a_t(x)_i g_t(w_ij) give v_ij w_ij = Σ_t a_t(x)_i (W_t)_ij with W_t = g_t(W)⊙W, so
 *   s_j = Σ_t [linear(a_t(x); W_t)]_j              forward passes of the layer, bias removed
 *   c_j = R_j / s_j   (0 where s_j = 0: the unit passes nothing on — the proof of Proposition 2)
 *   R_i = Σ_t a_t(x)_i · [linear(·; W_t)ᵀ c]_i      transposed passes (VJPs, from @dtd/autodiff)
 * The same code serves every affine layer (Dense, Conv2d): it only calls the layer's own forward pass and its
 * autodiff transpose. Because modifiers and selectors are data, the derivation also simplifies generically:
 * - terms whose modifier is the input are summed into one weight; when that weight is W itself, the forward
 *   pre-activation z − b is reused instead of recomputed;
 * - terms with constant modifiers are computed once per layer (cached), and c = R / (s + K) then runs in one
 *   pass over the batch ({@link T.divNoNanSum}) instead of an add and a division;
 * - sign-mask selectors are grouped on W⁺ and W⁻, so the backward pass costs at most two transposed products
 *   (one when every mask selects both signs).
 * Modified weights given directly (`modifiedWeight`: q(W) in place of g(W)⊙W) take the same path. Modified weights
 * computed by functions are recomputed on every call and cached by value (`internal/affineCache.ts`), so a function
 * reading a variable is never answered from a stale cache. Materialised directions are evaluated straight from
 * eq. (4), neuron by neuron (`naive.ts`), on every affine layer.
 * @module
 */
import * as T from "@dtd/tensor";
import * as AD from "@dtd/autodiff";
import { type Affine, applyLayer, LayerException } from "@dtd/layers";
import { byValue, cached, forwardWith, idOf, transposeWith } from "./internal/affineCache.ts";
import { directionsOf, identityShareOf, naiveRule } from "./naive.ts";
import type { PropagateOptions, Rule } from "./Rule.ts";
import { type DirectionContext, type DirectionTerm, modifierValue, type Strategy, type WeightSelector } from "./Strategy.ts";

/**
 * A weight part: W⁺, W⁻, W, W⊙W, or the modified weights of a function selector (g(W)⊙W, or q(W) given
 * directly). `byFunction` parts are recomputed on every call and cached by value.
 */
type Part = { readonly key: string; readonly make: (W: T.Tensor) => T.Tensor; readonly byFunction: boolean };
const POS: Part = { key: "+", make: (W) => T.positivePart(W), byFunction: false };
const NEG: Part = { key: "-", make: (W) => T.negativePart(W), byFunction: false };
const ALL: Part = { key: "W", make: (W) => W, byFunction: false };
const SQUARE: Part = { key: "W²", make: (W) => T.mul(W, W), byFunction: false };
type FunctionSelector = WeightSelector & { readonly _tag: "Custom" | "Modified" };
const functionParts = new WeakMap<FunctionSelector, Part>();
const functionPart = (g: FunctionSelector): Part => {
  let p = functionParts.get(g);
  if (p === undefined) {
    const make = g._tag === "Custom" ? (W: T.Tensor) => T.map(W, (w) => g.g(w) * w) : (W: T.Tensor) => T.map(W, (w) => g.q(w));
    p = { key: `g${idOf(g)}`, make, byFunction: true };
    functionParts.set(g, p);
  }
  return p;
};

/** The modified weights of each part for one layer, resolved once per call (function parts: by value, see affineCache). */
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

/** A weighted sum Σ coef·part of weight parts, as (part, coefficient) pairs with W = W⁺ + W⁻ folded in. */
const partsOf = (g: WeightSelector): [Part, number][] => {
  switch (g._tag) {
    case "Custom":
    case "Modified":
      return [[functionPart(g), 1]];
    case "Weight":
      return [[SQUARE, 1]];
    case "SignMask":
      return g.positive === 1 && g.negative === 1 ? [[ALL, 1]] : g.positive === 1 ? [[POS, 1]] : g.negative === 1 ? [[NEG, 1]] : [];
  }
};

/** Adds tensors that may be undefined. */
const plus = (a: T.Tensor | undefined, b: T.Tensor): T.Tensor => (a === undefined ? b : T.add(a, b));

/** c·t, without a pass over t when c = 1. */
const times = (t: T.Tensor, c: number): T.Tensor => (c === 1 ? t : T.mul(t, c));

/**
 * The inputs a direction may move: `free` is 0 where the layer's input is a constant (the zeros a pad2d node
 * adds), 1 elsewhere, shaped [1, ...in]; undefined when every input is free. A modifier other than the input
 * itself is multiplied by it (the input is already 0 there), so no direction moves a constant and it receives
 * no relevance.
 */
type Free = T.Tensor | undefined;

/** A modifier's value restricted to the free inputs. */
const restrict = (a: T.Tensor | number, free: Free, shape: readonly number[], dtype: T.DType): T.Tensor | number => {
  if (free === undefined) return a;
  return T.mul(typeof a === "number" ? T.full([1, ...shape], a, dtype) : a, T.astype(free, dtype));
};

/** One layer as a call sees it: the layer and the modified weights of its parts. */
interface At {
  readonly layer: Affine;
  readonly weights: Weights;
}
const atLayer = (layer: Affine): At => ({ layer, weights: weightsFor(layer) });

/** linear(x; W_p) for a part p. */
const forwardPart = (at: At, p: Part, x: T.Tensor): T.Tensor => forwardWith(at.layer, at.weights(p), x);

/**
 * Σ over the constant-modifier terms of linear(a_t; W_t) for one sample ([1, ...out]), minus the bias when
 * `withoutBias` (so that z + K gives the input terms' z − b plus the constants in one pass). Cached per layer, and
 * valid for the modified weights it was computed from.
 */
const constantTotal = (terms: readonly DirectionTerm[], at: At, sampleShape: readonly number[], dtype: T.DType, withoutBias: boolean, free: Free): T.Tensor | undefined => {
  const constants = terms.filter((t) => t.input._tag === "Constant");
  if (constants.length === 0 && !withoutBias) return undefined;
  const { layer } = at;
  const key = `K|${constants.map((t) => idOf(t)).join(",")}|${withoutBias}|${sampleShape.join(",")}|${dtype}|${free === undefined ? "" : idOf(free)}`;
  const token = constants.flatMap((t) => partsOf(t.weight).map(([p]) => idOf(at.weights(p)))).join(",");
  return cached(
    layer,
    key,
    () => {
      let K: T.Tensor | undefined;
      for (const t of constants) {
        const value = (t.input as { readonly value: number | T.Tensor }).value;
        const full = typeof value === "number" ? T.full([1, ...sampleShape], value, dtype) : T.reshape(T.astype(value, dtype), [1, ...sampleShape]);
        const a = restrict(full, free, sampleShape, dtype) as T.Tensor;
        for (const [p, c] of partsOf(t.weight)) K = plus(K, times(forwardPart(at, p, a), c));
      }
      if (withoutBias) {
        // −b in the layer's per-sample output shape (a zero output of that shape, then −b broadcast over it).
        const zeroOut = forwardWith(layer, T.zerosLike(layer.W), T.zeros([1, ...sampleShape], dtype));
        K = plus(K, T.sub(zeroOut, T.reshape(layer.b, layer.kind === "dense" ? [-1] : [-1, 1, 1])));
      }
      return K!;
    },
    token,
  );
};

/**
 * s_j, the denominators of eq. (4) for a batch, as `s + K`: `s` the per-call terms [N, ...out] (undefined when
 * there are none), `K` the cached per-layer constant [1, ...out] (undefined when zero). They are returned apart
 * so that the quotient R / (s + K) runs in one pass ({@link T.divNoNanSum}).
 */
const denominators = (
  terms: readonly DirectionTerm[],
  ctx: DirectionContext,
  at: At,
  x: T.Tensor,
  z: T.Tensor | undefined,
  free: Free,
): { readonly s: T.Tensor | undefined; readonly K: T.Tensor | undefined } => {
  const sampleShape = x.shape.slice(1);
  // Terms on the input: one forward pass with their summed weight — none when that weight is W and z is known.
  const inputParts = new Map<Part, number>();
  for (const t of terms) if (t.input._tag === "Input") for (const [p, c] of partsOf(t.weight)) inputParts.set(p, (inputParts.get(p) ?? 0) + c);
  const pos = (inputParts.get(POS) ?? 0) + (inputParts.get(ALL) ?? 0);
  const neg = (inputParts.get(NEG) ?? 0) + (inputParts.get(ALL) ?? 0);
  const others = [...inputParts.entries()].filter(([p]) => p !== POS && p !== NEG && p !== ALL);
  const reuseZ = z !== undefined && pos === 1 && neg === 1;
  let s: T.Tensor | undefined = reuseZ ? z : undefined;
  if (!reuseZ) {
    if (pos === neg && pos !== 0) s = times(forwardPart(at, ALL, x), pos);
    else {
      if (pos !== 0) s = plus(s, times(forwardPart(at, POS, x), pos));
      if (neg !== 0) s = plus(s, times(forwardPart(at, NEG, x), neg));
    }
  }
  for (const [p, c] of others) s = plus(s, times(forwardPart(at, p, x), c));
  // Custom modifiers: evaluated per call.
  for (const t of terms) {
    if (t.input._tag !== "Custom") continue;
    const raw = modifierValue(t.input, x, ctx);
    const a = typeof raw === "number" ? T.full(x.shape, raw, x.dtype) : T.broadcastTo(T.astype(raw, x.dtype), x.shape);
    const moved = restrict(a, free, sampleShape, x.dtype) as T.Tensor;
    for (const [p, c] of partsOf(t.weight)) s = plus(s, times(forwardPart(at, p, T.broadcastTo(moved, x.shape)), c));
  }
  // Constant terms (and −b when z was reused): computed once per layer, shape and dtype; broadcast over the batch.
  return { s, K: constantTotal(terms, at, sampleShape, x.dtype, reuseZ, free) };
};

/** The whole denominator s + K as one tensor [N, ...out] (zeros when there is no term at all). */
const denominatorTensor = ({ s, K }: ReturnType<typeof denominators>, layer: Affine, x: T.Tensor): T.Tensor => {
  if (K === undefined) return s ?? forwardWith(layer, T.zerosLike(layer.W), x);
  return s === undefined ? T.broadcastTo(K, [x.shape[0]!, ...K.shape.slice(1)]) : T.add(s, K);
};

/** R_i = Σ_t a_t(x)_i [W_tᵀ c]_i, with mask terms grouped on W⁺ and W⁻ (or on W when every mask takes both). */
const relevance = (terms: readonly DirectionTerm[], ctx: DirectionContext, at: At, x: T.Tensor, c: T.Tensor, free: Free): T.Tensor => {
  const coefficient = new Map<Part, T.Tensor | number>();
  const addTo = (p: Part, a: T.Tensor | number) => {
    const prev = coefficient.get(p);
    coefficient.set(p, prev === undefined ? a : typeof prev === "number" && typeof a === "number" ? prev + a : T.add(prev, a));
  };
  const inputOf = (t: DirectionTerm): T.Tensor | number => {
    if (t.input._tag === "Input") return x;
    const raw = t.input._tag === "Constant" ? t.input.value : modifierValue(t.input, x, ctx);
    const a = typeof raw === "number" ? raw : t.input._tag === "Constant" ? T.reshape(T.astype(raw, x.dtype), [1, ...x.shape.slice(1)]) : T.astype(raw, x.dtype);
    return restrict(a, free, x.shape.slice(1), x.dtype);
  };
  const everyMaskTakesBoth = terms.every((t) => t.weight._tag !== "SignMask" || (t.weight.positive === 1) === (t.weight.negative === 1));
  for (const t of terms) {
    const a = inputOf(t);
    const g = t.weight;
    if (g._tag !== "SignMask") for (const [p] of partsOf(g)) addTo(p, a);
    else if (everyMaskTakesBoth) {
      if (g.positive === 1) addTo(ALL, a);
    } else {
      if (g.positive === 1) addTo(POS, a);
      if (g.negative === 1) addTo(NEG, a);
    }
  }
  let R: T.Tensor | undefined;
  for (const [p, a] of coefficient) {
    const back = transposeWith(at.layer, p.key, at.weights(p), x.shape, x.dtype)(c);
    R = plus(R, typeof a === "number" ? times(back, a) : T.mul(back, a));
  }
  return R ?? T.zerosLike(x);
};

const stabilise = (s: T.Tensor, eps: number): T.Tensor => (eps === 0 ? s : T.map(s, (v) => v + eps * (v >= 0 ? 1 : -1)));

/** Eq. (4) through forward passes and transposed passes with modified weights (split directions). */
const propagateSplit = (terms: readonly DirectionTerm[], ctx: DirectionContext, layer: Affine, x: T.Tensor, R: T.Tensor, opts: PropagateOptions): T.Tensor => {
  const free = freeOf(opts.fixed, x);
  const at = atLayer(layer);
  const d = denominators(terms, ctx, at, x, opts.z, free);
  const eps = opts.epsilon ?? 0;
  // c = R / (s + K) in one pass when nothing else (a stabiliser) touches the denominator.
  const c = eps === 0 && d.s !== undefined && d.K !== undefined ? T.divNoNanSum(R, d.s, d.K) : T.divNoNan(R, stabilise(denominatorTensor(d, layer, x), eps));
  return relevance(terms, ctx, at, x, c, free);
};

/** 1 − fixed, shaped [1, ...in] (cached by the fixed mask, which a model's pad2d node makes once). */
const freeMasks = new WeakMap<T.Tensor, T.Tensor>();
const freeOf = (fixed: T.Tensor | undefined, x: T.Tensor): Free => {
  if (fixed === undefined) return undefined;
  let free = freeMasks.get(fixed);
  if (free === undefined) {
    free = T.reshape(T.sub(1, fixed), [1, ...x.shape.slice(1)]);
    freeMasks.set(fixed, free);
  }
  return free;
};

/**
 * Eq. (4) with the bias as a relevance sink ({@link Rule.propagateWithSink}): D = s + max(0, z − σ·s)/σ,
 * c = R / D, the inputs' relevance from c as in eq. (4), and absorbed = c·r/σ (R itself where D = 0).
 */
const propagateSinking = (terms: readonly DirectionTerm[], ctx: DirectionContext, layer: Affine, x: T.Tensor, R: T.Tensor, opts: PropagateOptions & { readonly segment: number }) => {
  const free = freeOf(opts.fixed, x);
  const at = atLayer(layer);
  const s = denominatorTensor(denominators(terms, ctx, at, x, opts.z, free), layer, x);
  const z = opts.z ?? applyLayer(layer, AD.constant(x)).value;
  // r/σ, the bias's share of the denominator (none on an unbounded segment: it always reaches a root).
  const share = Number.isFinite(opts.segment) ? times(T.positivePart(T.sub(z, times(s, opts.segment))), 1 / opts.segment) : T.zerosLike(s);
  const D = stabilise(T.add(s, share), opts.epsilon ?? 0);
  const c = T.divNoNan(R, D);
  const absorbed = T.add(T.mul(c, share), T.mul(R, T.map(D, (v) => (v === 0 ? 1 : 0))));
  return { R: relevance(terms, ctx, at, x, c, free), absorbed };
};

/**
 * Derives the eq. (4) rule of a strategy: split directions through forward and transposed passes with modified
 * weights, materialised ones neuron by neuron (`naiveRule`).
 */
export const deriveRule = (strategy: Strategy): Rule => {
  const direction = strategy.direction;
  if (direction._tag !== "Split") {
    const naive = naiveRule(strategy);
    // A V [in, out] direction exists for Dense layers only (explain and verifyRoots refuse the others up front).
    const denseOnly = (layer: Affine): void => {
      if (direction._tag === "Materialized" && layer.kind !== "dense") {
        throw new LayerException({ _tag: "InvalidLayer", index: -1, kind: layer.kind, reason: `the materialised direction of rule "${strategy.name}" applies to dense layers only` });
      }
    };
    return {
      ...naive,
      propagate: (layer, x, R, opts) => (denseOnly(layer), naive.propagate(layer, x, R, opts)),
      denominator: (layer, x, opts) => (denseOnly(layer), naive.denominator(layer, x, opts)),
      propagateWithSink: (layer, x, R, opts) => (denseOnly(layer), naive.propagateWithSink(layer, x, R, opts)),
      directions: (layer, x, neurons) => (denseOnly(layer), naive.directions(layer, x, neurons)),
    };
  }
  const ctx: DirectionContext = { domain: strategy.domain };
  const terms = direction.terms;
  return {
    name: strategy.name,
    strategy,
    propagate: (layer, x, R, opts = {}) => propagateSplit(terms, ctx, layer, x, R, opts),
    denominator: (layer, x, opts = {}) => denominatorTensor(denominators(terms, ctx, atLayer(layer), x, opts.z, freeOf(opts.fixed, x)), layer, x),
    propagateWithSink: (layer, x, R, opts = {}) => propagateSinking(terms, ctx, layer, x, R, { ...opts, segment: strategy.segment }),
    identityShare: (x) => identityShareOf(strategy, x),
    directions: (layer, x, neurons) => directionsOf(strategy, layer, x, neurons),
  };
};
