/**
 * RGBA colours with 8-bit channels, and the handful of named colours the plots use.
 * @module
 */
import { invalid } from "./VizError.ts";

/** A colour: red, green, blue and alpha, each an integer in [0, 255] (alpha 255 = opaque). */
export interface Color {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

const channel = (op: string, name: string, v: number): number => {
  if (!Number.isFinite(v) || v < 0 || v > 255) invalid(op, `channel ${name} in [0, 255]`, String(v));
  return Math.round(v);
};

/** An opaque colour (channels are rounded to integers; out-of-range channels throw). */
export const rgb = (r: number, g: number, b: number): Color => rgba(r, g, b, 255);

/** A colour with alpha (channels are rounded to integers; out-of-range channels throw). */
export const rgba = (r: number, g: number, b: number, a: number): Color => ({
  r: channel("Color.rgba", "r", r),
  g: channel("Color.rgba", "g", g),
  b: channel("Color.rgba", "b", b),
  a: channel("Color.rgba", "a", a),
});

/** The same colour with alpha replaced. */
export const withAlpha = (c: Color, a: number): Color => rgba(c.r, c.g, c.b, a);

/** The colour with its red and blue channels exchanged (turns the positive side of a diverging map into the negative). */
export const swapRedBlue = (c: Color): Color => ({ r: c.b, g: c.g, b: c.r, a: c.a });

/** True when both colours have the same four channels. */
export const equals = (x: Color, y: Color): boolean => x.r === y.r && x.g === y.g && x.b === y.b && x.a === y.a;

/** `#rrggbb` (alpha is dropped; SVG writers emit it separately as an opacity). */
export const toHex = (c: Color): string => `#${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;

/** Relative luminance-like gray level in [0, 1] (ITU-R BT.601 weights 0.299, 0.587, 0.114). */
export const luma = (c: Color): number => (0.299 * c.r + 0.587 * c.g + 0.114 * c.b) / 255;

export const white: Color = { r: 255, g: 255, b: 255, a: 255 };
export const black: Color = { r: 0, g: 0, b: 0, a: 255 };
export const transparent: Color = { r: 0, g: 0, b: 0, a: 0 };
/** Axis and text gray. */
export const darkGray: Color = { r: 64, g: 64, b: 64, a: 255 };
/** Frames around heatmaps, grid lines. */
export const lightGray: Color = { r: 200, g: 200, b: 200, a: 255 };
/** The positive-relevance red of the diverging map at half scale. */
export const red: Color = { r: 255, g: 0, b: 0, a: 255 };
/** The negative-relevance blue of the diverging map at half scale. */
export const blue: Color = { r: 0, g: 0, b: 255, a: 255 };
/** A muted blue for neutral marks (scatter points, histogram bars). */
export const steel: Color = { r: 52, g: 101, b: 164, a: 255 };
/** A muted orange for reference lines. */
export const orange: Color = { r: 230, g: 120, b: 20, a: 255 };
