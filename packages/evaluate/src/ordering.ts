/**
 * The order in which region perturbation removes the regions of one sample (Samek et al. 2017, Sec. III):
 *
 * - `morf`, most relevant first: regions by decreasing relevance R_r — a heatmap that finds what the model uses
 *   makes f fall fast, so the area over the curve (AOPC) is large;
 * - `lerf`, least relevant first: regions by increasing relevance — a good heatmap keeps f high for long;
 * - `random`: a seeded uniform permutation, independent of the heatmap: the floor every heatmap must beat.
 *
 * Ties are broken by the region index (the lower first, for both morf and lerf), so an order is a function of
 * the relevance values alone: no platform- or sort-dependent results.
 * @module
 */
import * as T from "@dtd/tensor";
import { streamFor } from "./internal/streams.ts";

/** The orderings. */
export const ORDERINGS = ["morf", "lerf", "random"] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** Readable names, for reports. */
export const orderingNames: { readonly [O in Ordering]: string } = {
  morf: "most relevant first (MoRF)",
  lerf: "least relevant first (LeRF)",
  random: "random order",
};

/** The regions of sample `n` in the order `ordering` gives them (R: the relevance per region; seed: for random). */
export const regionOrder = (ordering: Ordering, R: Float64Array, opts: { readonly seed: number; readonly sample: number }): Int32Array => {
  const count = R.length;
  if (ordering === "random") return T.Random.permutation(streamFor(opts.seed, "order", opts.sample), count);
  const idx = Array.from({ length: count }, (_, r) => r);
  const sign = ordering === "morf" ? -1 : 1;
  idx.sort((a, b) => sign * (R[a]! - R[b]!) || a - b);
  return Int32Array.from(idx);
};
