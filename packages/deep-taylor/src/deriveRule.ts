/**
 * `deriveRule(strategy)`: the propagation rule of eq. (4) from a root-point strategy (Montavon et al. 2017):
 *
 *   R_i = Σ_j  v_ij w_ij / Σ_i' v_i'j w_i'j · R_j
 *
 * A split direction v_ij = Σ_t a_t(x)_i g_t(w_ij) gives v_ij w_ij = Σ_t a_t(x)_i (W_t)_ij with modified weights
 * W_t = g_t(W)⊙W (or q_t(W) given directly), and eq. (4) becomes four steps with the layer's own passes — the
 * generic rule of RelevancePropagation.jl, one term at a time:
 *
 *   1. modified forward   s_j = Σ_t [linear(a_t(x); W_t)]_j       the layer's forward pass, bias removed
 *   2. divide             c_j = R_j / s_j                         0 where s_j = 0: the unit passes nothing on
 *                                                                 (on conv2d layers formed inside step 3's products)
 *   3. pullback           g_t = linear(·; W_t)ᵀ c                 a vector-Jacobian product (@dtd/autodiff)
 *   4. multiply           R_i = Σ_t a_t(x)_i · (g_t)_i
 *
 * `referenceRule` computes exactly this (below). `deriveRule` computes the same with fewer passes: a planning step
 * (`internal/plan.ts`) reads the terms' data once — which terms share a weight, which modifiers are constant,
 * whether the input terms sum to the layer's own z − b — and `internal/planned.ts` runs the plan. A property test
 * (test/plan.prop.test.ts) holds the plan to the reference: bit for bit where the plan claims it, otherwise
 * within a rounding bound derived from the sums involved. Nothing depends on the layer kind (Dense, Conv2d,
 * DepthwiseConv2d). Directions that do not split (materialised) are evaluated neuron by neuron (`naive.ts`).
 * @module
 */
import * as T from "@dtd/tensor";
import { divNoNanSum, recycle } from "@dtd/tensor/unsafe";
import * as AD from "@dtd/autodiff";
import { type Affine, applyLayer, LayerException, linearPart } from "@dtd/layers";
import { denominatorOf, type Forwarded, type ModifiedForward } from "./internal/ModifiedForward.ts";
import { planOf } from "./internal/plan.ts";
import { plannedForward } from "./internal/planned.ts";
import { freeOf, modifiedWeights, modifierAt, stabilise } from "./internal/termValues.ts";
import { directionsOf, identityShareOf, naiveRule } from "./naive.ts";
import type { PropagateOptions, Rule } from "./Rule.ts";
import type { DirectionContext, DirectionTerm, Strategy } from "./Strategy.ts";

/** Sums tensors (undefined for none). */
const sum = (ts: readonly T.Tensor[]): T.Tensor | undefined => (ts.length === 0 ? undefined : ts.reduce((a, b) => T.add(a, b)));

/**
 * Step 1 of the reference, term by term: the modified forward pass linear(a_t(x); W_t) with its pullback, and
 * steps 3–4 as the sum of a_t(x) ⊙ pullback_t(c).
 */
export const referenceForward =
  (terms: readonly DirectionTerm[], ctx: DirectionContext): ModifiedForward =>
  (layer, x, opts) => {
    const free = freeOf(opts.fixed, x);
    const passes = terms.map((t) => {
      const m = modifierAt(t.input, x, ctx, free);
      const a = typeof m === "number" ? T.full(x.shape, m, x.dtype) : T.broadcastTo(m, x.shape);
      const [z, pullback] = AD.vjp(linearPart(layer, modifiedWeights(t.weight, layer.W)), a);
      return { a, z, pullback };
    });
    return {
      s: sum(passes.map((p) => p.z)),
      K: undefined,
      back: (c) => sum(passes.map((p) => T.mul(p.a, p.pullback(c)[0]!))) ?? T.zerosLike(x),
    };
  };

/** Step 2: c = R / s — in one pass over R / (s + K) (or R / s) when no stabiliser touches the denominator. */
const divide = (R: T.Tensor, f: Forwarded, layer: Affine, x: T.Tensor, eps: number): T.Tensor =>
  eps === 0 && f.s !== undefined && T.Shape.equals(f.s.shape, R.shape) ? divNoNanSum(R, f.s, f.K) : T.divNoNan(R, stabilise(denominatorOf(f, layer, x), eps));

/**
 * Eq. (4) with the bias as a relevance sink ({@link Rule.propagateWithSink}): D = s + max(0, z − σ·s)/σ,
 * c = R / D, the inputs' relevance from c as in eq. (4), and absorbed = c·r/σ (R itself where D = 0).
 */
const times = (t: T.Tensor, c: number): T.Tensor => (c === 1 ? t : T.mul(t, c));
const propagateSinking = (forward: ModifiedForward, segment: number) => (layer: Affine, x: T.Tensor, R: T.Tensor, opts: PropagateOptions) => {
  const f = forward(layer, x, opts);
  const s = denominatorOf(f, layer, x);
  const z = opts.z ?? applyLayer(layer, AD.constant(x)).value;
  // r/σ, the bias's share of the denominator (none on an unbounded segment: it always reaches a root).
  const share = Number.isFinite(segment) ? times(T.positivePart(T.sub(z, times(s, segment))), 1 / segment) : T.zerosLike(s);
  const D = stabilise(T.add(s, share), opts.epsilon ?? 0);
  const c = T.divNoNan(R, D);
  const absorbed = T.add(T.mul(c, share), T.mul(R, T.map(D, (v) => (v === 0 ? 1 : 0))));
  return { R: f.back(c), absorbed };
};

/** The rule of a split strategy from its step 1: propagate = steps 3–4 ∘ step 2 ∘ step 1. */
const ruleFrom = (strategy: Strategy, forward: ModifiedForward): Rule => ({
  name: strategy.name,
  strategy,
  propagate: (layer, x, R, opts = {}) => {
    const f = forward(layer, x, opts);
    if (f.backQuotient !== undefined && (opts.epsilon ?? 0) === 0 && f.s !== undefined && T.Shape.equals(f.s.shape, R.shape)) return f.backQuotient(R);
    const c = divide(R, f, layer, x, opts.epsilon ?? 0);
    const Rin = f.back(c);
    // c is this call's own temporary (a fresh quotient), read by the transposed products and by nothing after:
    // its memory goes to the next allocation of its size (a conv layer's output: megabytes per call).
    if (Rin.data.buffer !== c.data.buffer) recycle(c.data);
    return Rin;
  },
  denominator: (layer, x, opts = {}) => denominatorOf(forward(layer, x, opts), layer, x),
  propagateWithSink: (layer, x, R, opts = {}) => propagateSinking(forward, strategy.segment)(layer, x, R, opts),
  identityShare: (x) => identityShareOf(strategy, x),
  directions: (layer, x, neurons) => directionsOf(strategy, layer, x, neurons),
});

/** The rule of a direction that does not split: eq. (4) neuron by neuron (a V [in, out] direction: Dense layers only). */
const materialisedRule = (strategy: Strategy): Rule => {
  const naive = naiveRule(strategy);
  // explain and verifyRoots refuse a materialised direction on other layers up front; here it is a bug.
  const denseOnly = (layer: Affine): void => {
    if (strategy.direction._tag === "Materialized" && layer.kind !== "dense") {
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
};

/**
 * Eq. (4) for a strategy, computed as the four steps read, term by term: the plain version `deriveRule` is held
 * to. Slower (a forward and a transposed pass per term, nothing cached); the same on every input.
 */
export const referenceRule = (strategy: Strategy): Rule => {
  const d = strategy.direction;
  return d._tag === "Split" ? ruleFrom(strategy, referenceForward(d.terms, { domain: strategy.domain })) : materialisedRule(strategy);
};

/**
 * Derives the eq. (4) rule of a strategy: split directions through the planned forward and transposed passes
 * (equal to {@link referenceRule} up to rounding), materialised ones neuron by neuron (`naiveRule`).
 */
export const deriveRule = (strategy: Strategy): Rule => {
  const d = strategy.direction;
  return d._tag === "Split" ? ruleFrom(strategy, plannedForward(planOf(d.terms), { domain: strategy.domain })) : materialisedRule(strategy);
};
