/**
 * The MNIST example's report: a Markdown page written next to its pictures, with every number of the run and
 * the verdict on each of the deck's claims (computed in claims.ts from the same numbers).
 * @module
 */
import { basename } from "node:path";
import { claimLines, markdownTable } from "../kit/index.ts";
import { aopcSection } from "./aopcReport.ts";
import { fingerprint } from "./network.ts";
import type { DemoResult, MethodResult } from "./pipeline.ts";

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : "–");
const sci = (v: number): string => (v === 0 ? "0" : Number.isFinite(v) ? v.toExponential(2) : "–");

const methodRow = (m: MethodResult): string[] => [
  m.title,
  sci(m.consistency.meanRelativeConservationError),
  pct(m.consistency.shareConservative),
  pct(m.consistency.sharePositive),
  pct(m.consistency.shareConsistent),
  sci(m.consistency.mostNegativeRelevance),
  `${pct(m.halves.target)} / ${pct(m.halves.distractor)}`,
];

/** Which pairs simple Taylor decomposition explained and how its root search went. */
const taylorHow = (r: DemoResult): string => {
  const m = r.methods.find((x) => x.id === "simpleTaylor");
  const roots = m?.roots === undefined ? "" : `; the root search found a root f(ξ) ≈ 0 for ${m.roots.found} of ${m.roots.searched}`;
  const cap = r.options.taylorMaxIterations === undefined ? "" : `, at most ${r.options.taylorMaxIterations} iterations each`;
  return `only ${m?.consistency.samples ?? 0} of them (the grid's rows first: its root search is slow${cap})${roots}`;
};

/** The report of a run. */
export const mnistReport = (r: DemoResult): string => {
  const o = r.options;
  const t = r.training;
  const trainedHow = r.fromCache
    ? `loaded from the cache \`${r.files.model}\` (trained earlier${t.seconds !== undefined ? ` in ${t.seconds.toFixed(1)} s` : ""})`
    : `trained in this run in ${t.seconds?.toFixed(1) ?? "?"} s (batch loss ${t.lossStart?.toFixed(4) ?? "?"} over the first 1 % of the steps → ${t.lossEnd?.toFixed(4) ?? "?"} over the last 1 %), cached as \`${r.files.model}\``;
  return [
    "# Deep Taylor decomposition on MNIST pairs",
    "",
    "The deck's experiment (Montavon et al. 2017, Sec. 3 and Fig. 2): a 28×56 image shows a digit 0–3 beside a",
    "distracting digit 4–9 (positive) or two digits 4–9 (negative); a detection-pooling network",
    "x_j = max(0, Σ_i x_i w_ij + b_j), x_k = Σ_j x_j with b_j ≤ 0 detects the 0–3 digit, and its decisions on held-out",
    "test pairs are explained pixel by pixel. Test pairs are built from test digits only: no test digit was trained on.",
    "",
    "## Run",
    "",
    ...markdownTable(
      ["setting", "value"],
      [
        ["seed", String(o.seed)],
        ["network", `1568 → ${r.recipe.hidden} ReLU (b ≤ 0) → Σ`],
        ["training", `${o.steps} SGD steps of ${r.recipe.batchSize} pairs, ${r.recipe.loss} loss, learning rate ${r.recipe.learningRate}, He init × ${r.recipe.initScale} (\`${fingerprint(r.recipe)}\`)`],
        ["model", trainedHow],
        ["threshold", `f(x) > ${r.threshold.toFixed(4)}, chosen on ${o.calibrationCount} training pairs (accuracy there ${pct(r.trainAccuracy)})`],
        ["**test accuracy**", `**${pct(r.testAccuracy)}** on ${o.accuracyCount} test pairs`],
        ["explained", `the first ${o.testCount} of those test pairs; simple Taylor decomposition ${taylorHow(r)}`],
        ["run time", `${r.seconds.toFixed(1)} s`],
      ],
    ),
    "",
    "## Consistency and where the relevance goes",
    "",
    `Over the ${o.testCount} explained test pairs (simple Taylor: ${r.methods.find((m) => m.id === "simpleTaylor")?.consistency.samples ?? 0} of them). Conservative: |Σ_p R_p − f(x)| ≤ γ_n·(|f(x)| + Σ_p |R_p|) + n·η,`,
    "the rounding bound of the model's dtype and its n accumulated terms (docs/deep-taylor.md); positive: min_p R_p ≥ −(that bound);",
    "consistent: both (Definitions 1–3). The relative conservation error is averaged",
    "over the samples with f(x) > 0. The last column is the mean share of |R| on the 0–3 digit's half of the image",
    "versus the distractor's half, over the positive pairs.",
    "",
    `${r.silentPairs} of the ${o.testCount} explained pairs have f(x) = 0 (no unit fires): every method gives them R = 0,`,
    "which is trivially conservative and positive, so they count as conservative for every method.",
    "",
    ...markdownTable(
      ["method", "mean \\|Σ R − f\\| / f", "conservative", "positive", "consistent", "most negative R_p", "0–3 digit / distractor"],
      r.methods.map(methodRow),
    ),
    "",
    "## The deck's claims, checked on this run",
    "",
    ...claimLines(r.claims),
    "",
    "## Heatmaps",
    "",
    `Test pairs (left: the input, the 0–3 digit in brackets in the row label, f(x) below), then one heatmap per`,
    "method: white is 0, red positive, blue negative relevance, each map on its own symmetric scale max_p |R_p|.",
    "",
    `![heatmaps](${basename(r.files.grid)})`,
    "",
    ...aopcSection(r.aopc, { figure: r.files.perturbation, claims: r.aopcClaims }),
    "## Figure 2: conservation and positivity",
    "",
    "Per method, Σ_p R_p against f(x) for every explained test pair (a conservative method puts every point on the",
    "dashed diagonal), and the histogram of the smallest relevance min_p R_p (a positive method has nothing left of",
    "the dashed line at 0).",
    "",
    `![figure 2](${basename(r.files.figure2)})`,
    "",
  ].join("\n");
};
