/**
 * Scaling tabular feature columns, and the box they live in.
 *
 * Every column is mapped by an affine map fitted on the training rows only, x'_i = (x_i − shift_i) / scale_i:
 * - "minmax": shift_i = min_i, scale_i = max_i − min_i, so the training rows span [0, 1];
 * - "standard": the continuous columns get shift_i = mean_i, scale_i = standard deviation_i (z-scores, of either
 *   sign); binary columns (one-hot categories, flags: values 0 and 1) are left as they are.
 * A constant column gets scale 1 (it maps to 0 under "minmax").
 *
 * The input domain is the box of the training range, 𝓑 = {l ≤ x' ≤ h} with l_i, h_i the images of min_i and
 * max_i — binary columns always [0, 1], their whole domain {0, 1} — and rows transformed later (test rows) are
 * clipped into it. Both scalings put 0 inside the box (l ≤ 0 ≤ h: the minimum, or the mean, maps to 0), the
 * condition under which the zᵇ-rule's corner {l_i 1[w_ij > 0] + h_i 1[w_ij < 0]} is a root of every neuron with
 * b_j ≤ 0 (Montavon et al. 2017, Sec. 3, Proposition 3). Only "minmax" puts the box inside ℝ₊ᵈ, the z⁺-rule's
 * domain (Proposition 2): z-scores are negative below the mean.
 * @module
 */

/** How the columns are scaled. */
export type Scaling = "minmax" | "standard";
export const SCALINGS: readonly Scaling[] = ["minmax", "standard"];

/** A fitted scaling: the affine map of every column and the box of the scaled values. */
export interface Scaler {
  readonly scaling: Scaling;
  readonly shift: Float64Array;
  readonly scale: Float64Array;
  /** The training range in raw units: rows are clipped into [min_i, max_i] before they are scaled. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** The box 𝓑 in scaled units: low_i ≤ 0 ≤ high_i. */
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/** What to fit: x, an n × d row-major matrix of finite values (n, d ≥ 1), and which of its d columns are binary. */
export interface FitInput {
  readonly scaling: Scaling;
  readonly x: Float64Array;
  readonly n: number;
  readonly binary: readonly boolean[];
}

/** Fits a scaling on the training rows. */
export const fit = ({ scaling, x, n, binary }: FitInput): Scaler => {
  const d = binary.length;
  if (n < 1 || d < 1 || x.length !== n * d) {
    throw new RangeError(`fit scaling: expected an n×d matrix with n, d ≥ 1 and ${n}×${d} values, found n=${n}, d=${d}, ${x.length} values`);
  }
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j]!;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
      mean[j]! += v / n;
    }
  }
  const shift = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  const low = new Float64Array(d);
  const high = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    if (binary[j]!) {
      // A 0/1 column's domain is {0, 1}, whatever the training rows happened to hold: clip to it, scale nothing.
      min[j] = 0;
      max[j] = 1;
    }
    if (scaling === "minmax") {
      shift[j] = min[j]!;
      scale[j] = max[j]! > min[j]! ? max[j]! - min[j]! : 1;
    } else if (!binary[j]!) {
      let ss = 0;
      for (let r = 0; r < n; r++) ss += (x[r * d + j]! - mean[j]!) ** 2;
      const sd = Math.sqrt(ss / n);
      shift[j] = mean[j]!;
      scale[j] = sd > 0 ? sd : 1;
    }
    low[j] = (min[j]! - shift[j]!) / scale[j]!;
    high[j] = (max[j]! - shift[j]!) / scale[j]!;
  }
  return { scaling, shift, scale, min, max, low, high };
};

/** Scales an n × d matrix (n = x.length / d) into a new array: each value clipped to its column's range, then mapped. */
export const transform = (s: Scaler, x: Float64Array): Float64Array => {
  const d = s.shift.length;
  if (x.length % d !== 0) throw new RangeError(`transform: expected a multiple of ${d} values (d = ${d} columns), found ${x.length}`);
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const j = k % d;
    const v = Math.min(Math.max(x[k]!, s.min[j]!), s.max[j]!);
    out[k] = (v - s.shift[j]!) / s.scale[j]!;
  }
  return out;
};

