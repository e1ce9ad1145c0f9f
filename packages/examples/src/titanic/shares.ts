/**
 * The deck's "Relevance Distribution on the Titanic Dataset": which features a survival score rests on, over a
 * data set. For one passenger with f(x) > 0 and a conservative heatmap (Σ_i R_i = f(x)), the share of feature i
 * is R_i / f(x); the data set's share is its mean over the passengers, in %. Passengers with f(x) = 0 carry no
 * relevance at all (every R_i = 0) and are left out of the mean; their number is reported.
 * @module
 */

/** Mean relevance share per feature (in %) over the passengers with f > 0. */
export interface FeatureShares {
  /** sharePercent[i]: mean over passengers of 100·R_i / f(x). */
  readonly sharePercent: readonly number[];
  /** Mean relevance per feature (not normalised), over the same passengers. */
  readonly meanRelevance: readonly number[];
  /** Passengers in the mean (f > 0). */
  readonly passengers: number;
  /** Passengers left out (f = 0). */
  readonly silent: number;
}

/** The shares of heatmaps R (n × d, row-major) with scores f (n). */
export const featureShares = (f: ArrayLike<number>, R: ArrayLike<number>, d: number): FeatureShares => {
  const n = f.length;
  if (R.length !== n * d) throw new RangeError(`featureShares: expected ${n} × ${d} = ${n * d} relevances, found ${R.length}`);
  const share = new Array<number>(d).fill(0);
  const mean = new Array<number>(d).fill(0);
  let passengers = 0;
  for (let s = 0; s < n; s++) {
    const fx = f[s]!;
    if (!(fx > 0)) continue;
    passengers++;
    for (let i = 0; i < d; i++) {
      share[i]! += R[s * d + i]! / fx;
      mean[i]! += R[s * d + i]!;
    }
  }
  const k = Math.max(passengers, 1);
  return { sharePercent: share.map((v) => (100 * v) / k), meanRelevance: mean.map((v) => v / k), passengers, silent: n - passengers };
};

/**
 * The share of each variable: the sum of its features' shares (a category's one-hot columns, a value and its
 * missing flag). Conservation makes the sum meaningful: Σ_i R_i = f(x), so the shares of all variables add up
 * to 100 % as the features' do.
 */
export const variableShares = <V extends string>(
  features: readonly string[],
  sharePercent: readonly number[],
  variables: { readonly [K in V]: readonly string[] },
): { readonly [K in V]: number } => {
  const out = {} as { [K in V]: number };
  for (const v of Object.keys(variables) as V[]) {
    let sum = 0;
    for (const name of variables[v]) {
      const i = features.indexOf(name);
      if (i < 0) throw new RangeError(`variableShares: variable "${v}" names the feature "${name}", which is not among [${features.join(", ")}]`);
      sum += sharePercent[i]!;
    }
    out[v] = sum;
  }
  return out;
};
