/**
 * Relevance maps and input images as pictures.
 *
 * `relevance` draws R with the symmetric diverging map of {@link Colormap.seismic} (white 0, red +, blue −;
 * Montavon et al. 2017, Fig. 2): a multi-channel map is first summed over channels, R_p = Σ_c R_{c,p}, which
 * preserves conservation (Σ_p R_p is unchanged). `input` draws the input itself (grayscale, or RGB for 3 channels).
 * Both upscale by an integer factor with nearest neighbours so that each input pixel stays a crisp square.
 * Pure: no Node API.
 *
 * @example
 * const R = Tensor.of(values, [28, 56]);
 * const img = Heatmap.relevance(R, { upscale: 4 });     // 224 × 112 pixels
 * @module
 */
import * as Color from "./Color.ts";
import * as Colormap from "./Colormap.ts";
import * as Image from "./Image.ts";
import * as Font from "./Font.ts";
import { type Dims, type Field, sumChannels, toPlanes } from "./internal/field.ts";
import { checkInt, invalid } from "./VizError.ts";

export type { Field, Dims };

/** Options of {@link relevance}. */
export interface RelevanceOptions extends Dims {
  /** Symmetric scale s: ±s saturate. Default max_p |R_p| (1 for an all-zero map). */
  readonly scale?: number;
  /** Integer nearest-neighbour upscale factor (default 1). */
  readonly upscale?: number;
  /** The diverging map (default {@link Colormap.seismic}). */
  readonly colormap?: Colormap.Diverging;
}

/**
 * The heatmap of a relevance map R: shapes [H, W], [C, H, W] (summed over C), [1, C, H, W], or flat data with
 * `height` and `width`. Throws on non-finite values and mismatched sizes.
 */
export const relevance = (R: Field | ArrayLike<number>, opts: RelevanceOptions = {}): Image.Image => {
  const op = "Heatmap.relevance";
  const planes = toPlanes(op, R, opts);
  const factor = opts.upscale ?? 1;
  checkInt(op, "upscale", factor, 1);
  const map = planes.channels === 1 ? Float64Array.from(planes.data) : sumChannels(planes);
  const scale = opts.scale ?? Colormap.symmetricScale(map);
  Colormap.checkScale(op, scale);
  const cmap = opts.colormap ?? Colormap.seismic;
  const img = Image.make(planes.width, planes.height);
  for (let i = 0; i < map.length; i++) {
    Image.setPixel(img, i % planes.width, Math.floor(i / planes.width), Colormap.diverging(cmap, map[i]!, scale));
  }
  return factor === 1 ? img : Image.upscale(img, factor);
};

/** Options of {@link input}. */
export interface InputOptions extends Dims {
  /** The value range [lo, hi] mapped to black…white (default [0, 1]). */
  readonly range?: readonly [number, number];
  /** Dark strokes on white instead of white on black (gray images only). */
  readonly invert?: boolean;
  /** Integer nearest-neighbour upscale factor (default 1). */
  readonly upscale?: number;
}

/**
 * The picture of an input x: 1 channel → grayscale (lo black, hi white, or inverted), 3 channels → RGB with each
 * channel mapped from [lo, hi] to [0, 255]. Values outside [lo, hi] are clamped.
 */
export const input = (x: Field | ArrayLike<number>, opts: InputOptions = {}): Image.Image => {
  const op = "Heatmap.input";
  const planes = toPlanes(op, x, opts);
  const [lo, hi] = opts.range ?? [0, 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) invalid(op, "a finite range [lo, hi] with lo < hi", `[${lo}, ${hi}]`);
  const factor = opts.upscale ?? 1;
  checkInt(op, "upscale", factor, 1);
  if (planes.channels !== 1 && planes.channels !== 3) invalid(op, "1 (gray) or 3 (RGB) channels", `${planes.channels}`);
  const { width, height, data } = planes;
  const n = width * height;
  const img = Image.make(width, height);
  const level = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
  for (let i = 0; i < n; i++) {
    const c =
      planes.channels === 1
        ? Colormap.grayscale(data[i]!, lo, hi, opts.invert ?? false)
        : { r: level(data[i]!), g: level(data[n + i]!), b: level(data[2 * n + i]!), a: 255 };
    Image.setPixel(img, i % width, Math.floor(i / width), c);
  }
  return factor === 1 ? img : Image.upscale(img, factor);
};

/** Options of {@link colorbar}. */
export interface ColorbarOptions {
  /** Bar length in pixels (default 200). */
  readonly length?: number;
  /** Bar thickness in pixels (default 12). */
  readonly thickness?: number;
  /** Font scale of the labels (default 1). */
  readonly textScale?: number;
  readonly colormap?: Colormap.Diverging;
  /** How to print the scale (default 3 significant digits). */
  readonly format?: (v: number) => string;
}

/** A horizontal colour bar from −scale to +scale with the labels "−s", "0", "+s" under it, on white. */
export const colorbar = (scale: number, opts: ColorbarOptions = {}): Image.Image => {
  const op = "Heatmap.colorbar";
  Colormap.checkScale(op, scale);
  const length = opts.length ?? 200;
  const thick = opts.thickness ?? 12;
  const ts = opts.textScale ?? 1;
  checkInt(op, "length", length, 8);
  checkInt(op, "thickness", thick, 1);
  const cmap = opts.colormap ?? Colormap.seismic;
  const fmt = opts.format ?? ((v: number) => Number(v.toPrecision(3)).toString());
  const labels = [`-${fmt(scale)}`, "0", `+${fmt(scale)}`];
  const side = Math.ceil(Font.measure(labels[0]!, ts).width / 2);
  const img = Image.make(length + 2 * side + 2, thick + 2 + 4 + Font.measure("0", ts).height);
  for (let x = 0; x < length; x++) {
    const v = ((2 * x + 1) / length - 1) * scale;
    Image.fillRect(img, side + 1 + x, 1, 1, thick, Colormap.diverging(cmap, v, scale));
  }
  Image.strokeRect(img, side, 0, length + 2, thick + 2, Color.lightGray);
  const ty = thick + 6;
  Font.drawText(img, side + 1, ty, labels[0]!, Color.darkGray, ts, "middle");
  Font.drawText(img, side + 1 + length / 2, ty, labels[1]!, Color.darkGray, ts, "middle");
  Font.drawText(img, side + 1 + length, ty, labels[2]!, Color.darkGray, ts, "middle");
  return img;
};

/** Options of {@link overlay}. */
export interface OverlayOptions extends Dims {
  /** Symmetric scale s, as for {@link relevance} (default max_p |R_p|). */
  readonly scale?: number;
  /** Opacity of a saturated relevance colour over the picture (default 0.75). */
  readonly opacity?: number;
  readonly colormap?: Colormap.Diverging;
}

/**
 * The relevance map drawn over a picture of the same size: the picture in gray (so that the colours read as
 * relevance, not as the photo's own colours), then each pixel's relevance colour composited with opacity
 * `opacity·min(1, |R_p|/s)` — zero relevance leaves the photo visible, saturated relevance covers it.
 */
export const overlay = (picture: Image.Image, R: Field | ArrayLike<number>, opts: OverlayOptions = {}): Image.Image => {
  const op = "Heatmap.overlay";
  const planes = toPlanes(op, R, { height: picture.height, width: picture.width, ...opts });
  if (planes.width !== picture.width || planes.height !== picture.height) {
    invalid(op, `a relevance map of the picture's size ${picture.width}×${picture.height}`, `${planes.width}×${planes.height}`);
  }
  const map = planes.channels === 1 ? Float64Array.from(planes.data) : sumChannels(planes);
  const scale = opts.scale ?? Colormap.symmetricScale(map);
  Colormap.checkScale(op, scale);
  const opacity = opts.opacity ?? 0.75;
  if (!(opacity >= 0 && opacity <= 1)) invalid(op, "an opacity in [0, 1]", String(opacity));
  const cmap = opts.colormap ?? Colormap.seismic;
  const img = Image.make(picture.width, picture.height);
  const d = picture.data;
  for (let i = 0; i < map.length; i++) {
    const gray = Math.round(0.299 * d[4 * i]! + 0.587 * d[4 * i + 1]! + 0.114 * d[4 * i + 2]!);
    const x = i % picture.width;
    const y = Math.floor(i / picture.width);
    Image.setPixel(img, x, y, { r: gray, g: gray, b: gray, a: 255 });
    const c = Colormap.diverging(cmap, map[i]!, scale);
    Image.blendPixel(img, x, y, { ...c, a: Math.round(255 * opacity * Math.min(1, Math.abs(map[i]!) / scale)) });
  }
  return img;
};
