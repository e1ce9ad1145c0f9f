/**
 * Eq. (4) written out straight from the deck, with v materialised: the slow oracle the derived rules are
 * tested against, and the path for directions that do not split (Dense layers).
 *
 *   R_i = Σ_j v_ij w_ij / Σ_i' v_i'j w_i'j · R_j
 * @module
 */
import * as T from "@dtd/tensor";
import type { Dense } from "@dtd/layers";
import { type DirectionContext, type DirectionTerm, type InputModifier, materialized, select, type Strategy } from "./Strategy.ts";

/**
 * Eq. (4) on a Dense layer for a batch: `v(x_n)` gives V [in, out] for sample n. ε (0 = exact) stabilises the
 * denominators; a zero denominator passes nothing.
 */
export const naiveEq4 = (layer: Dense, x: T.Tensor, R: T.Tensor, v: (x: Float64Array) => T.Tensor, epsilon = 0): T.Tensor => {
  const [nIn, nOut] = layer.W.shape as [number, number];
  const N = x.shape[0]!;
  const W = layer.W.data;
  const out = T.zeros([N, nIn], x.dtype);
  for (let n = 0; n < N; n++) {
    const V = v(Float64Array.from(x.data.subarray(n * nIn, (n + 1) * nIn))).data;
    for (let j = 0; j < nOut; j++) {
      let s = 0;
      for (let i = 0; i < nIn; i++) s += V[i * nOut + j]! * W[i * nOut + j]!;
      if (epsilon !== 0) s += epsilon * (s >= 0 ? 1 : -1);
      if (s === 0) continue;
      const c = R.data[n * nOut + j]! / s;
      for (let i = 0; i < nIn; i++) out.data[n * nIn + i] = out.data[n * nIn + i]! + V[i * nOut + j]! * W[i * nOut + j]! * c;
    }
  }
  return out;
};

/** Eq. (4)'s denominators s_j = Σ_i v_ij w_ij on a Dense layer for a batch ([N, out]). */
export const naiveDenominator = (layer: Dense, x: T.Tensor, v: (x: Float64Array) => T.Tensor): T.Tensor => {
  const [nIn, nOut] = layer.W.shape as [number, number];
  const N = x.shape[0]!;
  const out = T.zeros([N, nOut], x.dtype);
  for (let n = 0; n < N; n++) {
    const V = v(Float64Array.from(x.data.subarray(n * nIn, (n + 1) * nIn))).data;
    for (let j = 0; j < nOut; j++) {
      let s = 0;
      for (let i = 0; i < nIn; i++) s += V[i * nOut + j]! * layer.W.data[i * nOut + j]!;
      out.data[n * nOut + j] = s;
    }
  }
  return out;
};

/**
 * The materialised directions of a split strategy for one sample: row j of the result is
 * v⁽ʲ⁾_i = Σ_t a_t(x)_i · g_t(w_ij), with w_ij taken from the Jacobian rows `rows` [n, in].
 */
export const naiveDirections = (terms: readonly DirectionTerm[], ctx: DirectionContext, x: T.Tensor, rows: T.Tensor): T.Tensor => {
  const d = x.data.length;
  const n = rows.shape[0]!;
  const batch = T.reshape(T.astype(x, "float64"), [1, ...x.shape]);
  const inputs = terms.map((t) => {
    const a = modifierValue(t.input, batch, ctx);
    return typeof a === "number" ? T.full([d], a) : T.reshape(T.broadcastTo(T.astype(a, "float64"), batch.shape), [d]);
  });
  const V = T.zeros([n, d]);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      const w = rows.data[r * d + i]!;
      let v = 0;
      terms.forEach((t, k) => (v += inputs[k]!.data[i]! * select(t.weight, w)));
      V.data[r * d + i] = v;
    }
  }
  return V;
};

/** a_t(x) for a batch x: the input, a constant, or the custom function's value. */
export const modifierValue = (m: InputModifier, x: T.Tensor, ctx: DirectionContext): T.Tensor | number =>
  m._tag === "Input" ? x : m._tag === "Constant" ? m.value : m.f(x, ctx);

/** The materialised V [in, out] of a split strategy on a Dense layer for one sample (for the general path). */
export const materializeDense = (terms: readonly DirectionTerm[], ctx: DirectionContext, W: T.Tensor, x: Float64Array): T.Tensor => {
  const [nIn, nOut] = W.shape as [number, number];
  const rows = T.transpose(W);
  const V = naiveDirections(terms, ctx, T.of(x, [nIn]), rows);
  return T.reshape(T.transpose(V), [nIn, nOut]);
};

/**
 * The same strategy with its split direction materialised (v computed entry by entry), so that its rule runs
 * through the naive eq. (4) path: a property test shows that both paths agree.
 */
export const materialize = (strategy: Strategy): Strategy => {
  const d = strategy.direction;
  if (d._tag === "Materialized") return strategy;
  const ctx: DirectionContext = { domain: strategy.domain };
  return { ...strategy, name: `${strategy.name} (materialised)`, direction: materialized((x, W) => materializeDense(d.terms, ctx, W, x)) };
};
