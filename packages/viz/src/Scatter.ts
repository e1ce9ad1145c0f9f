/**
 * The consistency scatter (Montavon et al. 2017, Fig. 2): for every sample of a data set, the network output
 * f(x) on the x axis against the total relevance Σ_p R_p on the y axis, with the diagonal y = x. A conservative
 * explanation (Σ_p R_p = f(x), Definition 1) puts every point on the diagonal; points below it show relevance
 * lost (absorbed by biases or stabilisers), points above it relevance created. Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import * as Font from "./Font.ts";
import { layout, GAP, TEXT_H } from "./internal/axes.ts";
import { seriesExtent, size } from "./internal/check.ts";
import type * as Scene from "./Scene.ts";
import * as Ticks from "./Ticks.ts";
import { invalid } from "./VizError.ts";

/** One set of points: x[i] against y[i]. */
export interface Series {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Legend entry (a legend is drawn when any series has a label). */
  readonly label?: string;
  readonly color?: Color.Color;
}

/** Options of {@link scatter}. */
export interface ScatterOptions {
  readonly title?: string;
  /** Default "f(x)". */
  readonly xLabel?: string;
  /** Default "Σ_p R_p". */
  readonly yLabel?: string;
  /** Draw the diagonal y = x (default true). */
  readonly diagonal?: boolean;
  /** Give both axes the same domain, so the diagonal runs corner to corner (default true). */
  readonly equalAxes?: boolean;
  /** Extend the domains to include 0 (default true: a conservative map passes through the origin). */
  readonly includeZero?: boolean;
  /** Point radius in units (default 2.5). */
  readonly radius?: number;
  /** Size in units (default 420 × 400). */
  readonly width?: number;
  readonly height?: number;
}

/** Colours of successive series. */
export const palette: readonly Color.Color[] = [
  Color.steel,
  Color.orange,
  Color.rgb(60, 150, 60),
  Color.rgb(200, 40, 40),
  Color.rgb(130, 90, 180),
];

/** The scatter plot of one or more series, with the diagonal y = x; one "point" circle per sample. */
export const scatter = (series: Series | readonly Series[], opts: ScatterOptions = {}): Scene.Scene => {
  const op = "Plot.scatter";
  const list: readonly Series[] = "x" in series ? [series] : series;
  const width = opts.width ?? 420;
  const height = opts.height ?? 400;
  size(op, width, height);
  const radius = opts.radius ?? 2.5;
  if (!Number.isFinite(radius) || radius <= 0) invalid(op, "a point radius > 0", String(radius));
  let [xlo, xhi, ylo, yhi] = seriesExtent(op, list);
  if (xlo > xhi) [xlo, xhi, ylo, yhi] = [0, 1, 0, 1]; // no points at all
  if (opts.includeZero ?? true) [xlo, xhi, ylo, yhi] = [Math.min(xlo, 0), Math.max(xhi, 0), Math.min(ylo, 0), Math.max(yhi, 0)];
  if (opts.equalAxes ?? true) {
    [xlo, ylo] = [Math.min(xlo, ylo), Math.min(xlo, ylo)];
    [xhi, yhi] = [Math.max(xhi, yhi), Math.max(xhi, yhi)];
  }
  const xt = Ticks.ticks(xlo, xhi);
  const yt = Ticks.ticks(ylo, yhi);
  const axes = layout({
    width,
    height,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    x: { ticks: xt, label: opts.xLabel ?? "f(x)", grid: true },
    y: { ticks: yt, label: opts.yLabel ?? "Σ_p R_p", grid: true },
  });
  const marks: Scene.Mark[] = [...axes.under];
  if (opts.diagonal ?? true) {
    const t0 = Math.max(xt.lo, yt.lo);
    const t1 = Math.min(xt.hi, yt.hi);
    if (t0 < t1) {
      marks.push({ kind: "line", x1: axes.sx(t0), y1: axes.sy(t0), x2: axes.sx(t1), y2: axes.sy(t1), stroke: Color.darkGray, width: 1, dash: 4, tag: "diagonal" });
    }
  }
  list.forEach((s, k) => {
    const fill = Color.withAlpha(s.color ?? palette[k % palette.length]!, 190);
    for (let i = 0; i < s.x.length; i++) {
      marks.push({ kind: "circle", cx: axes.sx(s.x[i]!), cy: axes.sy(s.y[i]!), r: radius, fill, tag: "point" });
    }
  });
  marks.push(...axes.over);
  const labelled = list.filter((s) => s.label !== undefined);
  if (labelled.length > 0) marks.push(...legend(list, axes.area.left + 8, axes.area.top + 8));
  return { width, height, background: Color.white, marks };
};

const legend = (list: readonly Series[], x: number, y: number): Scene.Mark[] => {
  const rowH = TEXT_H + GAP + 2;
  const labels = list.map((s, k) => s.label ?? `series ${k + 1}`);
  const w = Math.max(...labels.map((l) => Font.measure(l).width)) + 22;
  const marks: Scene.Mark[] = [
    { kind: "rect", x, y, width: w, height: rowH * labels.length + GAP + 2, fill: Color.white, stroke: Color.lightGray, tag: "legend" },
  ];
  labels.forEach((l, k) => {
    const cy = y + GAP + 1 + rowH * k + TEXT_H / 2;
    marks.push({ kind: "circle", cx: x + 9, cy, r: 3, fill: list[k]!.color ?? palette[k % palette.length]!, tag: "legend" });
    marks.push({ kind: "text", x: x + 17, y: cy - TEXT_H / 2, text: l, color: Color.darkGray, size: 1, anchor: "start", tag: "legend" });
  });
  return marks;
};
