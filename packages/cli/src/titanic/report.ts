/**
 * The Titanic example's report: a Markdown page next to the bar chart and the per-passenger relevances, with
 * every number of the run.
 * @module
 */
import { basename } from "node:path";
import { markdownTable } from "../demo/report.ts";
import type { TitanicResult } from "./pipeline.ts";

/** What each feature means (all are min–max scaled to [0, 1] on the training passengers). */
export const FEATURE_MEANINGS: Readonly<Record<string, string>> = {
  pclass: "ticket class: 1st → 0, 3rd → 1",
  sex: "male → 1, female → 0",
  age: "age in years (missing: the training median)",
  sibsp: "siblings and spouses aboard",
  parch: "parents and children aboard",
  fare: "fare paid",
  embarked_C: "boarded at Cherbourg",
  embarked_Q: "boarded at Queenstown",
  embarked_S: "boarded at Southampton",
  age_missing: "1 when the age is unknown",
};

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "–");
const sci = (v: number): string => (v === 0 ? "0" : Number.isFinite(v) ? v.toExponential(2) : "–");

/** The features with the largest mean shares, "sex 41.2 %, pclass 20.3 %, age 12.0 %". */
export const topFeatures = (features: readonly string[], share: readonly number[], k = 3): string =>
  features
    .map((name, i) => ({ name, v: share[i]! }))
    .sort((a, b) => b.v - a.v)
    .slice(0, k)
    .map((x) => `${x.name} ${x.v.toFixed(1)} %`)
    .join(", ");

/** The report of a run. */
export const titanicReport = (r: TitanicResult): string => {
  const allConsistent = r.methods.every((m) => m.consistency.shareConsistent === 1);
  return [
    "# Relevance distribution on the Titanic data set",
    "",
    "The deck's Python example: a detection-pooling network f(x) = Σ_j max(0, Σ_i x_i w_ij + b_j), b_j ≤ 0, scores",
    "the survival of a passenger from ten features in [0, 1]; deep Taylor decomposition splits each score f(x) into",
    "one relevance R_i per feature (Σ_i R_i = f(x)), and the mean share R_i / f(x) over the test passengers says",
    "which features the model's survival evidence rests on.",
    "",
    "## Run",
    "",
    ...markdownTable(
      ["setting", "value"],
      [
        ["data", `\`${r.source.path}\` (${r.source.format}): ${r.counts.train} passengers for training, ${r.counts.test} for testing (${r.counts.survivedTest} of them survived); split seed ${r.options.seed}`],
        ["network", `10 → ${r.recipe.hidden.join(" → ")} ReLU (b ≤ 0) → Σ`],
        ["training", `${r.steps} SGD steps (${r.recipe.epochs} epochs of batches of ${r.recipe.batchSize}), ${r.recipe.loss} loss, learning rate ${r.recipe.learningRate}; final batch loss ${r.finalLoss.toFixed(4)}`],
        ["threshold", `survived when f(x) > ${r.threshold.toFixed(4)}, chosen on the training passengers (accuracy there ${pct(r.trainAccuracy)})`],
        ["**test accuracy**", `**${pct(r.testAccuracy)}** against the true labels of the ${r.counts.test} test passengers`],
        ["for scale", `"every woman survives, every man dies" is right on ${pct(r.genderRuleAccuracy)} of the test passengers`],
        ["run time", `${r.seconds.toFixed(1)} s`],
      ],
    ),
    "",
    "## Consistency of every explanation",
    "",
    `Every test passenger explained with each rule (zᵇ with the box [0, 1], the scaled feature range${r.recipe.hidden.length > 1 ? "; z⁺ in the layers above the first" : ""}).`,
    "Conservative: |Σ_i R_i − f(x)| ≤ γ_n·(|f(x)| + Σ_i |R_i|) + n·η, the rounding bound of the model's dtype and its n accumulated terms (docs/deep-taylor.md); positive: R_i ≥ −(that bound).",
    "",
    ...markdownTable(
      ["method", "consistent", "conservative", "positive", "largest \\|Σ R − f\\|", "most negative R_i"],
      r.methods.map((m) => [
        m.title,
        pct(m.consistency.shareConsistent),
        pct(m.consistency.shareConservative),
        pct(m.consistency.sharePositive),
        sci(m.consistency.maxAbsConservationError),
        sci(m.consistency.mostNegativeRelevance),
      ]),
    ),
    "",
    allConsistent ? "Every explanation is consistent (conservative and positive)." : "**Not every explanation is consistent**: see the table.",
    "",
    "## Mean relevance share per feature",
    "",
    `Mean over the test passengers with f(x) > 0 of 100 · R_i / f(x) (${r.methods.map((m) => `${m.title}: ${m.shares.passengers} passengers, ${m.shares.silent} with f(x) = 0 left out`).join("; ")}).`,
    "",
    ...markdownTable(
      ["feature", "meaning", ...r.methods.map((m) => m.title)],
      r.features.map((name, i) => [name, FEATURE_MEANINGS[name] ?? "", ...r.methods.map((m) => `${m.shares.sharePercent[i]!.toFixed(1)} %`)]),
    ),
    "",
    ...r.methods.map((m) => `- ${m.title}: largest shares ${topFeatures(r.features, m.shares.sharePercent)}.`),
    "",
    "z⁺ gives relevance only to features that are present (x_i > 0) with a positive weight: a female passenger (sex = 0)",
    "or a 1st-class passenger (pclass = 0) can never be credited for it under z⁺. zᵇ searches its root inside the box",
    "[0, 1] and can credit a feature at 0 whose weight is negative (the −h_i w_ij⁻ term); w² ignores the input",
    "values and follows the squared weights.",
    "",
    `![mean relevance share per feature](${basename(r.files.chart)})`,
    "",
    `Per-passenger relevances (one row per test passenger and rule, R_i per feature): [${basename(r.files.relevances)}](${basename(r.files.relevances)}).`,
    "",
  ].join("\n");
};
