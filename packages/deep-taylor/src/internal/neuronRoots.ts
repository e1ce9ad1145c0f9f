/**
 * The root of each active neuron of an affine layer at one sample, neuron by neuron with memory for one sparse
 * Jacobian row (Montavon et al. 2017, eq. 3 and the derivation of eq. 4): for z_j = w_j·x + b_j > 0 and the
 * search direction v⁽ʲ⁾, the root on the line x̃ = x − s·v⁽ʲ⁾ is at s = z_j / (w_j·v⁽ʲ⁾).
 *
 * The direction is evaluated on the row's support only (`rowDirection`); off it v_ij = v⁰_i, the same for every
 * neuron. For a domain given as a polyhedron, whether x̃ stays inside off the support is then a question about s
 * alone: each unit allows an interval of s (x_i − s·v⁰_i within its bounds), and the units that refuse s are
 * counted in O(log d) with the intervals' ends sorted once per sample, minus those on the support (which are
 * checked with their own v_ij); a linear constraint a·x̃ ≤ c is a·x − s·(a·v⁰ + Σ_support a_i (v_ij − v⁰_i)).
 * So a neuron costs O(|support| + log d), and a 64-filter 3×3 convolution of a 3×128×128 input (10⁶ neurons) is
 * checked in full in about a second. Any other domain is asked about the whole x̃ (O(d) per neuron).
 * @module
 */
import type * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { Rule } from "../Rule.ts";
import { fullDirection, rowDirection } from "./rowDirection.ts";

/** What went wrong with one neuron's root, in the order it is tested. */
export type RootProblem = "noRootOnSegment" | "notARoot" | "outsideDomain";

/**
 * Why no root lies on the segment s ∈ [0, σ]: the step is negative (the direction raises the neuron: the root
 * lies behind x), past the segment's end, or undefined (w_j·v⁽ʲ⁾ = 0: the direction does not change the neuron;
 * or v is not a finite vector, e.g. a modified weight q(0) ≠ 0 at a zero weight).
 */
export type SegmentBound = "negative" | "pastEnd" | "undefined";

/** One active neuron's root: z at x, the step s, the residual z(x̃), and the first problem (undefined when it holds). */
export interface NeuronRootCheck {
  readonly value: number;
  readonly s: number;
  readonly residual: number;
  readonly problem: RootProblem | undefined;
  /** For noRootOnSegment: which bound s broke. */
  readonly bound?: SegmentBound;
}

/** Where an outside-domain root leaves the domain, and the steps along v⁽ʲ⁾ that stay inside. */
export interface LeftDomain {
  /** The input unit (−1: a constraint coupling the units). */
  readonly unit: number;
  /** x̃ at that unit (a·x̃ for a constraint). */
  readonly value: number;
  readonly expected: string;
  /** { s : x − s·v⁽ʲ⁾ ∈ 𝒳 } (empty: lo > hi). */
  readonly allowed: L.Domain.Interval;
}

/** Count of entries of a sorted array greater than s (upper part) or less than s (lower part). */
const countAbove = (sorted: Float64Array, s: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > s) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
};
const countBelow = (sorted: Float64Array, s: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** A checker of the neurons of one layer at one sample. */
export interface NeuronChecker {
  /** The neuron's root check; undefined for an inactive neuron (z_j ≤ 0: x is a root of max(0, z_j)). */
  readonly check: (row: L.SparseRow) => NeuronRootCheck | undefined;
  /** For a root at step s outside the domain: the unit that leaves it and the steps that stay inside (O(d)). */
  readonly leaves: (row: L.SparseRow, s: number) => LeftDomain | undefined;
}

/**
 * A checker for the neurons of `layer` at one sample `x` (flat, in the layer's input layout), with the rule's
 * direction and domain; `tol` is the tolerance of "on the segment", "in the domain" and "is a root" (relative to
 * max(1, |z_j|)), as in @dtd/layers' rootSearch; `fixed` marks the units that are constants (pad2d's zeros).
 */
export const neuronChecker = (layer: L.Affine, rule: Rule, inputShape: readonly number[], xSample: T.Tensor, tol: number, fixed?: ArrayLike<number>): NeuronChecker => {
  const d = xSample.data.length;
  const x = Float64Array.from(xSample.data);
  const { domain, segment } = rule.strategy;
  const dir = rowDirection(rule.strategy, layer, inputShape, x, fixed);
  const fillV = dir.v;
  const v0 = dir.v0;
  const poly = domain.polyhedron;

  // The domain's per-unit bounds, widened by the tolerance (a domain without a polyhedron: none here, all in `inside`).
  const lowB = new Float64Array(d).fill(-Infinity);
  const highB = new Float64Array(d).fill(Infinity);
  if (poly !== undefined) {
    for (let i = 0; i < d; i++) {
      lowB[i] = L.Domain.at(poly.low, i) - tol;
      highB[i] = L.Domain.at(poly.high, i) + tol;
    }
  }
  const constraints = poly?.constraints ?? [];
  // Per constraint: a·x, a·v⁰, the coefficients per unit, and the tolerance.
  const coef = constraints.map((c) => Float64Array.from({ length: d }, (_, i) => L.Domain.at(c.a, i)));
  const ax = coef.map((a) => a.reduce((s, ai, i) => s + ai * x[i]!, 0));
  const av0 = coef.map((a) => (v0 === undefined ? 0 : a.reduce((s, ai, i) => s + ai * v0[i]!, 0)));
  const ctol = constraints.map((c) => L.Domain.constraintTol(c, tol));

  // Off the support (rows that do not read every unit): the interval of s each unit allows, x_i − s·v⁰_i ∈ [low_i, high_i].
  let lo: Float64Array | undefined;
  let hi: Float64Array | undefined;
  let sortedLo: Float64Array | undefined;
  let sortedHi: Float64Array | undefined;
  let never = 0;
  if (v0 !== undefined && poly !== undefined) {
    lo = new Float64Array(d);
    hi = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      const v = v0[i]!;
      const [L0, H0] = [lowB[i]!, highB[i]!];
      let a = -Infinity;
      let b = Infinity;
      if (!Number.isFinite(v)) [a, b] = [Infinity, -Infinity];
      else if (v > 0) [a, b] = [(x[i]! - H0) / v, (x[i]! - L0) / v];
      else if (v < 0) [a, b] = [(x[i]! - L0) / v, (x[i]! - H0) / v];
      else if (!(Number.isFinite(x[i]!) && x[i]! >= L0 && x[i]! <= H0)) [a, b] = [Infinity, -Infinity];
      if (a > b) {
        [a, b] = [Infinity, -Infinity];
        never++;
      }
      lo[i] = a;
      hi[i] = b;
    }
    sortedLo = Float64Array.from(lo).sort();
    sortedHi = Float64Array.from(hi).sort();
  }

  let v = new Float64Array(0); // v⁽ʲ⁾ on the row's support, reused from neuron to neuron
  /** x̃ over every unit (the slow path: custom domains, and locating a violation). */
  const rootPoint = (row: L.SparseRow, s: number): Float64Array => {
    const full = fullDirection(dir, row, d, v);
    const xt = new Float64Array(d);
    for (let i = 0; i < d; i++) xt[i] = x[i]! - s * full[i]!;
    return xt;
  };
  const check = (row: L.SparseRow): NeuronRootCheck | undefined => {
    const n = row.length;
    if (v.length < row.index.length) v = new Float64Array(row.index.length);
    // Σ_i w_ij x_i, then + b_j: the order of @dtd/layers' rootSearch, so both agree to the last bit.
    let z = 0;
    for (let k = 0; k < n; k++) z += row.weight[k]! * x[row.index[k]!]!;
    z += row.bias;
    if (!(z > 0)) return undefined;
    fillV(row, v);
    let denom = 0;
    for (let k = 0; k < n; k++) denom += row.weight[k]! * v[k]!;
    const s = denom === 0 ? Infinity : z / denom;
    if (!(Number.isFinite(s) && s >= -tol && s <= segment * (1 + tol) + tol)) {
      const bound: SegmentBound = !Number.isFinite(s) ? "undefined" : s < 0 ? "negative" : "pastEnd";
      return { value: z, s, residual: z, problem: "noRootOnSegment", bound };
    }
    let residual = 0;
    let onSupport = true;
    let refusedOnSupport = 0;
    for (let k = 0; k < n; k++) {
      const i = row.index[k]!;
      const w = row.weight[k]!;
      const xt = x[i]! - s * v[k]!;
      residual += w * xt;
      if (!(Number.isFinite(xt) && xt >= lowB[i]! && xt <= highB[i]!)) onSupport = false;
      if (lo !== undefined && (s < lo[i]! || s > hi![i]!)) refusedOnSupport++;
    }
    residual += row.bias;
    if (!(Math.abs(residual) <= tol * Math.max(1, Math.abs(z)))) return { value: z, s, residual, problem: "notARoot" };
    let inside: boolean;
    if (poly === undefined) inside = domain.firstOutside(rootPoint(row, s), tol, 0) === undefined;
    else {
      // Units refusing s anywhere (never-allowed units sit in both counts), minus those on the support.
      const offSupportOk = lo === undefined || countAbove(sortedLo!, s) + countBelow(sortedHi!, s) - never - refusedOnSupport === 0;
      inside = onSupport && offSupportOk;
      for (let c = 0; c < constraints.length && inside; c++) {
        const a = coef[c]!;
        let av = av0[c]!;
        for (let k = 0; k < n; k++) av += a[row.index[k]!]! * (v[k]! - (v0 === undefined ? 0 : v0[row.index[k]!]!));
        const axt = ax[c]! - s * av;
        const k = constraints[c]!;
        inside = k.equal ? Math.abs(axt - k.c) <= ctol[c]! : axt <= k.c + ctol[c]!;
      }
    }
    return { value: z, s, residual, problem: inside ? undefined : "outsideDomain" };
  };
  const leaves = (row: L.SparseRow, s: number): LeftDomain | undefined => {
    if (v.length < row.index.length) v = new Float64Array(row.index.length);
    const out = domain.firstOutside(rootPoint(row, s), tol, 0);
    if (out === undefined) return undefined;
    const full = fullDirection(dir, row, d, v);
    return { unit: out.unit, value: out.value, expected: out.expected, allowed: domain.segment(x, full, tol) };
  };
  return { check, leaves };
};
