/**
 * The MNIST example end to end, as a library call (`dtd demo` is a thin command around it):
 *
 * 1. split every MNIST class by index, seeded, into training and test digits (no test digit is ever trained on);
 * 2. train the 1568-400-Σ detection-pooling network on fresh pairs from the training digits — or load it from
 *    the cache (`.cache/dtd/`, named by recipe, seed and steps);
 * 3. choose the decision threshold on f(x) on training pairs, measure accuracy on test pairs;
 * 4. explain the first `testCount` test pairs with w², z⁺, zᵇ, sensitivity analysis and simple Taylor
 *    decomposition; measure conservation, positivity and where the relevance lands;
 * 5. measure every method's heatmaps by region perturbation (AOPC, Samek et al. 2017) on the explained pairs
 *    the detector calls positive;
 * 6. check the deck's claims on those numbers; draw the heatmap grid, Figure 2 and the perturbation curves;
 *    write the report.
 * @module
 */
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import { accumulatedTerms } from "@dtd/deep-taylor";
import { Consistency } from "@dtd/deep-taylor";
import { makePairs, type MnistPool, PAIR_PIXELS, type PairSet, splitMnist } from "@dtd/datasets";
import { loadMnist } from "@dtd/datasets/node";
import { accuracy, chooseThreshold, type Claim, type Heatmaps, type Hooks, mnistMethods, silent } from "../kit/index.ts";
import { type AopcResult, type AopcSettings, defaultAopcSettings, measureAll, perturbationFigure } from "./aopc.ts";
import { cacheFile } from "./cache.ts";
import { checkClaims } from "./claims.ts";
import { explainAll } from "./explainAll.ts";
import { ensureDir, writePng, writeText } from "./files.ts";
import { figure2, type GridRow, heatmapGrid } from "./figures.ts";
import { halfShares, type HalfShares } from "./halves.ts";
import { fingerprint, type Recipe, RECIPE, trainNetwork } from "./network.ts";
import { cachedOrTrained, type ModelSource, type Obtained, type TrainingRecord } from "./cachedOrTrained.ts";
import { gridRows, range, rowLabel, scores, subset } from "./pairSets.ts";
import { mnistReport } from "./report.ts";
import { samekClaim } from "./samek.ts";


/** Options of a run. */
export interface DemoOptions {
  readonly seed: number;
  readonly steps: number;
  /** Test pairs explained (and drawn in Figure 2). */
  readonly testCount: number;
  /** Test pairs whose accuracy is measured (at least testCount). */
  readonly accuracyCount: number;
  /** Training pairs the threshold is chosen on. */
  readonly calibrationCount: number;
  /** Rows of the heatmap grid. */
  readonly gridCount: number;
  /**
   * Pairs explained by simple Taylor decomposition: the grid's rows, then the first explained pairs, up to this
   * many. Its numerical root search takes ~0.05–10 s per pair, against milliseconds for the other methods.
   */
  readonly taylorCount: number;
  /** Cap on the simple Taylor root search's iterations (the baseline's default when absent). */
  readonly taylorMaxIterations?: number;
  /** Region perturbation, one measurement per entry (default: 4×4 patches, 40 steps, replaced by noise and by 0, seeded by `seed`). */
  readonly aopc?: readonly AopcSettings[];
  readonly outDir: string;
  readonly cacheDir: string;
  /** Train even if a cached model exists (and overwrite it). */
  readonly retrain: boolean;
  readonly recipe?: Recipe;
}

/** The numbers of one method. */
export interface MethodResult {
  readonly id: string;
  readonly title: string;
  readonly deepTaylor: boolean;
  readonly consistency: Consistency.DatasetConsistency;
  readonly halves: HalfShares;
  readonly seconds: number;
  /** Root searches that found a root (simple Taylor only). */
  readonly roots?: { readonly found: number; readonly searched: number };
}

/** Every file the run wrote. */
export interface DemoFiles {
  readonly report: string;
  readonly grid: string;
  readonly figure2: string;
  readonly perturbation: string;
  readonly model: string;
}

/** What a run found. */
export interface DemoResult {
  readonly options: DemoOptions;
  readonly recipe: Recipe;
  readonly fromCache: boolean;
  readonly training: TrainingRecord;
  readonly threshold: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Explained pairs with f(x) = 0 (every unit silent): every method gives them R = 0. */
  readonly silentPairs: number;
  readonly methods: readonly MethodResult[];
  readonly claims: readonly Claim[];
  /** Region perturbation of every method's heatmaps (Samek et al. 2017), one result per setting. */
  readonly aopc: readonly AopcResult[];
  /** Per setting: do w², z⁺ and zᵇ beat sensitivity analysis and the random order, as Samek et al. found? */
  readonly aopcClaims: readonly Claim[];
  readonly files: DemoFiles;
  readonly seconds: number;
}

/** Where the one-layer network comes from: the cache, or training with the recipe. */
const source = (opts: Pick<DemoOptions, "seed" | "steps" | "cacheDir">, recipe: Recipe, train: MnistPool): ModelSource => ({
  path: cacheFile(opts.cacheDir, { recipe, seed: opts.seed, steps: opts.steps }),
  structure: { kinds: ["dense", "relu", "sumPool"], shapes: [[PAIR_PIXELS], [recipe.hidden], [recipe.hidden], [1]] },
  description: `${fingerprint(recipe)} (batches of ${recipe.batchSize} pairs)`,
  seed: opts.seed,
  steps: opts.steps,
  train: (onProgress) => trainNetwork(train, { recipe, seed: opts.seed, steps: opts.steps, onProgress }),
  metadata: { name: "dtd demo: MNIST 0–3 detector (1568-400-Σ, b ≤ 0)", training: { recipe } },
});

/**
 * The model of a run: from the cache when it holds this recipe, seed and steps (and not --retrain), else trained
 * and cached. Also what the explorer page (packages/explorer) shows.
 */
export const obtainModel = (opts: Pick<DemoOptions, "seed" | "steps" | "cacheDir" | "retrain">, recipe: Recipe, train: MnistPool, hooks: Hooks): E.Either<string, Obtained> =>
  cachedOrTrained(source(opts, recipe, train), { retrain: opts.retrain, hooks });

/** The held-out test pairs a run measures its accuracy on (the first `testCount` of them are explained). */
export const testPairs = (test: MnistPool, opts: Pick<DemoOptions, "seed" | "accuracyCount">): PairSet => makePairs(test, { count: opts.accuracyCount, seed: opts.seed + 3 });

/** Runs the example. Left with a message when something cannot be done (training failed, a file not written). */
export const runDemo = (opts: DemoOptions, hooks: Hooks = silent): E.Either<string, DemoResult> => {
  const t0 = performance.now();
  const recipe = opts.recipe ?? RECIPE;
  if (opts.testCount < 1 || opts.accuracyCount < opts.testCount || opts.calibrationCount < 2 || opts.taylorCount < 1) {
    return E.left(
      `expected testCount ≥ 1, accuracyCount ≥ testCount, calibrationCount ≥ 2 and taylorCount ≥ 1, found ${opts.testCount}, ${opts.accuracyCount}, ${opts.calibrationCount}, ${opts.taylorCount}`,
    );
  }
  const { train, test } = splitMnist(loadMnist(), { seed: opts.seed });

  // 2. The model: cached, or trained now.
  const obtained = obtainModel(opts, recipe, train, hooks);
  if (E.isLeft(obtained)) return obtained;
  const { model, training, fromCache, modelPath } = obtained.right;

  // 3. Threshold on training pairs, accuracy on test pairs.
  const calibration = makePairs(train, { count: opts.calibrationCount, seed: opts.seed + 2 });
  const threshold = chooseThreshold(scores(model, calibration), calibration.labels);
  const testSet = testPairs(test, opts);
  const testAccuracy = accuracy(scores(model, testSet), testSet.labels, threshold.t);

  // 4. Explanations of the first testCount test pairs (simple Taylor: the grid's rows first, then up to taylorCount).
  const explained = subset(testSet, range(opts.testCount));
  const gridIdx = gridRows(explained, Math.min(opts.gridCount, explained.count));
  const taylorIdx = [...gridIdx, ...range(explained.count).filter((i) => !gridIdx.includes(i))].slice(0, Math.min(opts.taylorCount, explained.count));
  const methods = mnistMethods(opts.taylorMaxIterations === undefined ? {} : { maxIterations: opts.taylorMaxIterations });
  /** Per method: which explained pairs it explained (in order) and their heatmaps. */
  const maps: Record<string, { readonly idx: readonly number[]; readonly maps: Heatmaps }> = {};
  const results: MethodResult[] = [];
  // Consistency within the rounding of the model's dtype and size (docs/deep-taylor.md), for every method alike.
  const tolerance = { dtype: L.modelDType(model) ?? "float64", terms: accumulatedTerms(model) };
  for (const method of methods) {
    const idx = method.id === "simpleTaylor" ? taylorIdx : range(explained.count);
    const set = subset(explained, idx);
    const bar = hooks.progress(`explaining (${method.label})`, set.count);
    const s0 = performance.now();
    const out = explainAll(method, model, set, bar, method.id === "simpleTaylor" ? 1 : 100);
    bar.stop();
    if (E.isLeft(out)) return out;
    maps[method.id] = { idx, maps: out.right };
    results.push({
      id: method.id,
      title: method.title,
      deepTaylor: method.deepTaylor,
      consistency: Consistency.aggregate(Consistency.perSample(out.right.f, out.right.R, tolerance)),
      halves: halfShares(out.right.R, set.meta),
      seconds: (performance.now() - s0) / 1000,
      ...(out.right.roots !== undefined ? { roots: out.right.roots } : {}),
    });
  }
  const byId = <V>(value: (r: MethodResult) => V): Record<string, V> => Object.fromEntries(results.map((r) => [r.id, value(r)]));
  const claims = checkClaims({ consistency: byId((r) => r.consistency), halves: byId((r) => r.halves), titles: byId((r) => r.title) });
  const f = maps[methods[0]!.id]!.maps.f.data;

  // 5. Region perturbation of every method's heatmaps, on the explained pairs the detector calls positive.
  const aopc = measureAll({
    model,
    explained,
    f,
    threshold: threshold.t,
    methods: methods.map((m) => ({ id: m.id, title: m.title, label: m.label, idx: maps[m.id]!.idx, R: maps[m.id]!.maps.R.data })),
    settings: opts.aopc ?? defaultAopcSettings(opts.seed),
    hooks,
  });
  if (E.isLeft(aopc)) return aopc;
  const aopcClaims = aopc.right.map((a) => samekClaim(a, { rules: ["w2", "zplus", "zb"], against: "sensitivity" }));

  // 6. Pictures and report.
  const dir = ensureDir(opts.outDir);
  if (E.isLeft(dir)) return dir;
  /** The heatmap of explained pair i by a method, or null when the method did not explain it. */
  const mapOf = (id: string, i: number): ArrayLike<number> | null => {
    const { idx, maps: m } = maps[id]!;
    const k = idx.indexOf(i);
    return k < 0 ? null : m.R.data.subarray(k * PAIR_PIXELS, (k + 1) * PAIR_PIXELS);
  };
  const rows: GridRow[] = gridIdx.map((i) => ({
    x: explained.x.subarray(i * PAIR_PIXELS, (i + 1) * PAIR_PIXELS),
    maps: methods.map((m) => mapOf(m.id, i)),
    label: rowLabel(explained, i, f[i]!),
  }));
  const grid = writePng(join(opts.outDir, "heatmaps.png"), heatmapGrid(rows, { columns: methods.map((m) => m.label) }));
  if (E.isLeft(grid)) return grid;
  const fig2 = writePng(
    join(opts.outDir, "figure2.png"),
    figure2(
      methods.map((m) => {
        const rowsOf = Consistency.perSample(maps[m.id]!.maps.f, maps[m.id]!.maps.R, tolerance);
        return { label: m.label, f: rowsOf.map((r) => r.f), sumR: rowsOf.map((r) => r.sumR), minR: rowsOf.map((r) => r.minRelevance) };
      }),
    ),
  );
  if (E.isLeft(fig2)) return fig2;
  const curves = writePng(join(opts.outDir, "perturbation.png"), perturbationFigure(aopc.right));
  if (E.isLeft(curves)) return curves;

  const result: DemoResult = {
    options: opts,
    recipe,
    fromCache,
    training,
    threshold: threshold.t,
    trainAccuracy: threshold.trainAccuracy,
    testAccuracy,
    silentPairs: Array.from(f).filter((v) => v === 0).length,
    methods: results,
    claims,
    aopc: aopc.right,
    aopcClaims,
    files: { report: join(opts.outDir, "report.md"), grid: grid.right, figure2: fig2.right, perturbation: curves.right, model: modelPath },
    seconds: (performance.now() - t0) / 1000,
  };
  const written = writeText(result.files.report, mnistReport(result));
  return E.map(() => result)(written);
};
