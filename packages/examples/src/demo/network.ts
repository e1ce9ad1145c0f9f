/**
 * The deck's MNIST network ("Example MNIST: Setting", after Montavon et al. 2017, Sec. 3):
 *
 *   x_j = max(0, Σ_i x_i w_ij + b_j),  j = 1…400,     x_k = Σ_j x_j,     b_j ≤ 0,
 *
 * 1568 inputs (a 28×56 image), 400 detection units, a fixed sum-pooling output without parameters. Weights start
 * random (He normal, seeded, scaled by `initScale`), biases start at zero and are projected back onto b_j ≤ 0
 * after every step; training is plain SGD with batches of 20 fresh pairs from the training pool.
 *
 * The recipe is data: its fingerprint names the cached model, so a changed recipe never reuses a stale one.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { type MnistPool, PAIR_PIXELS, pairSampler } from "@dtd/datasets";
import { LOSSES, type LossName } from "../kit/index.ts";

/** How the network is built and trained. */
export interface Recipe {
  readonly hidden: number;
  readonly batchSize: number;
  readonly loss: LossName;
  readonly learningRate: number;
  /**
   * He-normal weights times this factor. With 1568 inputs of which ~200 are ink, unscaled He weights make the
   * initial sum over 400 units f ≈ 70 for a target of 1; a factor of 0.1 starts near f ≈ 7.
   */
  readonly initScale: number;
}

/** The recipe of `dtd demo` (choices measured in docs/mnist.md). */
export const RECIPE: Recipe = { hidden: 400, batchSize: 20, loss: "hinge", learningRate: 0.003, initScale: 0.1 };

/** The deck's schedule: 300,000 SGD steps. */
export const FULL_STEPS = 300_000;

/** A short, file-name-safe summary of a recipe, e.g. "h400-b20-hinge-lr0.003-init0.1". */
export const fingerprint = (r: Recipe): string => `h${r.hidden}-b${r.batchSize}-${r.loss}-lr${r.learningRate}-init${r.initScale}`;

/** The untrained network: 1568 → 400 ReLU (b = 0) → Σ, weights He normal × initScale from `seed`. */
export const initialNetwork = (recipe: Recipe, seed: number): L.Model => {
  const layers = L.sequential(L.detection(T.zeros([PAIR_PIXELS, recipe.hidden]), T.zeros([recipe.hidden])), L.sumPool());
  const built = L.initModel([PAIR_PIXELS], layers, { seed, scheme: "he", bias: 0 });
  // The shapes above are fixed and consistent: a Left here is a bug in this module.
  if (E.isLeft(built)) throw new Error(`initialNetwork: ${L.message(built.left)}`);
  const [first, ...rest] = L.paramTree(built.right);
  return L.withParamTree(built.right, [{ W: T.mul(first!["W"]!, recipe.initScale), b: first!["b"]! }, ...rest]);
};

/** One report of the training loop. */
export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly examplesPerSecond: number;
}

/** A trained network and how training went. */
export interface Trained {
  readonly model: L.Model;
  readonly steps: number;
  readonly seconds: number;
  /** Mean batch loss over the first and the last 1 % of the steps (at least one step each). */
  readonly lossStart: number;
  readonly lossEnd: number;
}

const meanOf = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((s, v) => s + v, 0) / xs.length);

/** How a detector is trained on fresh pairs: the untrained model, the batch, the loss, the optimizer. */
export interface DetectorTraining<S> {
  readonly initial: L.Model;
  readonly batchSize: number;
  readonly loss: LossName;
  readonly optimizer: L.Optimizer<S>;
  /** The pair stream is seeded with seed + 1 (the initial weights use seed). */
  readonly seed: number;
  readonly steps: number;
  readonly onProgress?: (p: TrainProgress) => void;
  readonly now?: () => number;
}

/**
 * Trains a detector of the 0–3 digit on fresh pairs from the training pool, with every bias projected back onto
 * b ≤ 0 after each step: step s draws batch s of a seeded pair stream, so the same seed and steps give the same
 * model bit for bit. Batches take the model's input shape ([1568] or [1, 28, 56]: the same values). Left with a
 * message when training fails.
 */
export const trainDetector = <S>(pool: MnistPool, opts: DetectorTraining<S>): E.Either<string, Trained> => {
  const { steps, initial } = opts;
  const now = opts.now ?? (() => performance.now());
  const sampler = pairSampler(pool, opts.seed + 1);
  const B = opts.batchSize;
  const start = now();
  const result = L.fit(
    initial,
    () => {
      // Fresh arrays every step (tensors are immutable by convention); fillBatch skips the per-sample metadata.
      const x = new Float64Array(B * PAIR_PIXELS);
      const y = new Float64Array(B);
      sampler.fillBatch(x, y);
      return { x: unsafeMake([B, ...initial.inputShape], x), y: unsafeMake([B, 1], y) };
    },
    {
      loss: LOSSES[opts.loss],
      optimizer: opts.optimizer,
      steps,
      constraints: [L.nonPositiveBias()],
      progressEvery: Math.max(1, Math.min(50, Math.floor(steps / 100))),
      ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    },
  );
  if (E.isLeft(result)) return E.left(L.trainErrorMessage(result.left));
  const h = result.right.lossHistory;
  const k = Math.max(1, Math.floor(h.length / 100));
  return E.right({ model: result.right.model, steps: result.right.steps, seconds: (now() - start) / 1000, lossStart: meanOf(h.slice(0, k)), lossEnd: meanOf(h.slice(-k)) });
};

/** Trains the deck's network of `recipe` (plain SGD) with {@link trainDetector}. */
export const trainNetwork = (
  pool: MnistPool,
  opts: { readonly recipe: Recipe; readonly seed: number; readonly steps: number; readonly onProgress?: (p: TrainProgress) => void; readonly now?: () => number },
): E.Either<string, Trained> => {
  const { recipe, seed } = opts;
  return trainDetector(pool, {
    initial: initialNetwork(recipe, seed),
    batchSize: recipe.batchSize,
    loss: recipe.loss,
    optimizer: L.sgd({ learningRate: recipe.learningRate }),
    seed,
    steps: opts.steps,
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    ...(opts.now !== undefined ? { now: opts.now } : {}),
  });
};
