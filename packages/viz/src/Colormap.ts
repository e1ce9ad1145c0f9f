/**
 * Colour maps: piecewise-linear ramps, the diverging relevance map and the grayscale input map.
 *
 * The relevance map follows the heatmaps of the deep Taylor / LRP papers (Montavon et al. 2017, Fig. 2; the LRP
 * tutorials use matplotlib's "seismic"): R = 0 is white, positive relevance is red, negative relevance is blue,
 * and the scale is SYMMETRIC: with scale s (default max_p |R_p|) a pixel gets
 *
 *     u = min(|R_p| / s, 1),   colour = positive(u) if R_p ≥ 0, negative(u) otherwise,
 *
 * so +s and −s are equally saturated and a map's colours can be compared across the two signs. The ramps:
 *
 *     u:          0        1/2            1
 *     positive:   white → red (255,0,0) → dark red (128,0,0)
 *     negative:   white → blue (0,0,255) → dark blue (0,0,128)
 *
 * The negative ramp is the positive one with red and blue exchanged, and both are evaluated at the same u with
 * the same arithmetic, so colour(−R) is exactly colour(R) with r and b swapped.
 * Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import { invalid } from "./VizError.ts";

/** A colour at a position `u` of a ramp. */
export interface Stop {
  readonly u: number;
  readonly color: Color.Color;
}

/** A piecewise-linear ramp on [0, 1]: stops at strictly increasing positions, the first at 0 and the last at 1. */
export interface Ramp {
  readonly stops: readonly Stop[];
}

/** A diverging map: one ramp per sign, both starting at the colour of zero. */
export interface Diverging {
  readonly name: string;
  readonly positive: Ramp;
  readonly negative: Ramp;
}

/** A validated ramp. */
export const ramp = (stops: readonly Stop[]): Ramp => {
  const op = "Colormap.ramp";
  if (stops.length < 2) invalid(op, "at least 2 stops", `${stops.length}`);
  if (stops[0]!.u !== 0 || stops[stops.length - 1]!.u !== 1) {
    invalid(op, "stops starting at u = 0 and ending at u = 1", `u from ${stops[0]!.u} to ${stops[stops.length - 1]!.u}`);
  }
  for (let i = 1; i < stops.length; i++) {
    if (!(stops[i]!.u > stops[i - 1]!.u)) invalid(op, "strictly increasing stop positions", `u[${i - 1}] = ${stops[i - 1]!.u}, u[${i}] = ${stops[i]!.u}`);
  }
  return { stops };
};

/** u is snapped to multiples of 2^-20 (invisible in 8-bit colour) before interpolating. */
const QUANTUM = 2 ** 20;

/**
 * The ramp's colour at u (clamped to [0, 1]): linear interpolation between the two surrounding stops, channels
 * rounded to the nearest integer. u is first snapped to a multiple of 2^-20, so that a nominal position such as
 * R = 3s/4 (computed as 0.7500000000000001) is not pushed across a rounding tie by float noise.
 */
export const evalRamp = (r: Ramp, u: number): Color.Color => {
  const s = r.stops;
  const t = u <= 0 ? 0 : u >= 1 ? 1 : Math.round(u * QUANTUM) / QUANTUM;
  let i = 1;
  while (i < s.length - 1 && t > s[i]!.u) i++;
  const a = s[i - 1]!;
  const b = s[i]!;
  const f = (t - a.u) / (b.u - a.u);
  const lerp = (x: number, y: number): number => Math.round(x + (y - x) * f);
  return { r: lerp(a.color.r, b.color.r), g: lerp(a.color.g, b.color.g), b: lerp(a.color.b, b.color.b), a: lerp(a.color.a, b.color.a) };
};

/** A diverging map whose negative side mirrors `positive` with red and blue exchanged. */
export const mirrored = (name: string, positive: Ramp): Diverging => ({
  name,
  positive,
  negative: { stops: positive.stops.map((s) => ({ u: s.u, color: Color.swapRedBlue(s.color) })) },
});

/** The default relevance map (seismic-like): white → red → dark red, mirrored to white → blue → dark blue. */
export const seismic: Diverging = mirrored(
  "seismic",
  ramp([
    { u: 0, color: Color.white },
    { u: 0.5, color: Color.red },
    { u: 1, color: Color.rgb(128, 0, 0) },
  ]),
);

/** matplotlib "bwr": white → red for positive, white → blue for negative, no darkening. */
export const bwr: Diverging = mirrored("bwr", ramp([{ u: 0, color: Color.white }, { u: 1, color: Color.red }]));

/** Throws unless `scale` is finite and > 0. */
export const checkScale = (op: string, scale: number): void => {
  if (!Number.isFinite(scale) || scale <= 0) invalid(op, "a finite scale > 0", String(scale));
};

/** The colour of value `v` under a diverging map with symmetric scale `scale` (|v| ≥ scale saturates). */
export const diverging = (map: Diverging, v: number, scale: number): Color.Color => {
  const u = Math.abs(v) / scale;
  return evalRamp(v >= 0 ? map.positive : map.negative, u);
};

/**
 * The default symmetric scale of a map: max_p |R_p|, or 1 when every value is 0 (an all-zero map is drawn all
 * white rather than dividing by zero). Throws on a non-finite value, naming its index.
 */
export const symmetricScale = (values: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) invalid("Colormap.symmetricScale", "finite values", `${v} at index ${i}`);
    const a = Math.abs(v);
    if (a > m) m = a;
  }
  return m > 0 ? m : 1;
};

/** Black → white. */
export const grayRamp: Ramp = ramp([{ u: 0, color: Color.black }, { u: 1, color: Color.white }]);

/**
 * The gray level of an input value x in [lo, hi]: u = (x − lo)/(hi − lo) (clamped), lo → black and hi → white
 * (MNIST's convention: white strokes on black); `invert` gives dark strokes on white paper.
 */
export const grayscale = (x: number, lo: number, hi: number, invert = false): Color.Color => {
  const u = (x - lo) / (hi - lo);
  return evalRamp(grayRamp, invert ? 1 - u : u);
};
