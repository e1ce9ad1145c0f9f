/**
 * The deck's three root-point strategies, each a few lines of data (Montavon et al. 2017, Sec. 3).
 * Their rules are derived by `deriveRule`; nothing else in the package special-cases them.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { Domain, type Bound } from "@dtd/layers";
import { constantInput, everyWeight, input, signMask, split, type Strategy, term, weightItself } from "./Strategy.ts";

/**
 * w²-rule, 𝒳 = ℝᵈ: v_ij = w_ij (the gradient of R_j), so R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j.
 * The root is the nearest in the Euclidean sense; no segment bound, no bias condition.
 */
export const w2: Strategy = {
  name: "w2",
  domain: Domain.real,
  direction: split(term("1", constantInput(1), weightItself)),
  segment: Infinity,
  requiresNonPositiveBias: false,
};

/**
 * z⁺-rule, 𝒳 = ℝ₊ᵈ: search on the segment ({x_i 1[w_ij < 0]}, {x_i}), v_ij = x_i 1[w_ij ≥ 0], so
 * R_i = Σ_j x_i w_ij⁺ / Σ_i' x_i' w_i'j⁺ · R_j (Proposition 2: consistent for x ∈ ℝ₊ᵈ and b ≤ 0).
 */
export const zPlus: Strategy = {
  name: "zplus",
  domain: Domain.nonNegative,
  direction: split(term("x", input, signMask(1, 0, 1))),
  segment: 1,
  requiresNonPositiveBias: true,
};

/**
 * zᵇ-rule, 𝒳 = 𝓑 = {l ≤ x ≤ h}, l ≤ 0 ≤ h: search on the segment ({l_i 1[w_ij > 0] + h_i 1[w_ij < 0]}, {x_i}),
 * v_ij = x_i − l_i 1[w_ij > 0] − h_i 1[w_ij < 0], so
 * R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i' (x_i' w_i'j − l_i' w_i'j⁺ − h_i' w_i'j⁻) · R_j (Proposition 3).
 * Bounds are numbers or tensors of the layer input's per-sample shape.
 */
export const zB = (low: Bound, high: Bound): E.Either<string, Strategy> => {
  // Proposition 3 needs the corner {l_i 1[w_ij > 0] + h_i 1[w_ij < 0]} to be a root whenever b_j ≤ 0: l ≤ 0 ≤ h.
  const lows = typeof low === "number" ? [low] : Array.from(low.data);
  const highs = typeof high === "number" ? [high] : Array.from(high.data);
  const badLow = lows.findIndex((l) => !(l <= 0) || !Number.isFinite(l));
  if (badLow >= 0) return E.left(`box: expected low ≤ 0 (finite) at every feature, found ${lows[badLow]} at feature ${badLow}`);
  const badHigh = highs.findIndex((h) => !(h >= 0) || !Number.isFinite(h));
  if (badHigh >= 0) return E.left(`box: expected high ≥ 0 (finite) at every feature, found ${highs[badHigh]} at feature ${badHigh}`);
  return E.map((domain: Domain.Domain): Strategy => {
    const negated = (b: Bound): number | T.Tensor => (typeof b === "number" ? -b : T.neg(b));
    return {
      name: "zb",
      domain,
      direction: split(
        term("x", input, everyWeight),
        term("-l", constantInput(negated(low)), signMask(1, 0, 0)),
        term("-h", constantInput(negated(high)), signMask(0, 1, 0)),
      ),
      segment: 1,
      requiresNonPositiveBias: true,
    };
  })(Domain.box(low, high));
};
