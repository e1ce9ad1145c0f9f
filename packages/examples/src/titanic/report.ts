/**
 * The Titanic example's report: a Markdown page next to the bar chart and the per-passenger relevances, with
 * every number of the run — the accuracy against the "women survive" baseline over several splits, which rule's
 * preconditions hold on these inputs (each claim checked, "holds" or "does not hold"), and the relevance
 * distributions.
 * @module
 */
import { basename } from "node:path";
import { CONTINUOUS_FEATURES, TITANIC_VARIABLES, type TitanicFeature, type TitanicVariable } from "@dtd/datasets";
import { markdownTable } from "../kit/index.ts";
import { isSound } from "./claims.ts";
import type { TitanicResult } from "./pipeline.ts";
import { RULE_NAMES } from "./rules.ts";

/** What each feature means (before scaling). */
export const FEATURE_MEANINGS: { readonly [F in TitanicFeature]: string } = {
  female: "1 for a woman or girl",
  male: "1 for a man or boy",
  class_1: "1 in 1st class",
  class_2: "1 in 2nd class",
  class_3: "1 in 3rd class",
  title_Mr: "title Mr. (men)",
  title_Mrs: "title Mrs. or Mme. (married women)",
  title_Miss: "title Miss, Ms. or Mlle. (unmarried women, girls)",
  title_Master: "title Master (boys)",
  title_other: "any other title (Dr., Rev., Col., Countess, …)",
  age: "age in years (missing: the training median)",
  age_missing: "1 when the age is unknown",
  family: "family aboard, the passenger included (siblings, spouses, parents, children + 1)",
  log_fare: "ln(1 + fare in pounds)",
  cabin_known: "1 when the cabin is recorded",
  embarked_C: "1: boarded at Cherbourg",
  embarked_Q: "1: boarded at Queenstown",
  embarked_S: "1: boarded at Southampton",
};

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "–");
const sci = (v: number): string => (v === 0 ? "0" : Number.isFinite(v) ? v.toExponential(2) : "–");
const signed = (v: number): string => `${v >= 0 ? "+" : "−"}${Math.abs(100 * v).toFixed(1)}`;

/** The features with the largest mean shares, "female 21.2 %, class_1 10.3 %, age 8.0 %". */
export const topFeatures = (features: readonly string[], share: readonly number[], k = 3): string =>
  features
    .map((name, i) => ({ name, v: share[i]! }))
    .sort((a, b) => b.v - a.v)
    .slice(0, k)
    .map((x) => `${x.name} ${x.v.toFixed(1)} %`)
    .join(", ");

const SCALING_TEXT = {
  minmax: "min–max scaled to [0, 1] on the training passengers (the box 𝓑 = [0, 1]ᵈ)",
  standard: "age, family and fare standardised to z-scores on the training passengers, the binary features 0/1 (the box 𝓑 = the training range of each feature)",
} as const;

/** The accuracy section: one row per split, the baseline beside each initialisation. */
const accuracySection = (r: TitanicResult): string[] => {
  const s = r.splits;
  const inits = s.rows[0]?.testAccuracy.length ?? 0;
  return [
    "## Accuracy against \"women survive\"",
    "",
    `Each split draws its own ${s.rows[0]?.test ?? 0} test passengers; on each, ${inits} networks (initialisations 0…${inits - 1}; training seed split + 1000·init) are trained and compared with "every woman survives, every man dies" on the same passengers. Δ is the difference in points (one passenger is ${(100 / Math.max(1, s.rows[0]?.test ?? 1)).toFixed(2)} points).`,
    "",
    ...markdownTable(
      ["split seed", "women survive", ...Array.from({ length: inits }, (_, m) => `init ${m}`), "Δ (points)", "beats it"],
      s.rows.map((row) => [
        String(row.split),
        pct(row.baselineAccuracy),
        ...row.testAccuracy.map(pct),
        row.testAccuracy.map((a) => signed(a - row.baselineAccuracy)).join(", "),
        `${row.testAccuracy.filter((a) => a > row.baselineAccuracy).length} of ${row.testAccuracy.length}`,
      ]),
    ),
    "",
    `Over the ${s.runs} runs: test accuracy ${pct(s.meanAccuracy)} ± ${(100 * s.sdAccuracy).toFixed(1)} (mean ± standard deviation), "women survive" ${pct(s.meanBaseline)}; the network beats the baseline in ${s.wins} of ${s.runs} runs (${s.ties} ties, ${s.losses} worse), by ${(100 * s.meanDifference).toFixed(1)} points on average (from ${signed(s.minDifference)} to ${signed(s.maxDifference)}); every initialisation beats it on ${s.splitsAllBeat} of ${s.rows.length} splits.`,
    "",
    `Why not on every split: the network decides differently from the baseline on only ${s.meanDisagreements.toFixed(1)} of the ${s.rows[0]?.test ?? 0} test passengers on average — the only ones on whom it can gain or lose — and is right on ${pct(s.rightWhenDisagreeing)} of them. With k = ${s.meanDisagreements.toFixed(0)} such passengers and p = ${s.rightWhenDisagreeing.toFixed(2)}, the net gain of one split (passengers right minus wrong) has mean k·(2p − 1) = ${(s.meanDisagreements * (2 * s.rightWhenDisagreeing - 1)).toFixed(1)} and standard deviation 2·√(k·p·(1 − p)) = ${(2 * Math.sqrt(s.meanDisagreements * s.rightWhenDisagreeing * (1 - s.rightWhenDisagreeing))).toFixed(1)} passengers: a split without a gain is to be expected now and then for a network only this much better than the baseline.`,
    "",
  ];
};

/** The rule section: the checked claims, what each rule's relevance means, and the default. */
const ruleSection = (r: TitanicResult): string[] => {
  const zb = isSound(r.claims, "zb");
  const zplus = isSound(r.claims, "zplus");
  return [
    "## Which rule suits these inputs",
    "",
    "Each rule is consistent on its own input domain (Montavon et al. 2017, Propositions 1–3): w² on ℝᵈ, z⁺ on ℝ₊ᵈ,",
    "zᵇ on a box l ≤ x ≤ h with l ≤ 0 ≤ h. Tabular features live in a box — every feature between its smallest and",
    "largest value, a one-hot category or flag in {0, 1} — and that box is neither ℝᵈ nor, once features are",
    "standardised, inside ℝ₊ᵈ. Checked on this run's test passengers:",
    "",
    ...markdownTable(
      ["claim", "verdict", "evidence"],
      r.claims.map((c) => [c.statement, c.holds ? "holds" : "**does not hold**", c.evidence]),
    ),
    "",
    "What each rule's relevance means here:",
    "",
    "- **zᵇ** searches the root of neuron j on the segment from x to the corner of the box where the neuron is least",
    "  active (l_i where w_ij > 0, h_i where w_ij < 0), the point of the box that looks least like a survivor to that",
    "  neuron; every point of the segment keeps each feature within its training range (a one-hot group may be",
    "  fractional there, as anywhere between two passengers). Its term (x_i − l_i)·w_ij⁺ + (h_i − x_i)·|w_ij⁻|",
    "  credits a value for how far it lies from that corner: a present category that speaks for survival, and an",
    "  absent one that speaks against it (the last claim above lists the absent categories it credits most).",
    "- **z⁺** searches towards x_i 1[w_ij < 0], switching off what speaks for survival: its term x_i w_ij⁺ credits",
    "  only features with x_i > 0. An absent category (0) can never count, whatever its weight; with min–max",
    "  scaling, neither can a value at the bottom of its range (the youngest age, the smallest family). With",
    "  z-scores the domain ℝ₊ᵈ is wrong outright: a value below the mean is negative, x_i w_ij⁺ < 0 there, and",
    "  relevance can turn negative.",
    "- **w²** takes the nearest root in ℝᵈ, x − R_j w_j / ‖w_j‖², which can leave the data's box (an age below the",
    "  youngest passenger's, a category column below 0 or above 1; the root claim above counts how often): its",
    "  term w_ij² ignores x, so a category is credited by the size of its weights whether the passenger has it or not.",
    "",
    "No rule can let a feature count *against* survival: f(x) ≥ 0 is the evidence for survival, and consistent",
    "relevance is positive (Definition 2). Explaining \"died\" would need a second detector.",
    "",
    zb
      ? `**The default rule of this report is zᵇ with the box of the training range**: its domain is the data's own, its preconditions hold on every test passenger, every explanation is consistent and every root point lies inside the box — it is the rule the deck derives for bounded inputs, and it applies whether the features are min–max scaled or standardised (both put 0 inside the box). ${zplus ? "z⁺ is consistent on these inputs too, but its domain ℝ₊ᵈ makes 0 the only reference: it cannot credit an absent category (see above), and standardised features (`--scaling standard`) leave its domain." : "z⁺'s preconditions do not hold on these inputs (see above)."}`
      : "**zᵇ's preconditions do not all hold in this run** (see above): the relevance shares below are not backed by Proposition 3.",
    "",
  ];
};

/** The report of a run. */
export const titanicReport = (r: TitanicResult): string => {
  const allConsistent = r.methods.every((m) => m.consistency.shareConsistent === 1);
  const variables = Object.keys(TITANIC_VARIABLES) as TitanicVariable[];
  const t = r.training;
  return [
    "# Relevance distribution on the Titanic data set",
    "",
    "The deck's Python example: a detection-pooling network f(x) = Σ_j max(0, Σ_i x_i w_ij + b_j), b_j ≤ 0, scores",
    `the survival of a passenger from ${r.features.length} features; deep Taylor decomposition splits each score f(x) into one`,
    "relevance R_i per feature (Σ_i R_i = f(x)), and the mean share R_i / f(x) over the test passengers says which",
    "features the model's survival evidence rests on.",
    "",
    "## Run",
    "",
    ...markdownTable(
      ["setting", "value"],
      [
        ["data", `\`${r.source.path}\` (${r.source.format}): ${r.counts.train} passengers for training, ${r.counts.test} for testing (${r.counts.survivedTest} of them survived); split seed ${r.options.seed}`],
        ["features", `${r.features.length}, ${SCALING_TEXT[r.scaling]}`],
        ["network", `${r.features.length} → ${r.recipe.hidden.join(" → ")} ReLU (b ≤ 0) → Σ`],
        [
          "training",
          `Adam (step ${r.recipe.learningRate}), batches of ${r.recipe.batchSize}, ${r.recipe.loss} loss, on ${t.trainedOn} of the training passengers; early stopping on the other ${t.validation}: best validation loss ${t.validationLoss.toFixed(4)} after epoch ${t.bestEpoch} of ${t.epochsRun} run (at most ${r.recipe.epochs}, patience ${r.recipe.patience}), ${t.steps} steps`,
        ],
        ["threshold", `survived when f(x) > ${r.threshold.toFixed(4)}, chosen on the training passengers (accuracy there ${pct(r.trainAccuracy)})`],
        ["**test accuracy**", `**${pct(r.testAccuracy)}** against the true labels of the ${r.counts.test} test passengers`],
        ["baseline", `"every woman survives, every man dies": ${pct(r.baselineAccuracy)} on the same passengers`],
        ["run time", `${r.seconds.toFixed(1)} s`],
      ],
    ),
    "",
    ...accuracySection(r),
    ...ruleSection(r),
    "## Consistency of every explanation",
    "",
    `Every test passenger explained with each rule (zᵇ with the box of the training range${r.recipe.hidden.length > 1 ? "; z⁺ in the layers above the first, the deck's training-free relevance model" : ""}).`,
    "Conservative: |Σ_i R_i − f(x)| ≤ γ_n·(|f(x)| + Σ_i |R_i|) + n·η, the rounding bound of the model's dtype and its n accumulated terms (docs/deep-taylor.md); positive: R_i ≥ −(that bound).",
    "",
    ...markdownTable(
      ["rule", "consistent", "conservative", "positive", "largest \\|Σ R − f\\|", "most negative R_i", "violated preconditions"],
      r.methods.map((m) => [
        m.title,
        pct(m.consistency.shareConsistent),
        pct(m.consistency.shareConservative),
        pct(m.consistency.sharePositive),
        sci(m.consistency.maxAbsConservationError),
        sci(m.consistency.mostNegativeRelevance),
        String(m.warnings),
      ]),
    ),
    "",
    allConsistent ? "Every explanation is consistent (conservative and positive)." : "**Not every explanation is consistent**: see the table and the claims above.",
    "",
    "## Mean relevance share per variable",
    "",
    `Mean over the test passengers with f(x) > 0 of 100 · R_i / f(x), summed over each variable's features (${r.methods.map((m) => `${m.title}: ${m.shares.passengers} passengers, ${m.shares.silent} with f(x) = 0 left out`).join("; ")}). zᵇ first: the default.`,
    "",
    ...markdownTable(
      ["variable", "features", ...r.methods.map((m) => m.title)],
      variables.map((v) => [v, TITANIC_VARIABLES[v].join(", "), ...r.methods.map((m) => `${m.variables[v].toFixed(1)} %`)]),
    ),
    "",
    "## Mean relevance share per feature",
    "",
    `Mean over the test passengers with f(x) > 0 of 100 · R_i / f(x); "absent" is the part of a binary feature's share that comes from passengers for whom it is 0 (under z⁺ it is always 0).`,
    "",
    ...markdownTable(
      ["feature", "meaning", ...r.methods.flatMap((m) => [m.title, `${m.title}: absent`])],
      r.features.map((name, i) => [
        name,
        FEATURE_MEANINGS[name as TitanicFeature] ?? "",
        ...r.methods.flatMap((m) => [`${m.shares.sharePercent[i]!.toFixed(1)} %`, CONTINUOUS_FEATURES.includes(name as TitanicFeature) ? "" : `${m.absent.perFeature[i]!.toFixed(1)} %`]),
      ]),
    ),
    "",
    ...r.methods.map((m) => `- ${m.title}: largest shares ${topFeatures(r.features, m.shares.sharePercent)}.`),
    "",
    `![mean relevance share per feature, ${r.methods.map((m) => RULE_NAMES[m.id].label).join(", ")}](${basename(r.files.chart)})`,
    "",
    `Per-passenger relevances (one row per test passenger and rule, R_i per feature): [${basename(r.files.relevances)}](${basename(r.files.relevances)}).`,
    "",
  ].join("\n");
};
