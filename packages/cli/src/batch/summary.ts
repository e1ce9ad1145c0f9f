/**
 * The summary of a set of explanations: how many inputs were explained and how many failed (by kind, the first
 * few named), and consistency over the set (Montavon et al. 2017, Defs. 1–3): the share of consistent heatmaps,
 * the mean relative and the largest absolute conservation error, the most negative relevance, the share of
 * finite results — the numbers of the deck's Figure 2, for a whole data set.
 * @module
 */
import { num, table } from "../format.ts";
import type { RecordStats } from "./records.ts";

/** Running totals over records. */
export interface SetSummary {
  inputs: number;
  explained: number;
  consistent: number;
  finite: number;
  /** Σ |ΣR − f| / |f| over explained inputs with f ≠ 0, and their count. */
  relErrorSum: number;
  relErrorCount: number;
  maxAbsError: number;
  minRelevance: number;
  fMin: number;
  fMax: number;
  fSum: number;
  absorbed: number;
  readonly failures: Map<string, number>;
  readonly firstFailures: string[];
}

/** Failures named in the summary. */
const NAMED = 5;

export const emptySummary = (): SetSummary => ({
  inputs: 0,
  explained: 0,
  consistent: 0,
  finite: 0,
  relErrorSum: 0,
  relErrorCount: 0,
  maxAbsError: 0,
  minRelevance: Infinity,
  fMin: Infinity,
  fMax: -Infinity,
  fSum: 0,
  absorbed: 0,
  failures: new Map(),
  firstFailures: [],
});

/** Adds one record. */
export const add = (s: SetSummary, r: RecordStats): void => {
  s.inputs++;
  if (r._tag === "Failed") {
    s.failures.set(r.kind, (s.failures.get(r.kind) ?? 0) + 1);
    if (s.firstFailures.length < NAMED) s.firstFailures.push(r.message);
    return;
  }
  s.explained++;
  if (r.consistent) s.consistent++;
  const finite = Number.isFinite(r.f) && Number.isFinite(r.conservationError) && Number.isFinite(r.minRelevance);
  if (!finite) return;
  s.finite++;
  if (r.f !== 0) {
    s.relErrorSum += Math.abs(r.conservationError) / Math.abs(r.f);
    s.relErrorCount++;
  }
  s.maxAbsError = Math.max(s.maxAbsError, Math.abs(r.conservationError));
  s.minRelevance = Math.min(s.minRelevance, r.minRelevance);
  s.fMin = Math.min(s.fMin, r.f);
  s.fMax = Math.max(s.fMax, r.f);
  s.fSum += r.f;
  s.absorbed += r.biasRelevance;
};

const pct = (k: number, n: number): string => (n === 0 ? "–" : `${((100 * k) / n).toFixed(k === n || k === 0 ? 0 : 2)} %`);

/** Whether every input was explained with finite numbers (the exit status: 0, else 1). */
export const allExplained = (s: SetSummary): boolean => s.explained === s.inputs && s.finite === s.inputs;

/** The summary as lines for stdout. */
export const summaryLines = (s: SetSummary, opts: { readonly biasSink: boolean }): string[] => {
  const failed = s.inputs - s.explained;
  const kinds = [...s.failures].map(([k, n]) => `${n} ${k}`).join(", ");
  const rows: string[][] = [
    ["inputs", `${s.inputs}: ${s.explained} explained, ${failed} failed${failed === 0 ? "" : ` (${kinds})`}`],
    ...(s.finite === 0
      ? []
      : [
          ["f(x)", `mean ${num(s.fSum / s.finite)}, min ${num(s.fMin)}, max ${num(s.fMax)}`],
          ["conservation", `mean |ΣR − f| / f ${s.relErrorCount === 0 ? "–" : (s.relErrorSum / s.relErrorCount).toExponential(2)}, max |ΣR − f| ${s.maxAbsError.toExponential(2)}${opts.biasSink ? " (ΣR + absorbed)" : ""}`],
          ["min R", `${num(s.minRelevance)} (the most negative relevance of the set)`],
          ...(opts.biasSink ? [["absorbed by biases", `${num(s.absorbed)} in all (biases as relevance sinks)`]] : []),
        ]),
    ["consistent", `${pct(s.consistent, s.explained)} of the explained (${s.consistent} of ${s.explained}: conservative and positive, Montavon et al. 2017, Def. 3)`],
    ...(s.finite === s.explained ? [] : [["finite", `${s.finite} of ${s.explained} (the others hold NaN or ±Infinity)`]]),
  ];
  return [...table(rows), ...s.firstFailures.map((m) => `  ${m}`), ...(failed > s.firstFailures.length ? [`  … and ${failed - s.firstFailures.length} more (the "error" records of the output)`] : [])];
};
