/**
 * The deck's claims about deep networks (Section 4, "Application to Deep Networks"; Montavon et al. 2017,
 * Sec. 5), each checked against the numbers of one run on one network — never assumed:
 *
 * 1. "The training-free relevance model is consistent": its heatmaps (w² or zᵇ at the pixels, z⁺ above) are
 *    conservative and positive on every explained pair;
 * 2. "all but the first layer need to be decomposed using the z⁺-rule": every layer above the first is, and every
 *    root point of every rule is a root inside its domain (verifyRoots on a few pairs);
 * 3. "The min-max relevance model is due to the minimization only approximately consistent": positive, and
 *    conservative with respect to its own modelled R̂_k, so that its conservation error with respect to f(x) is the
 *    fit error R̂_k − f(x) — small, not zero: some pair is not conservative (the size is reported, not judged);
 * 4. the min-max model's bias a_j = min(0, Σ_l R_l v_lj + d_j) is ≤ 0, so the one-layer rules apply to it;
 * 5. both relevance models put most of the relevance on the 0–3 digit (as in the one-layer case, Fig. 2);
 * and Samek et al.'s finding on each relevance model (`samekClaim`).
 * Consistency uses @dtd/deep-taylor's rounding bound for the model's dtype and size (docs/deep-taylor.md).
 * @module
 */
import type { Consistency } from "@dtd/deep-taylor";
import { type Claim } from "../kit/index.ts";
import type { HalfShares } from "../demo/halves.ts";

/** What the claims are checked against. */
export interface DeepClaimInputs {
  /** Per method id. */
  readonly consistency: Readonly<Record<string, Consistency.DatasetConsistency>>;
  readonly halves: Readonly<Record<string, HalfShares>>;
  readonly titles: Readonly<Record<string, string>>;
  /** Per min-max method id: its heatmaps' consistency with respect to R̂_k (instead of f). */
  readonly modelled: Readonly<Record<string, Consistency.DatasetConsistency>>;
  /** Per min-max method id: the conservation error relative to the total score, Σ_n |Σ_p R_p − f(x_n)| / Σ_n f(x_n). */
  readonly fitError: Readonly<Record<string, number>>;
  /** The rule of every layer under the training-free model ("" for layers without weights). */
  readonly rules: readonly string[];
  /** verifyRoots under each training-free composite: violations found, pairs and neurons per layer checked. */
  readonly roots: { readonly violations: number; readonly active: number; readonly pairs: number; readonly neuronsPerLayer: number };
  /** The largest a_j of the min-max model over the explained pairs. */
  readonly maxBias: number;
}

/** Training-free and min-max methods by id. */
export const TRAINING_FREE = ["tf-w2", "tf-zb", "zplus"] as const;
export const MIN_MAX = ["mm-w2", "mm-zb"] as const;

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const get = <V>(rec: Readonly<Record<string, V>>, id: string): V => {
  const v = rec[id];
  if (v === undefined) throw new Error(`deep claims: expected results for method "${id}", found none`);
  return v;
};

/** Checks the deck's Section 4 claims on one network's numbers. */
export const checkDeepClaims = (inputs: DeepClaimInputs): Claim[] => {
  const c = (id: string): Consistency.DatasetConsistency => get(inputs.consistency, id);
  const title = (id: string): string => get(inputs.titles, id);
  const affine = inputs.rules.filter((r) => r !== "");
  const relevanceModels = [...TRAINING_FREE, ...MIN_MAX];
  return [
    {
      statement: "the training-free relevance model is consistent: conservative and positive on every explained pair",
      holds: TRAINING_FREE.every((id) => c(id).shareConsistent === 1),
      evidence: TRAINING_FREE.map((id) => `${title(id)}: consistent on ${pct(c(id).shareConsistent)}, largest |Σ R − f| ${c(id).maxAbsConservationError.toExponential(2)}, most negative R_p ${c(id).mostNegativeRelevance.toExponential(2)}`).join("; "),
    },
    {
      statement: "with the training-free model all layers but the first are decomposed with the z⁺-rule, and every root point is a root inside its domain",
      holds: affine.length >= 2 && affine.slice(1).every((r) => r === "zplus") && inputs.roots.violations === 0 && inputs.roots.active > 0,
      evidence: `rules by layer (dense/conv2d): ${affine.join(", ")}; verifyRoots on ${inputs.roots.pairs} pairs (up to ${inputs.roots.neuronsPerLayer} neurons per layer, w² and zᵇ composites): ${inputs.roots.active} active neurons, ${inputs.roots.violations} violations`,
    },
    {
      statement: "the min-max relevance model is only approximately consistent: positive and conservative w.r.t. its modelled R̂_k, so its error w.r.t. f(x) is the fit error R̂_k − f(x), not zero on every pair",
      holds: MIN_MAX.every((id) => {
        const m = c(id);
        return m.sharePositive === 1 && get(inputs.modelled, id).shareConservative === 1 && m.shareConservative < 1;
      }),
      evidence: MIN_MAX.map((id) => {
        const m = c(id);
        return `${title(id)}: positive on ${pct(m.sharePositive)}, conservative w.r.t. R̂_k on ${pct(get(inputs.modelled, id).shareConservative)}, w.r.t. f on ${pct(m.shareConservative)}; Σ_n |Σ R − f| / Σ_n f = ${pct(get(inputs.fitError, id))}, largest |Σ R − f| = ${m.maxAbsConservationError.toPrecision(3)}`;
      }).join("; "),
    },
    {
      statement: "the min-max model's bias a_j = min(0, Σ_l R_l v_lj + d_j) is ≤ 0 on every pair, so the one-layer rules apply to it",
      holds: inputs.maxBias <= 0,
      evidence: `largest a_j over the explained pairs: ${inputs.maxBias === 0 ? "0" : inputs.maxBias.toPrecision(3)}`,
    },
    {
      statement: "both relevance models put most of the relevance on the 0–3 digit (positives)",
      holds: relevanceModels.every((id) => get(inputs.halves, id).target > 0.5),
      evidence: relevanceModels
        .map((id) => {
          const h = get(inputs.halves, id);
          return `${title(id)} ${pct(h.target)} (majority on the digit in ${h.majority} of ${h.samples})`;
        })
        .join("; "),
    },
  ];
};
