/**
 * The deck's Section 4 experiment end to end, as a library call (`dtd demo deep` is a thin command around it).
 * For each deep network (networks.ts), on the same MNIST pairs and digit split as the one-layer demo:
 *
 * 1. train it on fresh pairs from the training digits — or load it from the cache (`.cache/dtd/mnist-deep-…`);
 * 2. choose the threshold on training pairs, measure accuracy on test pairs;
 * 3. fit the min-max relevance model on training pairs (minMax.ts);
 * 4. explain the first `testCount` test pairs with the training-free model (w², zᵇ or z⁺ at the pixels, z⁺
 *    above), the min-max model (w² and zᵇ), sensitivity analysis, gradient × input and simple Taylor
 *    decomposition; measure conservation (also w.r.t. R̂_k for min-max), positivity, the share on the 0–3 digit;
 * 5. verify the training-free model's root points on a few pairs; measure every method by region perturbation;
 * 6. check the deck's claims; draw the heatmap grid, Figure 2 and the perturbation curves.
 * Then one report for all networks.
 * @module
 */
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { accumulatedTerms } from "@dtd/deep-taylor";
import { Consistency } from "@dtd/deep-taylor";
import { MinMax as MM } from "@dtd/deep-taylor";
import { makePairs, type MnistPool, PAIR_PIXELS, type PairSet, splitMnist } from "@dtd/datasets";
import { loadMnist } from "@dtd/datasets/node";
import { accuracy, chooseThreshold, type Claim, gradientXInputMethod, type Heatmaps, type Hooks, type Method, sensitivityMethod, silent, simpleTaylorMethod, trainingFreeMethod, zBox } from "../kit/index.ts";
import { type AopcResult, type AopcSettings, defaultAopcSettings, measureAll, perturbationFigure } from "../demo/aopc.ts";
import { modelFile } from "../demo/cache.ts";
import { explainAll } from "../demo/explainAll.ts";
import { ensureDir, writePng, writeText } from "../demo/files.ts";
import { figure2, heatmapGrid } from "../demo/figures.ts";
import { halfShares } from "../demo/halves.ts";
import { trainDetector } from "../demo/network.ts";
import { cachedOrTrained, type TrainingRecord } from "../demo/cachedOrTrained.ts";
import { gridRows, range, rowLabel, scores, subset } from "../demo/pairSets.ts";
import type { MethodResult } from "../demo/pipeline.ts";
import { samekClaim } from "../demo/samek.ts";
import { checkDeepClaims, MIN_MAX, TRAINING_FREE } from "./claims.ts";
import { type MinMaxFitSettings, type MinMaxFitted, fitMinMaxModel, minMaxDataOf, minMaxMethod, minMaxTerms } from "./minMax.ts";
import { type DeepNet, type DeepNetId, deepFingerprint, deepNets, deepStructure, initialDeep } from "./networks.ts";
import { deepReport } from "./report.ts";

/** Options of a run. */
export interface DeepOptions {
  readonly seed: number;
  /** The networks, in order. */
  readonly nets: readonly DeepNetId[];
  /** SGD steps per network (its default when absent). */
  readonly steps: Readonly<Partial<Record<DeepNetId, number>>>;
  readonly testCount: number;
  readonly accuracyCount: number;
  readonly calibrationCount: number;
  readonly gridCount: number;
  /** Pairs also explained by simple Taylor decomposition (the grid's rows first). */
  readonly taylorCount: number;
  readonly taylorMaxIterations: number;
  /** The min-max model's fit (its seed is the run's). */
  readonly minMax: Omit<MinMaxFitSettings, "seed">;
  /** Pairs on which the training-free model's roots are verified (the grid's first rows). */
  readonly rootPairs: number;
  /** Region perturbation, one measurement per entry (default: 4×4 patches, 40 steps, noise and 0, seeded by `seed`). */
  readonly aopc?: readonly AopcSettings[];
  readonly outDir: string;
  readonly cacheDir: string;
  readonly retrain: boolean;
}

/** The min-max model's fit and how well it models f on the explained pairs. */
export interface MinMaxReport extends MinMaxFitted {
  /** ⟨(R̂_k − R_k)²⟩ on the explained test pairs. */
  readonly testLoss: number;
  /** The largest a_j over the explained test pairs (≤ 0 by construction). */
  readonly maxBias: number;
}

/** What one network gave. */
export interface NetResult {
  readonly net: DeepNet;
  readonly steps: number;
  readonly fromCache: boolean;
  readonly training: TrainingRecord;
  readonly modelPath: string;
  readonly threshold: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly silentPairs: number;
  readonly minMax: MinMaxReport;
  readonly methods: readonly MethodResult[];
  /** Min-max methods: consistency with respect to R̂_k. */
  readonly modelled: Readonly<Record<string, Consistency.DatasetConsistency>>;
  /** Min-max methods: Σ_n |Σ_p R_p − f(x_n)| / Σ_n f(x_n), the conservation error relative to the total score. */
  readonly fitError: Readonly<Record<string, number>>;
  readonly rules: readonly string[];
  readonly roots: { readonly violations: number; readonly active: number; readonly pairs: number; readonly neuronsPerLayer: number };
  readonly aopc: readonly AopcResult[];
  /** The deck's Section 4 claims. */
  readonly claims: readonly Claim[];
  /** Samek et al.'s finding, per AOPC setting: training-free, then min-max. */
  readonly aopcClaims: readonly Claim[];
  readonly files: { readonly grid: string; readonly figure2: string; readonly perturbation: string };
  readonly seconds: number;
}

/** What a run found. */
export interface DeepResult {
  readonly options: DeepOptions;
  readonly nets: readonly NetResult[];
  readonly report: string;
  readonly seconds: number;
}

/**
 * Region perturbation in the deep experiment: 30 patches, on the first 80 pairs called positive. The CNN's forward
 * pass (~1 ms a pair here) makes each method's MoRF and LeRF curves 80 × 2 × 31 forward passes, per replacement.
 */
export const DEEP_AOPC = { steps: 30, maxPairs: 80 } as const;

/** Neurons per layer checked by verifyRoots (evenly spaced), to keep the convolutional layers' check short. */
const ROOT_NEURONS = 400;

/** The methods of the experiment for a network with a fitted min-max model. */
export const deepMethods = (fitted: MinMaxFitted, taylorMaxIterations: number): readonly Method[] => {
  const zb = zBox(0, 1);
  return [
    trainingFreeMethod("tf-w2", "TF w²", "training-free (w², z⁺ above)", DT.w2),
    trainingFreeMethod("tf-zb", "TF zb", "training-free (zᵇ [0, 1], z⁺ above)", zb),
    trainingFreeMethod("zplus", "z+", "z⁺ in every layer", DT.zPlus),
    minMaxMethod(fitted, { id: "mm-w2", label: "MM w²", title: "min-max model (w²)", rule: DT.deriveRule(DT.w2) }),
    minMaxMethod(fitted, { id: "mm-zb", label: "MM zb", title: "min-max model (zᵇ [0, 1])", rule: DT.deriveRule(zb) }),
    sensitivityMethod,
    gradientXInputMethod,
    simpleTaylorMethod({ maxIterations: taylorMaxIterations }),
  ];
};

/** ⟨(R̂_k − R_k)²⟩ and the largest a_j of the fitted model on a pair set. */
const minMaxOnPairs = (model: L.Model, set: PairSet, fitted: MinMaxFitted): E.Either<string, { readonly testLoss: number; readonly maxBias: number }> =>
  E.map((d: MM.MinMaxData) => ({ testLoss: MM.minMaxLoss(fitted.params, d), maxBias: T.item(T.max(MM.minMaxForward(fitted.params, d.x, d.Rl).a)) }))(minMaxDataOf(model, set, fitted.placement));

/** Runs one network. */
const runNet = (net: DeepNet, opts: DeepOptions, pools: { readonly train: MnistPool; readonly test: MnistPool }, hooks: Hooks): E.Either<string, NetResult> => {
  const t0 = performance.now();
  const steps = opts.steps[net.id] ?? net.defaultSteps;
  const fingerprint = deepFingerprint(net);
  hooks.note(`— ${net.id}: ${net.architecture}`);
  const obtained = cachedOrTrained(
    {
      path: modelFile(opts.cacheDir, { prefix: "mnist-deep", fingerprint, seed: opts.seed, steps }),
      structure: deepStructure(net),
      description: `${fingerprint} (batches of ${net.batchSize} pairs)`,
      seed: opts.seed,
      steps,
      train: (onProgress) =>
        trainDetector(pools.train, { initial: initialDeep(net, opts.seed), batchSize: net.batchSize, loss: net.loss, optimizer: L.sgd({ learningRate: net.learningRate }), seed: opts.seed, steps, onProgress }),
      metadata: { name: `dtd demo deep: MNIST 0–3 detector (${net.architecture})`, training: { recipe: fingerprint } },
    },
    { retrain: opts.retrain, hooks },
  );
  if (E.isLeft(obtained)) return obtained;
  const { model, training, fromCache, modelPath } = obtained.right;

  const calibration = makePairs(pools.train, { count: opts.calibrationCount, seed: opts.seed + 2 });
  const threshold = chooseThreshold(scores(model, calibration), calibration.labels);
  const testSet = makePairs(pools.test, { count: opts.accuracyCount, seed: opts.seed + 3 });
  const testAccuracy = accuracy(scores(model, testSet), testSet.labels, threshold.t);

  // The min-max model is fitted on training pairs other than the calibration pairs.
  const fitPairs = makePairs(pools.train, { count: opts.minMax.pairs, seed: opts.seed + 5 });
  const fitted = fitMinMaxModel(model, fitPairs, net.minMax, { ...opts.minMax, seed: opts.seed }, hooks);
  if (E.isLeft(fitted)) return fitted;

  const explained = subset(testSet, range(opts.testCount));
  const onTest = minMaxOnPairs(model, explained, fitted.right);
  if (E.isLeft(onTest)) return onTest;
  const gridIdx = gridRows(explained, Math.min(opts.gridCount, explained.count));
  const taylorIdx = [...gridIdx, ...range(explained.count).filter((i) => !gridIdx.includes(i))].slice(0, Math.min(opts.taylorCount, explained.count));
  const methods = deepMethods(fitted.right, opts.taylorMaxIterations);
  const maps: Record<string, { readonly idx: readonly number[]; readonly maps: Heatmaps }> = {};
  const results: MethodResult[] = [];
  const modelled: Record<string, Consistency.DatasetConsistency> = {};
  // Consistency within the rounding of the model's dtype and size (docs/deep-taylor.md); for the min-max model's own
  // R̂_k, that of its detection-pooling layer.
  const tolerance = { dtype: L.modelDType(model) ?? "float64", terms: accumulatedTerms(model) };
  const minMaxTolerance = { dtype: tolerance.dtype, terms: minMaxTerms(fitted.right) };
  const fitError: Record<string, number> = {};
  for (const method of methods) {
    const idx = method.id === "simpleTaylor" ? taylorIdx : range(explained.count);
    const set = subset(explained, idx);
    const bar = hooks.progress(`explaining (${net.id}, ${method.label})`, set.count);
    const s0 = performance.now();
    const out = explainAll(method, model, set, bar, method.id === "simpleTaylor" ? 1 : 50);
    bar.stop();
    if (E.isLeft(out)) return out;
    maps[method.id] = { idx, maps: out.right };
    const modelledBy = out.right.modelled;
    const rows = Consistency.perSample(out.right.f, out.right.R, tolerance);
    if (modelledBy !== undefined) {
      modelled[method.id] = Consistency.aggregate(Consistency.perSample(modelledBy, out.right.R, minMaxTolerance));
      fitError[method.id] = rows.reduce((s, r) => s + Math.abs(r.conservationError), 0) / Math.max(Number.MIN_VALUE, rows.reduce((s, r) => s + r.f, 0));
    }
    results.push({
      id: method.id,
      title: method.title,
      deepTaylor: method.deepTaylor,
      consistency: Consistency.aggregate(rows),
      halves: halfShares(out.right.R, set.meta),
      seconds: (performance.now() - s0) / 1000,
      ...(out.right.roots !== undefined ? { roots: out.right.roots } : {}),
    });
  }
  const f = maps[methods[0]!.id]!.maps.f.data;

  // Root points of the training-free model (both first-layer rules), on the grid's first pairs.
  const rootSet = subset(explained, gridIdx.slice(0, opts.rootPairs));
  const xRoots = unsafeMake([rootSet.count, ...model.inputShape], rootSet.x);
  const composites = [DT.trainingFree(DT.deriveRule(DT.w2)), DT.trainingFree(DT.deriveRule(zBox(0, 1)))];
  let violations = 0;
  let active = 0;
  for (const c of composites) {
    const v = DT.verifyRoots(model, xRoots, c, { maxNeurons: ROOT_NEURONS });
    if (E.isLeft(v)) return E.left(`verifying roots: ${DT.message(v.left)}`);
    violations += DT.violationCount(v.right);
    active += v.right.active;
  }
  const ruleNames = DT.explain(model, xRoots, composites[1]!);
  if (E.isLeft(ruleNames)) return E.left(DT.message(ruleNames.left));
  const roots = { violations, active, pairs: rootSet.count, neuronsPerLayer: ROOT_NEURONS };

  const aopc = measureAll({
    model,
    explained,
    f,
    threshold: threshold.t,
    methods: methods.map((m) => ({ id: m.id, title: m.title, label: m.label, idx: maps[m.id]!.idx, R: maps[m.id]!.maps.R.data })),
    settings: opts.aopc ?? defaultAopcSettings(opts.seed, DEEP_AOPC),
    hooks,
  });
  if (E.isLeft(aopc)) return aopc;

  const byId = <V>(value: (r: MethodResult) => V): Record<string, V> => Object.fromEntries(results.map((r) => [r.id, value(r)]));
  const claims = checkDeepClaims({
      consistency: byId((r) => r.consistency),
      halves: byId((r) => r.halves),
      titles: byId((r) => r.title),
      modelled,
      fitError,
      rules: ruleNames.right.rules,
      roots,
      maxBias: onTest.right.maxBias,
  });
  const aopcClaims = aopc.right.flatMap((a) => [samekClaim(a, { rules: TRAINING_FREE, against: "sensitivity" }), samekClaim(a, { rules: MIN_MAX, against: "sensitivity" })]);

  const mapOf = (id: string, i: number): ArrayLike<number> | null => {
    const { idx, maps: m } = maps[id]!;
    const k = idx.indexOf(i);
    return k < 0 ? null : m.R.data.subarray(k * PAIR_PIXELS, (k + 1) * PAIR_PIXELS);
  };
  const grid = writePng(
    join(opts.outDir, `heatmaps-${net.id}.png`),
    heatmapGrid(
      gridIdx.map((i) => ({ x: explained.x.subarray(i * PAIR_PIXELS, (i + 1) * PAIR_PIXELS), maps: methods.map((m) => mapOf(m.id, i)), label: rowLabel(explained, i, f[i]!) })),
      { columns: methods.map((m) => m.label), title: net.label },
    ),
  );
  if (E.isLeft(grid)) return grid;
  const fig2 = writePng(
    join(opts.outDir, `figure2-${net.id}.png`),
    figure2(
      methods.map((m) => {
        const rows = Consistency.perSample(maps[m.id]!.maps.f, maps[m.id]!.maps.R, tolerance);
        return { label: m.label, f: rows.map((r) => r.f), sumR: rows.map((r) => r.sumR), minR: rows.map((r) => r.minRelevance) };
      }),
    ),
  );
  if (E.isLeft(fig2)) return fig2;
  const curves = writePng(join(opts.outDir, `perturbation-${net.id}.png`), perturbationFigure(aopc.right, { title: net.label }));
  if (E.isLeft(curves)) return curves;

  return E.right({
    net,
    steps,
    fromCache,
    training,
    modelPath,
    threshold: threshold.t,
    trainAccuracy: threshold.trainAccuracy,
    testAccuracy,
    silentPairs: Array.from(f).filter((v) => v === 0).length,
    minMax: { ...fitted.right, ...onTest.right },
    methods: results,
    modelled,
    fitError,
    rules: ruleNames.right.rules,
    roots,
    aopc: aopc.right,
    claims,
    aopcClaims,
    files: { grid: grid.right, figure2: fig2.right, perturbation: curves.right },
    seconds: (performance.now() - t0) / 1000,
  });
};

/** Runs the experiment. Left with a message when something cannot be done. */
export const runDeep = (opts: DeepOptions, hooks: Hooks = silent): E.Either<string, DeepResult> => {
  const t0 = performance.now();
  if (opts.nets.length === 0 || opts.testCount < 1 || opts.accuracyCount < opts.testCount || opts.calibrationCount < 2 || opts.taylorCount < 1 || opts.rootPairs < 1 || opts.minMax.pairs < 1) {
    return E.left(`expected at least one network, testCount ≥ 1, accuracyCount ≥ testCount, calibrationCount ≥ 2, taylorCount, rootPairs and minMax.pairs ≥ 1`);
  }
  const dir = ensureDir(opts.outDir);
  if (E.isLeft(dir)) return dir;
  const pools = splitMnist(loadMnist(), { seed: opts.seed });
  const nets: NetResult[] = [];
  for (const id of opts.nets) {
    const r = runNet(deepNets[id], opts, pools, hooks);
    if (E.isLeft(r)) return E.left(`${id}: ${r.left}`);
    nets.push(r.right);
  }
  const partial = { options: opts, nets, report: join(opts.outDir, "report.md"), seconds: (performance.now() - t0) / 1000 };
  return E.map(() => partial)(writeText(partial.report, deepReport(partial)));
};
