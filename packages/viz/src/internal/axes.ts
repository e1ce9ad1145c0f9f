/**
 * The frame shared by every plot: title, plot area, numeric or categorical axes with ticks, tick labels, axis
 * labels and grid lines, all as Scene marks, plus the data → unit coordinate maps.
 * @module
 */
import * as Color from "../Color.ts";
import * as Font from "../Font.ts";
import type * as Scene from "../Scene.ts";
import * as Ticks from "../Ticks.ts";

/** A numeric axis. */
export interface NumericAxis {
  readonly ticks: Ticks.Ticks;
  readonly label?: string;
  readonly grid?: boolean;
}

/** A categorical y axis: one band per category, top to bottom. */
export interface CategoryAxis {
  readonly categories: readonly string[];
  readonly label?: string;
}

export interface AxesSpec {
  readonly width: number;
  readonly height: number;
  readonly title?: string;
  readonly x: NumericAxis;
  readonly y: NumericAxis | CategoryAxis;
  /** Units kept free inside the plot area left and right of the x domain (room for value labels). */
  readonly padLeft?: number;
  readonly padRight?: number;
}

/** The plot area in units. */
export interface Area {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface Axes {
  /** Marks to paint before the data (grid lines). */
  readonly under: Scene.Mark[];
  /** Marks to paint after the data (frame, ticks, labels, title). */
  readonly over: Scene.Mark[];
  readonly area: Area;
  /** x data value → units. */
  readonly sx: (v: number) => number;
  /** y data value (or category index) → units (a category's band centre). */
  readonly sy: (v: number) => number;
  /** Category band height in units (0 for a numeric y axis). */
  readonly band: number;
}

export const PAD = 10;
export const GAP = 4;
export const TICK = 4;
export const TEXT_H = Font.GLYPH_HEIGHT;
export const gridColor: Color.Color = Color.rgb(232, 232, 232);

const width = (s: string, size = 1): number => Font.measure(s, size).width;

const isCategory = (a: NumericAxis | CategoryAxis): a is CategoryAxis => "categories" in a;

const text = (x: number, y: number, s: string, anchor: Font.Anchor, tag: string, size = 1, up = false): Scene.Text => ({
  kind: "text", x, y, text: s, color: Color.darkGray, size, anchor, tag, ...(up ? { up: true } : {}),
});

const line = (x1: number, y1: number, x2: number, y2: number, stroke: Color.Color, tag: string): Scene.Line => ({
  kind: "line", x1, y1, x2, y2, stroke, width: 1, tag,
});

/** Lays out the frame of a plot. */
export const layout = (spec: AxesSpec): Axes => {
  const { x, y } = spec;
  const xLabels = x.ticks.values.map((v) => Ticks.format(v, x.ticks.step));
  const yLabels = isCategory(y) ? [...y.categories] : y.ticks.values.map((v) => Ticks.format(v, y.ticks.step));
  const titleSize = spec.title !== undefined && width(spec.title, 2) <= spec.width - 3 * PAD ? 2 : 1;
  const top = PAD + (spec.title !== undefined ? TEXT_H * titleSize + 2 * GAP + 2 : 0);
  const yLabelBand = y.label !== undefined ? TEXT_H + 2 * GAP : 0;
  const left = PAD + yLabelBand + Math.max(0, ...yLabels.map((s) => width(s))) + GAP + (isCategory(y) ? 2 : TICK);
  const bottom = spec.height - (PAD + (x.label !== undefined ? TEXT_H + 2 * GAP : 0) + TEXT_H + GAP + TICK);
  const right = spec.width - Math.max(PAD, Math.ceil(width(xLabels[xLabels.length - 1] ?? "") / 2) + 2);
  const area: Area = { left, top, right, bottom };

  const x0 = left + (spec.padLeft ?? 0);
  const x1 = right - (spec.padRight ?? 0);
  const sx = (v: number): number => x0 + ((v - x.ticks.lo) / (x.ticks.hi - x.ticks.lo)) * (x1 - x0);
  const band = isCategory(y) ? (bottom - top) / Math.max(1, y.categories.length) : 0;
  const sy = isCategory(y)
    ? (i: number): number => top + band * (i + 0.5)
    : (v: number): number => bottom - ((v - y.ticks.lo) / (y.ticks.hi - y.ticks.lo)) * (bottom - top);

  const under: Scene.Mark[] = [];
  const over: Scene.Mark[] = [];
  x.ticks.values.forEach((v, i) => {
    const px = sx(v);
    if (x.grid === true) under.push(line(px, top, px, bottom, gridColor, "grid"));
    over.push(line(px, bottom, px, bottom + TICK, Color.darkGray, "tick"));
    over.push(text(px, bottom + TICK + GAP, xLabels[i]!, "middle", "tick-label"));
  });
  if (isCategory(y)) {
    y.categories.forEach((c, i) => over.push(text(left - GAP - 2, sy(i) - TEXT_H / 2, c, "end", "category")));
  } else {
    y.ticks.values.forEach((v, i) => {
      const py = sy(v);
      if (y.grid === true) under.push(line(left, py, right, py, gridColor, "grid"));
      over.push(line(left - TICK, py, left, py, Color.darkGray, "tick"));
      over.push(text(left - TICK - GAP, py - TEXT_H / 2, yLabels[i]!, "end", "tick-label"));
    });
  }
  over.push(line(left, top, right, top, Color.lightGray, "frame"));
  over.push(line(right, top, right, bottom, Color.lightGray, "frame"));
  over.push(line(left, bottom, right, bottom, Color.darkGray, "axis"));
  over.push(line(left, top, left, bottom, Color.darkGray, "axis"));
  if (x.label !== undefined) over.push(text((left + right) / 2, spec.height - PAD - TEXT_H, x.label, "middle", "x-label"));
  if (y.label !== undefined) over.push(text(PAD, (top + bottom) / 2, y.label, "middle", "y-label", 1, true));
  if (spec.title !== undefined) {
    const half = width(spec.title, titleSize) / 2;
    const cx = Math.min(spec.width - 1.5 * PAD - half, Math.max(1.5 * PAD + half, (left + right) / 2));
    over.push(text(cx, PAD, spec.title, "middle", "title", titleSize));
  }
  return { under, over, area, sx, sy, band };
};
