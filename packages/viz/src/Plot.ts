/**
 * Plots of explanation results, each a {@link Scene.Scene} that renders both as SVG and as a PNG-ready image:
 * the consistency scatter (f(x) against Σ_p R_p with the diagonal), histograms with a reference line at 0,
 * signed horizontal bar charts, and line plots (e.g. perturbation curves). Axis ticks use 1-2-5 steps
 * ({@link Ticks}). Pure: no Node API.
 *
 * @example
 * const scene = Plot.scatter({ x: outputs, y: totals }, { title: "z+ rule: conservation" });
 * const { svg, image } = Plot.render(scene);   // image is 840 × 800 px at the default pixel ratio 2
 * @module
 */
import type * as Image from "./Image.ts";
import * as Raster from "./Raster.ts";
import type * as Scene from "./Scene.ts";
import * as Svg from "./Svg.ts";

export { scatter, palette, type Series, type ScatterOptions } from "./Scatter.ts";
export { histogram, bin, type Bins, type BinOptions, type HistogramOptions } from "./Histogram.ts";
export { barChart, type Bar, type BarChartOptions } from "./BarChart.ts";
export { lines, linePalette, type LineSeries, type LinesOptions, type LegendCorner } from "./Lines.ts";

/** The SVG document of a plot. */
export const toSvg = (scene: Scene.Scene): string => Svg.toSvg(scene);

/** The plot rasterised at an integer pixel ratio (default 2: each unit becomes 2 × 2 pixels). */
export const toImage = (scene: Scene.Scene, pixelRatio = 2): Image.Image => Raster.rasterize(scene, pixelRatio);

/** Both renderings of a plot. */
export const render = (scene: Scene.Scene, pixelRatio = 2): { readonly svg: string; readonly image: Image.Image } => ({
  svg: toSvg(scene),
  image: toImage(scene, pixelRatio),
});
