/**
 * Consistency diagnostics (Montavon et al. 2017, Definitions 1–3): a heatmap is conservative when
 * Σ_p R_p = f(x), positive when R_p ≥ 0 for all p, consistent when both. Per sample and aggregated over a data
 * set: the numbers behind the deck's Figure 2.
 *
 * "=" and "≥ 0" hold up to rounding, and rounding follows the dtype and the size of the computation: by default
 * |Σ_p R_p − f(x)| ≤ γ_n·(|f(x)| + Σ_p |R_p|) + n·η and R_p ≥ −(that bound), with γ_n = n·u / (1 − n·u), u the
 * unit roundoff of the dtype (2⁻²⁴ float32, 2⁻⁵³ float64), η its smallest subnormal and n the number of terms the
 * explanation accumulated (`accumulatedTerms(model)`; `Explanation.tolerance` carries both). A NaN or ±Infinity
 * in f or R fails every check. docs/deep-taylor.md derives the bound.
 * @module
 */
import * as T from "@dtd/tensor";

/** Diagnostics of one heatmap. */
export interface SampleConsistency {
  readonly f: number;
  readonly sumR: number;
  /** Σ_p R_p − f(x). */
  readonly conservationError: number;
  /** |Σ_p R_p − f(x)| / |f(x)| (0 when both are 0). */
  readonly relativeConservationError: number;
  /** min_p R_p (NaN when some R_p is NaN). */
  readonly minRelevance: number;
  /** The rounding bound used for this sample: conservation within it, positivity down to −it. */
  readonly tolerance: number;
  /** f(x), every R_p and their sum Σ_p R_p are finite numbers. */
  readonly finite: boolean;
  readonly conservative: boolean;
  readonly positive: boolean;
  readonly consistent: boolean;
}

/**
 * How much rounding the checks allow. By default the bound is derived from `dtype` and `terms` (see the module
 * comment); `atol`/`rtol`, when given, replace it by atol + rtol·|f(x)|.
 */
export interface ConsistencyTolerance {
  /** The dtype the explanation was computed in (default: R's dtype). */
  readonly dtype?: T.DType;
  /** n, the terms accumulated (default: the per-sample size of R, i.e. only the final sum Σ_p R_p). */
  readonly terms?: number;
  readonly atol?: number;
  readonly rtol?: number;
}

/** γ_n = n·u / (1 − n·u) (Higham, Accuracy and Stability of Numerical Algorithms, §3.1): ∞ once n·u ≥ 1. */
export const gamma = (n: number, dtype: T.DType): number => {
  const nu = n * T.unitRoundoff(dtype);
  return nu >= 1 ? Infinity : nu / (1 - nu);
};

/**
 * The bound on |Σ_p R_p − f(x)| for one sample with |f| = `absF`; the relevances enter as γ_n·Σ_p |R_p|, summed
 * term by term (γ_n·|R_p|) so that relevances near the dtype's largest value do not overflow the sum.
 */
const boundOf = (tol: ConsistencyTolerance, absF: number, scaledSumAbsR: number, n: number, dtype: T.DType): number =>
  tol.atol !== undefined || tol.rtol !== undefined ? (tol.atol ?? 0) + (tol.rtol ?? 0) * absF : gamma(n, dtype) * absF + scaledSumAbsR + n * T.smallestSubnormal(dtype);

/** Per-sample diagnostics of heatmaps R [N, ...] for scores f [N]. */
export const perSample = (f: T.Tensor, R: T.Tensor, tol: ConsistencyTolerance = {}): SampleConsistency[] => {
  const N = f.data.length;
  const d = R.data.length / Math.max(N, 1);
  const dtype = tol.dtype ?? R.dtype;
  const n = tol.terms ?? d;
  // The |R_p| enter the bound through γ_n·Σ_p |R_p|: summed already scaled by γ_n (0 with explicit atol/rtol).
  const g = tol.atol !== undefined || tol.rtol !== undefined ? 0 : gamma(n, dtype);
  const out: SampleConsistency[] = [];
  for (let s = 0; s < N; s++) {
    let sum = 0;
    let scaledSumAbs = 0;
    let min = Infinity;
    let finite = true;
    for (let p = 0; p < d; p++) {
      const r = R.data[s * d + p]!;
      sum += r;
      scaledSumAbs += g * Math.abs(r);
      if (!Number.isFinite(r)) finite = false;
      // NaN < min is false: keep a NaN explicitly (and for good), so that an all-NaN heatmap never reads as positive.
      if (Number.isNaN(r)) min = NaN;
      else if (r < min) min = r;
    }
    const fx = f.data[s]!;
    // Σ_p R_p can overflow although every R_p is finite (large terms of both signs): then nothing can be judged.
    finite = finite && Number.isFinite(fx) && Number.isFinite(sum);
    const err = sum - fx;
    const b = boundOf(tol, Math.abs(fx), scaledSumAbs, n, dtype);
    // An infinite bound (a sum of magnitudes beyond the dtype's range) would prove nothing: the checks fail.
    const checkable = finite && Number.isFinite(b);
    const conservative = checkable && Math.abs(err) <= b;
    const positive = checkable && min >= -b;
    out.push({
      f: fx,
      sumR: sum,
      conservationError: err,
      relativeConservationError: fx === 0 ? (err === 0 ? 0 : Infinity) : Math.abs(err) / Math.abs(fx),
      minRelevance: d === 0 ? 0 : min,
      tolerance: b,
      finite,
      conservative,
      positive,
      consistent: conservative && positive,
    });
  }
  return out;
};

/** Aggregates over a data set. */
export interface DatasetConsistency {
  readonly samples: number;
  readonly meanRelativeConservationError: number;
  readonly maxAbsConservationError: number;
  readonly shareConservative: number;
  readonly sharePositive: number;
  readonly shareConsistent: number;
  /** The share of samples whose f and R are all finite. */
  readonly shareFinite: number;
  /** The most negative relevance over all samples (min of min_p R_p). */
  readonly mostNegativeRelevance: number;
}

/** Aggregates per-sample diagnostics. Samples with f(x) = 0 (or a non-finite error) are left out of the mean relative error. */
export const aggregate = (rows: readonly SampleConsistency[]): DatasetConsistency => {
  const finite = rows.filter((r) => Number.isFinite(r.relativeConservationError) && r.f !== 0);
  const share = (p: (r: SampleConsistency) => boolean) => (rows.length === 0 ? 0 : rows.filter(p).length / rows.length);
  return {
    samples: rows.length,
    meanRelativeConservationError: finite.length === 0 ? 0 : finite.reduce((s, r) => s + r.relativeConservationError, 0) / finite.length,
    maxAbsConservationError: rows.reduce((m, r) => (Number.isNaN(r.conservationError) ? NaN : Math.max(m, Math.abs(r.conservationError))), 0),
    shareConservative: share((r) => r.conservative),
    sharePositive: share((r) => r.positive),
    shareConsistent: share((r) => r.consistent),
    shareFinite: share((r) => r.finite),
    mostNegativeRelevance: rows.reduce((m, r) => Math.min(m, r.minRelevance), Infinity),
  };
};

/** A node whose relevance does not balance: what it passed to its inputs differs from what it received. */
export interface Leak {
  readonly node: number;
  readonly name: string;
  readonly kind: string;
  readonly sample: number;
  /** Σ of the relevance passed to the inputs − Σ of the output's relevance (negative: relevance lost). */
  readonly leaked: number;
  /** The rounding bound it exceeds. */
  readonly bound: number;
  /**
   * The node absorbs by design: a batch norm or ScaleShift, whose shift keeps its share, or an affine node whose
   * bias is a relevance sink (`biasSink`). Otherwise relevance is lost (e.g. a zero denominator meeting relevance).
   */
  readonly absorbed: boolean;
}

/**
 * The nodes where relevance leaks, beyond rounding, in the order of the sweep (from the output down), so the
 * first is where conservation first breaks: `balance` and `relevances` of an Explanation, the model's nodes.
 */
export const leaks = (
  nodes: readonly { readonly name: string; readonly layer: { readonly kind: string } }[],
  e: {
    readonly balance: readonly Float64Array[];
    readonly passedMagnitude?: readonly Float64Array[];
    readonly relevances: readonly T.Tensor[];
    readonly tolerance: ConsistencyTolerance;
    readonly biasSink?: boolean;
  },
): Leak[] => {
  const out: Leak[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const R = e.relevances[i + 1]!;
    const N = R.shape[0]!;
    const d = R.data.length / Math.max(N, 1);
    const dtype = e.tolerance.dtype ?? R.dtype;
    const terms = e.tolerance.terms ?? d;
    const g = e.tolerance.atol !== undefined || e.tolerance.rtol !== undefined ? 0 : gamma(terms, dtype);
    e.balance[i]!.forEach((leaked, n) => {
      let sum = 0;
      let scaledSumAbs = 0;
      for (let k = n * d; k < (n + 1) * d; k++) {
        sum += R.data[k]!;
        scaledSumAbs += g * Math.abs(R.data[k]!);
      }
      // What the node passed down is rounded too: its magnitude can exceed the output's (an add whose inputs
      // nearly cancel), so it enters the bound beside Σ|R(out)|.
      scaledSumAbs += g * (e.passedMagnitude?.[i]?.[n] ?? 0);
      const b = boundOf(e.tolerance, Math.abs(sum), scaledSumAbs, terms, dtype);
      if (!(Math.abs(leaked) <= b)) {
        const kind = nodes[i]!.layer.kind;
        const affine = kind === "dense" || kind === "conv2d" || kind === "depthwiseConv2d";
        out.push({ node: i, name: nodes[i]!.name, kind, sample: n, leaked, bound: b, absorbed: kind === "batchNorm" || kind === "scaleShift" || (affine && e.biasSink === true) });
      }
    });
  }
  return out;
};
