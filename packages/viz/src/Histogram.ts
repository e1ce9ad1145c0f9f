/**
 * Histograms, e.g. of the smallest relevance per sample, min_p R_p: a positive explanation (Montavon et al.
 * 2017, Definition 2) has every mass at or right of the reference line at 0. Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import { layout } from "./internal/axes.ts";
import { extent, finite, size } from "./internal/check.ts";
import type * as Scene from "./Scene.ts";
import * as Ticks from "./Ticks.ts";
import { checkInt, invalid } from "./VizError.ts";

/** Bin edges (bins + 1, increasing) and counts per bin. */
export interface Bins {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** Values outside [edges[0], edges[bins]] (only with an explicit range). */
  readonly outside: number;
}

/** Options of {@link bin}. */
export interface BinOptions {
  /** Number of bins (default Sturges' rule ⌈log2 n⌉ + 1). */
  readonly bins?: number;
  /** Binned range (default [min, max] of the values; a single value v gets v ± 0.5). */
  readonly range?: readonly [number, number];
}

/**
 * Counts of values in equal-width bins: bin i holds edges[i] ≤ v < edges[i+1], the last bin also v = edges[bins].
 * Values outside the range are counted in `outside`.
 */
export const bin = (values: ArrayLike<number>, opts: BinOptions = {}): Bins => {
  const op = "Histogram.bin";
  finite(op, "values", values);
  const k = opts.bins ?? Math.ceil(Math.log2(Math.max(1, values.length))) + 1;
  checkInt(op, "bins", k, 1);
  let [lo, hi] = opts.range ?? extent(values);
  if (opts.range !== undefined && !(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    invalid(op, "a finite range [lo, hi] with lo < hi", `[${lo}, ${hi}]`);
  }
  if (lo > hi) [lo, hi] = [0, 1]; // no values
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const w = (hi - lo) / k;
  const edges = Array.from({ length: k + 1 }, (_, i) => (i === k ? hi : lo + i * w));
  const counts = new Array<number>(k).fill(0);
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo || v > hi) {
      outside++;
      continue;
    }
    let j = Math.min(k - 1, Math.floor((v - lo) / w));
    // Floating division can land one bin off at an edge; the edges are the definition.
    if (v < edges[j]!) j--;
    else if (j < k - 1 && v >= edges[j + 1]!) j++;
    counts[j]!++;
  }
  return { edges, counts, outside };
};

/** Options of {@link histogram}. */
export interface HistogramOptions extends BinOptions {
  readonly title?: string;
  readonly xLabel?: string;
  /** Default "count". */
  readonly yLabel?: string;
  /** x of the dashed reference line (default 0); null for none. */
  readonly reference?: number | null;
  readonly color?: Color.Color;
  /** Size in units (default 480 × 320). */
  readonly width?: number;
  readonly height?: number;
}

/** The histogram of `values`: one "bar" rect per non-empty bin, a dashed "reference" line, a "summary" note. */
export const histogram = (values: ArrayLike<number>, opts: HistogramOptions = {}): Scene.Scene => {
  const op = "Plot.histogram";
  const width = opts.width ?? 480;
  const height = opts.height ?? 320;
  size(op, width, height);
  const b = bin(values, opts);
  const ref = opts.reference === undefined ? 0 : opts.reference;
  if (ref !== null && !Number.isFinite(ref)) invalid(op, "a finite reference value or null", String(ref));
  const lo = Math.min(b.edges[0]!, ref ?? Infinity);
  const hi = Math.max(b.edges[b.edges.length - 1]!, ref ?? -Infinity);
  const axes = layout({
    width,
    height,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    x: { ticks: Ticks.ticks(lo, hi), ...(opts.xLabel !== undefined ? { label: opts.xLabel } : {}) },
    y: { ticks: Ticks.ticks(0, Math.max(1, ...b.counts), 5, true), label: opts.yLabel ?? "count", grid: true },
  });
  const fill = opts.color ?? Color.steel;
  const marks: Scene.Mark[] = [...axes.under];
  b.counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = axes.sx(b.edges[i]!);
    const x1 = axes.sx(b.edges[i + 1]!);
    const y0 = axes.sy(c);
    const bar: Scene.Rect = { kind: "rect", x: x0, y: y0, width: x1 - x0, height: axes.sy(0) - y0, fill, tag: "bar" };
    marks.push(x1 - x0 >= 4 ? { ...bar, stroke: Color.white } : bar);
  });
  marks.push(...axes.over);
  const { top, bottom, right } = axes.area;
  let note = `n = ${values.length}`;
  if (ref !== null) {
    const x = axes.sx(ref);
    marks.push({ kind: "line", x1: x, y1: top, x2: x, y2: bottom, stroke: Color.rgb(200, 30, 30), width: 1, dash: 4, tag: "reference" });
    let below = 0;
    for (let i = 0; i < values.length; i++) if (values[i]! < ref) below++;
    note += `, ${below} below ${Ticks.formatValue(ref)}`;
  }
  if (b.outside > 0) note += `, ${b.outside} outside range`;
  marks.push({ kind: "text", x: right - 6, y: top + 6, text: note, color: Color.darkGray, size: 1, anchor: "end", tag: "summary" });
  return { width, height, background: Color.white, marks };
};
