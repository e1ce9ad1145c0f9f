/**
 * `deriveRule(strategy)`: the propagation rule of eq. (4) from a root-point strategy (Montavon et al. 2017):
 *
 *   R_i = Σ_j  v_ij w_ij / Σ_i' v_i'j w_i'j · R_j
 *
 * Split directions (v_ij = Σ_t a_t(x)_i g_t(w_ij)) give v_ij w_ij = Σ_t a_t(x)_i · (W_t)_ij with W_t = g_t(W)⊙W, so
 *   s_j   = Σ_t [linear(a_t(x); W_t)]_j              (forward passes of the layer, bias removed)
 *   c_j   = R_j / s_j   (0 where s_j = 0: the unit passes nothing on — the proof of Proposition 2)
 *   R_i   = Σ_t a_t(x)_i · [linear(·; W_t)ᵀ c]_i      (vector-Jacobian products, from @dtd/autodiff)
 * The same code serves every affine layer (Dense, Conv2d): it only calls the layer's own forward pass.
 * Materialised directions are evaluated straight from eq. (4) on Dense layers.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import { type Affine, affineRows, applyLayer, LayerException, withParams } from "@dtd/layers";
import { naiveEq4, naiveDirections } from "./naive.ts";
import type { PropagateOptions, Rule } from "./Rule.ts";
import type { DirectionContext, DirectionTerm, Strategy } from "./Strategy.ts";

/** Modified weights W_t = g_t(W)⊙W, cached per weight tensor and term (weights are immutable). */
const cache = new WeakMap<T.Tensor, WeakMap<DirectionTerm, T.Tensor>>();
const modifiedWeight = (W: T.Tensor, term: DirectionTerm): T.Tensor => {
  let perW = cache.get(W);
  if (perW === undefined) {
    perW = new WeakMap();
    cache.set(W, perW);
  }
  let Wt = perW.get(term);
  if (Wt === undefined) {
    Wt = T.map(W, (w) => term.weight(w) * w);
    perW.set(term, Wt);
  }
  return Wt;
};

/** The layer's linear part with weights W (bias zero), as a differentiable function of its input. */
const linear = (layer: Affine, W: T.Tensor) => {
  const unbiased = withParams(layer, { W, b: T.zerosLike(layer.b) });
  return (x: AD.Var): AD.Var => applyLayer(unbiased, x);
};

const stabilise = (s: T.Tensor, eps: number): T.Tensor => (eps === 0 ? s : T.map(s, (v) => v + eps * (v >= 0 ? 1 : -1)));

/** Eq. (4) through forward passes and VJPs with modified weights (split directions). */
const propagateSplit = (terms: readonly DirectionTerm[], ctx: DirectionContext, layer: Affine, x: T.Tensor, R: T.Tensor, opts: PropagateOptions): T.Tensor => {
  const parts = terms.map((term) => {
    const raw = term.input(x, ctx);
    const a = typeof raw === "number" ? T.full(x.shape, raw, x.dtype) : T.broadcastTo(T.astype(raw, x.dtype), x.shape);
    const [z, pullback] = AD.vjp(linear(layer, T.astype(modifiedWeight(layer.W, term), x.dtype)), a);
    return { a, z, pullback };
  });
  const s = parts.slice(1).reduce((acc, p) => T.add(acc, p.z), parts[0]!.z);
  const c = T.divNoNan(R, stabilise(s, opts.epsilon ?? 0));
  return parts.reduce<T.Tensor | undefined>((acc, p) => {
    const r = T.mul(p.a, p.pullback(c)[0]!);
    return acc === undefined ? r : T.add(acc, r);
  }, undefined)!;
};

/** Derives the eq. (4) rule of a strategy. */
export const deriveRule = (strategy: Strategy): Rule => {
  const ctx: DirectionContext = { domain: strategy.domain };
  const direction = strategy.direction;
  return {
    name: strategy.name,
    strategy,
    propagate: (layer, x, R, opts = {}) => {
      if (direction._tag === "Split") return propagateSplit(direction.terms, ctx, layer, x, R, opts);
      if (layer.kind !== "dense") {
        throw new LayerException({ _tag: "InvalidLayer", index: -1, kind: layer.kind, reason: `the materialised direction of rule "${strategy.name}" applies to dense layers only` });
      }
      return naiveEq4(layer, x, R, (xi) => direction.v(xi, layer.W), opts.epsilon ?? 0);
    },
    directions: (layer, x, neurons) => {
      if (direction._tag === "Materialized") {
        if (layer.kind !== "dense") throw new LayerException({ _tag: "InvalidLayer", index: -1, kind: layer.kind, reason: "materialised directions apply to dense layers only" });
        const V = direction.v(Float64Array.from(x.data), layer.W);
        const rows = T.transpose(V);
        return neurons === undefined ? rows : T.stack(neurons.map((j) => T.reshape(T.slice(rows, [j, 0], [1, -1]), [-1])));
      }
      const { rows } = affineRows(layer, x.shape, neurons);
      return naiveDirections(direction.terms, ctx, x, rows);
    },
  };
};
