/**
 * An RGBA raster image: `width × height` pixels, row-major, 4 bytes per pixel (r, g, b, a).
 *
 * Convention (canvas-like): functions named `set…`, `fill…`, `blit`, `blend…` draw INTO their first argument and
 * return nothing; every other function (`make`, `upscale`, `pad`, `rotateLeft`, `crop`) returns a new image and
 * leaves its inputs untouched. Drawing clips to the image silently (a mark half outside the image is drawn
 * half), because plots rely on it; sizes and factors are validated and throw a `VizException`.
 * Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import { checkInt, invalid } from "./VizError.ts";

/** An RGBA image; `data.length === 4 * width * height`. */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** A new image filled with `color` (default opaque white). */
export const make = (width: number, height: number, color: Color.Color = Color.white): Image => {
  checkInt("Image.make", "width", width, 0);
  checkInt("Image.make", "height", height, 0);
  const img: Image = { width, height, data: new Uint8ClampedArray(4 * width * height) };
  fill(img, color);
  return img;
};

/** Wraps RGBA bytes as an image, checking that the length is 4·width·height. */
export const fromRgba = (width: number, height: number, data: Uint8ClampedArray | Uint8Array): Image => {
  checkInt("Image.fromRgba", "width", width, 0);
  checkInt("Image.fromRgba", "height", height, 0);
  if (data.length !== 4 * width * height) {
    invalid("Image.fromRgba", `${4 * width * height} bytes (4 × ${width} × ${height})`, `${data.length} bytes`);
  }
  const bytes = data instanceof Uint8ClampedArray ? data : new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  return { width, height, data: bytes };
};

/** The colour at (x, y); throws outside the image. */
export const get = (img: Image, x: number, y: number): Color.Color => {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= img.width || y >= img.height) {
    invalid("Image.get", `integer coordinates inside ${img.width}×${img.height}`, `(${x}, ${y})`);
  }
  const o = 4 * (y * img.width + x);
  const d = img.data;
  return { r: d[o]!, g: d[o + 1]!, b: d[o + 2]!, a: d[o + 3]! };
};

/** Sets pixel (x, y) to `color` (coordinates are floored; outside the image nothing happens). */
export const setPixel = (img: Image, x: number, y: number, color: Color.Color): void => {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return;
  const o = 4 * (yi * img.width + xi);
  img.data[o] = color.r;
  img.data[o + 1] = color.g;
  img.data[o + 2] = color.b;
  img.data[o + 3] = color.a;
};

/**
 * Composites `color` over pixel (x, y) ("source over": out = αs·src + (1 − αs)·dst per channel, and
 * αout = αs + αd·(1 − αs)). An opaque colour simply replaces the pixel.
 */
export const blendPixel = (img: Image, x: number, y: number, color: Color.Color): void => {
  if (color.a === 255) return setPixel(img, x, y, color);
  if (color.a === 0) return;
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return;
  const o = 4 * (yi * img.width + xi);
  const d = img.data;
  const as = color.a / 255;
  const ad = d[o + 3]! / 255;
  const ao = as + ad * (1 - as);
  // Straight (non-premultiplied) alpha: weight the destination by its own alpha.
  d[o] = (color.r * as + d[o]! * ad * (1 - as)) / ao;
  d[o + 1] = (color.g * as + d[o + 1]! * ad * (1 - as)) / ao;
  d[o + 2] = (color.b * as + d[o + 2]! * ad * (1 - as)) / ao;
  d[o + 3] = ao * 255;
};

/** Fills the whole image with `color`. */
export const fill = (img: Image, color: Color.Color): void => {
  const d = img.data;
  for (let o = 0; o < d.length; o += 4) {
    d[o] = color.r;
    d[o + 1] = color.g;
    d[o + 2] = color.b;
    d[o + 3] = color.a;
  }
};

/** Fills the rectangle [x, x + w) × [y, y + h) (clipped; non-integer edges are rounded), blending if translucent. */
export const fillRect = (img: Image, x: number, y: number, w: number, h: number, color: Color.Color): void => {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) blendPixel(img, xx, yy, color);
};

/** Draws the 1-pixel outline of the rectangle [x, x + w) × [y, y + h) (clipped). */
export const strokeRect = (img: Image, x: number, y: number, w: number, h: number, color: Color.Color): void => {
  if (w <= 0 || h <= 0) return;
  fillRect(img, x, y, w, 1, color);
  fillRect(img, x, y + h - 1, w, 1, color);
  fillRect(img, x, y, 1, h, color);
  fillRect(img, x + w - 1, y, 1, h, color);
};

/**
 * Copies `src` into `dst` with its top-left corner at (x, y) (clipped). Mode "copy" overwrites pixels,
 * "over" composites `src` over `dst` using src alpha (transparent text images, translucent marks).
 */
export const blit = (dst: Image, src: Image, x: number, y: number, mode: "copy" | "over" = "copy"): void => {
  const ox = Math.round(x);
  const oy = Math.round(y);
  const sx0 = Math.max(0, -ox);
  const sy0 = Math.max(0, -oy);
  const sx1 = Math.min(src.width, dst.width - ox);
  const sy1 = Math.min(src.height, dst.height - oy);
  const s = src.data;
  for (let sy = sy0; sy < sy1; sy++) {
    if (mode === "copy") {
      const from = 4 * (sy * src.width + sx0);
      const to = 4 * (sy * src.width + sx1);
      if (to > from) dst.data.set(s.subarray(from, to), 4 * ((sy + oy) * dst.width + sx0 + ox));
      continue;
    }
    for (let sx = sx0; sx < sx1; sx++) {
      const o = 4 * (sy * src.width + sx);
      blendPixel(dst, sx + ox, sy + oy, { r: s[o]!, g: s[o + 1]!, b: s[o + 2]!, a: s[o + 3]! });
    }
  }
};

/** Nearest-neighbour upscaling by an integer factor ≥ 1: each pixel becomes a factor × factor block. */
export const upscale = (img: Image, factor: number): Image => {
  checkInt("Image.upscale", "factor", factor, 1);
  if (factor === 1) return { width: img.width, height: img.height, data: img.data.slice() };
  const W = img.width * factor;
  const out: Image = { width: W, height: img.height * factor, data: new Uint8ClampedArray(4 * W * img.height * factor) };
  const s = img.data;
  const d = out.data;
  for (let y = 0; y < out.height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < W; x++) {
      const so = 4 * (sy * img.width + Math.floor(x / factor));
      const o = 4 * (y * W + x);
      d[o] = s[so]!;
      d[o + 1] = s[so + 1]!;
      d[o + 2] = s[so + 2]!;
      d[o + 3] = s[so + 3]!;
    }
  }
  return out;
};

/** Padding widths in pixels. */
export interface Insets {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/** A larger image: `img` surrounded by `insets` (one number = the same on every side) of `color`. */
export const pad = (img: Image, insets: number | Insets, color: Color.Color = Color.white): Image => {
  const p = typeof insets === "number" ? { top: insets, right: insets, bottom: insets, left: insets } : insets;
  for (const side of ["top", "right", "bottom", "left"] as const) checkInt("Image.pad", side, p[side], 0);
  const out = make(img.width + p.left + p.right, img.height + p.top + p.bottom, color);
  blit(out, img, p.left, p.top);
  return out;
};

/** A copy of `img` with a `width`-pixel frame of `color` drawn around it (the image grows by 2·width). */
export const border = (img: Image, width: number, color: Color.Color = Color.lightGray): Image => pad(img, width, color);

/** The sub-image [x, x + w) × [y, y + h), which must lie inside `img`. */
export const crop = (img: Image, x: number, y: number, w: number, h: number): Image => {
  if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 0 || h < 0 || x + w > img.width || y + h > img.height) {
    invalid("Image.crop", `an integer rectangle inside ${img.width}×${img.height}`, `x ${x}, y ${y}, w ${w}, h ${h}`);
  }
  const out: Image = { width: w, height: h, data: new Uint8ClampedArray(4 * w * h) };
  for (let yy = 0; yy < h; yy++) out.data.set(img.data.subarray(4 * ((y + yy) * img.width + x), 4 * ((y + yy) * img.width + x + w)), 4 * yy * w);
  return out;
};

/** The image turned a quarter turn counter-clockwise (for text that reads upward along a y axis). */
export const rotateLeft = (img: Image): Image => {
  const out: Image = { width: img.height, height: img.width, data: new Uint8ClampedArray(img.data.length) };
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      // (x, y) → (y, W − 1 − x)
      const so = 4 * (y * img.width + x);
      const o = 4 * ((img.width - 1 - x) * out.width + y);
      for (let c = 0; c < 4; c++) out.data[o + c] = img.data[so + c]!;
    }
  }
  return out;
};

/** Number of pixels satisfying `pred` inside the rectangle [x, x + w) × [y, y + h) (clipped). For tests and checks. */
export const countPixels = (img: Image, pred: (c: Color.Color) => boolean, x = 0, y = 0, w = img.width, h = img.height): number => {
  let n = 0;
  for (let yy = Math.max(0, y); yy < Math.min(img.height, y + h); yy++) {
    for (let xx = Math.max(0, x); xx < Math.min(img.width, x + w); xx++) if (pred(get(img, xx, yy))) n++;
  }
  return n;
};
