/**
 * Result rows, ratios and the printed table.
 *
 * heatmaps/s = batch / median seconds per call. The ratio of a dtd row against a peer group is its heatmaps/s
 * divided by that of the group's fastest row on the same net, rule, batch and round (the faster tfjs backend; a
 * PyTorch configuration), in the same dtype where the peer has it: tfjs computes in float32 only, so a float64
 * dtd row is compared with tfjs's float32 figure, and with PyTorch's float64 one.
 * @module
 */
import type { DType } from "@dtd/tensor";
import type { ImplKind } from "./Impl.ts";
import type { KernelRow } from "./kernels.ts";
import { type NetName, netNames, type Rule } from "./nets.ts";

/** One heatmap measurement, as written to JSON (issue 7's fields, then min/IQR/runs). */
export interface ResultRow {
  readonly impl: string;
  readonly net: NetName;
  readonly rule: Rule;
  readonly batch: number;
  readonly dtype: DType;
  readonly threads: number;
  /** Which pass of the interleaved sequence (1, 2, …); 0 for a median over rounds ({@link medianRows}). */
  readonly round: number;
  readonly median_s: number;
  readonly heatmaps_per_s: number;
  readonly min_s: number;
  readonly iqr_s: number;
  readonly runs: number;
}

/** A dtd row divided by the fastest row of one peer group of the same net, rule, batch and round. */
export interface RatioRow {
  readonly impl: string;
  readonly net: NetName;
  readonly rule: Rule;
  readonly batch: number;
  readonly dtype: DType;
  readonly round: number;
  /** The peer group (e.g. "tfjs", "torch-dt-1t"). */
  readonly versus: string;
  /** The implementation of that group whose row was used, its dtype and threads. */
  readonly peer: string;
  readonly peer_dtype: DType;
  readonly peer_threads: number;
  readonly ratio: number;
}

/** What the ratios need to know of an implementation: dtd or peer, and its peer group. */
export type ImplInfo = (impl: string) => { readonly kind: ImplKind; readonly group: string };

const configKey = (r: ResultRow): string => `${r.net}|${r.rule}|${r.batch}|${r.round}`;

/**
 * Ratios of every dtd row against the fastest row of each peer group with the same (net, rule, batch, round),
 * preferring rows in the dtd row's dtype (tfjs has only float32).
 */
export const ratios = (rows: readonly ResultRow[], info: ImplInfo): RatioRow[] => {
  const out: RatioRow[] = [];
  for (const r of rows) {
    if (info(r.impl).kind !== "dtd") continue;
    const peers = rows.filter((p) => info(p.impl).kind === "peer" && configKey(p) === configKey(r));
    for (const versus of [...new Set(peers.map((p) => info(p.impl).group))]) {
      const group = peers.filter((p) => info(p.impl).group === versus);
      const same = group.filter((p) => p.dtype === r.dtype);
      const pool = same.length > 0 ? same : group;
      const best = pool.reduce((b, p) => (p.heatmaps_per_s > b.heatmaps_per_s ? p : b));
      out.push({
        impl: r.impl, net: r.net, rule: r.rule, batch: r.batch, dtype: r.dtype, round: r.round, versus,
        peer: best.impl, peer_dtype: best.dtype, peer_threads: best.threads, ratio: r.heatmaps_per_s / best.heatmaps_per_s,
      });
    }
  }
  return out;
};

const middle = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  return (s[Math.floor(h)]! + s[Math.ceil(h)]!) / 2;
};

const groupBy = <A>(xs: readonly A[], key: (a: A) => string): A[][] => {
  const m = new Map<string, A[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m.values()];
};

/** One row per (impl, net, rule, batch, dtype): the median over rounds of the medians (round 0). */
export const medianRows = (rows: readonly ResultRow[]): ResultRow[] =>
  groupBy(rows, (r) => `${r.impl}|${r.net}|${r.rule}|${r.batch}|${r.dtype}`).map((g) => {
    const median_s = middle(g.map((r) => r.median_s));
    return {
      ...g[0]!, round: 0, median_s, heatmaps_per_s: g[0]!.batch / median_s,
      min_s: Math.min(...g.map((r) => r.min_s)), iqr_s: middle(g.map((r) => r.iqr_s)), runs: g.reduce((s, r) => s + r.runs, 0),
    };
  });

/** One ratio per (impl, net, rule, batch, dtype, group): the median over rounds of the per-round ratios. */
export const medianRatios = (qs: readonly RatioRow[]): RatioRow[] =>
  groupBy(qs, (q) => `${q.impl}|${q.net}|${q.rule}|${q.batch}|${q.dtype}|${q.versus}`).map((g) => ({ ...g[0]!, round: 0, ratio: middle(g.map((q) => q.ratio)) }));

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

/** Milliseconds with 4 significant digits. */
export const ms = (s: number): string => (s * 1000).toPrecision(4);

/** A number with 4 significant digits, without exponent for ordinary magnitudes. */
export const sig = (x: number): string => (x >= 1e6 || x < 1e-3 ? x.toExponential(3) : x.toPrecision(4));

/** Width of the net column: the longest net name and a space. */
const NET = Math.max(...netNames.map((n) => n.length)) + 1;

export const resultHeader =
  `${pad("net", NET)}${pad("rule", 10)}${lpad("batch", 6)}  ${pad("dtype", 8)}${pad("impl", 13)}` +
  `${lpad("median ms", 11)}${lpad("min ms", 10)}${lpad("IQR ms", 10)}${lpad("heatmaps/s", 12)}  notes`;

/** One printed result line. */
export const resultLine = (r: ResultRow, notes: string): string =>
  `${pad(r.net, NET)}${pad(r.rule, 10)}${lpad(String(r.batch), 6)}  ${pad(r.dtype, 8)}${pad(r.impl, 13)}` +
  `${lpad(ms(r.median_s), 11)}${lpad(ms(r.min_s), 10)}${lpad(ms(r.iqr_s), 10)}${lpad(sig(r.heatmaps_per_s), 12)}  ${notes}`;

/** One printed ratio line. */
export const ratioLine = (q: RatioRow): string =>
  `${pad(q.net, NET)}${pad(q.rule, 10)}${lpad(String(q.batch), 6)}  ${pad(q.dtype, 8)}${pad(q.impl, 9)}` +
  `${lpad(q.ratio.toFixed(2) + "×", 9)}  vs ${pad(q.versus, 14)}(${q.peer}, ${q.peer_dtype}, ${q.peer_threads} thread${q.peer_threads === 1 ? "" : "s"})`;

export const kernelHeader = `${pad("kernel", 10)}${pad("impl", 11)}${lpad("n", 6)}  ${pad("dtype", 8)}${lpad("median ms", 11)}${lpad("min ms", 10)}${lpad("IQR ms", 10)}${lpad("GFLOP/s", 10)}`;

/** One printed kernel line. */
export const kernelLine = (k: KernelRow): string =>
  `${pad(k.kernel, 10)}${pad(k.impl, 11)}${lpad(String(k.n), 6)}  ${pad(k.dtype, 8)}${lpad(ms(k.median_s), 11)}${lpad(ms(k.min_s), 10)}${lpad(ms(k.iqr_s), 10)}${lpad(k.gflops.toFixed(3), 10)}`;
