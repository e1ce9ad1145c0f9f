/**
 * Is a heatmap *good*? Region perturbation and AOPC (Samek et al., "Evaluating the visualization of what a deep
 * neural network has learned", IEEE TNNLS 2017) for the examples' methods, with @dtd/evaluate:
 *
 * - the pairs measured are the explained test pairs the detector calls positive (f(x) > t): the decisions the
 *   heatmaps explain (a pair with f(x) = 0 has nothing to remove);
 * - regions are k×k patches of the 28×56 image (default 4×4: 7 × 14 = 98 patches), replaced one per step by
 *   uniform noise in the pixel box [0, 1] (Samek et al.'s choice, seeded by the run's seed) or by 0 (black: the
 *   ink removed, MNIST's background) — two readings of "removing" a region, measured side by side;
 * - per method: most relevant first (MoRF, AOPC large is good), least relevant first (LeRF, AOPC small is good),
 *   and the random order on the same pairs — the floor — with the paired difference MoRF − random;
 * - a method "beats" another when its MoRF AOPC is higher by more than two standard errors of the paired
 *   difference over the same pairs.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { unsafeMake } from "@dtd/tensor/unsafe";
import type * as L from "@dtd/layers";
import { type AopcSummary, constantValue, type Curve, Dtd, message, type Ordering, pairedDifference, type Replacement, regionPerturbation, uniformNoise } from "@dtd/evaluate";
import { Grid, type Image, Plot } from "@dtd/viz";
import { PAIR_PIXELS, type PairSet } from "@dtd/datasets";
import { type Hooks } from "../kit/index.ts";
import { batchOf, subset } from "./pairSets.ts";

/** What a replaced pixel becomes. */
export type ReplacementName = "noise" | "zero";

/** The replacements by name, with how reports describe them. */
export const replacements: { readonly [K in ReplacementName]: { readonly replacement: Replacement; readonly description: string } } = {
  noise: { replacement: uniformNoise(0, 1), description: "uniform noise in the pixel box [0, 1]" },
  zero: { replacement: constantValue(0), description: "0 (black: the ink removed)" },
};

/** How the perturbation is run. */
export interface AopcSettings {
  /** Patch size k (regions are k×k patches). */
  readonly patch: number;
  /** Steps L: patches replaced, one per step. */
  readonly steps: number;
  /** Seed of the noise and of the random order. */
  readonly seed: number;
  readonly replacement: ReplacementName;
  /** Measure at most the first this many pairs called positive (default: all of them). */
  readonly maxPairs?: number;
}

/** The examples' default: 4×4 patches, 40 of the 98 replaced one by one (or `steps`), by noise and by 0. */
export const defaultAopcSettings = (seed: number, opts: { readonly steps?: number; readonly maxPairs?: number } = {}): readonly AopcSettings[] =>
  (["noise", "zero"] as const).map((replacement) => ({ patch: 4, steps: opts.steps ?? 40, seed, replacement, ...(opts.maxPairs !== undefined ? { maxPairs: opts.maxPairs } : {}) }));

/** One ordering's result: its AOPC and the mean curve ⟨f(x⁽ᵏ⁾)⟩, k = 0 … L. */
export interface OrderingResult extends AopcSummary {
  readonly meanCurve: Float64Array;
}

/** A method's heatmaps on the explained pairs: which pairs (indices into the explained set) and their maps (flat). */
export interface MethodMaps {
  readonly id: string;
  readonly title: string;
  readonly label: string;
  readonly idx: readonly number[];
  readonly R: ArrayLike<number>;
}

/** The AOPC of one method. */
export interface MethodAopc {
  readonly id: string;
  readonly title: string;
  readonly label: string;
  /** The pairs measured (indices into the explained set). */
  readonly idx: readonly number[];
  readonly morf: OrderingResult;
  readonly lerf: OrderingResult;
  /** The random order on the same pairs. */
  readonly random: OrderingResult;
  /** MoRF − random, paired over the pairs. */
  readonly vsRandom: { readonly difference: number; readonly standardError: number };
  readonly seconds: number;
}

/** What was measured. */
export interface AopcResult {
  readonly settings: AopcSettings;
  /** The explained pairs called positive (f(x) > t), the first `maxPairs` of them: the pairs measured. */
  readonly selected: readonly number[];
  readonly methods: readonly MethodAopc[];
}

const resultOf = (c: Curve, N: number, points: number): OrderingResult => {
  const meanCurve = new Float64Array(points);
  for (let n = 0; n < N; n++) for (let k = 0; k < points; k++) meanCurve[k]! += c.f[n * points + k]! / N;
  return { meanDrop: c.meanDrop, aopc: c.aopc, perSample: c.perSample, standardError: c.standardError, meanCurve };
};

/** Runs the orderings on pairs `idx` of the explained set with heatmaps R (flat, in idx order, or none for random). */
const perturb = (
  model: L.Model,
  explained: PairSet,
  idx: readonly number[],
  R: ArrayLike<number> | undefined,
  orderings: readonly Ordering[],
  ctx: { readonly settings: AopcSettings; readonly hooks: Hooks; readonly label: string },
): E.Either<string, { readonly [K in Ordering]?: OrderingResult }> => {
  const set = subset(explained, idx);
  const x = batchOf(model, set, 0, set.count);
  const { settings } = ctx;
  const bar = ctx.hooks.progress(`perturbing (${ctx.label}, ${settings.replacement})`, settings.steps + 1);
  const run = regionPerturbation({
    score: Dtd.modelScore(model),
    x,
    ...(R !== undefined ? { relevance: unsafeMake([...x.shape], Float64Array.from(R)) } : {}),
    replacement: replacements[settings.replacement].replacement,
    orderings,
    patch: settings.patch,
    steps: settings.steps,
    seed: settings.seed,
    onProgress: (done) => bar.update(done),
  });
  bar.stop();
  if (E.isLeft(run)) return E.left(`${ctx.label}: ${message(run.left)}`);
  const out: { [K in Ordering]?: OrderingResult } = {};
  for (const o of orderings) out[o] = resultOf(run.right.curves[o]!, set.count, settings.steps + 1);
  return E.right(out);
};

/**
 * AOPC of every method on the explained pairs with f(x) > threshold (of those each method explained), with the
 * random order on the same pairs (computed once per set of pairs: it ignores the heatmaps).
 */
export const measureAopc = (args: {
  readonly model: L.Model;
  readonly explained: PairSet;
  readonly f: ArrayLike<number>;
  readonly threshold: number;
  readonly methods: readonly MethodMaps[];
  readonly settings: AopcSettings;
  readonly hooks: Hooks;
}): E.Either<string, AopcResult> => {
  const { model, explained, settings, hooks } = args;
  const selected = Array.from({ length: explained.count }, (_, i) => i)
    .filter((i) => args.f[i]! > args.threshold)
    .slice(0, settings.maxPairs ?? explained.count);
  const chosen = new Set(selected);
  const randoms = new Map<string, OrderingResult>();
  const methods: MethodAopc[] = [];
  for (const m of args.methods) {
    const keep = m.idx.flatMap((i, k) => (chosen.has(i) ? [k] : []));
    if (keep.length === 0) continue;
    const idx = keep.map((k) => m.idx[k]!);
    const R = new Float64Array(keep.length * PAIR_PIXELS);
    keep.forEach((k, j) => {
      for (let p = 0; p < PAIR_PIXELS; p++) R[j * PAIR_PIXELS + p] = m.R[k * PAIR_PIXELS + p]!;
    });
    const t0 = performance.now();
    const curves = perturb(model, explained, idx, R, ["morf", "lerf"], { settings, hooks, label: m.label });
    if (E.isLeft(curves)) return curves;
    const key = idx.join(",");
    let random = randoms.get(key);
    if (random === undefined) {
      const r = perturb(model, explained, idx, undefined, ["random"], { settings, hooks, label: "random order" });
      if (E.isLeft(r)) return r;
      random = r.right.random!;
      randoms.set(key, random);
    }
    const morf = curves.right.morf!;
    methods.push({ id: m.id, title: m.title, label: m.label, idx, morf, lerf: curves.right.lerf!, random, vsRandom: pairedDifference(morf, random), seconds: (performance.now() - t0) / 1000 });
  }
  return E.right({ settings, selected, methods });
};

/** {@link measureAopc} for every setting (e.g. noise and zero replacement). */
export const measureAll = (args: Omit<Parameters<typeof measureAopc>[0], "settings"> & { readonly settings: readonly AopcSettings[] }): E.Either<string, AopcResult[]> => {
  const out: AopcResult[] = [];
  for (const settings of args.settings) {
    const r = measureAopc({ ...args, settings });
    if (E.isLeft(r)) return r;
    out.push(r.right);
  }
  return E.right(out);
};

/** Whether method a's MoRF AOPC exceeds b's by more than two standard errors of the paired difference (same pairs only). */
export const beats = (a: MethodAopc, b: MethodAopc | OrderingResult): { readonly holds: boolean; readonly difference: number; readonly standardError: number } => {
  const other = "morf" in b ? b.morf : b;
  if (other.perSample.length !== a.morf.perSample.length) return { holds: false, difference: NaN, standardError: NaN };
  const d = pairedDifference(a.morf, other);
  return { holds: d.difference > 2 * d.standardError, ...d };
};

/**
 * The perturbation curves, one row per replacement: MoRF (left) and LeRF (right), the mean score ⟨f(x⁽ᵏ⁾)⟩ after k
 * patches, one line per method measured on all the selected pairs, and the random order dashed in grey.
 */
export const perturbationFigure = (results: readonly AopcResult[], opts: { readonly title?: string } = {}): Image.Image => {
  const row = (r: AopcResult) => {
    const full = r.methods.filter((m) => m.idx.length === r.selected.length);
    const ks = Array.from({ length: r.settings.steps + 1 }, (_, k) => k);
    const by = r.settings.replacement === "noise" ? "noise" : "0";
    const panel = (o: "morf" | "lerf", title: string) =>
      Plot.toImage(
        Plot.lines(
          [
            ...full.map((m) => ({ x: ks, y: m[o].meanCurve, label: m.label })),
            ...(full.length > 0 ? [{ x: ks, y: full[0]!.random.meanCurve, label: "random order", dash: 5, color: { r: 120, g: 120, b: 120, a: 255 } }] : []),
          ],
          { title, xLabel: `${r.settings.patch}x${r.settings.patch} patches replaced by ${by}`, yLabel: "mean f(x) over the pairs", legend: o === "morf" ? "top-right" : "bottom-left", width: 480, height: 360 },
        ),
        2,
      );
    return [panel("morf", `most relevant first, ${by}`), panel("lerf", `least relevant first, ${by}`)];
  };
  return Grid.grid(results.map(row), { textScale: 2, frame: null, ...(opts.title !== undefined ? { title: opts.title } : {}) });
};
