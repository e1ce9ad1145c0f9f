/**
 * Horizontal bar charts with signed values, e.g. "mean relevance share per feature (%)" for the Titanic
 * example: one bar per category from 0 to its value, red for positive and blue for negative (the colours of
 * the relevance heatmaps), the value printed at the bar's end. Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import * as Font from "./Font.ts";
import { GAP, layout, TEXT_H } from "./internal/axes.ts";
import { extent, finite, size } from "./internal/check.ts";
import type * as Scene from "./Scene.ts";
import * as Ticks from "./Ticks.ts";
import { invalid } from "./VizError.ts";

/** One bar. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  /** How values are printed at the bars' ends (default 3 significant digits). */
  readonly format?: (v: number) => string;
  readonly positive?: Color.Color;
  readonly negative?: Color.Color;
  /** Size in units (default width 480, height 24 units per bar plus the frame). */
  readonly width?: number;
  readonly height?: number;
}

/** The bar chart, bars top to bottom in the given order; one "bar" rect per value, a "zero" line. */
export const barChart = (bars: readonly Bar[], opts: BarChartOptions = {}): Scene.Scene => {
  const op = "Plot.barChart";
  if (bars.length === 0) invalid(op, "at least one bar", "none");
  const values = bars.map((b) => b.value);
  finite(op, "bar values", values);
  const width = opts.width ?? 480;
  const height = opts.height ?? Math.max(140, 24 * bars.length + (opts.title !== undefined ? 40 : 20) + 40);
  size(op, width, height);
  const fmt = opts.format ?? Ticks.formatValue;
  const labels = values.map(fmt);
  const [vmin, vmax] = extent(values);
  const lo = Math.min(0, vmin);
  const hi = Math.max(0, vmax);
  const room = (pred: (v: number) => boolean): number =>
    Math.max(0, ...labels.filter((_, i) => pred(values[i]!)).map((l) => Font.measure(l).width + GAP + 2));
  const axes = layout({
    width,
    height,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    x: { ticks: Ticks.ticks(lo, hi), grid: true, ...(opts.xLabel !== undefined ? { label: opts.xLabel } : {}) },
    y: { categories: bars.map((b) => b.label) },
    padLeft: room((v) => v < 0),
    padRight: room((v) => v >= 0),
  });
  const pos = opts.positive ?? Color.rgb(214, 39, 40);
  const neg = opts.negative ?? Color.rgb(31, 90, 200);
  const marks: Scene.Mark[] = [...axes.under];
  const x0 = axes.sx(0);
  const thick = Math.max(2, axes.band * 0.66);
  values.forEach((v, i) => {
    const xv = axes.sx(v);
    const cy = axes.sy(i);
    marks.push({ kind: "rect", x: Math.min(x0, xv), y: cy - thick / 2, width: Math.abs(xv - x0), height: thick, fill: v >= 0 ? pos : neg, tag: "bar" });
    marks.push({
      kind: "text",
      x: v >= 0 ? xv + GAP : xv - GAP,
      y: cy - TEXT_H / 2,
      text: labels[i]!,
      color: Color.darkGray,
      size: 1,
      anchor: v >= 0 ? "start" : "end",
      tag: "value",
    });
  });
  marks.push({ kind: "line", x1: x0, y1: axes.area.top, x2: x0, y2: axes.area.bottom, stroke: Color.darkGray, width: 1, tag: "zero" });
  marks.push(...axes.over);
  return { width, height, background: Color.white, marks };
};
