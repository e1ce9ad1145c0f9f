/**
 * Eq. (4) written out straight from the deck, neuron by neuron on each neuron's Jacobian row (`L.fillRow`: a Dense
 * neuron reads every input, a convolution neuron its kernel window):
 *
 *   R_i = Σ_j q_ij / Σ_i' q_i'j · R_j,   q_ij = v_ij·w_ij
 *
 * It is the slow oracle the derived rules are tested against — for Dense, Conv2d and DepthwiseConv2d alike — and
 * the path of directions that do not split (materialised, for every affine layer). Float64 throughout, whatever
 * the layer's dtype; a zero denominator passes nothing on.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { Affine } from "@dtd/layers";
import { fullDirection, rowDirection } from "./internal/rowDirection.ts";
import type { PropagateOptions, Rule } from "./Rule.ts";
import { type DirectionContext, modifierValue, type NeuronRow, perNeuron, selectorAt, type Strategy } from "./Strategy.ts";

/** The per-sample output shape of an affine layer (validated code: a misfit is a programmer error). */
const outputShapeOf = (layer: Affine, inShape: readonly number[]): readonly number[] => {
  const out = L.inferShape(layer, [inShape]);
  if (E.isLeft(out)) throw new L.LayerException({ _tag: "InvalidLayer", index: -1, kind: layer.kind, reason: out.left });
  return out.right;
};

/** Float64 data as a tensor of `shape` in `dtype` (no check: a NaN is reported by explain's scan, not thrown here). */
const tensorOf = (data: Float64Array, shape: readonly number[], dtype: T.DType): T.Tensor => {
  const t = T.zeros([...shape], dtype);
  t.data.set(data);
  return t;
};

/** What one sweep over the neurons computes. */
interface Sweep {
  readonly R: Float64Array;
  readonly s: Float64Array;
  readonly absorbed: Float64Array;
}

/**
 * One sweep over every neuron of every sample: the denominators s_j = Σ_i q_ij, and with `R` the relevance of the
 * inputs, R_i += q_ij·R_j / D_j. D_j = s_j (+ ε·sign s_j), or with `sink` s_j + r_j/σ, r_j = max(0, z_j − σ·s_j)
 * the bias's share (Rule.propagateWithSink), which then keeps R_j·(r_j/σ)/D_j (all of R_j where D_j = 0).
 */
const sweep = (strategy: Strategy, layer: Affine, x: T.Tensor, R: T.Tensor | undefined, opts: PropagateOptions & { readonly sink?: boolean }): Sweep => {
  const N = x.shape[0]!;
  const inShape = x.shape.slice(1);
  const d = T.Shape.size(inShape);
  const nOut = R === undefined ? undefined : R.data.length / Math.max(N, 1);
  const row = L.sparseRow(layer);
  const q = new Float64Array(row.index.length);
  const eps = opts.epsilon ?? 0;
  const sigma = strategy.segment;
  // The number of neurons: from R, or from the layer (one forward pass of a zero input).
  const out = nOut ?? T.Shape.size(outputShapeOf(layer, inShape));
  const Rin = new Float64Array(N * d);
  const S = new Float64Array(N * out);
  const absorbed = new Float64Array(N * out);
  for (let n = 0; n < N; n++) {
    // A fresh array per sample: a materialised direction may remember the sample it was last asked about.
    const xs = Float64Array.from(x.data.subarray(n * d, (n + 1) * d));
    const dir = rowDirection(strategy, layer, inShape, xs, opts.fixed?.data);
    for (let j = 0; j < out; j++) {
      L.fillRow(layer, inShape, j, row);
      dir.q(row, q);
      let s = 0;
      for (let k = 0; k < row.length; k++) s += q[k]!;
      S[n * out + j] = s;
      if (R === undefined) continue;
      const Rj = R.data[n * out + j]!;
      let D = s;
      let share = 0;
      if (opts.sink === true && Number.isFinite(sigma)) {
        let z = 0;
        for (let k = 0; k < row.length; k++) z += row.weight[k]! * xs[row.index[k]!]!;
        z += row.bias;
        share = Math.max(0, z - sigma * s) / sigma;
        D = s + share;
      }
      if (eps !== 0) D += eps * (D >= 0 ? 1 : -1);
      if (D === 0) {
        if (opts.sink === true) absorbed[n * out + j] = Rj;
        continue;
      }
      const c = Rj / D;
      absorbed[n * out + j] = c * share;
      for (let k = 0; k < row.length; k++) Rin[n * d + row.index[k]!] = Rin[n * d + row.index[k]!]! + q[k]! * c;
    }
  }
  return { R: Rin, s: S, absorbed };
};

const refuse = (strategy: Strategy, what: string): never => {
  throw new L.LayerException({ _tag: "InvalidLayer", index: -1, kind: "add", reason: `the materialised direction of rule "${strategy.name}" cannot ${what}; give it in split form` });
};

/**
 * The identity connection's share Σ_t a_t(x)_i · g_t(1): eq. (4)'s denominator term of a unit that receives
 * input i with weight 1 (a skip connection into an add); for a modified weight, a_t(x)_i · q_t(1).
 */
export const identityShareOf = (strategy: Strategy, x: T.Tensor): T.Tensor => {
  const direction = strategy.direction;
  if (direction._tag !== "Split") return refuse(strategy, "weigh an identity connection");
  const ctx: DirectionContext = { domain: strategy.domain };
  let share: T.Tensor | undefined;
  for (const t of direction.terms) {
    const g = selectorAt(t.weight, 1);
    if (g === 0) continue;
    const raw = modifierValue(t.input, x, ctx);
    const a = typeof raw === "number" ? T.full(x.shape, raw, x.dtype) : T.broadcastTo(T.astype(raw, x.dtype), x.shape);
    const term = g === 1 ? a : T.mul(a, g);
    share = share === undefined ? term : T.add(share, term);
  }
  return share ?? T.zerosLike(x);
};

/**
 * The search directions of a strategy for one sample x (per-sample shape): V [n, in], row r = v⁽ʲ⁾ of neuron
 * `neurons[r]` (default every neuron) over every input unit — v on the units it reads, v⁰ (or 0) elsewhere.
 */
export const directionsOf = (strategy: Strategy, layer: Affine, x: T.Tensor, neurons?: readonly number[]): T.Tensor => {
  const inShape = x.shape;
  const d = T.Shape.size(inShape);
  const js = neurons ?? Array.from({ length: T.Shape.size(outputShapeOf(layer, inShape)) }, (_, j) => j);
  const dir = rowDirection(strategy, layer, inShape, Float64Array.from(x.data));
  const row = L.sparseRow(layer);
  const scratch = new Float64Array(row.index.length);
  const V = T.zeros([js.length, d]);
  js.forEach((j, r) => {
    L.fillRow(layer, inShape, j, row);
    V.data.set(fullDirection(dir, row, d, scratch), r * d);
  });
  return V;
};

/**
 * The rule of eq. (4) computed naively, neuron by neuron (every strategy, every affine layer): what `deriveRule`
 * computes through forward and transposed passes, and the rule of materialised directions.
 */
export const naiveRule = (strategy: Strategy): Rule => ({
  name: strategy.name,
  strategy,
  propagate: (layer, x, R, opts = {}) => tensorOf(sweep(strategy, layer, x, R, opts).R, x.shape, x.dtype),
  denominator: (layer, x, opts = {}) => {
    const s = sweep(strategy, layer, x, undefined, opts).s;
    return tensorOf(s, [x.shape[0]!, ...outputShapeOf(layer, x.shape.slice(1))], x.dtype);
  },
  propagateWithSink: (layer, x, R, opts = {}) => {
    const r = sweep(strategy, layer, x, R, { ...opts, sink: true });
    return { R: tensorOf(r.R, x.shape, x.dtype), absorbed: tensorOf(r.absorbed, R.shape, R.dtype) };
  },
  identityShare: (x) => identityShareOf(strategy, x),
  directions: (layer, x, neurons) => directionsOf(strategy, layer, x, neurons),
});

/**
 * The same strategy with its split direction materialised — v⁽ʲ⁾_i = Σ_t a_t(x)_i·g_t(w_ij) computed entry by entry
 * on each neuron's row — so that its rule runs through the naive eq. (4) path (Dense and convolutions alike): a
 * property test shows that both paths agree. A modified weight q(w) enters as v = q(w)/w, undefined at w = 0.
 */
export const materialize = (strategy: Strategy): Strategy => {
  const dir = strategy.direction;
  if (dir._tag !== "Split") return strategy;
  const ctx: DirectionContext = { domain: strategy.domain };
  // a_t(x) for the sample being swept (every neuron of a sample is asked with the same x).
  let last: { readonly x: Float64Array; readonly a: Float64Array[] } | undefined;
  const modifiers = (x: Float64Array, inputShape: readonly number[]): Float64Array[] => {
    if (last?.x === x && last.a.length === dir.terms.length) return last.a;
    const batch = T.reshape(T.of(x, [x.length]), [1, ...inputShape]);
    const a = dir.terms.map((t) => {
      const raw = modifierValue(t.input, batch, ctx);
      return typeof raw === "number" ? new Float64Array(x.length).fill(raw) : Float64Array.from(T.broadcastTo(T.astype(raw, "float64"), batch.shape).data);
    });
    last = { x, a };
    return a;
  };
  const v = (x: Float64Array, row: NeuronRow, inputShape: readonly number[]): Float64Array => {
    const a = modifiers(x, inputShape);
    const out = new Float64Array(row.length);
    for (let k = 0; k < row.length; k++) {
      let vk = 0;
      dir.terms.forEach((t, m) => (vk += a[m]![row.index[k]!]! * selectorAt(t.weight, row.weight[k]!)));
      out[k] = vk;
    }
    return out;
  };
  return { ...strategy, name: `${strategy.name} (materialised)`, direction: perNeuron(v) };
};
