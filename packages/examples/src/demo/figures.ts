/**
 * The MNIST example's pictures (Montavon et al. 2017, Fig. 2; the deck's "Example MNIST: Heatmaps"):
 * - a grid of test pairs: the input, then one heatmap per method (white 0, red +, blue −, each map on its own
 *   symmetric scale max_p |R_p|), one row per pair;
 * - Figure 2's consistency plots, one row per method: Σ_p R_p against f(x) over the test set with the diagonal
 *   (conservation), and the histogram of the smallest relevance min_p R_p with a line at 0 (positivity).
 * @module
 */
import { Grid, Heatmap, Image, Plot } from "@dtd/viz";
import { PAIR_HEIGHT, PAIR_WIDTH } from "@dtd/datasets";

/** One row of the heatmap grid: the input pixels (28×56 flat) and one heatmap per method, same layout. */
export interface GridRow {
  readonly x: ArrayLike<number>;
  /** null leaves the cell empty (a method that did not explain this pair). */
  readonly maps: readonly (ArrayLike<number> | null)[];
  /** Shown left of the row ("\n" breaks lines). */
  readonly label: string;
}

/** The heatmap grid; `upscale` is the size of one input pixel in picture pixels (default 3). */
export const heatmapGrid = (rows: readonly GridRow[], opts: { readonly columns: readonly string[]; readonly title?: string; readonly upscale?: number; readonly textScale?: number }): Image.Image => {
  const upscale = opts.upscale ?? 3;
  const dims = { height: PAIR_HEIGHT, width: PAIR_WIDTH, upscale };
  const cells = rows.map((r) => [
    Heatmap.input(r.x, { ...dims, invert: true }),
    ...r.maps.map((R) => (R === null ? null : Heatmap.relevance(R, dims))),
  ]);
  return Grid.grid(cells, {
    columnTitles: ["input", ...opts.columns],
    rowLabels: rows.map((r) => r.label),
    textScale: opts.textScale ?? 2,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
  });
};

/** The consistency data of one method over a test set. */
export interface ConsistencySeries {
  readonly label: string;
  readonly f: ArrayLike<number>;
  readonly sumR: ArrayLike<number>;
  readonly minR: ArrayLike<number>;
}

/**
 * The histogram's summary note sits in the top-right corner of the plot: when the values pile up at their
 * maximum (e.g. many min_p R_p just below 0), a range extended by 60 % to the right keeps the bars clear of it.
 */
const roomForNote = (values: ArrayLike<number>): { readonly range?: readonly [number, number] } => {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  return hi > lo ? { range: [lo, hi + 0.6 * (hi - lo)] } : {};
};

/** Figure 2: one row per method, the conservation scatter and the histogram of min_p R_p. */
export const figure2 = (series: readonly ConsistencySeries[], opts: { readonly title?: string } = {}): Image.Image => {
  const cells = series.map((s) => [
    Plot.toImage(Plot.scatter({ x: s.f, y: s.sumR }, { title: `${s.label}: conservation`, xLabel: "f(x)", width: 360, height: 320 }), 1),
    Plot.toImage(Plot.histogram(s.minR, { title: `${s.label}: min_p R_p`, xLabel: "min_p R_p", bins: 36, width: 400, height: 320, ...roomForNote(s.minR) }), 1),
  ]);
  return Grid.grid(cells, { textScale: 2, frame: null, ...(opts.title !== undefined ? { title: opts.title } : {}) });
};
