/**
 * Resampling photos to a model's input size. `resize` is separable with a triangle (bilinear) filter whose
 * support widens by the reduction factor when shrinking, so every source pixel contributes (no aliasing when a
 * 3000-pixel photo becomes 128 pixels); when enlarging it is plain bilinear interpolation at pixel centres.
 * `centerCrop` cuts the largest centred window of a given aspect ratio. Pure: no Node API.
 * @module
 */
import * as Image from "./Image.ts";
import { checkInt } from "./VizError.ts";

/** Per output index: the first source index and the normalised weights. */
interface Taps {
  readonly start: Int32Array;
  readonly weights: readonly Float64Array[];
}

const taps = (n: number, m: number): Taps => {
  const scale = n / m;
  const support = Math.max(1, scale);
  const start = new Int32Array(m);
  const weights: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const center = (j + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(center - support));
    const hi = Math.min(n - 1, Math.floor(center + support));
    const w = new Float64Array(Math.max(hi - lo + 1, 1));
    let sum = 0;
    for (let i = lo; i <= hi; i++) {
      const t = Math.max(0, 1 - Math.abs(i - center) / support);
      w[i - lo] = t;
      sum += t;
    }
    if (sum === 0) w[0] = 1;
    else for (let k = 0; k < w.length; k++) w[k]! /= sum;
    start[j] = hi >= lo ? lo : Math.min(Math.max(Math.round(center), 0), n - 1);
    weights.push(w);
  }
  return { start, weights };
};

/** The image resampled to `width × height` (RGBA, alpha resampled like the colours). */
export const resize = (img: Image.Image, width: number, height: number): Image.Image => {
  checkInt("Resample.resize", "width", width, 1);
  checkInt("Resample.resize", "height", height, 1);
  const tx = taps(img.width, width);
  const ty = taps(img.height, height);
  // Horizontal pass into float rows, then vertical into bytes.
  const mid = new Float64Array(4 * width * img.height);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < width; x++) {
      const w = tx.weights[x]!;
      const s0 = tx.start[x]!;
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * img.data[4 * (y * img.width + s0 + k) + c]!;
        mid[4 * (y * width + x) + c] = acc;
      }
    }
  const out = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    const w = ty.weights[y]!;
    const s0 = ty.start[y]!;
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * mid[4 * ((s0 + k) * width + x) + c]!;
        out[4 * (y * width + x) + c] = Math.round(acc);
      }
  }
  return { width, height, data: out };
};

/** The largest centred window of aspect `width : height` (e.g. square for a square model input). */
export const centerCrop = (img: Image.Image, width: number, height: number): Image.Image => {
  checkInt("Resample.centerCrop", "width", width, 1);
  checkInt("Resample.centerCrop", "height", height, 1);
  const w = Math.min(img.width, Math.floor((img.height * width) / height));
  const h = Math.min(img.height, Math.floor((img.width * height) / width));
  return Image.crop(img, Math.floor((img.width - w) / 2), Math.floor((img.height - h) / 2), w, h);
};
