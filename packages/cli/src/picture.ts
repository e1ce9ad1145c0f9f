/**
 * The picture that `--png` writes (with @dtd/viz), chosen by the model's input shape:
 * - images ([C, H, W] or [H, W]): the input beside its heatmap (white 0, red +, blue −, symmetric scale), both
 *   upscaled with nearest neighbours to about 224 pixels on the long side; for C ≠ 1, 3 the input cannot be
 *   drawn and the heatmap (summed over channels) stands alone;
 * - vectors of at most {@link MAX_BARS} features: a signed bar chart, one bar per feature (x0, x1, …, or the
 *   feature names when the model file has them);
 * - longer vectors and other shapes: a 1 × d strip heatmap of the flat relevance, 16 pixels tall.
 * @module
 */
import * as T from "@dtd/tensor";
import { Grid, Heatmap, Image, Plot } from "@dtd/viz";

/** Vectors up to this length are drawn as bar charts. */
export const MAX_BARS = 64;

/** What to draw. */
export interface PictureInput {
  readonly inputShape: readonly number[];
  /** The sample, flat in the input layout. */
  readonly x: ArrayLike<number>;
  /** Its relevance, flat in the same layout. */
  readonly R: ArrayLike<number>;
  readonly title: string;
  /** Names of the features of a vector input (optional). */
  readonly featureNames?: readonly string[];
  /** For a photo input (--image): the photo at the input's size, drawn instead of x and under the overlay. */
  readonly photo?: Image.Image;
}

const upscaleFor = (h: number, w: number): number => Math.min(16, Math.max(1, Math.floor(224 / Math.max(h, w))));

/** The input's value range for drawing: [0, 1] unless the values leave it. */
const rangeOf = (x: ArrayLike<number>): [number, number] => {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < x.length; i++) {
    lo = Math.min(lo, x[i]!);
    hi = Math.max(hi, x[i]!);
  }
  return [lo, hi];
};

const image = (p: PictureInput, C: number, H: number, W: number): Image.Image => {
  const upscale = upscaleFor(H, W);
  const field = (data: ArrayLike<number>): T.Tensor => T.of(data, [C, H, W]);
  const heat = Heatmap.relevance(field(p.R), { upscale });
  if (p.photo !== undefined) {
    // The photo as the model saw it, the heatmap beside it, and the heatmap over it (at least twice the size).
    const k = Math.max(2, upscale);
    const photo = Image.upscale(p.photo, k);
    const over = Image.upscale(Heatmap.overlay(p.photo, field(p.R)), k);
    return Grid.grid([[photo, Heatmap.relevance(field(p.R), { upscale: k }), over]], { title: p.title, columnTitles: ["photo", "relevance", "over the photo"], textScale: 1 });
  }
  const drawable = C === 1 || C === 3;
  const cells = drawable ? [Heatmap.input(field(p.x), { upscale, range: rangeOf(p.x) }), heat] : [heat];
  return Grid.grid([cells], { title: p.title, columnTitles: drawable ? ["input", "relevance"] : ["relevance (sum over channels)"], textScale: 1 });
};

const bars = (p: PictureInput): Image.Image => {
  const data = Array.from(p.R, (value, i) => ({ label: p.featureNames?.[i] ?? `x${i}`, value }));
  return Plot.toImage(Plot.barChart(data, { title: p.title, xLabel: "relevance R_i" }));
};

const strip = (p: PictureInput): Image.Image => {
  const d = p.R.length;
  const rows = 16;
  const data = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) for (let i = 0; i < d; i++) data[r * d + i] = p.R[i]!;
  const heat = Heatmap.relevance(data, { height: rows, width: d, upscale: Math.max(1, Math.floor(512 / d)) });
  return Grid.grid([[heat]], { title: p.title, columnTitles: [`relevance of ${d} input units, flat`], textScale: 1 });
};

/** The picture of one explanation. */
export const picture = (p: PictureInput): Image.Image => {
  const s = p.inputShape;
  if (s.length === 3) return image(p, s[0]!, s[1]!, s[2]!);
  if (s.length === 2) return image(p, 1, s[0]!, s[1]!);
  if (s.length === 1 && s[0]! <= MAX_BARS) return bars(p);
  return strip(p);
};
