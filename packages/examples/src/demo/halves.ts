/**
 * Where the relevance of a positive pair lands: on the half of the 28×56 image that holds the 0–3 digit, or on
 * the half with the distracting 4–9 digit. A good explanation of "a 0–3 digit is present" puts it on the former
 * (Montavon et al. 2017, Fig. 2: the heatmaps highlight the target digit and ignore the distractor).
 *
 * The share of a half is measured on |R| — Σ_{p ∈ half} |R_p| / Σ_p |R_p| — so that it is a share in [0, 1] for
 * every method, also for those whose maps have negative values (for a positive map it is the plain share).
 * @module
 */
import type * as T from "@dtd/tensor";
import { PAIR_HEIGHT, PAIR_PIXELS, PAIR_WIDTH, type PairMeta } from "@dtd/datasets";

/** The share of |R| on the target's half of one sample (offset `n` in a batch), or undefined if R = 0 there. */
export const targetShare = (R: T.Tensor, n: number, side: "left" | "right"): number | undefined => {
  const base = n * PAIR_PIXELS;
  const half = PAIR_WIDTH / 2;
  let target = 0;
  let total = 0;
  for (let r = 0; r < PAIR_HEIGHT; r++) {
    for (let c = 0; c < PAIR_WIDTH; c++) {
      const a = Math.abs(R.data[base + r * PAIR_WIDTH + c]!);
      total += a;
      if (c < half === (side === "left")) target += a;
    }
  }
  return total > 0 ? target / total : undefined;
};

/** Mean share of |R| on the 0–3 digit's half over the positives (those with some relevance). */
export interface HalfShares {
  /** Mean over positives of the share on the 0–3 digit's half. */
  readonly target: number;
  /** 1 − target: the mean share on the distractor's half. */
  readonly distractor: number;
  /** Positives with some relevance (the mean's denominator). */
  readonly samples: number;
  /** Positives whose target half holds more than half of |R|. */
  readonly majority: number;
}

/** The half shares of heatmaps R [N, 1568] over the positives among `meta`. */
export const halfShares = (R: T.Tensor, meta: readonly PairMeta[]): HalfShares => {
  let sum = 0;
  let samples = 0;
  let majority = 0;
  meta.forEach((m, n) => {
    if (m.label !== 1 || m.side === null) return;
    const s = targetShare(R, n, m.side);
    if (s === undefined) return;
    sum += s;
    samples++;
    if (s > 0.5) majority++;
  });
  const target = samples === 0 ? NaN : sum / samples;
  return { target, distractor: 1 - target, samples, majority };
};
