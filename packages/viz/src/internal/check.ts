/** Argument checks shared by the plots. @module */
import { checkInt, invalid } from "../VizError.ts";

/** Throws unless every value is finite, naming the first offender. */
export const finite = (op: string, what: string, values: ArrayLike<number>): void => {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) invalid(op, `finite ${what}`, `${values[i]} at index ${i}`);
  }
};

/** Min and max of the values ([+∞, −∞] when empty). */
export const extent = (values: ArrayLike<number>): [number, number] => {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
};

/** Plot size in units; checked to leave room for a frame. */
export const size = (op: string, width: number, height: number): void => {
  checkInt(op, "width", width, 120);
  checkInt(op, "height", height, 100);
};

/**
 * The common domain of x/y series, checking each: as many y values as x values, all finite. [+∞, −∞, +∞, −∞] when
 * there are no points.
 */
export const seriesExtent = (op: string, series: readonly { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> }[]): [number, number, number, number] => {
  let [xlo, xhi, ylo, yhi] = [Infinity, -Infinity, Infinity, -Infinity];
  series.forEach((s, k) => {
    if (s.x.length !== s.y.length) invalid(op, `series ${k} with as many y values as x values (${s.x.length})`, `${s.y.length}`);
    finite(op, `x values in series ${k}`, s.x);
    finite(op, `y values in series ${k}`, s.y);
    const [a, b] = extent(s.x);
    const [c, d] = extent(s.y);
    [xlo, xhi, ylo, yhi] = [Math.min(xlo, a), Math.max(xhi, b), Math.min(ylo, c), Math.max(yhi, d)];
  });
  return [xlo, xhi, ylo, yhi];
};
