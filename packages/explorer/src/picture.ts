/**
 * What the page paints: the heatmap of R in the deck's colours (@dtd/viz: white 0, red +, blue −, symmetric
 * scale max_p |R_p|), alone or over the input image, and the numbers as text. Pure (RGBA arrays in and out):
 * the page puts them on canvases, the tests read them in Node.
 * @module
 */
import { Colormap, Heatmap } from "@dtd/viz";
import type { ImageLayout } from "./layout.ts";

/** An RGBA raster, row-major, 4 bytes per pixel (what canvas ImageData holds). */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

const field = (R: Float64Array, layout: ImageLayout) => ({ shape: [layout.channels, layout.height, layout.width], data: R });

/** The heatmap of R (summed over channels), one pixel per input pixel. */
export const heatmap = (R: Float64Array, layout: ImageLayout): Rgba => {
  const img = Heatmap.relevance(field(R, layout));
  return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data) };
};

/**
 * The heatmap over the input: each pixel is the input's colour mixed with R's colour by u = |R_p| / max |R|
 * (so irrelevant pixels show the image, relevant ones the heatmap's red or blue).
 */
export const overlay = (input: Rgba, R: Float64Array, layout: ImageLayout): Rgba => {
  const n = layout.width * layout.height;
  const summed = new Float64Array(n);
  for (let c = 0; c < layout.channels; c++) for (let i = 0; i < n; i++) summed[i] = summed[i]! + R[c * n + i]!;
  const scale = Colormap.symmetricScale(summed);
  const out = new Uint8ClampedArray(4 * n);
  for (let i = 0; i < n; i++) {
    const u = Math.min(1, Math.abs(summed[i]!) / scale);
    const c = Colormap.diverging(Colormap.seismic, summed[i]!, scale);
    out[4 * i] = (1 - u) * input.data[4 * i]! + u * c.r;
    out[4 * i + 1] = (1 - u) * input.data[4 * i + 1]! + u * c.g;
    out[4 * i + 2] = (1 - u) * input.data[4 * i + 2]! + u * c.b;
    out[4 * i + 3] = 255;
  }
  return { width: layout.width, height: layout.height, data: out };
};

/** A number as the page shows it: 6 significant digits, exponent form for very small or large magnitudes. */
export const formatNumber = (v: number): string => {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
};
