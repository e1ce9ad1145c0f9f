/**
 * Result rows, ratios and the printed table.
 *
 * heatmaps/s = batch / median seconds per call. The ratio of a dtd row is its heatmaps/s divided by that of the
 * faster tfjs backend on the same net, rule and batch; the peer always computes in float32 (tfjs has no
 * float64), so a float64 dtd row is compared with the peer's float32 figure.
 * @module
 */
import type { DType } from "@dtd/tensor";
import type { ImplKind } from "./Impl.ts";
import type { KernelRow } from "./kernels.ts";
import type { NetName, Rule } from "./nets.ts";

/** One heatmap measurement, as written to JSON (issue 7's fields, then min/IQR/runs). */
export interface ResultRow {
  readonly impl: string;
  readonly net: NetName;
  readonly rule: Rule;
  readonly batch: number;
  readonly dtype: DType;
  readonly threads: 1;
  readonly median_s: number;
  readonly heatmaps_per_s: number;
  readonly min_s: number;
  readonly iqr_s: number;
  readonly runs: number;
}

/** A dtd row divided by the best peer row of the same net, rule and batch. */
export interface RatioRow {
  readonly impl: string;
  readonly net: NetName;
  readonly rule: Rule;
  readonly batch: number;
  readonly dtype: DType;
  readonly peer: string;
  readonly peer_dtype: DType;
  readonly ratio: number;
}

/** Ratios of every dtd row against the fastest peer row of the same (net, rule, batch), any peer dtype. */
export const ratios = (rows: readonly ResultRow[], kindOf: (impl: string) => ImplKind): RatioRow[] => {
  const out: RatioRow[] = [];
  for (const r of rows) {
    if (kindOf(r.impl) !== "dtd") continue;
    const peers = rows.filter((p) => kindOf(p.impl) === "peer" && p.net === r.net && p.rule === r.rule && p.batch === r.batch);
    // Prefer a peer in the same dtype; the tfjs peer has only float32.
    const same = peers.filter((p) => p.dtype === r.dtype);
    const pool = same.length > 0 ? same : peers;
    const best = pool.reduce<ResultRow | undefined>((b, p) => (b === undefined || p.heatmaps_per_s > b.heatmaps_per_s ? p : b), undefined);
    if (best === undefined) continue;
    out.push({ impl: r.impl, net: r.net, rule: r.rule, batch: r.batch, dtype: r.dtype, peer: best.impl, peer_dtype: best.dtype, ratio: r.heatmaps_per_s / best.heatmaps_per_s });
  }
  return out;
};

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

/** Milliseconds with 4 significant digits. */
export const ms = (s: number): string => (s * 1000).toPrecision(4);

/** A number with 4 significant digits, without exponent for ordinary magnitudes. */
export const sig = (x: number): string => (x >= 1e6 || x < 1e-3 ? x.toExponential(3) : x.toPrecision(4));

export const resultHeader =
  `${pad("net", 4)}${pad("rule", 10)}${lpad("batch", 6)}  ${pad("dtype", 8)}${pad("impl", 11)}` +
  `${lpad("median ms", 11)}${lpad("min ms", 10)}${lpad("IQR ms", 10)}${lpad("heatmaps/s", 12)}  notes`;

/** One printed result line. */
export const resultLine = (r: ResultRow, notes: string): string =>
  `${pad(r.net, 4)}${pad(r.rule, 10)}${lpad(String(r.batch), 6)}  ${pad(r.dtype, 8)}${pad(r.impl, 11)}` +
  `${lpad(ms(r.median_s), 11)}${lpad(ms(r.min_s), 10)}${lpad(ms(r.iqr_s), 10)}${lpad(sig(r.heatmaps_per_s), 12)}  ${notes}`;

/** One printed ratio line. */
export const ratioLine = (q: RatioRow): string =>
  `${pad(q.net, 4)}${pad(q.rule, 10)}${lpad(String(q.batch), 6)}  ${pad(q.dtype, 8)}${pad(q.impl, 11)}` +
  `${lpad(q.ratio.toFixed(2) + "×", 9)}  vs ${q.peer} (${q.peer_dtype})`;

export const kernelHeader = `${pad("kernel", 10)}${pad("impl", 11)}${lpad("n", 6)}  ${pad("dtype", 8)}${lpad("median ms", 11)}${lpad("min ms", 10)}${lpad("IQR ms", 10)}${lpad("GFLOP/s", 10)}`;

/** One printed kernel line. */
export const kernelLine = (k: KernelRow): string =>
  `${pad(k.kernel, 10)}${pad(k.impl, 11)}${lpad(String(k.n), 6)}  ${pad(k.dtype, 8)}${lpad(ms(k.median_s), 11)}${lpad(ms(k.min_s), 10)}${lpad(ms(k.iqr_s), 10)}${lpad(k.gflops.toFixed(3), 10)}`;
