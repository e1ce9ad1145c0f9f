/**
 * Root-point search (Montavon et al. 2017, eq. 3): for each neuron j of a layer, the nearest root
 * x̃⁽ʲ⁾ = x − s·v⁽ʲ⁾ (s ≥ 0, i.e. t = −s in the deck's x̃ = x + t·v) of the neuron along its search direction v⁽ʲ⁾,
 * on the segment s ∈ [0, sMax] (sMax = 1 for the z⁺ and zᵇ segments, ∞ for w²).
 *
 * - Affine + ReLU neurons z_j = w_j·x + b_j (Dense, Conv2d): closed form s = z_j / (w_j·v⁽ʲ⁾), from the
 *   derivation of eq. (4). The rows w_j of the Jacobian come from one batched VJP of the layer's linear part,
 *   so no layer kind needs its own code.
 * - Any other differentiable layer: bracketing, then bisection with Newton steps (safeguarded), using the
 *   layer's forward pass and its gradient.
 * Each neuron is reported with whether it is active, whether a root exists on the segment, whether the root
 * lies in the domain, and the neuron's value there (the residual).
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import * as Domain from "./Domain.ts";
import { type Affine, isAffine, type Layer } from "./Layer.ts";
import { applyLayer } from "./kinds.ts";
import { linearPart } from "./linearPart.ts";

/** One neuron's root. */
export interface NeuronRoot {
  /** The neuron index (flat, in the layer's output layout). */
  readonly j: number;
  /** The neuron's pre-activation (affine layers) or output value at x. */
  readonly value: number;
  /** value > 0: the neuron fires, and there is relevance to redistribute. */
  readonly active: boolean;
  /** The step: x̃ = x − s·v. 0 for inactive neurons (x itself is a root of max(0, z)). */
  readonly s: number;
  /** The root point (flat, in the input's layout). */
  readonly xTilde: Float64Array;
  /** A root exists on the segment s ∈ [0, sMax]. */
  readonly exists: boolean;
  /** x̃ lies in the domain. */
  readonly inDomain: boolean;
  /** The neuron's value at x̃ (0 for an exact root). */
  readonly residual: number;
}

/** Options of the search. */
export interface RootSearchOptions {
  readonly domain: Domain.Domain;
  /** The segment's length in units of v (default 1; Infinity for an unbounded line). */
  readonly sMax?: number;
  /** Tolerance for "on the segment", "in the domain" and the numeric search (default 1e-9). */
  readonly tol?: number;
  /** Only these neurons (default all). */
  readonly neurons?: readonly number[];
}

/**
 * The rows of the Jacobian of an affine layer's linear part for one sample: W_rows[j] = ∂z_j/∂x, and the biases
 * b_j = z_j(0). One VJP with the identity as a batch of cotangents.
 */
export const affineRows = (layer: Affine, inputShape: readonly number[], neurons?: readonly number[]): { rows: T.Tensor; bias: Float64Array; outSize: number } => {
  const zero = T.zeros([1, ...inputShape]);
  const z0 = applyLayer(layer, AD.constant(zero)).value;
  const outSize = z0.data.length;
  const js = neurons ?? Array.from({ length: outSize }, (_, j) => j);
  const batch = T.zeros([js.length, ...inputShape]);
  const [, pb] = AD.vjp(linearPart(layer), batch);
  const ct = T.zeros([js.length, ...z0.shape.slice(1)]);
  js.forEach((j, r) => (ct.data[r * outSize + j] = 1));
  const rows = T.reshape(pb(ct)[0]!, [js.length, T.Shape.size(inputShape)]);
  return { rows, bias: Float64Array.from(js, (j) => z0.data[j]!), outSize };
};

const dot = (a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, n: number): number => {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[aOff + i]! * b[bOff + i]!;
  return s;
};

/**
 * Closed-form roots of affine + ReLU neurons: `V` holds one direction per neuron (row r for neuron
 * `neurons[r]`, shape [n, d]).
 */
const affineRoots = (layer: Affine, x: T.Tensor, V: T.Tensor, opts: RootSearchOptions): NeuronRoot[] => {
  const { rows, bias, outSize } = affineRows(layer, x.shape, opts.neurons);
  const js = opts.neurons ?? Array.from({ length: outSize }, (_, j) => j);
  const d = x.data.length;
  const sMax = opts.sMax ?? 1;
  const tol = opts.tol ?? 1e-9;
  return js.map((j, r) => {
    const z = dot(rows.data, r * d, x.data, 0, d) + bias[r]!;
    if (!(z > 0)) return { j, value: z, active: false, s: 0, xTilde: Float64Array.from(x.data), exists: true, inDomain: Domain.contains(opts.domain, x.data, tol), residual: Math.max(z, 0) };
    const denom = dot(rows.data, r * d, V.data, r * d, d);
    const s = denom === 0 ? Infinity : z / denom;
    const xTilde = new Float64Array(d);
    if (Number.isFinite(s)) for (let i = 0; i < d; i++) xTilde[i] = x.data[i]! - s * V.data[r * d + i]!;
    const exists = Number.isFinite(s) && s >= -tol && s <= sMax * (1 + tol) + tol;
    const residual = Number.isFinite(s) ? dot(rows.data, r * d, xTilde, 0, d) + bias[r]! : z;
    return { j, value: z, active: true, s, xTilde, exists, inDomain: Number.isFinite(s) && Domain.contains(opts.domain, xTilde, tol), residual };
  });
};

/**
 * A root of g(s) = neuron(x − s·v) on [0, sMax] by bracketing (doubling up to 2⁶⁰ when sMax = ∞) and
 * safeguarded Newton–bisection; the derivative g'(s) = −∇neuron(x − s·v)·v comes from a VJP.
 */
const numericRoot = (neuron: (x: AD.Var) => AD.Var, x: T.Tensor, v: T.Tensor, sMax: number, tol: number): { s: number; exists: boolean; residual: number } => {
  const at = (s: number) => T.sub(x, T.mul(v, s));
  const g = (s: number): number => T.item(neuron(AD.constant(at(s))).value);
  const dg = (s: number): number => {
    const grad = AD.grad(neuron)(at(s)).value;
    return -dot(grad.data, 0, v.data, 0, v.data.length);
  };
  const g0 = g(0);
  if (!(g0 > 0)) return { s: 0, exists: true, residual: g0 };
  let hi = Number.isFinite(sMax) ? sMax : 1;
  let ghi = g(hi);
  while (!(ghi <= 0) && !Number.isFinite(sMax) && hi < 2 ** 60) {
    hi *= 2;
    ghi = g(hi);
  }
  if (!(ghi <= 0)) return { s: Infinity, exists: false, residual: g0 };
  let lo = 0;
  let s = hi;
  let gs = ghi;
  for (let it = 0; it < 200 && Math.abs(gs) > tol * Math.max(1, Math.abs(g0)) && hi - lo > tol * Math.max(1, hi); it++) {
    const slope = dg(s);
    let next = slope !== 0 ? s - gs / slope : Number.NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    s = next;
    gs = g(s);
    if (gs > 0) lo = s;
    else hi = s;
  }
  return { s, exists: true, residual: gs };
};

/**
 * The root of every neuron of `layer` at one sample `x` (per-sample shape, no batch axis) along the directions
 * `V` ([n, d]: one row per searched neuron, flat in x's layout).
 */
export const rootSearch = (layer: Layer, x: T.Tensor, V: T.Tensor, opts: RootSearchOptions): NeuronRoot[] => {
  const xb = T.astype(x, "float64");
  const Vb = T.astype(V, "float64");
  if (isAffine(layer)) return affineRoots(layer, xb, Vb, opts);
  const out = applyLayer(layer, AD.constant(T.reshape(xb, [1, ...xb.shape]))).value;
  const js = opts.neurons ?? Array.from({ length: out.data.length }, (_, j) => j);
  const d = xb.data.length;
  const tol = opts.tol ?? 1e-9;
  return js.map((j, r) => {
    const neuron = (v: AD.Var) => AD.reshape(AD.slice(AD.reshape(applyLayer(layer, AD.reshape(v, [1, ...xb.shape])), [-1]), [j], [1]), []);
    const vj = T.reshape(T.slice(T.reshape(Vb, [js.length, d]), [r, 0], [1, d]), xb.shape);
    const { s, exists, residual } = numericRoot(neuron, xb, vj, opts.sMax ?? 1, tol);
    const value = out.data[j]!;
    const xTilde = Number.isFinite(s) ? Float64Array.from(T.sub(xb, T.mul(vj, s)).data) : new Float64Array(d);
    return { j, value, active: value > 0, s, xTilde, exists, inDomain: exists && Domain.contains(opts.domain, xTilde, tol), residual };
  });
};
