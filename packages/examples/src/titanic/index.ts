/**
 * `dtd titanic` (`pnpm dtd titanic`): the deck's "Relevance Distribution on the Titanic Dataset" — train a small
 * detection-pooling network on survival, measure it against "women survive" over several splits, explain every
 * test passenger with zᵇ (the default), w² and z⁺, check which rule's preconditions hold on these inputs, and
 * report the mean relevance share per feature (table on stdout, bar chart and report in --out). Progress goes
 * to stderr. The pipeline itself is `runTitanic` (pipeline.ts).
 * @module
 */
import { resolve } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { type CliError, defineCommand, ExitCode, failure, integerFlag, line, startProgress, table, usage } from "@dtd/cli";
import { type Scaling, SCALINGS } from "@dtd/datasets";
import { DEFAULT_TITANIC_PATH } from "@dtd/datasets/node";
import { type Hooks, repoRoot } from "../kit/index.ts";
import { TITANIC_RECIPE, type TitanicRecipe } from "./network.ts";
import { DEFAULT_INITS, DEFAULT_SPLITS, runTitanic, type TitanicResult } from "./pipeline.ts";

export { runTitanic, type TitanicResult, type TitanicRunOptions } from "./pipeline.ts";

const flags = {
  data: { type: "string", value: "FILE", description: `titanic3 ARFF or a Kaggle train.csv (default: $DTD_TITANIC, else ${DEFAULT_TITANIC_PATH} from 'bash scripts/fetch-titanic.sh')` },
  seed: { type: "string", value: "N", default: "0", description: "seed of the explained train/test split and of its network (weights, validation passengers, batches)" },
  scaling: { type: "string", value: "NAME", default: "minmax", description: "minmax (features in [0, 1]) or standard (z-scores of age, family and fare)" },
  splits: { type: "string", value: "N", default: String(DEFAULT_SPLITS), description: "splits of the accuracy table (seeds seed, seed + 1, …)" },
  inits: { type: "string", value: "N", default: String(DEFAULT_INITS), description: "initialisations per split in the accuracy table" },
  hidden: { type: "string", value: "LIST", default: TITANIC_RECIPE.hidden.join(","), description: "units per hidden layer, comma-separated (e.g. 16,8)" },
  epochs: { type: "string", value: "N", default: String(TITANIC_RECIPE.epochs), description: "at most this many passes over the training passengers (early stopping ends sooner)" },
  lr: { type: "string", value: "RATE", default: String(TITANIC_RECIPE.learningRate), description: "Adam's step size" },
  out: { type: "string", value: "DIR", default: "out/titanic", description: "folder of the report, the bar chart and the per-passenger relevances" },
} as const;

/** The recipe from the flags. */
export const titanicRecipe = (values: { readonly hidden: string; readonly epochs: string; readonly lr: string }): E.Either<CliError, TitanicRecipe> => {
  const hidden = values.hidden.split(",").map((h) => integerFlag("hidden", h.trim(), 1));
  if (hidden.some(E.isLeft)) return E.left(usage(`--hidden: expected comma-separated positive integers, found "${values.hidden}"`));
  const epochs = integerFlag("epochs", values.epochs, 1);
  if (E.isLeft(epochs)) return epochs;
  const lr = Number(values.lr);
  if (values.lr.trim() === "" || !(lr > 0) || !Number.isFinite(lr)) return E.left(usage(`--lr: expected a positive number, found "${values.lr}"`));
  return E.right({ ...TITANIC_RECIPE, hidden: hidden.map((h) => (E.isRight(h) ? h.right : 0)), epochs: epochs.right, learningRate: lr });
};

const isScaling = (v: string): v is Scaling => (SCALINGS as readonly string[]).includes(v);

/** The summary printed on stdout: accuracy, the accuracy table's verdict, consistency, the share table, the files. */
export const titanicSummary = (r: TitanicResult): string[] => {
  const s = r.splits;
  const p = (v: number): string => `${(100 * v).toFixed(1)} %`;
  return [
    `test accuracy  ${p(r.testAccuracy)} on ${r.counts.test} test passengers (threshold f(x) > ${r.threshold.toFixed(4)} from the ${r.counts.train} training passengers); "women survive" scores ${p(r.baselineAccuracy)}`,
    `over splits    ${p(s.meanAccuracy)} ± ${(100 * s.sdAccuracy).toFixed(1)} against ${p(s.meanBaseline)} for "women survive": beats it in ${s.wins} of ${s.runs} runs (${s.ties} ties, ${s.losses} worse), by ${(100 * s.meanDifference).toFixed(1)} points on average`,
    `consistency    ${r.methods.map((m) => `${m.title} ${p(m.consistency.shareConsistent)}`).join(", ")} of the explanations consistent`,
    `claims         ${r.claims.filter((c) => c.holds).length} of ${r.claims.length} hold (see the report)`,
    "",
    "mean relevance share per feature (% of f(x), test passengers with f(x) > 0; zᵇ is the default):",
    ...table([["feature", ...r.methods.map((m) => m.title)], ...r.features.map((name, i) => [name, ...r.methods.map((m) => `${m.shares.sharePercent[i]!.toFixed(1)} %`)])]),
    "",
    `report       ${r.files.report}`,
    `bar chart    ${r.files.chart}`,
    `relevances   ${r.files.relevances}`,
    `(${r.seconds.toFixed(1)} s)`,
  ];
};

export const command = defineCommand({
  name: "titanic",
  summary: "the deck's Titanic example: train a survival model, relevance per passenger feature",
  usage: "titanic [--data FILE] [--seed N] [--scaling NAME] [--splits N] [--inits N] [--hidden LIST] [--epochs N] [--lr RATE] [--out DIR]",
  description: `
The deck's "Relevance Distribution on the Titanic Dataset". Reads titanic3 (1309 passengers; get it with
'bash scripts/fetch-titanic.sh') or a Kaggle train.csv (--data), encodes eighteen passenger features (sex,
class, title and port one-hot; age, family, fare, cabin known) and scales them, trains a detection-pooling
network (hidden ReLU layers with biases ≤ 0, a fixed sum output) on survival with early stopping, and compares
its test accuracy with "every woman survives" over --splits splits × --inits initialisations. Explains every
test passenger with the zᵇ (box: the training range of each feature; the default), w² and z⁺ rules, checks
which rule's preconditions hold on these inputs, and prints the mean relevance share per feature; writes a
report, a bar chart and the per-passenger relevances to --out.`,
  flags,
  examples: ["titanic", "titanic --scaling standard --out out/titanic-standard", "titanic --data train.csv --out out/kaggle", "titanic --hidden 16,8 --splits 3 --inits 1"],
  run: async ({ values }, { io }) => {
    const recipe = titanicRecipe(values);
    if (E.isLeft(recipe)) return recipe;
    const seed = integerFlag("seed", values.seed, 0);
    if (E.isLeft(seed)) return seed;
    const splits = integerFlag("splits", values.splits, 1);
    if (E.isLeft(splits)) return splits;
    const inits = integerFlag("inits", values.inits, 1);
    if (E.isLeft(inits)) return inits;
    const scaling = values.scaling;
    if (!isScaling(scaling)) return E.left(usage(`--scaling: expected one of ${SCALINGS.join(", ")}, found "${scaling}"`));
    const hooks: Hooks = {
      progress: (label, total) => startProgress({ label, total: Math.max(1, total), stream: io.stderr }),
      note: (text) => line(io.stderr, text),
    };
    const result = runTitanic(
      { root: repoRoot(), dataPath: values.data === undefined ? undefined : resolve(values.data), seed: seed.right, scaling, splits: splits.right, inits: inits.right, outDir: values.out, recipe: recipe.right },
      hooks,
    );
    if (E.isLeft(result)) return E.left(failure(result.left));
    for (const l of titanicSummary(result.right)) line(io.stdout, l);
    return E.right(ExitCode.ok);
  },
});
