/**
 * The root of each active neuron of an affine layer at one sample, neuron by neuron with memory for one sparse
 * Jacobian row (Montavon et al. 2017, eq. 3 and the derivation of eq. 4): for z_j = w_j·x + b_j > 0 and the
 * search direction v⁽ʲ⁾, the root on the line x̃ = x − s·v⁽ʲ⁾ is at s = z_j / (w_j·v⁽ʲ⁾).
 *
 * A split direction v_ij = Σ_t a_t(x)_i g_t(w_ij) is evaluated on the row's support only; off the support
 * w_ij = 0, so v_ij = Σ_t a_t(x)_i g_t(0) =: v⁰_i, the same for every neuron. Whether x̃ stays in the domain off
 * the support is then a question about s alone: each unit i allows an interval of s (x_i − s·v⁰_i within its
 * bounds), and the units that refuse s are counted in O(log d) with the intervals' ends sorted once per sample,
 * minus those on the support (which are checked with their own v_ij). So a neuron costs O(|support| + log d),
 * and a 64-filter 3×3 convolution of a 3×128×128 input (10⁶ neurons) is checked in full in about a second.
 * @module
 */
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { modifierValue } from "../naive.ts";
import type { Rule } from "../Rule.ts";
import { type DirectionContext, select, type WeightSelector } from "../Strategy.ts";

/** What went wrong with one neuron's root, in the order it is tested. */
export type RootProblem = "noRootOnSegment" | "notARoot" | "outsideDomain";

/** One active neuron's root: its value z at x, the residual z(x̃), and the first problem (undefined when it holds). */
export interface NeuronRootCheck {
  readonly value: number;
  readonly residual: number;
  readonly problem: RootProblem | undefined;
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

/**
 * A checker for the neurons of `layer` at one sample `x` (flat, in the layer's input layout), with the rule's
 * direction and domain; `tol` is the tolerance of "on the segment", "in the domain" and "is a root" (relative to
 * max(1, |z_j|)), as in @dtd/layers' rootSearch. Returns undefined for an inactive neuron (z_j ≤ 0: x is a root
 * of max(0, z_j)).
 */
export const neuronChecker = (
  layer: L.Affine,
  rule: Rule,
  inputShape: readonly number[],
  xSample: T.Tensor,
  tol: number,
): ((j: number, row: L.SparseRow) => NeuronRootCheck | undefined) => {
  const d = xSample.data.length;
  const x = Float64Array.from(xSample.data);
  const { domain, direction, segment } = rule.strategy;
  // The domain's bounds per unit, widened by the tolerance.
  const lowB = new Float64Array(d).fill(-Infinity);
  const highB = new Float64Array(d).fill(Infinity);
  if (domain._tag === "NonNegative") lowB.fill(-tol);
  if (domain._tag === "Box") {
    for (let i = 0; i < d; i++) {
      lowB[i] = L.Domain.at(domain.low, i) - tol;
      highB[i] = L.Domain.at(domain.high, i) + tol;
    }
  }
  const inside = (i: number, v: number): boolean => Number.isFinite(v) && v >= lowB[i]! && v <= highB[i]!;

  // The direction at (i, w): a_t(x)_i per term and the materialised V for a direction that does not split.
  let vAt: (i: number, w: number, j: number) => number;
  let v0: Float64Array | undefined;
  if (direction._tag === "Materialized") {
    const V = direction.v(x, layer.W); // [in, out]: Dense only (ruleProblem refused the rest)
    const nOut = layer.W.shape[1]!;
    vAt = (i, _w, j) => V.data[i * nOut + j]!;
  } else {
    const ctx: DirectionContext = { domain };
    const batch = T.reshape(xSample, [1, ...inputShape]);
    const a: (Float64Array | number)[] = direction.terms.map((t) => {
      const raw = modifierValue(t.input, batch, ctx);
      return typeof raw === "number" ? raw : Float64Array.from(T.broadcastTo(T.astype(raw, "float64"), batch.shape).data);
    });
    const g: WeightSelector[] = direction.terms.map((t) => t.weight);
    const g0 = g.map((sel) => select(sel, 0));
    vAt = (i, w) => {
      let v = 0;
      for (let t = 0; t < a.length; t++) {
        const at = a[t]!;
        v += (typeof at === "number" ? at : at[i]!) * select(g[t]!, w);
      }
      return v;
    };
    v0 = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let t = 0; t < a.length; t++) {
        const at = a[t]!;
        v += (typeof at === "number" ? at : at[i]!) * g0[t]!;
      }
      v0[i] = v;
    }
  }

  // Off the support (split directions): the interval of s each unit allows, x_i − s·v⁰_i ∈ [low_i, high_i].
  let lo: Float64Array | undefined;
  let hi: Float64Array | undefined;
  let sortedLo: Float64Array | undefined;
  let sortedHi: Float64Array | undefined;
  let never = 0;
  // A Dense row reads every unit: nothing lies off its support.
  if (v0 !== undefined && layer.kind !== "dense") {
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
      else if (!inside(i, x[i]!)) [a, b] = [Infinity, -Infinity];
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
  const refuses = (i: number, s: number): boolean => s < lo![i]! || s > hi![i]!;

  return (j, row) => {
    const n = row.length;
    let z = row.bias;
    let denom = 0;
    for (let k = 0; k < n; k++) {
      const i = row.index[k]!;
      const w = row.weight[k]!;
      z += w * x[i]!;
      denom += w * vAt(i, w, j);
    }
    if (!(z > 0)) return undefined;
    const s = denom === 0 ? Infinity : z / denom;
    if (!(Number.isFinite(s) && s >= -tol && s <= segment * (1 + tol) + tol)) return { value: z, residual: z, problem: "noRootOnSegment" };
    let residual = row.bias;
    let onSupport = true;
    let refusedOnSupport = 0;
    for (let k = 0; k < n; k++) {
      const i = row.index[k]!;
      const w = row.weight[k]!;
      const xt = x[i]! - s * vAt(i, w, j);
      residual += w * xt;
      if (!inside(i, xt)) onSupport = false;
      if (lo !== undefined && refuses(i, s)) refusedOnSupport++;
    }
    if (!(Math.abs(residual) <= tol * Math.max(1, Math.abs(z)))) return { value: z, residual, problem: "notARoot" };
    // Units refusing s anywhere (never-allowed units sit in both counts), minus those on the support.
    const offSupportOk = lo === undefined || countAbove(sortedLo!, s) + countBelow(sortedHi!, s) - never - refusedOnSupport === 0;
    return { value: z, residual, problem: onSupport && offSupportOk ? undefined : "outsideDomain" };
  };
};
