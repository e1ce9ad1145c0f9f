/**
 * Turning a picture back into a model input: RGBA pixels → a CHW tensor with values in [lo, hi].
 * Used by `dtd explain --input x.png` on image models. Pure: no Node API.
 * @module
 */
import type * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as Color from "./Color.ts";
import type * as Image from "./Image.ts";
import { invalid } from "./VizError.ts";

/** Options of {@link imageToInput}. */
export interface ImageToInputOptions {
  /** 1: gray (BT.601 luma 0.299 R + 0.587 G + 0.114 B); 3: R, G, B planes. */
  readonly channels: 1 | 3;
  /** The value a full-intensity channel maps to is hi, a zero channel lo: v = lo + (hi − lo)·c/255. */
  readonly range: readonly [number, number];
  /** Map 255 → lo and 0 → hi instead (dark-on-white scans to MNIST's white-on-black). Default false. */
  readonly invert?: boolean;
  /** Colour translucent pixels are composited over before conversion (default black, MNIST's background). */
  readonly background?: Color.Color;
}

/** The image as a float64 tensor of shape [channels, height, width] with values in [lo, hi]. */
export const imageToInput = (image: Image.Image, opts: ImageToInputOptions): T.Tensor<[number, number, number], "float64"> => {
  const [lo, hi] = opts.range;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) invalid("imageToInput", "a finite range [lo, hi] with lo < hi", `[${lo}, ${hi}]`);
  const C = opts.channels;
  if (C !== 1 && C !== 3) invalid("imageToInput", "channels 1 or 3", String(C));
  const bg = opts.background ?? Color.black;
  const n = image.width * image.height;
  const out = new Float64Array(C * n);
  const d = image.data;
  const level = (c: number): number => {
    const u = c / 255;
    return lo + (hi - lo) * (opts.invert ? 1 - u : u);
  };
  for (let i = 0; i < n; i++) {
    const a = d[4 * i + 3]! / 255;
    const r = a * d[4 * i]! + (1 - a) * bg.r;
    const g = a * d[4 * i + 1]! + (1 - a) * bg.g;
    const b = a * d[4 * i + 2]! + (1 - a) * bg.b;
    if (C === 1) {
      out[i] = level(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[i] = level(r);
      out[n + i] = level(g);
      out[2 * n + i] = level(b);
    }
  }
  return unsafeMake([C, image.height, image.width], out);
};
