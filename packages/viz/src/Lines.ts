/**
 * Line plots of several series on shared axes, e.g. the perturbation curves of region perturbation (Samek et al.
 * 2017): the mean score after k perturbation steps, one line per explanation method, and a dashed one for the
 * random order. One "line" mark per segment, tagged "series-<index>"; a legend when any series has a label.
 * Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import * as Font from "./Font.ts";
import { GAP, layout, TEXT_H } from "./internal/axes.ts";
import { seriesExtent, size } from "./internal/check.ts";
import type * as Scene from "./Scene.ts";
import * as Ticks from "./Ticks.ts";
import { invalid } from "./VizError.ts";

/** One polyline through (x[i], y[i]) in the given order. */
export interface LineSeries {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly label?: string;
  readonly color?: Color.Color;
  /** Dash length in units (default 0: solid). */
  readonly dash?: number;
  /** Stroke width in units (default 1.5). */
  readonly width?: number;
}

/** Where the legend sits inside the plot area. */
export type LegendCorner = "top-right" | "top-left" | "bottom-right" | "bottom-left";

/** Options of {@link lines}. */
export interface LinesOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Extend the y domain to include 0 (default false). */
  readonly includeZero?: boolean;
  /** Default "top-right". */
  readonly legend?: LegendCorner;
  /** Size in units (default 480 × 360). */
  readonly width?: number;
  readonly height?: number;
}

/** Ten distinguishable colours for successive series. */
export const linePalette: readonly Color.Color[] = [
  Color.rgb(31, 119, 180),
  Color.rgb(255, 127, 14),
  Color.rgb(44, 160, 44),
  Color.rgb(214, 39, 40),
  Color.rgb(148, 103, 189),
  Color.rgb(140, 86, 75),
  Color.rgb(227, 119, 194),
  Color.rgb(188, 189, 34),
  Color.rgb(23, 190, 207),
  Color.rgb(127, 127, 127),
];

/** The line plot of the series. */
export const lines = (series: readonly LineSeries[], opts: LinesOptions = {}): Scene.Scene => {
  const op = "Plot.lines";
  if (series.length === 0) invalid(op, "at least one series", "none");
  const width = opts.width ?? 480;
  const height = opts.height ?? 360;
  size(op, width, height);
  let [xlo, xhi, ylo, yhi] = seriesExtent(op, series);
  if (xlo > xhi) [xlo, xhi, ylo, yhi] = [0, 1, 0, 1];
  if (opts.includeZero === true) [ylo, yhi] = [Math.min(ylo, 0), Math.max(yhi, 0)];
  const axes = layout({
    width,
    height,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    x: { ticks: Ticks.ticks(xlo, xhi), grid: true, ...(opts.xLabel !== undefined ? { label: opts.xLabel } : {}) },
    y: { ticks: Ticks.ticks(ylo, yhi), grid: true, ...(opts.yLabel !== undefined ? { label: opts.yLabel } : {}) },
  });
  const marks: Scene.Mark[] = [...axes.under];
  series.forEach((s, k) => {
    const stroke = s.color ?? linePalette[k % linePalette.length]!;
    for (let i = 1; i < s.x.length; i++) {
      marks.push({
        kind: "line",
        x1: axes.sx(s.x[i - 1]!),
        y1: axes.sy(s.y[i - 1]!),
        x2: axes.sx(s.x[i]!),
        y2: axes.sy(s.y[i]!),
        stroke,
        width: s.width ?? 1.5,
        ...(s.dash !== undefined && s.dash > 0 ? { dash: s.dash } : {}),
        tag: `series-${k}`,
      });
    }
  });
  marks.push(...axes.over);
  if (series.some((s) => s.label !== undefined)) marks.push(...legend(series, axes.area, opts.legend ?? "top-right"));
  return { width, height, background: Color.white, marks };
};

const legend = (series: readonly LineSeries[], area: { left: number; top: number; right: number; bottom: number }, corner: LegendCorner): Scene.Mark[] => {
  const rowH = TEXT_H + GAP + 2;
  const labels = series.map((s, k) => s.label ?? `series ${k + 1}`);
  const w = Math.max(...labels.map((l) => Font.measure(l).width)) + 30;
  const h = rowH * labels.length + GAP + 2;
  const x = corner.endsWith("left") ? area.left + 8 : area.right - 8 - w;
  const y = corner.startsWith("top") ? area.top + 8 : area.bottom - 8 - h;
  const marks: Scene.Mark[] = [{ kind: "rect", x, y, width: w, height: h, fill: Color.white, stroke: Color.lightGray, tag: "legend" }];
  labels.forEach((l, k) => {
    const s = series[k]!;
    const cy = y + GAP + 1 + rowH * k + TEXT_H / 2;
    const stroke = s.color ?? linePalette[k % linePalette.length]!;
    marks.push({ kind: "line", x1: x + 5, y1: cy, x2: x + 21, y2: cy, stroke, width: s.width ?? 1.5, ...(s.dash !== undefined && s.dash > 0 ? { dash: Math.min(s.dash, 4) } : {}), tag: "legend" });
    marks.push({ kind: "text", x: x + 25, y: cy - TEXT_H / 2, text: l, color: Color.darkGray, size: 1, anchor: "start", tag: "legend" });
  });
  return marks;
};
