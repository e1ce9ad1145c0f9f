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

  // v⁽ʲ⁾ on a row's support (`fill`), and v⁰ off every support (split directions only).
  let fill: (j: number, row: L.SparseRow, v: Float64Array) => void;
  let v0: Float64Array | undefined;
  if (direction._tag === "Materialized") {
    const V = direction.v(x, layer.W).data; // [in, out]: Dense only (ruleProblem refused the rest)
    const nOut = layer.W.shape[1]!;
    fill = (j, row, v) => {
      for (let k = 0; k < row.length; k++) v[k] = V[row.index[k]! * nOut + j]!;
    };
  } else {
    const ctx: DirectionContext = { domain };
    const batch = T.reshape(xSample, [1, ...inputShape]);
    // a_t(x) per term, as d values (a constant is spread out once, so that the loops below stay monomorphic).
    const a: Float64Array[] = direction.terms.map((t) => {
      const raw = modifierValue(t.input, batch, ctx);
      return typeof raw === "number" ? new Float64Array(d).fill(raw) : Float64Array.from(T.broadcastTo(T.astype(raw, "float64"), batch.shape).data);
    });
    const g: WeightSelector[] = direction.terms.map((t) => t.weight);
    fill = (_j, row, v) => {
      const n = row.length;
      v.fill(0, 0, n);
      for (let t = 0; t < a.length; t++) {
        const at = a[t]!;
        const sel = g[t]!;
        if (sel._tag === "SignMask") {
          // g(w) = positive·1[w > 0] + negative·1[w < 0] + zero·1[w = 0]: three numbers, no call per weight.
          const { positive, negative, zero } = sel;
          for (let k = 0; k < n; k++) {
            const w = row.weight[k]!;
            const gw = w > 0 ? positive : w < 0 ? negative : zero;
            if (gw !== 0) v[k] = v[k]! + at[row.index[k]!]! * gw;
          }
        } else for (let k = 0; k < n; k++) v[k] = v[k]! + at[row.index[k]!]! * sel.g(row.weight[k]!);
      }
    };
    v0 = new Float64Array(d);
    for (let t = 0; t < a.length; t++) {
      const g0 = select(g[t]!, 0);
      if (g0 !== 0) for (let i = 0; i < d; i++) v0[i] = v0[i]! + a[t]![i]! * g0;
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

  let v = new Float64Array(0); // v⁽ʲ⁾ on the row's support, reused from neuron to neuron
  return (j, row) => {
    const n = row.length;
    if (v.length < n) v = new Float64Array(row.index.length);
    // Σ_i w_ij x_i, then + b_j: the order of @dtd/layers' rootSearch, so both agree to the last bit.
    let z = 0;
    for (let k = 0; k < n; k++) z += row.weight[k]! * x[row.index[k]!]!;
    z += row.bias;
    if (!(z > 0)) return undefined;
    fill(j, row, v);
    let denom = 0;
    for (let k = 0; k < n; k++) denom += row.weight[k]! * v[k]!;
    const s = denom === 0 ? Infinity : z / denom;
    if (!(Number.isFinite(s) && s >= -tol && s <= segment * (1 + tol) + tol)) return { value: z, residual: z, problem: "noRootOnSegment" };
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
    if (!(Math.abs(residual) <= tol * Math.max(1, Math.abs(z)))) return { value: z, residual, problem: "notARoot" };
    // Units refusing s anywhere (never-allowed units sit in both counts), minus those on the support.
    const offSupportOk = lo === undefined || countAbove(sortedLo!, s) + countBelow(sortedHi!, s) - never - refusedOnSupport === 0;
    return { value: z, residual, problem: onSupport && offSupportOk ? undefined : "outsideDomain" };
  };
};
