/**
 * Region perturbation ("pixel-flipping"; Samek, Binder, Montavon, Bach, Müller, "Evaluating the visualization of
 * what a deep neural network has learned", IEEE TNNLS 28(11), 2017, Sec. III): for every input x, rank its regions
 * (pixels or k×k patches, `Regions`) by a heatmap's relevance, replace them step by step (`Replacement`), and
 * record the score after each step:
 *
 *   x⁽⁰⁾ = x,   x⁽ᵏ⁾ = x⁽ᵏ⁻¹⁾ with the next `regionsPerStep` regions of the order replaced,   k = 1 … L,
 *
 * for the orderings asked for (most relevant first, least relevant first, random: `ordering.ts`), and AOPC =
 * 1/(L + 1) ⟨Σ_k f(x⁽⁰⁾) − f(x⁽ᵏ⁾)⟩ per ordering (`aopc.ts`).
 *
 * Model-agnostic: the model is a batched score function (a batch [n, ...shape] → one score per row) and the heatmap
 * a tensor of the inputs' shape or a function that computes one, so any explanation method and any model can be
 * measured (`dtd.ts` adapts dtd's models, rules, composites and baselines).
 *
 * Batched: step k of every input and every ordering goes through the score function in one call — L + 1 calls in
 * all (step 0 scores the unperturbed inputs once), or that many per group of `batchSize` inputs.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { type AopcSummary, aopc } from "./aopc.ts";
import type { EvaluateError } from "./EvaluateError.ts";
import { ORDERINGS, type Ordering, regionOrder } from "./ordering.ts";
import { patches, type Regions, regionRelevance } from "./Regions.ts";
import { checkReplacement, fillReplacement, type Replacement } from "./Replacement.ts";

/**
 * A batched score function: f of every row of x [n, ...shape]. `samples[r]` is the index, in the evaluated
 * inputs, of the input that row r is a perturbed copy of (e.g. to score each input's own class). Left: refused.
 */
export type ScoreFunction = (x: T.Tensor, samples: Int32Array) => E.Either<string, ArrayLike<number>>;

/** A relevance function: the heatmaps R [N, ...shape] of inputs x [N, ...shape]. Left: refused. */
export type RelevanceFunction = (x: T.Tensor) => E.Either<string, T.Tensor>;

/** Options of {@link regionPerturbation}. */
export interface PerturbationOptions {
  /** The model, as a batched score function. */
  readonly score: ScoreFunction;
  /** The inputs [N, ...shape] (shape [d], [H, W] or [C, H, W]). */
  readonly x: T.Tensor;
  /** Their heatmaps [N, ...shape], or how to compute them; required by the morf and lerf orderings. */
  readonly relevance?: T.Tensor | RelevanceFunction;
  /** What perturbed values become (uniform noise in a box, or a constant). */
  readonly replacement: Replacement;
  /** Default ["morf", "lerf", "random"]. */
  readonly orderings?: readonly Ordering[];
  /** Regions are k×k patches (default 1: single pixels, with all their channels). */
  readonly patch?: number;
  /** Regions replaced per step (default 1). */
  readonly regionsPerStep?: number;
  /** Steps L (default: until every region is replaced, ⌈regions / regionsPerStep⌉). */
  readonly steps?: number;
  /** Seed of the random order and the noise (default 0). */
  readonly seed?: number;
  /** Inputs per score call, each with all its orderings (default: all inputs in one call per step). */
  readonly batchSize?: number;
  /** Called after every score call with the calls done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The perturbation curves of one ordering, and their AOPC. */
export interface Curve extends AopcSummary {
  readonly ordering: Ordering;
  /** f(x⁽ᵏ⁾) of input n after k steps at f[n·(L + 1) + k]; k = 0 is the unperturbed input. */
  readonly f: Float64Array;
}

/** What a run measured. */
export interface PerturbationResult {
  /** The inputs N. */
  readonly samples: number;
  /** The steps L (every curve has L + 1 points). */
  readonly steps: number;
  readonly regionsPerStep: number;
  readonly patch: number;
  /** The regions of one input. */
  readonly regions: Regions;
  /** The regions replaced after k steps, min(k · regionsPerStep, regions), k = 0 … L. */
  readonly replaced: Int32Array;
  /** One entry per ordering asked for. */
  readonly curves: { readonly [K in Ordering]?: Curve };
  /** Calls of the score function. */
  readonly scoreCalls: number;
}

const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;

const invalid = (option: string, expected: string, found: unknown): E.Either<EvaluateError, never> =>
  E.left({ _tag: "InvalidOption", option, expected, found: String(found) });

const showShape = (s: readonly number[]): string => `[${s.join(", ")}]`;

/** The first non-finite value of data laid out as samples of `size` values, as an error. */
const nonFinite = (what: string, data: ArrayLike<number>, size: number): EvaluateError | undefined => {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) return { _tag: "NonFinite", what, sample: Math.floor(i / size), index: i % size, value: data[i]! };
  }
  return undefined;
};

/** The validated settings of a run. */
interface Plan {
  readonly N: number;
  readonly shape: readonly number[];
  readonly size: number;
  readonly regions: Regions;
  readonly perStep: number;
  readonly steps: number;
  readonly patch: number;
  readonly orderings: readonly Ordering[];
  readonly seed: number;
  readonly batchSize: number;
}

const plan = (o: PerturbationOptions): E.Either<EvaluateError, Plan> => {
  const { x } = o;
  if (x.shape.length < 2 || x.shape[0]! < 1) return E.left({ _tag: "ShapeMismatch", what: "the inputs x", expected: "a batch [N, ...shape] with N ≥ 1", found: showShape(x.shape) });
  const N = x.shape[0]!;
  const shape = x.shape.slice(1);
  const size = x.data.length / N;
  const bad = nonFinite("inputs", x.data, size);
  if (bad !== undefined) return E.left(bad);
  const patch = o.patch ?? 1;
  const regions = patches(shape, patch);
  if (E.isLeft(regions)) return regions;
  const count = regions.right.count;
  const perStep = o.regionsPerStep ?? 1;
  if (!positiveInt(perStep) || perStep > count) return invalid("regionsPerStep", `an integer in [1, ${count}] (the number of regions)`, perStep);
  const maxSteps = Math.ceil(count / perStep);
  const steps = o.steps ?? maxSteps;
  if (!positiveInt(steps) || steps > maxSteps) return invalid("steps", `an integer in [1, ${maxSteps}] (${count} regions, ${perStep} per step)`, steps);
  const orderings = o.orderings ?? ORDERINGS;
  if (orderings.length === 0 || new Set(orderings).size !== orderings.length || orderings.some((v) => !ORDERINGS.includes(v))) {
    return invalid("orderings", `distinct orderings among ${ORDERINGS.join(", ")}, at least one`, `[${orderings.join(", ")}]`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) return invalid("seed", "an integer", seed);
  const batchSize = o.batchSize ?? N;
  if (!positiveInt(batchSize)) return invalid("batchSize", "a positive integer (inputs per score call)", batchSize);
  const replacement = checkReplacement(o.replacement, size);
  if (E.isLeft(replacement)) return replacement;
  return E.right({ N, shape, size, regions: regions.right, perStep, steps, patch, orderings, seed, batchSize });
};

/** The heatmaps, when an ordering needs them: given, or computed; checked against the inputs. */
const heatmaps = (o: PerturbationOptions, p: Plan): E.Either<EvaluateError, T.Tensor | undefined> => {
  if (!p.orderings.some((v) => v !== "random")) return E.right(undefined);
  if (o.relevance === undefined) return invalid("relevance", "relevance maps (or a function computing them) for the morf and lerf orderings", "none");
  let R: T.Tensor;
  if (typeof o.relevance === "function") {
    const computed = o.relevance(o.x);
    if (E.isLeft(computed)) return E.left({ _tag: "ExplainFailed", message: computed.left });
    R = computed.right;
  } else R = o.relevance;
  if (!T.Shape.equals(R.shape, o.x.shape)) return E.left({ _tag: "ShapeMismatch", what: "the relevance maps", expected: `the inputs' shape ${showShape(o.x.shape)}`, found: showShape(R.shape) });
  const bad = nonFinite("relevance", R.data, p.size);
  return bad === undefined ? E.right(R) : E.left(bad);
};

/** Checks and copies the scores of one call. */
const readScores = (out: E.Either<string, ArrayLike<number>>, rows: number, step: number, first: number, samples: Int32Array): E.Either<EvaluateError, ArrayLike<number>> => {
  if (E.isLeft(out)) return E.left({ _tag: "ScoreFailed", step, message: out.left });
  const f = out.right;
  if (f.length !== rows) return E.left({ _tag: "ScoreFailed", step, message: `expected ${rows} scores (one per row of the batch), found ${f.length}` });
  for (let r = 0; r < rows; r++) {
    if (!Number.isFinite(f[r]!)) return E.left({ _tag: "NonFinite", what: `scores (step ${step})`, sample: samples[r] ?? first, index: 0, value: f[r]! });
  }
  return E.right(f);
};

/**
 * Runs region perturbation on inputs x with the orderings asked for, and measures AOPC per ordering.
 * Left when an option, a shape or a value is wrong, or when the score or relevance function refuses.
 */
export const regionPerturbation = (o: PerturbationOptions): E.Either<EvaluateError, PerturbationResult> => {
  const planned = plan(o);
  if (E.isLeft(planned)) return planned;
  const p = planned.right;
  const maps = heatmaps(o, p);
  if (E.isLeft(maps)) return maps;
  const R = maps.right;
  const { N, size, steps, perStep, orderings, regions } = p;
  const O = orderings.length;
  const points = steps + 1;
  const f = orderings.map(() => new Float64Array(N * points));
  const groups = Math.ceil(N / p.batchSize);
  const totalCalls = groups * points;
  let calls = 0;
  const call = (batch: T.Tensor, samples: Int32Array, step: number, first: number): E.Either<EvaluateError, ArrayLike<number>> => {
    const scored = readScores(o.score(batch, samples), samples.length, step, first, samples);
    calls++;
    o.onProgress?.(calls, totalCalls);
    return scored;
  };

  for (let first = 0; first < N; first += p.batchSize) {
    const n = Math.min(p.batchSize, N - first);
    // Step 0: the unperturbed inputs, once for every ordering.
    const x0 = o.x.data.slice(first * size, (first + n) * size);
    const f0 = call(unsafeMake([n, ...p.shape], x0), Int32Array.from({ length: n }, (_, i) => first + i), 0, first);
    if (E.isLeft(f0)) return f0;
    for (let s = 0; s < O; s++) for (let i = 0; i < n; i++) f[s]![(first + i) * points] = f0.right[i]!;

    // Rows: ordering s, input i at row s·n + i; each row is a working copy perturbed in place.
    const rows = O * n;
    const state = T.alloc(o.x.dtype, rows * size);
    for (let s = 0; s < O; s++) state.set(x0, s * n * size);
    const replacement = new Float64Array(n * size);
    for (let i = 0; i < n; i++) fillReplacement(o.replacement, { seed: p.seed, sample: first + i, size }, replacement, i * size);
    const orders = orderings.map((ordering) =>
      Array.from({ length: n }, (_, i) => regionOrder(ordering, R === undefined ? new Float64Array(regions.count) : regionRelevance(regions, R.data, first + i), { seed: p.seed, sample: first + i })),
    );
    const samples = Int32Array.from({ length: rows }, (_, r) => first + (r % n));
    for (let k = 1; k <= steps; k++) {
      const lo = (k - 1) * perStep;
      const hi = Math.min(k * perStep, regions.count);
      for (let s = 0; s < O; s++) {
        for (let i = 0; i < n; i++) {
          const order = orders[s]![i]!;
          const row = (s * n + i) * size;
          for (let t = lo; t < hi; t++) {
            const r = order[t]!;
            for (let q = regions.offsets[r]!; q < regions.offsets[r + 1]!; q++) {
              const u = regions.indices[q]!;
              state[row + u] = replacement[i * size + u]!;
            }
          }
        }
      }
      // A fresh copy per call: tensors are immutable, and the score function may keep its input.
      const scored = call(unsafeMake([rows, ...p.shape], state.slice()), samples, k, first);
      if (E.isLeft(scored)) return scored;
      for (let s = 0; s < O; s++) for (let i = 0; i < n; i++) f[s]![(first + i) * points + k] = scored.right[s * n + i]!;
    }
  }

  const curves: { [K in Ordering]?: Curve } = {};
  orderings.forEach((ordering, s) => {
    curves[ordering] = { ordering, f: f[s]!, ...aopc(f[s]!, N) };
  });
  const replaced = Int32Array.from({ length: points }, (_, k) => Math.min(k * perStep, regions.count));
  return E.right({ samples: N, steps, regionsPerStep: perStep, patch: p.patch, regions, replaced, curves, scoreCalls: calls });
};
