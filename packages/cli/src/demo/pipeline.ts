/**
 * The MNIST example end to end, as a library call (`dtd demo` is a thin command around it):
 *
 * 1. split every MNIST class by index, seeded, into training and test digits (no test digit is ever trained on);
 * 2. train the 1568-400-Σ detection-pooling network on fresh pairs from the training digits — or load it from
 *    the cache (`.cache/dtd/`, named by recipe, seed and steps);
 * 3. choose the decision threshold on f(x) on training pairs, measure accuracy on test pairs;
 * 4. explain the first `testCount` test pairs with w², z⁺, zᵇ, sensitivity analysis and simple Taylor
 *    decomposition; measure conservation, positivity and where the relevance lands;
 * 5. check the deck's claims on those numbers; draw the heatmap grid and Figure 2; write the report.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { accumulatedTerms } from "@dtd/deep-taylor/accumulatedTerms";
import * as Consistency from "@dtd/deep-taylor/consistency";
import { Png, VizError } from "@dtd/viz";
import { loadMnist, type MnistPool, splitMnist } from "../data/mnist.ts";
import { makePairs, PAIR_PIXELS, type PairSet } from "../data/mnistPairs.ts";
import { cacheFile, lookup, store } from "./cache.ts";
import { checkClaims, type Claim } from "./claims.ts";
import { figure2, type GridRow, heatmapGrid } from "./figures.ts";
import { halfShares, type HalfShares } from "./halves.ts";
import { type Heatmaps, type Method, mnistMethods } from "./methods.ts";
import { fingerprint, type Recipe, RECIPE, trainNetwork } from "./network.ts";
import { mnistReport } from "./report.ts";
import { accuracy, chooseThreshold } from "./threshold.ts";

/** A running progress display (see ../progress.ts). */
export interface ProgressHandle {
  readonly update: (n: number, fields?: Readonly<Record<string, number | string>>) => void;
  readonly stop: () => void;
}

/** Where the pipeline reports what it is doing. */
export interface Hooks {
  readonly progress: (label: string, total: number) => ProgressHandle;
  /** A line for the user (e.g. "using the cached model …"). */
  readonly note: (text: string) => void;
}

/** Hooks that say nothing (for library use and tests). */
export const silent: Hooks = { progress: () => ({ update: () => undefined, stop: () => undefined }), note: () => undefined };

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
  readonly model: string;
}

/** What a run found. */
export interface DemoResult {
  readonly options: DemoOptions;
  readonly recipe: Recipe;
  readonly fromCache: boolean;
  readonly training: { readonly steps: number; readonly seconds: number | undefined; readonly lossStart: number | undefined; readonly lossEnd: number | undefined };
  readonly threshold: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Explained pairs with f(x) = 0 (every unit silent): every method gives them R = 0. */
  readonly silentPairs: number;
  readonly methods: readonly MethodResult[];
  readonly claims: readonly Claim[];
  readonly files: DemoFiles;
  readonly seconds: number;
}

/** Forward pass over a pair set in chunks (bounded memory), returning f [N]. */
const scores = (model: L.Model, set: PairSet, chunk = 500): Float64Array => {
  const f = new Float64Array(set.count);
  for (let s = 0; s < set.count; s += chunk) {
    const n = Math.min(chunk, set.count - s);
    const x = T.unsafeMake([n, PAIR_PIXELS], set.x.slice(s * PAIR_PIXELS, (s + n) * PAIR_PIXELS));
    f.set(L.forward(model, x).output.data, s);
  }
  return f;
};

/** The samples `idx` of a pair set, in that order. */
const subset = (set: PairSet, idx: readonly number[]): PairSet => {
  const x = new Float64Array(idx.length * PAIR_PIXELS);
  idx.forEach((i, k) => x.set(set.x.subarray(i * PAIR_PIXELS, (i + 1) * PAIR_PIXELS), k * PAIR_PIXELS));
  return { count: idx.length, x, labels: Float64Array.from(idx, (i) => set.labels[i]!), meta: idx.map((i) => set.meta[i]!) };
};

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Explains the pairs with one method in chunks, reporting progress; the maps of all chunks joined. */
const explainAll = (method: Method, model: L.Model, set: PairSet, bar: ProgressHandle, chunk: number): E.Either<string, Heatmaps> => {
  const f = new Float64Array(set.count);
  const R = new Float64Array(set.count * PAIR_PIXELS);
  let roots: { found: number; searched: number } | undefined;
  for (let s = 0; s < set.count; s += chunk) {
    const n = Math.min(chunk, set.count - s);
    const x = T.unsafeMake([n, PAIR_PIXELS], set.x.slice(s * PAIR_PIXELS, (s + n) * PAIR_PIXELS));
    const out = method.explain(model, x);
    if (E.isLeft(out)) return E.left(`${method.title}: ${out.left}`);
    f.set(out.right.f.data, s);
    R.set(out.right.R.data, s * PAIR_PIXELS);
    const r = out.right.roots;
    if (r !== undefined) roots = { found: (roots?.found ?? 0) + r.found, searched: (roots?.searched ?? 0) + r.searched };
    bar.update(s + n);
  }
  return E.right({ f: T.unsafeMake([set.count], f), R: T.unsafeMake([set.count, PAIR_PIXELS], R), ...(roots !== undefined ? { roots } : {}) });
};

/** Rows of the grid: the first positives (about three quarters) and negatives of the explained pairs. */
const gridRows = (set: PairSet, count: number): number[] => {
  const wantPos = Math.round(count * 0.75);
  const pos: number[] = [];
  const neg: number[] = [];
  set.meta.forEach((m, i) => (m.label === 1 ? pos : neg).push(i));
  const p = pos.slice(0, Math.max(wantPos, count - neg.length));
  const n = neg.slice(0, count - p.length);
  return [...p, ...n].sort((a, b) => a - b);
};

const rowLabel = (set: PairSet, i: number, f: number): string => {
  const m = set.meta[i]!;
  const show = (d: number, side: "left" | "right"): string => (m.label === 1 && m.side === side ? `[${d}]` : `${d}`);
  return `${show(m.left.digit, "left")} ${show(m.right.digit, "right")}\nf=${f.toFixed(2)}`;
};

const writePng = (path: string, image: Parameters<typeof Png.writePng>[1]): E.Either<string, string> =>
  E.bimap(VizError.message, () => path)(Png.writePng(path, image));

/**
 * The model of a run: from the cache when it holds this recipe, seed and steps (and not --retrain), else trained
 * and cached. Also what the explorer page (packages/explorer) shows.
 */
export const obtainModel = (
  opts: Pick<DemoOptions, "seed" | "steps" | "cacheDir" | "retrain">,
  recipe: Recipe,
  train: MnistPool,
  hooks: Hooks,
): E.Either<string, { readonly model: L.Model; readonly training: DemoResult["training"]; readonly fromCache: boolean; readonly modelPath: string }> => {
  const key = { recipe, seed: opts.seed, steps: opts.steps };
  const modelPath = cacheFile(opts.cacheDir, key);
  const cached = opts.retrain ? ({ _tag: "Miss" } as const) : lookup(modelPath, key);
  if (cached._tag === "Hit") {
    hooks.note(`using the cached model ${modelPath} (${opts.steps} steps, seed ${opts.seed}): training skipped (--retrain to train again)`);
    const meta = cached.metadata["training"];
    const seconds = typeof meta === "object" && meta !== null && "seconds" in meta && typeof meta.seconds === "number" ? meta.seconds : undefined;
    return E.right({ model: cached.model, training: { steps: opts.steps, seconds, lossStart: undefined, lossEnd: undefined }, fromCache: true, modelPath });
  }
  if (cached._tag === "Unusable") hooks.note(`ignoring the cached model ${modelPath}: ${cached.reason}`);
  hooks.note(`training ${fingerprint(recipe)} for ${opts.steps} steps of ${recipe.batchSize} pairs (seed ${opts.seed})`);
  const bar = hooks.progress("training", opts.steps);
  const trained = trainNetwork(train, { recipe, seed: opts.seed, steps: opts.steps, onProgress: (p) => bar.update(p.step, { loss: p.loss, throughput: p.examplesPerSecond }) });
  bar.stop();
  if (E.isLeft(trained)) return trained;
  const { model, steps, seconds, lossStart, lossEnd } = trained.right;
  const saved = store(modelPath, model, { name: "dtd demo: MNIST 0–3 detector (1568-400-Σ, b ≤ 0)", training: { recipe, seed: opts.seed, steps, seconds, lossStart, lossEnd } });
  if (E.isLeft(saved)) hooks.note(`could not cache the model (${saved.left}); the run goes on`);
  return E.right({ model, training: { steps, seconds, lossStart, lossEnd }, fromCache: false, modelPath });
};

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
  const testSet = makePairs(test, { count: opts.accuracyCount, seed: opts.seed + 3 });
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

  // 5. Pictures and report.
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch (u) {
    return E.left(`could not create the output folder ${opts.outDir}: ${u instanceof Error ? u.message : String(u)}`);
  }
  const f = maps[methods[0]!.id]!.maps.f.data;
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
    files: { report: join(opts.outDir, "report.md"), grid: grid.right, figure2: fig2.right, model: modelPath },
    seconds: (performance.now() - t0) / 1000,
  };
  try {
    writeFileSync(result.files.report, mnistReport(result));
  } catch (u) {
    return E.left(`could not write ${result.files.report}: ${u instanceof Error ? u.message : String(u)}`);
  }
  return E.right(result);
};
