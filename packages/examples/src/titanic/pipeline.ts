/**
 * The Titanic example end to end, as a library call (`dtd titanic` is a thin command around it): the deck's
 * "Relevance Distribution on the Titanic Dataset".
 *
 * 1. load titanic3 (or a Kaggle train.csv), split by passenger, impute, encode and scale (../data/titanic.ts);
 * 2. train a small detection-pooling network on survival, with early stopping on held-out training passengers
 *    (network.ts), choose the threshold on f(x) on the training passengers, measure the test accuracy against
 *    "women survive" on the same passengers (accuracy.ts) — and the same over several splits and
 *    initialisations, since one split of 262 test passengers is a noisy measurement;
 * 3. explain every test passenger with zᵇ (the default: box = the data's range), w² and z⁺ (rules.ts), check
 *    each explanation's consistency and root points, and check which rule's preconditions hold (claims.ts);
 * 4. average the relevance share per feature and per variable (shares.ts);
 * 5. write the per-passenger relevances (CSV), the bar charts (PNG) and a report (Markdown).
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { Consistency } from "@dtd/deep-taylor";
import { Grid, Plot, VizError } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import { CONTINUOUS_FEATURES, message as dataMessage, type Scaling, TITANIC_VARIABLES, type TitanicData, titanicFeatures, type TitanicVariable } from "@dtd/datasets";
import { readTitanic } from "@dtd/datasets/node";
import type { Hooks } from "../kit/index.ts";
import { accuracyOverSplits, fitAndScore, type SplitTable } from "./accuracy.ts";
import { absentShares, checkRuleClaims, type RuleClaim, type RuleEvidence } from "./claims.ts";
import { TITANIC_RECIPE, type TitanicRecipe, type Trained } from "./network.ts";
import { titanicReport } from "./report.ts";
import { explainWith, type FeatureBox, RULE_IDS, RULE_NAMES, type RuleId, rootsInBox, ruleStrategies } from "./rules.ts";
import { type FeatureShares, featureShares, variableShares } from "./shares.ts";

/** Options of a run. */
export interface TitanicRunOptions {
  /** The repository root (where .cache/titanic/ lives) and an explicit data file, if any. */
  readonly root: string;
  readonly dataPath?: string | undefined;
  /** The split explained (and its training seed); the accuracy table uses splits seed, seed + 1, …. */
  readonly seed: number;
  readonly outDir: string;
  readonly recipe?: TitanicRecipe;
  /** How the features are scaled (default "minmax"). */
  readonly scaling?: Scaling;
  /** Splits and initialisations per split of the accuracy table (defaults 10 and 3). */
  readonly splits?: number;
  readonly inits?: number;
  /** The environment DTD_TITANIC is read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The defaults of the accuracy table. */
export const DEFAULT_SPLITS = 10;
export const DEFAULT_INITS = 3;

/** The numbers of one rule. */
export interface TitanicMethodResult extends RuleEvidence {
  readonly id: RuleId;
  /** For pictures (ASCII plus ²). */
  readonly label: string;
  readonly title: string;
  readonly shares: FeatureShares;
  /** Mean share per variable, in % (the sum of its features' shares). */
  readonly variables: { readonly [K in TitanicVariable]: number };
}

/** What a run found. */
export interface TitanicResult {
  readonly options: TitanicRunOptions;
  readonly recipe: TitanicRecipe;
  readonly scaling: Scaling;
  readonly source: { readonly path: string; readonly format: string };
  readonly features: readonly string[];
  readonly box: FeatureBox;
  readonly counts: { readonly train: number; readonly test: number; readonly survivedTest: number };
  readonly training: Omit<Trained, "model">;
  readonly threshold: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Accuracy on the test passengers of "every woman survives, every man dies". */
  readonly baselineAccuracy: number;
  /** The accuracy over splits × initialisations, each against the baseline on its own test passengers. */
  readonly splits: SplitTable;
  readonly methods: readonly TitanicMethodResult[];
  readonly claims: readonly RuleClaim[];
  readonly files: { readonly report: string; readonly chart: string; readonly relevances: string };
  readonly seconds: number;
}

/** A CSV field, quoted when it needs to be (RFC 4180). */
const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per test passenger and rule: who, the label, f(x), the decision, R_i per feature. */
const relevanceCsv = (data: TitanicData, explained: readonly { readonly id: RuleId; readonly f: T.Tensor; readonly R: T.Tensor }[], t: number): string => {
  const d = data.d;
  const lines = [["passenger_line", "name", "survived", "rule", "f", "predicted_survived", ...data.featureNames.map((n) => `R_${n}`)].join(",")];
  for (const { id, f, R } of explained) {
    data.test.passengers.forEach((p, s) => {
      const fx = f.data[s]!;
      const Rs = Array.from(R.data.subarray(s * d, (s + 1) * d), (v) => String(v));
      lines.push([p.line, csvField(p.name), p.survived, id, fx, fx > t ? 1 : 0, ...Rs].join(","));
    });
  }
  return `${lines.join("\n")}\n`;
};

/** The bar charts of the mean relevance share per feature, one per rule, side by side. */
const shareChart = (features: readonly string[], methods: readonly TitanicMethodResult[]) =>
  Grid.grid(
    [
      methods.map((m) =>
        Plot.toImage(
          Plot.barChart(
            features.map((label, i) => ({ label, value: m.shares.sharePercent[i]! })),
            { title: `${m.label}: mean share of f(x)`, xLabel: "% of f(x)", format: (v) => `${v.toFixed(1)}%`, width: 420 },
          ),
          2,
        ),
      ),
    ],
    { frame: null, margin: 12, gap: 12 },
  );

const fail = (what: string, u: unknown): E.Either<string, never> => E.left(`${what}: ${u instanceof Error ? u.message : String(u)}`);

const positiveCount = (what: string, v: number): E.Either<string, number> =>
  Number.isInteger(v) && v >= 1 ? E.right(v) : E.left(`expected ${what} to be a positive integer, found ${v}`);

/** Every bias of the model's affine layers. */
const biasesOf = (model: L.Model): number[] => model.layers.flatMap((l) => (L.isAffine(l) ? Array.from(l.b.data) : []));

/** Runs the example. Left with a message when the data is missing or unreadable, or a file cannot be written. */
export const runTitanic = (opts: TitanicRunOptions, hooks: Hooks): E.Either<string, TitanicResult> => {
  const t0 = performance.now();
  const recipe = opts.recipe ?? TITANIC_RECIPE;
  const scaling = opts.scaling ?? "minmax";
  const splitCount = positiveCount("the number of splits", opts.splits ?? DEFAULT_SPLITS);
  if (E.isLeft(splitCount)) return splitCount;
  const inits = positiveCount("the number of initialisations", opts.inits ?? DEFAULT_INITS);
  if (E.isLeft(inits)) return inits;

  // 1. Data.
  const read = readTitanic({ root: opts.root, path: opts.dataPath, ...(opts.env !== undefined ? { env: opts.env } : {}) });
  if (E.isLeft(read)) return E.left(dataMessage(read.left));
  const split = (seed: number): E.Either<string, TitanicData> => {
    const data = titanicFeatures(read.right.passengers, { seed, scaling });
    if (E.isLeft(data)) return E.left(dataMessage(data.left));
    const { train, test } = data.right;
    return test.n === 0 || train.n === 0 ? E.left(`expected passengers in both splits, found ${train.n} for training and ${test.n} for testing`) : data;
  };
  const prepared = split(opts.seed);
  if (E.isLeft(prepared)) return prepared;
  const data = prepared.right;
  hooks.note(`read ${data.train.n + data.test.n} passengers from ${read.right.path}: ${data.train.n} for training, ${data.test.n} for testing`);

  // 2. Train and score; then the same over splits × initialisations.
  const bar = hooks.progress("training", recipe.epochs);
  const scored = fitAndScore(data, recipe, opts.seed, (epoch, _total, loss) => bar.update(epoch, { "validation loss": loss }));
  bar.stop();
  if (E.isLeft(scored)) return scored;
  const { model, ...training } = scored.right.trained;
  const seeds = Array.from({ length: splitCount.right }, (_, k) => opts.seed + k);
  const splitBar = hooks.progress(`accuracy over ${seeds.length} splits × ${inits.right} initialisations`, seeds.length);
  const table = accuracyOverSplits(seeds, inits.right, { recipe, split, done: (k) => splitBar.update(k) });
  splitBar.stop();
  if (E.isLeft(table)) return table;

  // 3. Explain every test passenger with each rule; check preconditions, consistency and roots.
  const box: FeatureBox = { low: data.scaler.low, high: data.scaler.high };
  const strategies = ruleStrategies(box);
  if (E.isLeft(strategies)) return strategies;
  const testX = unsafeMake([data.test.n, data.d], data.test.x);
  const binary = data.featureNames.map((f) => !CONTINUOUS_FEATURES.includes(f));
  const methods: TitanicMethodResult[] = [];
  const explained: { id: RuleId; f: T.Tensor; R: T.Tensor }[] = [];
  const explainBar = hooks.progress("explaining", RULE_IDS.length);
  for (const [k, id] of RULE_IDS.entries()) {
    const strategy = strategies.right[id];
    const out = explainWith(model, testX, strategy);
    const roots = E.flatMap(() => rootsInBox(model, testX, strategy, box))(out);
    if (E.isLeft(out) || E.isLeft(roots)) {
      explainBar.stop();
      return E.left(`${RULE_NAMES[id].title}: ${E.isLeft(out) ? out.left : E.isLeft(roots) ? roots.left : ""}`);
    }
    const { f, R, warnings, tolerance } = out.right;
    explained.push({ id, f, R });
    const shares = featureShares(f.data, R.data, data.d);
    methods.push({
      id,
      label: RULE_NAMES[id].label,
      title: RULE_NAMES[id].title,
      consistency: Consistency.aggregate(Consistency.perSample(f, R, tolerance)),
      warnings: warnings.length,
      roots: roots.right,
      absent: absentShares(f.data, R.data, data.test.x, binary),
      shares,
      variables: variableShares(data.featureNames, shares.sharePercent, TITANIC_VARIABLES),
    });
    explainBar.update(k + 1);
  }
  explainBar.stop();
  const byId = (id: RuleId): TitanicMethodResult => methods.find((m) => m.id === id)!;
  const claims = checkRuleClaims({
    features: data.featureNames,
    x: data.test.x,
    box,
    binary,
    biases: biasesOf(model),
    rules: { zb: byId("zb"), w2: byId("w2"), zplus: byId("zplus") },
  });

  // 5. Files.
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch (u) {
    return fail(`could not create the output folder ${opts.outDir}`, u);
  }
  const files = { report: join(opts.outDir, "report.md"), chart: join(opts.outDir, "feature-relevance.png"), relevances: join(opts.outDir, "relevances.csv") };
  const written = Png.writePng(files.chart, shareChart(data.featureNames, methods));
  if (E.isLeft(written)) return E.left(VizError.message(written.left));
  try {
    writeFileSync(files.relevances, relevanceCsv(data, explained, scored.right.threshold));
  } catch (u) {
    return fail(`could not write ${files.relevances}`, u);
  }
  const result: TitanicResult = {
    options: opts,
    recipe,
    scaling,
    source: { path: read.right.path, format: read.right.format },
    features: data.featureNames,
    box,
    counts: { train: data.train.n, test: data.test.n, survivedTest: data.test.y.reduce((s, v) => s + v, 0) },
    training,
    threshold: scored.right.threshold,
    trainAccuracy: scored.right.trainAccuracy,
    testAccuracy: scored.right.testAccuracy,
    baselineAccuracy: scored.right.baselineAccuracy,
    splits: table.right,
    methods,
    claims,
    files,
    seconds: (performance.now() - t0) / 1000,
  };
  try {
    writeFileSync(files.report, titanicReport(result));
  } catch (u) {
    return fail(`could not write ${files.report}`, u);
  }
  return E.right(result);
};
