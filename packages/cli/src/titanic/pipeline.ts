/**
 * The Titanic example end to end, as a library call (`dtd titanic` is a thin command around it): the deck's
 * "Relevance Distribution on the Titanic Dataset".
 *
 * 1. load titanic3 (or a Kaggle train.csv), split by passenger, impute and scale to [0, 1] (../data/titanic.ts);
 * 2. train a small detection-pooling network on survival (network.ts);
 * 3. choose the threshold on f(x) on the training passengers, measure accuracy on the test passengers;
 * 4. explain every test passenger with w², z⁺ and zᵇ (box = the scaled feature range [0, 1]), check that each
 *    explanation is consistent, and average the relevance share per feature;
 * 5. write the per-passenger relevances (CSV), the bar charts (PNG) and a report (Markdown).
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { accumulatedTerms } from "@dtd/deep-taylor/accumulatedTerms";
import * as Consistency from "@dtd/deep-taylor/consistency";
import { Grid, Plot, Png, VizError } from "@dtd/viz";
import { message as dataMessage } from "../data/DataError.ts";
import { loadTitanic, type TitanicData } from "../data/titanic.ts";
import { deepTaylorMethods, type Heatmaps } from "../demo/methods.ts";
import type { Hooks } from "../demo/pipeline.ts";
import { accuracy, chooseThreshold } from "../demo/threshold.ts";
import { TITANIC_RECIPE, type TitanicRecipe, trainTitanic } from "./network.ts";
import { titanicReport } from "./report.ts";
import { type FeatureShares, featureShares } from "./shares.ts";

/** Options of a run. */
export interface TitanicRunOptions {
  /** The repository root (where .cache/titanic/ lives) and an explicit data file, if any. */
  readonly root: string;
  readonly dataPath?: string | undefined;
  readonly seed: number;
  readonly outDir: string;
  readonly recipe?: TitanicRecipe;
  /** The environment DTD_TITANIC is read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The numbers of one method. */
export interface TitanicMethodResult {
  readonly id: string;
  /** For pictures (ASCII plus ²). */
  readonly label: string;
  readonly title: string;
  readonly consistency: Consistency.DatasetConsistency;
  readonly shares: FeatureShares;
}

/** What a run found. */
export interface TitanicResult {
  readonly options: TitanicRunOptions;
  readonly recipe: TitanicRecipe;
  readonly source: { readonly path: string; readonly format: string };
  readonly features: readonly string[];
  readonly counts: { readonly train: number; readonly test: number; readonly survivedTest: number };
  readonly steps: number;
  readonly finalLoss: number;
  readonly threshold: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Accuracy on the test passengers of "every woman survives, every man dies", for scale. */
  readonly genderRuleAccuracy: number;
  readonly methods: readonly TitanicMethodResult[];
  readonly files: { readonly report: string; readonly chart: string; readonly relevances: string };
  readonly seconds: number;
}

/** A CSV field, quoted when it needs to be (RFC 4180). */
const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per test passenger and method: who, the label, f(x), the decision, R_i per feature. */
const relevanceCsv = (data: TitanicData, methods: readonly { readonly id: string; readonly maps: Heatmaps }[], t: number): string => {
  const d = data.d;
  const lines = [["passenger_line", "name", "survived", "method", "f", "predicted_survived", ...data.featureNames.map((n) => `R_${n}`)].join(",")];
  for (const { id, maps } of methods) {
    data.test.passengers.forEach((p, s) => {
      const f = maps.f.data[s]!;
      const R = Array.from(maps.R.data.subarray(s * d, (s + 1) * d), (v) => String(v));
      lines.push([p.line, csvField(p.name), p.survived, id, f, f > t ? 1 : 0, ...R].join(","));
    });
  }
  return `${lines.join("\n")}\n`;
};

/** The bar charts of the mean relevance share per feature, one per method, side by side. */
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

/** Runs the example. Left with a message when the data is missing or unreadable, or a file cannot be written. */
export const runTitanic = (opts: TitanicRunOptions, hooks: Hooks): E.Either<string, TitanicResult> => {
  const t0 = performance.now();
  const recipe = opts.recipe ?? TITANIC_RECIPE;
  const loaded = loadTitanic({ root: opts.root, path: opts.dataPath, ...(opts.env !== undefined ? { env: opts.env } : {}) }, { seed: opts.seed });
  if (E.isLeft(loaded)) return E.left(dataMessage(loaded.left));
  const data = loaded.right;
  if (data.test.n === 0 || data.train.n === 0) return E.left(`expected passengers in both splits, found ${data.train.n} for training and ${data.test.n} for testing`);
  hooks.note(`read ${data.train.n + data.test.n} passengers from ${data.source.path}: ${data.train.n} for training, ${data.test.n} for testing`);

  // 2. Train.
  const steps = recipe.epochs * Math.ceil(data.train.n / recipe.batchSize);
  const bar = hooks.progress("training", steps);
  const trained = trainTitanic(data.train.x, data.train.y, data.d, { recipe, seed: opts.seed, onProgress: (step, _total, loss) => bar.update(step, { loss }) });
  bar.stop();
  if (E.isLeft(trained)) return trained;
  const model = trained.right.model;

  // 3. Threshold on training passengers, accuracy on test passengers.
  const f = (x: Float64Array, n: number): Float64Array => Float64Array.from(L.forward(model, T.unsafeMake([n, data.d], x)).output.data);
  const threshold = chooseThreshold(f(data.train.x, data.train.n), data.train.y);
  const testX = T.unsafeMake([data.test.n, data.d], data.test.x);
  const testAccuracy = accuracy(f(data.test.x, data.test.n), data.test.y, threshold.t);
  const women = data.test.passengers.map((p) => (p.sex === "female" ? 1 : 0));
  const genderRuleAccuracy = accuracy(women, data.test.y, 0.5);

  // 4. Explain every test passenger.
  const methods = deepTaylorMethods([0, 1]);
  const results: TitanicMethodResult[] = [];
  const maps: { id: string; maps: Heatmaps }[] = [];
  const explainBar = hooks.progress("explaining", methods.length * data.test.n);
  for (const [k, method] of methods.entries()) {
    const out = method.explain(model, testX);
    if (E.isLeft(out)) {
      explainBar.stop();
      return E.left(`${method.title}: ${out.left}`);
    }
    maps.push({ id: method.id, maps: out.right });
    results.push({
      id: method.id,
      label: method.label,
      title: method.title,
      consistency: Consistency.aggregate(Consistency.perSample(out.right.f, out.right.R, { dtype: out.right.R.dtype, terms: accumulatedTerms(model) })),
      shares: featureShares(out.right.f.data, out.right.R.data, data.d),
    });
    explainBar.update((k + 1) * data.test.n);
  }
  explainBar.stop();

  // 5. Files.
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch (u) {
    return fail(`could not create the output folder ${opts.outDir}`, u);
  }
  const files = { report: join(opts.outDir, "report.md"), chart: join(opts.outDir, "feature-relevance.png"), relevances: join(opts.outDir, "relevances.csv") };
  const written = Png.writePng(files.chart, shareChart(data.featureNames, results));
  if (E.isLeft(written)) return E.left(VizError.message(written.left));
  try {
    writeFileSync(files.relevances, relevanceCsv(data, maps, threshold.t));
  } catch (u) {
    return fail(`could not write ${files.relevances}`, u);
  }
  const result: TitanicResult = {
    options: opts,
    recipe,
    source: data.source,
    features: data.featureNames,
    counts: { train: data.train.n, test: data.test.n, survivedTest: data.test.y.reduce((s, v) => s + v, 0) },
    steps: trained.right.steps,
    finalLoss: trained.right.finalLoss,
    threshold: threshold.t,
    trainAccuracy: threshold.trainAccuracy,
    testAccuracy,
    genderRuleAccuracy,
    methods: results,
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
