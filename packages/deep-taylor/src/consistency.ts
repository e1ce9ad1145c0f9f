/**
 * Consistency diagnostics (Montavon et al. 2017, Definitions 1–3): a heatmap is conservative when
 * Σ_p R_p = f(x), positive when R_p ≥ 0 for all p, consistent when both. Per sample and aggregated over a data
 * set: the numbers behind the deck's Figure 2.
 * @module
 */
import type * as T from "@dtd/tensor";

/** Diagnostics of one heatmap. */
export interface SampleConsistency {
  readonly f: number;
  readonly sumR: number;
  /** Σ_p R_p − f(x). */
  readonly conservationError: number;
  /** |Σ_p R_p − f(x)| / |f(x)| (0 when both are 0). */
  readonly relativeConservationError: number;
  /** min_p R_p. */
  readonly minRelevance: number;
  readonly conservative: boolean;
  readonly positive: boolean;
  readonly consistent: boolean;
}

/** Tolerances: conservation within atol + rtol·|f(x)|; positivity R_p ≥ −atol − rtol·|f(x)|. */
export interface ConsistencyTolerance {
  readonly atol?: number;
  readonly rtol?: number;
}

/** Per-sample diagnostics of heatmaps R [N, ...] for scores f [N]. */
export const perSample = (f: T.Tensor, R: T.Tensor, tol: ConsistencyTolerance = {}): SampleConsistency[] => {
  const atol = tol.atol ?? 1e-12;
  const rtol = tol.rtol ?? 1e-9;
  const N = f.data.length;
  const d = R.data.length / Math.max(N, 1);
  const out: SampleConsistency[] = [];
  for (let n = 0; n < N; n++) {
    let sum = 0;
    let min = Infinity;
    for (let p = 0; p < d; p++) {
      const r = R.data[n * d + p]!;
      sum += r;
      if (r < min) min = r;
    }
    const fx = f.data[n]!;
    const err = sum - fx;
    const bound = atol + rtol * Math.abs(fx);
    const conservative = Math.abs(err) <= bound;
    const positive = min >= -bound;
    out.push({
      f: fx,
      sumR: sum,
      conservationError: err,
      relativeConservationError: fx === 0 ? (err === 0 ? 0 : Infinity) : Math.abs(err) / Math.abs(fx),
      minRelevance: min,
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
  /** The most negative relevance over all samples (min of min_p R_p). */
  readonly mostNegativeRelevance: number;
}

/** Aggregates per-sample diagnostics. Samples with f(x) = 0 are left out of the mean relative error. */
export const aggregate = (rows: readonly SampleConsistency[]): DatasetConsistency => {
  const finite = rows.filter((r) => Number.isFinite(r.relativeConservationError) && r.f !== 0);
  const share = (p: (r: SampleConsistency) => boolean) => (rows.length === 0 ? 0 : rows.filter(p).length / rows.length);
  return {
    samples: rows.length,
    meanRelativeConservationError: finite.length === 0 ? 0 : finite.reduce((s, r) => s + r.relativeConservationError, 0) / finite.length,
    maxAbsConservationError: rows.reduce((m, r) => Math.max(m, Math.abs(r.conservationError)), 0),
    shareConservative: share((r) => r.conservative),
    sharePositive: share((r) => r.positive),
    shareConsistent: share((r) => r.consistent),
    mostNegativeRelevance: rows.reduce((m, r) => Math.min(m, r.minRelevance), Infinity),
  };
};
