/**
 * The deep-network experiment's report: a Markdown page written next to its pictures, one section per network,
 * with every number of the run and the verdict on each of the deck's Section 4 claims (computed in claims.ts).
 * @module
 */
import { basename } from "node:path";
import { claimLines, markdownTable } from "../kit/index.ts";
import { aopcSection } from "../demo/aopcReport.ts";
import type { MethodResult } from "../demo/pipeline.ts";
import type { DeepResult, NetResult } from "./pipeline.ts";

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "–");
const sci = (v: number): string => (v === 0 ? "0" : Number.isFinite(v) ? v.toExponential(2) : "–");

const methodRow = (r: NetResult, m: MethodResult): string[] => {
  const modelled = r.modelled[m.id];
  return [
    m.title,
    String(m.consistency.samples),
    sci(m.consistency.meanRelativeConservationError),
    pct(m.consistency.shareConservative),
    modelled === undefined ? "" : `${pct(modelled.shareConservative)} (Σ\\|ΣR − f\\| / Σf = ${pct(r.fitError[m.id] ?? NaN)})`,
    pct(m.consistency.sharePositive),
    sci(m.consistency.mostNegativeRelevance),
    `${pct(m.halves.target)} / ${pct(m.halves.distractor)}`,
  ];
};

const trainedHow = (r: NetResult): string => {
  const t = r.training;
  return r.fromCache
    ? `loaded from the cache \`${r.modelPath}\` (trained earlier${t.seconds !== undefined ? ` in ${t.seconds.toFixed(1)} s` : ""})`
    : `trained in this run in ${t.seconds?.toFixed(1) ?? "?"} s (batch loss ${t.lossStart?.toFixed(4) ?? "?"} over the first 1 % of the steps → ${t.lossEnd?.toFixed(4) ?? "?"} over the last 1 %), cached as \`${r.modelPath}\``;
};

/** The section of one network. */
const netSection = (d: DeepResult, r: NetResult): string[] => {
  const o = d.options;
  const mm = r.minMax;
  const taylor = r.methods.find((m) => m.id === "simpleTaylor");
  return [
    `## ${r.net.id}: ${r.net.architecture}`,
    "",
    ...markdownTable(
      ["setting", "value"],
      [
        ["training", `${r.steps} SGD steps of ${r.net.batchSize} pairs, ${r.net.loss} loss, learning rate ${r.net.learningRate}, He init × ${r.net.initScale}, every bias projected onto b ≤ 0`],
        ["model", trainedHow(r)],
        ["threshold", `f(x) > ${r.threshold.toFixed(4)}, chosen on ${o.calibrationCount} training pairs (accuracy there ${pct(r.trainAccuracy)})`],
        ["**test accuracy**", `**${pct(r.testAccuracy)}** on ${o.accuracyCount} test pairs`],
        [
          "min-max model",
          `${r.net.minMax.units} units, fitted on ${mm.settings.pairs} training pairs: ${mm.settings.steps} Adam steps (lr ${mm.settings.learningRate}, batch ${mm.settings.batchSize}) in ${mm.seconds.toFixed(1)} s; ⟨(R̂ − R)²⟩ ${mm.lossBefore.toPrecision(3)} → ${mm.lossAfter.toPrecision(3)} (⟨R²⟩ = ${mm.meanSquaredTarget.toPrecision(3)}); on the explained test pairs ${mm.testLoss.toPrecision(3)}; largest a_j ${mm.maxBias.toPrecision(3)}`,
        ],
        ["explained", `the first ${o.testCount} test pairs (${r.silentPairs} with f(x) = 0); simple Taylor decomposition ${taylor?.consistency.samples ?? 0} of them${taylor?.roots !== undefined ? ` (root found for ${taylor.roots.found} of ${taylor.roots.searched})` : ""}`],
        ["run time", `${r.seconds.toFixed(1)} s`],
      ],
    ),
    "",
    "### Consistency and where the relevance goes",
    "",
    "Conservative: |Σ_p R_p − f(x)| ≤ γ_n·(|f(x)| + Σ_p |R_p|) + n·η, the rounding bound of the model's dtype and its n",
    "accumulated terms (docs/deep-taylor.md); positive: min_p R_p ≥ −(that bound). For the min-max model the column",
    "\"w.r.t. R̂\" checks conservation of its own modelled relevance R̂_k instead of f(x) (with the bound of its own",
    "layer), and gives Σ_n |Σ_p R_p − f(x_n)| / Σ_n f(x_n): the deck's \"only approximately consistent\", measured. The",
    "relative error is averaged over the pairs with f(x) > 0 (small f makes it large); the last column is the mean share",
    "of |R| on the 0–3 digit's half over the positive pairs.",
    "",
    ...markdownTable(
      ["method", "pairs", "mean \\|Σ R − f\\| / f", "conservative", "w.r.t. R̂", "positive", "most negative R_p", "0–3 digit / distractor"],
      r.methods.map((m) => methodRow(r, m)),
    ),
    "",
    "### The deck's claims (Section 4), checked on this network",
    "",
    ...claimLines(r.claims),
    "",
    "### Heatmaps",
    "",
    "Test pairs (the 0–3 digit in brackets, f(x) below), then one heatmap per method (TF: training-free, MM: min-max):",
    "white is 0, red positive, blue negative relevance, each map on its own symmetric scale.",
    "",
    `![heatmaps](${basename(r.files.grid)})`,
    "",
    ...aopcSection(r.aopc, { figure: r.files.perturbation, claims: [], level: "###" }),
    "Samek et al.'s finding, checked for each relevance model and each replacement:",
    "",
    ...claimLines(r.aopcClaims),
    "",
    "### Conservation and positivity (as in Figure 2)",
    "",
    `![figure 2](${basename(r.files.figure2)})`,
    "",
  ];
};

/** The report of a run. */
export const deepReport = (d: DeepResult): string =>
  [
    "# Deep Taylor decomposition of deep networks on MNIST pairs",
    "",
    "The deck's Section 4 (\"Application to Deep Networks\"; Montavon et al. 2017, Sec. 5): deeper networks on the",
    "same task as the one-layer demo (a 28×56 image shows a digit 0–3 beside a distractor 4–9, or two distractors),",
    "explained with the two relevance models of the deck — the **training-free** model (w² or zᵇ at the pixels, z⁺",
    "in every layer above, sum pooling proportional) and the **min-max** model (a detection-pooling layer with the",
    "top-down bias a_j = min(0, Σ_l R_l v_lj + d_j), fitted to the relevance by min ⟨(R̂_k − R_k)²⟩, then explained",
    "with the one-layer rules) — and with sensitivity analysis, gradient × input and simple Taylor decomposition.",
    "",
    `Seed ${d.options.seed}; run time ${d.seconds.toFixed(1)} s.`,
    "",
    "| network | test accuracy | the deck's claims that hold |",
    "| --- | --- | --- |",
    ...d.nets.map((r) => `| ${r.net.id}: ${r.net.architecture} | ${pct(r.testAccuracy)} | ${r.claims.filter((c) => c.holds).length} of ${r.claims.length} (Samek et al.'s finding: ${r.aopcClaims.filter((c) => c.holds).length} of ${r.aopcClaims.length}) |`),
    "",
    ...d.nets.flatMap((r) => netSection(d, r)),
  ].join("\n");
