/**
 * `dtd titanic` (`pnpm dtd titanic`): the deck's "Relevance Distribution on the Titanic Dataset" — train a small
 * detection-pooling network on survival, explain every test passenger with w², z⁺ and zᵇ, check consistency,
 * and report the mean relevance share per feature (table on stdout, bar chart and report in --out). Progress goes
 * to stderr. The pipeline itself is `runTitanic` (pipeline.ts).
 * @module
 */
import { resolve } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { type CliError, ExitCode, failure, usage } from "../CliError.ts";
import { defineCommand } from "../Command.ts";
import { DEFAULT_TITANIC_PATH } from "../data/titanic.ts";
import type { Hooks } from "../demo/pipeline.ts";
import { repoRoot } from "../demo/repoRoot.ts";
import { table } from "../format.ts";
import { line } from "../Io.ts";
import { startProgress } from "../progress.ts";
import { TITANIC_RECIPE, type TitanicRecipe } from "./network.ts";
import { runTitanic, type TitanicResult } from "./pipeline.ts";

export { runTitanic, type TitanicResult, type TitanicRunOptions } from "./pipeline.ts";

const flags = {
  data: { type: "string", value: "FILE", description: `titanic3 ARFF or a Kaggle train.csv (default: $DTD_TITANIC, else ${DEFAULT_TITANIC_PATH} from 'bash scripts/fetch-titanic.sh')` },
  seed: { type: "string", value: "N", default: "0", description: "seed of the train/test split, the initial weights and the batches" },
  hidden: { type: "string", value: "LIST", default: TITANIC_RECIPE.hidden.join(","), description: "units per hidden layer, comma-separated (e.g. 16,8)" },
  epochs: { type: "string", value: "N", default: String(TITANIC_RECIPE.epochs), description: "passes over the training passengers" },
  lr: { type: "string", value: "RATE", default: String(TITANIC_RECIPE.learningRate), description: "SGD learning rate" },
  out: { type: "string", value: "DIR", default: "out/titanic", description: "folder of the report, the bar chart and the per-passenger relevances" },
} as const;

const positiveInt = (flag: string, v: string): E.Either<CliError, number> => {
  const n = Number(v);
  return /^\d+$/.test(v) && Number.isSafeInteger(n) && n >= 1 ? E.right(n) : E.left(usage(`--${flag}: expected a positive integer, found "${v}"`));
};

/** The recipe from the flags. */
export const titanicRecipe = (values: { readonly hidden: string; readonly epochs: string; readonly lr: string }): E.Either<CliError, TitanicRecipe> => {
  const hidden = values.hidden.split(",").map((h) => positiveInt("hidden", h.trim()));
  const bad = hidden.find(E.isLeft);
  if (bad !== undefined) return E.left(usage(`--hidden: expected comma-separated positive integers, found "${values.hidden}"`));
  const epochs = positiveInt("epochs", values.epochs);
  if (E.isLeft(epochs)) return epochs;
  const lr = Number(values.lr);
  if (values.lr.trim() === "" || !(lr > 0) || !Number.isFinite(lr)) return E.left(usage(`--lr: expected a positive number, found "${values.lr}"`));
  return E.right({ ...TITANIC_RECIPE, hidden: hidden.map((h) => (E.isRight(h) ? h.right : 0)), epochs: epochs.right, learningRate: lr });
};

/** The summary printed on stdout: accuracy, consistency, the share table, the files. */
export const titanicSummary = (r: TitanicResult): string[] => [
  `test accuracy  ${(100 * r.testAccuracy).toFixed(1)} % on ${r.counts.test} test passengers (threshold f(x) > ${r.threshold.toFixed(4)} from the ${r.counts.train} training passengers; "women survive" scores ${(100 * r.genderRuleAccuracy).toFixed(1)} %)`,
  `consistency    ${r.methods.map((m) => `${m.title} ${(100 * m.consistency.shareConsistent).toFixed(1)} % consistent (largest |ΣR−f| ${m.consistency.maxAbsConservationError.toExponential(1)}, min R_i ${m.consistency.mostNegativeRelevance.toExponential(1)})`).join("; ")}`,
  "",
  "mean relevance share per feature (% of f(x), test passengers with f(x) > 0):",
  ...table([["feature", ...r.methods.map((m) => m.title)], ...r.features.map((name, i) => [name, ...r.methods.map((m) => `${m.shares.sharePercent[i]!.toFixed(1)} %`)])]),
  "",
  `report       ${r.files.report}`,
  `bar chart    ${r.files.chart}`,
  `relevances   ${r.files.relevances}`,
  `(${r.seconds.toFixed(1)} s)`,
];

export const command = defineCommand({
  name: "titanic",
  summary: "the deck's Titanic example: train a survival model, relevance per passenger feature",
  usage: "titanic [--data FILE] [--seed N] [--hidden LIST] [--epochs N] [--lr RATE] [--out DIR]",
  description: `
The deck's "Relevance Distribution on the Titanic Dataset". Reads titanic3 (1309 passengers; get it with
'bash scripts/fetch-titanic.sh') or a Kaggle train.csv (--data), scales ten features to [0, 1], trains a
detection-pooling network (hidden ReLU layers with biases ≤ 0, a fixed sum output) on survival, and explains
every test passenger with the w², z⁺ and zᵇ rules (box [0, 1]). Prints the test accuracy, whether every
explanation is consistent, and the mean relevance share per feature; writes a report, a bar chart and the
per-passenger relevances to --out.`,
  flags,
  examples: ["titanic", "titanic --data train.csv --out out/kaggle", "titanic --hidden 16,8 --epochs 200"],
  run: async ({ values }, { io }) => {
    const recipe = titanicRecipe(values);
    if (E.isLeft(recipe)) return recipe;
    const seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(seed)) return E.left(usage(`--seed: expected a non-negative integer, found "${values.seed}"`));
    const hooks: Hooks = {
      progress: (label, total) => startProgress({ label, total: Math.max(1, total), stream: io.stderr }),
      note: (text) => line(io.stderr, text),
    };
    const result = runTitanic({ root: repoRoot(), dataPath: values.data === undefined ? undefined : resolve(values.data), seed, outDir: values.out, recipe: recipe.right }, hooks);
    if (E.isLeft(result)) return E.left(failure(result.left));
    for (const l of titanicSummary(result.right)) line(io.stdout, l);
    return E.right(ExitCode.ok);
  },
});
