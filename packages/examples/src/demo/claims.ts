/**
 * The deck's claims about the MNIST experiment ("Example MNIST: Heatmaps", Montavon et al. 2017, Fig. 2),
 * each checked against the numbers of one run — never assumed:
 *
 * 1. w², z⁺ and zᵇ are conservative on every sample (Σ_p R_p = f(x), Definition 1, to float64 rounding);
 * 2. w², z⁺ and zᵇ are positive on every sample (R_p ≥ 0, Definition 2);
 * 3. sensitivity analysis is positive but not conservative;
 * 4. simple Taylor decomposition is neither exactly conservative nor positive;
 * 5. z⁺ and zᵇ put most of the relevance on the 0–3 digit, not on the distractor.
 * Consistency uses @dtd/deep-taylor's rounding bound for the model's dtype and size: |Σ R − f| ≤ γ_n·(|f| + Σ|R|) + n·η
 * and R_p ≥ −(that bound) (docs/deep-taylor.md, "Rounding: the tolerance of the checks").
 * @module
 */
import type { Consistency } from "@dtd/deep-taylor";
import type { HalfShares } from "./halves.ts";
import type { Claim } from "../kit/index.ts";


/** What the claims are checked against, per method id. */
export interface ClaimInputs {
  readonly consistency: Readonly<Record<string, Consistency.DatasetConsistency>>;
  readonly halves: Readonly<Record<string, HalfShares>>;
  readonly titles: Readonly<Record<string, string>>;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const get = <V>(rec: Readonly<Record<string, V>>, id: string): V => {
  const v = rec[id];
  if (v === undefined) throw new Error(`claims: expected results for method "${id}", found none`);
  return v;
};

/** "w²-rule 100.0%, z⁺-rule 100.0%" for one property of several methods. */
const list = (ids: readonly string[], inputs: ClaimInputs, value: (c: Consistency.DatasetConsistency) => number): string =>
  ids.map((id) => `${get(inputs.titles, id)} ${pct(value(get(inputs.consistency, id)))}`).join(", ");

/** Checks the deck's claims on one run's numbers. */
export const checkClaims = (inputs: ClaimInputs): Claim[] => {
  const rules = ["w2", "zplus", "zb"] as const;
  const c = (id: string): Consistency.DatasetConsistency => get(inputs.consistency, id);
  const sens = c("sensitivity");
  const taylor = c("simpleTaylor");
  const onDigit = ["zplus", "zb"] as const;
  return [
    {
      statement: "w², z⁺ and zᵇ are conservative on every sample (Σ_p R_p = f(x) to float64 rounding)",
      holds: rules.every((id) => c(id).shareConservative === 1),
      evidence: `conservative samples: ${list(rules, inputs, (x) => x.shareConservative)}; largest |Σ R − f|: ${rules.map((id) => c(id).maxAbsConservationError.toExponential(2)).join(", ")}`,
    },
    {
      statement: "w², z⁺ and zᵇ are positive on every sample (R_p ≥ 0)",
      holds: rules.every((id) => c(id).sharePositive === 1),
      evidence: `positive samples: ${list(rules, inputs, (x) => x.sharePositive)}; most negative R_p: ${rules.map((id) => c(id).mostNegativeRelevance.toExponential(2)).join(", ")}`,
    },
    {
      statement: "sensitivity analysis is positive but not conservative",
      holds: sens.sharePositive === 1 && sens.shareConservative < 1,
      evidence: `positive on ${pct(sens.sharePositive)} of the samples, conservative on ${pct(sens.shareConservative)}; mean |Σ R − f| / f = ${sens.meanRelativeConservationError.toPrecision(3)}`,
    },
    {
      statement: "simple Taylor decomposition is neither exactly conservative nor positive",
      holds: taylor.shareConservative < 1 && taylor.sharePositive < 1,
      evidence: `conservative on ${pct(taylor.shareConservative)}, positive on ${pct(taylor.sharePositive)} of the samples; mean |Σ R − f| / f = ${taylor.meanRelativeConservationError.toPrecision(3)}, most negative R_p = ${taylor.mostNegativeRelevance.toPrecision(3)}`,
    },
    {
      statement: "z⁺ and zᵇ put most of the relevance on the 0–3 digit (positives)",
      holds: onDigit.every((id) => get(inputs.halves, id).target > 0.5),
      evidence: onDigit
        .map((id) => {
          const h = get(inputs.halves, id);
          return `${get(inputs.titles, id)}: ${pct(h.target)} on the 0–3 digit's half, ${pct(h.distractor)} on the distractor's (majority on the digit in ${h.majority} of ${h.samples} positives)`;
        })
        .join("; "),
    },
  ];
};
