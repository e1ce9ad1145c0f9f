/**
 * A photo as the input of an image model: cropped (optionally) and resampled to the model's H × W, its channels
 * taken in the model's order (RGB or BGR; gray by BT.601 luma for one channel), then normalised
 *   v = (p · pixelScale − mean_c) / std_c,
 * then put through the constant scaling an imported graph applied to its input (x' = v·s_c + o_c). The same
 * affine map sends the pixel range [0, 255] to the box the input can take, per unit: zᵇ's natural [l, h].
 * @module
 */
import { Image, Resample } from "@dtd/viz";
import type { ImportedInfo } from "./imported.ts";

/** How a photo becomes an input (the flags of `--image`). */
export interface PhotoPrep {
  /** "stretch" resamples the whole photo to H × W; "crop" cuts the largest centred H:W window first. */
  readonly resize: "stretch" | "crop";
  readonly channelOrder: "rgb" | "bgr";
  /** Pixel values p ∈ [0, 255] are multiplied by this first (default 1/255: values in [0, 1]). */
  readonly pixelScale: number;
  /** Per channel, or one value for all. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** The defaults: the whole photo, RGB, values in [0, 1]. */
export const defaultPrep: PhotoPrep = { resize: "stretch", channelOrder: "rgb", pixelScale: 1 / 255, mean: [0], std: [1] };

/** The input, the picture it came from at the input's size, and the box every unit lies in. */
export interface PhotoInput {
  /** Flat CHW values. */
  readonly x: Float64Array;
  /** The photo resampled to W × H (RGBA), for drawing. */
  readonly picture: Image.Image;
  /** Per unit: the values pixel 0 and pixel 255 map to, ordered (low ≤ high). */
  readonly low: Float64Array;
  readonly high: Float64Array;
}

const pick = (xs: readonly number[], c: number): number => xs[xs.length === 1 ? 0 : c]!;

/** The affine map of channel c: pixel p ↦ a·p + b (normalisation, then the imported model's own scaling). */
const affineOf = (prep: PhotoPrep, imported: ImportedInfo | undefined, c: number): { a: number; b: number } => {
  const s = pick(prep.std, c);
  let a = prep.pixelScale / s;
  let b = -pick(prep.mean, c) / s;
  const p = imported?.preprocessing;
  if (p !== undefined) {
    a *= pick(p.scale, c);
    b = b * pick(p.scale, c) + pick(p.offset, c);
  }
  return { a, b };
};

/** The photo as an input of shape [C, H, W] (C = 1 or 3). */
export const photoToInput = (photo: Image.Image, shape: readonly [number, number, number], prep: PhotoPrep, imported?: ImportedInfo): PhotoInput => {
  const [C, H, W] = shape;
  const framed = prep.resize === "crop" ? Resample.centerCrop(photo, W, H) : photo;
  const picture = Resample.resize(framed, W, H);
  const n = H * W;
  const x = new Float64Array(C * n);
  const low = new Float64Array(C * n);
  const high = new Float64Array(C * n);
  const d = picture.data;
  for (let c = 0; c < C; c++) {
    const { a, b } = affineOf(prep, imported, c);
    const source = C === 1 ? -1 : prep.channelOrder === "bgr" ? 2 - c : c;
    for (let i = 0; i < n; i++) {
      const p = source < 0 ? 0.299 * d[4 * i]! + 0.587 * d[4 * i + 1]! + 0.114 * d[4 * i + 2]! : d[4 * i + source]!;
      x[c * n + i] = a * p + b;
      low[c * n + i] = Math.min(b, a * 255 + b);
      high[c * n + i] = Math.max(b, a * 255 + b);
    }
  }
  return { x, picture, low, high };
};
