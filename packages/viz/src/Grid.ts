/**
 * A grid of images (rows × columns) with margins, an optional title, column titles and row labels, on white:
 * e.g. one row per test image and the columns "input", "w2", "z+", "zb", "sensitivity", "taylor".
 *
 * Column c is as wide as its widest image (or its title, if wider); row r as tall as its tallest image; each
 * image is centred in its cell and, by default, framed by one light-gray pixel so that a white (zero-relevance)
 * heatmap still shows its extent on the white page. Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import * as Font from "./Font.ts";
import * as Image from "./Image.ts";
import { checkInt, invalid } from "./VizError.ts";

/** Options of {@link grid}. */
export interface GridOptions {
  /** A title above everything. */
  readonly title?: string;
  /** One title per column (shorter lists leave the last columns untitled). */
  readonly columnTitles?: readonly string[];
  /** One label per row, drawn left of the row ("\n" breaks lines). */
  readonly rowLabels?: readonly string[];
  /** Outer margin in pixels (default 8). */
  readonly margin?: number;
  /** Space between cells and between labels and cells, in pixels (default 6). */
  readonly gap?: number;
  /** Font scale of titles and labels (default 2: 14-pixel-high letters). */
  readonly textScale?: number;
  readonly background?: Color.Color;
  readonly textColor?: Color.Color;
  /** Colour of the 1-pixel frame around each image; null for none (default light gray). */
  readonly frame?: Color.Color | null;
}

/** Pixel positions of a laid-out grid (exposed for tests and for callers that annotate cells). */
export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Left x of each column's cells. */
  readonly columnX: readonly number[];
  readonly columnWidth: readonly number[];
  /** Top y of each row's cells. */
  readonly rowY: readonly number[];
  readonly rowHeight: readonly number[];
  /** Top y of the column-title band (when there are column titles). */
  readonly titleBandY: number;
  readonly titleBandHeight: number;
}

const sizes = (cells: readonly (readonly (Image.Image | null)[])[], opts: GridOptions) => {
  const margin = opts.margin ?? 8;
  const gap = opts.gap ?? 6;
  const ts = opts.textScale ?? 2;
  checkInt("Grid.grid", "margin", margin, 0);
  checkInt("Grid.grid", "gap", gap, 0);
  checkInt("Grid.grid", "textScale", ts, 1);
  const f = opts.frame === null ? 0 : 1;
  const cols = Math.max(0, ...cells.map((r) => r.length), opts.columnTitles?.length ?? 0);
  if (cells.length === 0 || cols === 0) invalid("Grid.grid", "at least one row and one column of images", `${cells.length} rows`);
  if (opts.rowLabels !== undefined && opts.rowLabels.length > cells.length) {
    invalid("Grid.grid", `at most ${cells.length} row labels (one per row)`, `${opts.rowLabels.length}`);
  }
  return { margin, gap, ts, f, cols };
};

/** Where everything of {@link grid} goes. */
export const layout = (cells: readonly (readonly (Image.Image | null)[])[], opts: GridOptions = {}): Layout => {
  const { margin, gap, ts, f, cols } = sizes(cells, opts);
  const columnWidth = Array.from({ length: cols }, (_, c) =>
    Math.max(
      Font.measure(opts.columnTitles?.[c] ?? "", ts).width,
      ...cells.map((r) => (r[c] ? r[c].width + 2 * f : 0)),
    ),
  );
  const rowHeight = cells.map((r, i) =>
    Math.max(opts.rowLabels?.[i] !== undefined ? Font.measure(opts.rowLabels[i], ts).height : 0, ...r.map((img) => (img ? img.height + 2 * f : 0))),
  );
  const labelW = opts.rowLabels ? Math.max(...opts.rowLabels.map((l) => Font.measure(l, ts).width)) + gap : 0;
  const titleH = opts.title !== undefined ? Font.measure(opts.title, ts).height + gap + 2 : 0;
  const titleBandHeight = opts.columnTitles ? Math.max(...opts.columnTitles.map((t) => Font.measure(t, ts).height)) : 0;
  const titleBandY = margin + titleH;
  const y0 = titleBandY + (opts.columnTitles ? titleBandHeight + gap : 0);
  const x0 = margin + labelW;
  const columnX: number[] = [];
  let x = x0;
  for (const w of columnWidth) {
    columnX.push(x);
    x += w + gap;
  }
  const rowY: number[] = [];
  let y = y0;
  for (const h of rowHeight) {
    rowY.push(y);
    y += h + gap;
  }
  const contentW = x - gap + margin;
  const width = Math.max(contentW, opts.title !== undefined ? Font.measure(opts.title, ts).width + 2 * margin : 0);
  return { width, height: y - gap + margin, columnX, columnWidth, rowY, rowHeight, titleBandY, titleBandHeight };
};

/** The grid as one image; `null` cells stay empty. */
export const grid = (cells: readonly (readonly (Image.Image | null)[])[], opts: GridOptions = {}): Image.Image => {
  const L = layout(cells, opts);
  const { gap, ts, f } = sizes(cells, opts);
  const ink = opts.textColor ?? Color.black;
  const out = Image.make(L.width, L.height, opts.background ?? Color.white);
  if (opts.title !== undefined) Font.drawText(out, L.width / 2, opts.margin ?? 8, opts.title, ink, ts, "middle");
  opts.columnTitles?.forEach((t, c) => {
    const h = Font.measure(t, ts).height;
    Font.drawText(out, L.columnX[c]! + L.columnWidth[c]! / 2, L.titleBandY + L.titleBandHeight - h, t, ink, ts, "middle");
  });
  cells.forEach((row, r) => {
    const label = opts.rowLabels?.[r];
    if (label !== undefined) {
      const h = Font.measure(label, ts).height;
      Font.drawText(out, L.columnX[0]! - gap, L.rowY[r]! + Math.round((L.rowHeight[r]! - h) / 2), label, ink, ts, "end");
    }
    row.forEach((img, c) => {
      if (!img) return;
      const x = L.columnX[c]! + Math.floor((L.columnWidth[c]! - img.width - 2 * f) / 2);
      const y = L.rowY[r]! + Math.floor((L.rowHeight[r]! - img.height - 2 * f) / 2);
      if (f > 0 && opts.frame !== null) Image.strokeRect(out, x, y, img.width + 2, img.height + 2, opts.frame ?? Color.lightGray);
      Image.blit(out, img, x + f, y + f);
    });
  });
  return out;
};
