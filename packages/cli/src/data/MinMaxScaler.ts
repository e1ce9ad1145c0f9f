/**
 * Min–max scaling of feature columns to [0, 1]:  x'_i = (x_i − min_i) / (max_i − min_i),
 * with min_i and max_i measured on the training rows only, so that nothing about the test rows leaks into the
 * model. Rows transformed later (test rows) are clipped to [0, 1]. A column that is constant on the training
 * rows (max_i = min_i) maps to 0.
 *
 * Inputs in [0, 1] matter for deep Taylor decomposition: the z^B-rule needs a bounded input space
 * B = {x : l_i ≤ x_i ≤ h_i} with l_i ≤ 0 ≤ h_i (Montavon et al. 2017), and [0, 1] is such a box (l = 0, h = 1).
 * @module
 */

/** Per-column minimum and maximum of the rows the scaler was fitted on. */
export interface MinMaxScaler {
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/** Fits a scaler on `x`, an n × d row-major matrix (n ≥ 1). */
export const fit = (x: Float64Array, n: number, d: number): MinMaxScaler => {
  if (n < 1 || d < 1 || x.length !== n * d) {
    throw new RangeError(`MinMaxScaler.fit: expected an n×d matrix with n, d ≥ 1 and ${n}×${d} values, found n=${n}, d=${d}, ${x.length} values`);
  }
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j]!;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  return { min, max };
};

/** Scales an n × d matrix (n = x.length / d) into a new array, clipping to [0, 1]. */
export const transform = (scaler: MinMaxScaler, x: Float64Array): Float64Array => {
  const d = scaler.min.length;
  if (x.length % d !== 0) {
    throw new RangeError(`MinMaxScaler.transform: expected a multiple of ${d} values (d = ${d} columns), found ${x.length}`);
  }
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const j = k % d;
    const lo = scaler.min[j]!;
    const range = scaler.max[j]! - lo;
    const v = range > 0 ? (x[k]! - lo) / range : 0;
    out[k] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
};

/** Maps scaled values back to raw units (the inverse of {@link transform} on unclipped values). */
export const inverse = (scaler: MinMaxScaler, x: Float64Array): Float64Array => {
  const d = scaler.min.length;
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const j = k % d;
    out[k] = scaler.min[j]! + x[k]! * (scaler.max[j]! - scaler.min[j]!);
  }
  return out;
};
