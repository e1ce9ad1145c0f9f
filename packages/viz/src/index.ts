/**
 * @dtd/viz — pictures of relevance: heatmaps of relevance maps (white 0, red +, blue −, symmetric scale), input
 * images, labelled grids of them, and plots of explanation results (the consistency scatter, histograms, bar
 * charts) as SVG and PNG. Everything here is pure and runs in a browser; the Node codecs are separate
 * entry points: `@dtd/viz/png` (reading and writing PNG files, pngjs) and `@dtd/viz/photo` (PNG or JPEG bytes).
 *
 * Import as namespaces: `import { Heatmap, Grid } from "@dtd/viz"`, and `import * as Png from "@dtd/viz/png"`.
 * @module
 */
export * as Color from "./Color.ts";
export * as Image from "./Image.ts";
export * as Colormap from "./Colormap.ts";
export * as Heatmap from "./Heatmap.ts";
export * as Font from "./Font.ts";
export * as Grid from "./Grid.ts";
export * as Ticks from "./Ticks.ts";
export * as Scene from "./Scene.ts";
export * as Svg from "./Svg.ts";
export * as Raster from "./Raster.ts";
export * as Plot from "./Plot.ts";
export * as Resample from "./Resample.ts";
export * as ImageHeader from "./imageHeader.ts";
export * as VizError from "./VizError.ts";
export { imageToInput, type ImageToInputOptions } from "./imageToInput.ts";
export type { Field } from "./internal/field.ts";
