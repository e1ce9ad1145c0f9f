/**
 * Which deep Taylor rule suits tabular inputs, answered with one run's numbers (Montavon et al. 2017,
 * Propositions 1–3: each rule is consistent on its own input domain — w² on ℝᵈ, z⁺ on ℝ₊ᵈ, zᵇ on a box
 * l ≤ x ≤ h with l ≤ 0 ≤ h — for a detection-pooling network with b ≤ 0). Every claim is checked, never assumed:
 *
 * 1. the inputs lie in ℝ₊ᵈ (z⁺'s domain) — true for min–max scaled features, false for z-scores;
 * 2. they lie in the data's box 𝓑 with l ≤ 0 ≤ h (zᵇ's domain) — true for both scalings;
 * 3. every bias is ≤ 0;
 * 4. each rule's explanations are consistent (conservative and positive);
 * 5. each rule's root points are roots on its segment and inside the data's box — a passenger the data allows;
 * 6. z⁺ credits no absent category (a one-hot or flag feature at 0): its term is x_i w_ij⁺ = 0 there;
 * 7. zᵇ does: its term (h_i − x_i)·|w_ij⁻| credits an absent category that speaks against survival.
 * @module
 */
import type { Consistency } from "@dtd/deep-taylor";
import type * as DT from "@dtd/deep-taylor";
import { type Claim } from "../kit/index.ts";
import { RULE_IDS, RULE_NAMES, type FeatureBox, type RuleId } from "./rules.ts";

/** What one rule found on the test passengers. */
export interface RuleEvidence {
  readonly consistency: Consistency.DatasetConsistency;
  /** Violated preconditions the lenient explanation recorded (the first per passenger and layer). */
  readonly warnings: number;
  readonly roots: DT.RootVerification;
  /** Relevance on absent categories, in % of f(x) averaged over the passengers with f(x) > 0 (see {@link absentShares}). */
  readonly absent: AbsentShares;
}

/** What the claims are checked against. */
export interface ClaimInputs {
  readonly features: readonly string[];
  /** The test inputs, n × d, scaled. */
  readonly x: Float64Array;
  readonly box: FeatureBox;
  /** Which features are binary (0 or 1). */
  readonly binary: readonly boolean[];
  /** Every bias of the network's affine layers. */
  readonly biases: readonly number[];
  readonly rules: { readonly [K in RuleId]: RuleEvidence };
}

/** Relevance on binary features at 0 ("absent"): in total and per feature, in % of f(x), mean over passengers with f(x) > 0. */
export interface AbsentShares {
  readonly total: number;
  readonly perFeature: readonly number[];
}

/** The mean over passengers with f > 0 of R_i / f(x) restricted to binary features i with x_i = 0, in %. */
export const absentShares = (f: ArrayLike<number>, R: ArrayLike<number>, x: ArrayLike<number>, binary: readonly boolean[]): AbsentShares => {
  const d = binary.length;
  const per = new Array<number>(d).fill(0);
  let passengers = 0;
  for (let s = 0; s < f.length; s++) {
    const fx = f[s]!;
    if (!(fx > 0)) continue;
    passengers++;
    for (let i = 0; i < d; i++) if (binary[i]! && x[s * d + i] === 0) per[i]! += R[s * d + i]! / fx;
  }
  const perFeature = per.map((v) => (100 * v) / Math.max(1, passengers));
  return { total: perFeature.reduce((a, b) => a + b, 0), perFeature };
};

const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;

/** "male 12.3 %, class_3 8.1 %": the features with the largest values. */
const largest = (features: readonly string[], values: readonly number[], k = 3): string =>
  features
    .map((name, i) => ({ name, v: values[i]! }))
    .filter((e) => e.v > 0)
    .sort((a, b) => b.v - a.v)
    .slice(0, k)
    .map((e) => `${e.name} ${e.v.toFixed(1)} %`)
    .join(", ") || "none";

/** The smallest value of an n × d matrix and its column. */
const smallest = (x: Float64Array, d: number): { readonly v: number; readonly column: number } => {
  let v = Infinity;
  let column = -1;
  for (let k = 0; k < x.length; k++) if (x[k]! < v) [v, column] = [x[k]!, k % d];
  return { v, column };
};

/** How many of the n rows hold at least one value below 0. */
const rowsWithNegative = (x: Float64Array, d: number): number => {
  let rows = 0;
  for (let s = 0; s * d < x.length; s++) if (x.subarray(s * d, (s + 1) * d).some((v) => v < 0)) rows++;
  return rows;
};

/** How many of the n rows leave the box. */
const rowsOutside = (x: Float64Array, box: FeatureBox): number => {
  const d = box.low.length;
  let rows = 0;
  for (let s = 0; s * d < x.length; s++) {
    for (let i = 0; i < d; i++) {
      const v = x[s * d + i]!;
      if (v < box.low[i]! || v > box.high[i]!) {
        rows++;
        break;
      }
    }
  }
  return rows;
};

/** "= 0 for every feature" or "from −3.12 to 0". */
const range = (v: Float64Array): string => {
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const show = (x: number): string => String(Number(x.toFixed(2)));
  return lo === hi ? `= ${show(lo)} for every feature` : `from ${show(lo)} to ${show(hi)}`;
};

/** "12 of 3450 active neurons: 3 not a root, 9 outside the box". */
const rootEvidence = (r: DT.RootVerification): string => {
  const bad = r.counts.notARoot + r.counts.noRootOnSegment + r.counts.outsideDomain;
  const parts = [
    r.counts.noRootOnSegment > 0 ? `${r.counts.noRootOnSegment} with no root on the search segment` : "",
    r.counts.notARoot > 0 ? `${r.counts.notARoot} whose point is not a root` : "",
    r.counts.outsideDomain > 0 ? `${r.counts.outsideDomain} whose root leaves the box` : "",
  ].filter((p) => p !== "");
  return `${bad} of ${r.active} active neurons violate it${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
};

/** Which claim a verdict is about. */
export type ClaimKey = "inPositiveOrthant" | "inBox" | "nonPositiveBias" | `consistent:${RuleId}` | `roots:${RuleId}` | "zplusSkipsAbsent" | "zbCreditsAbsent";

/** A claim with its key. */
export interface RuleClaim extends Claim {
  readonly key: ClaimKey;
}

/** Checks the claims of the module comment on one run's numbers. */
export const checkRuleClaims = (c: ClaimInputs): RuleClaim[] => {
  const d = c.features.length;
  const n = c.x.length / Math.max(1, d);
  const min = smallest(c.x, d);
  const negativeRows = rowsWithNegative(c.x, d);
  const outside = rowsOutside(c.x, c.box);
  const boxHoldsZero = c.box.low.every((l) => l <= 0) && c.box.high.every((h) => h >= 0);
  const maxBias = Math.max(...c.biases);
  const rule = (id: RuleId): RuleEvidence => c.rules[id];
  const absent = RULE_IDS.map((id) => `${RULE_NAMES[id].title} ${rule(id).absent.total.toFixed(1)} %`).join(", ");
  return [
    {
      key: "inPositiveOrthant",
      statement: "the inputs lie in ℝ₊ᵈ, the z⁺-rule's domain (Proposition 2)",
      holds: min.v >= 0,
      evidence: `smallest input ${min.v.toPrecision(3)} (${c.features[min.column] ?? "–"}); ${negativeRows} of ${n} test passengers have a negative input`,
    },
    {
      key: "inBox",
      statement: "the inputs lie in the data's box 𝓑 = {l ≤ x ≤ h} with l ≤ 0 ≤ h, the zᵇ-rule's domain (Proposition 3)",
      holds: boxHoldsZero && outside === 0,
      evidence: `l ${range(c.box.low)}, h ${range(c.box.high)} (the training range of each feature); ${outside} of ${n} test passengers outside it`,
    },
    {
      key: "nonPositiveBias",
      statement: "every bias is ≤ 0 (z⁺ and zᵇ need it for their roots to be roots)",
      holds: maxBias <= 0,
      evidence: `largest of the ${c.biases.length} biases: ${maxBias.toPrecision(3)}`,
    },
    ...RULE_IDS.map((id): RuleClaim => {
      const r = rule(id);
      return {
        key: `consistent:${id}`,
        statement: `${RULE_NAMES[id].title}: every explanation is consistent (Σ_i R_i = f(x) to rounding, R_i ≥ 0)`,
        holds: r.consistency.shareConsistent === 1,
        evidence: `${pct(r.consistency.shareConsistent)} of ${r.consistency.samples} consistent (conservative ${pct(r.consistency.shareConservative)}, positive ${pct(r.consistency.sharePositive)}); most negative R_i ${r.consistency.mostNegativeRelevance.toPrecision(3)}; ${r.warnings} violated preconditions`,
      };
    }),
    ...RULE_IDS.map((id): RuleClaim => ({
      key: `roots:${id}`,
      statement: `${RULE_NAMES[id].title}: every root point is a root on its search segment and a point of the data's box`,
      holds: rule(id).roots.counts.notARoot + rule(id).roots.counts.noRootOnSegment + rule(id).roots.counts.outsideDomain === 0,
      evidence: rootEvidence(rule(id).roots),
    })),
    {
      key: "zplusSkipsAbsent",
      statement: "the z⁺-rule gives no relevance to an absent category (a one-hot or flag feature at 0)",
      holds: rule("zplus").absent.total === 0,
      evidence: `relevance on absent categories, mean % of f(x): ${absent}`,
    },
    {
      key: "zbCreditsAbsent",
      statement: "the zᵇ-rule credits absent categories that speak against survival (its (h_i − x_i)·|w_ij⁻| term)",
      holds: rule("zb").absent.total > 0,
      evidence: `largest under zᵇ: ${largest(c.features, rule("zb").absent.perFeature)}`,
    },
  ];
};

/** The claims that make a rule sound on this run's inputs: its domain, b ≤ 0 where it needs it, consistency, roots. */
export const SOUNDNESS: { readonly [K in RuleId]: readonly ClaimKey[] } = {
  zb: ["inBox", "nonPositiveBias", "consistent:zb", "roots:zb"],
  w2: ["consistent:w2", "roots:w2"],
  zplus: ["inPositiveOrthant", "nonPositiveBias", "consistent:zplus", "roots:zplus"],
};

/** Whether every claim that makes `rule` sound holds. */
export const isSound = (claims: readonly RuleClaim[], rule: RuleId): boolean => SOUNDNESS[rule].every((k) => claims.find((c) => c.key === k)?.holds === true);
