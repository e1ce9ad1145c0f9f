/**
 * The Titanic example's network: a small detection-pooling network on the passenger features
 * (Montavon et al. 2017, Sec. 3; the deck's Python example used one hidden layer of 10 units):
 *
 *   x_j = max(0, Σ_i x_i w_ij + b_j) (one or more such layers, every b_j ≤ 0),     f(x) = Σ_j x_j ≥ 0,
 *
 * trained on survival (target 1 survived, 0 died) with the detection hinge (@dtd/layers' detectionHinge, by name in ../kit/losses.ts), so that
 * f(x) measures the evidence for survival. Adam over shuffled mini-batches, biases projected onto b ≤ 0 after
 * every step (what z⁺ and zᵇ need). Early stopping: a seeded share of the training passengers is held out as a
 * validation set; after every epoch the validation loss is measured, training stops once it has not improved for
 * `patience` epochs, and the network of the best epoch is kept. The test passengers are never seen.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { LOSSES, type LossName } from "../kit/index.ts";

/** How the network is built and trained. */
export interface TitanicRecipe {
  /** Units per hidden layer, e.g. [16] or [16, 8]. */
  readonly hidden: readonly number[];
  readonly loss: LossName;
  /** Adam's step size. */
  readonly learningRate: number;
  /** At most this many passes over the training passengers. */
  readonly epochs: number;
  /** Stop after this many epochs without a better validation loss. */
  readonly patience: number;
  readonly batchSize: number;
  /** The share of the training passengers held out for early stopping, in (0, 1). */
  readonly validationFraction: number;
}

/** The default recipe (measured in docs/titanic.md). */
export const TITANIC_RECIPE: TitanicRecipe = { hidden: [16], loss: "hinge", learningRate: 0.01, epochs: 100, patience: 20, batchSize: 20, validationFraction: 0.2 };

/** The untrained network d → hidden… (ReLU, b = 0) → Σ, He-normal weights from `seed`. */
export const initialNetwork = (d: number, hidden: readonly number[], seed: number): E.Either<string, L.Model> => {
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    return E.left(`expected one or more hidden layer sizes (positive integers), found [${hidden.join(", ")}]`);
  }
  const layers: L.Layer[] = [];
  let nIn = d;
  for (const h of hidden) {
    layers.push(...L.detection(T.zeros([nIn, h]), T.zeros([h])));
    nIn = h;
  }
  layers.push(L.sumPool());
  return E.mapLeft(L.message)(L.initModel([d], layers, { seed, scheme: "he", bias: 0 }));
};

/** What training found. */
export interface Trained {
  readonly model: L.Model;
  /** The epoch whose network was kept (1-based), and how many were run. */
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly steps: number;
  /** Passengers trained on and held out for early stopping. */
  readonly trainedOn: number;
  readonly validation: number;
  /** The detection hinge of the kept network on both. */
  readonly trainLoss: number;
  readonly validationLoss: number;
}

/** The scores f(x) of the n × d rows x. */
export const scores = (model: L.Model, x: Float64Array, n: number, d: number): Float64Array =>
  n === 0 ? new Float64Array(0) : Float64Array.from(L.forward(model, unsafeMake([n, d], x)).output.data);

/** The mean detection hinge y·max(0, 1 − f) + (1 − y)·f of scores f against labels y. */
export const hinge = (f: ArrayLike<number>, y: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < f.length; i++) s += y[i] === 1 ? Math.max(0, 1 - f[i]!) : f[i]!;
  return s / Math.max(1, f.length);
};

/** Rows `rows` of the n × d matrix x, and their labels. */
const take = (x: Float64Array, y: Float64Array, d: number, rows: readonly number[]): { readonly x: Float64Array; readonly y: Float64Array; readonly n: number } => {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, k) => out.set(x.subarray(r * d, (r + 1) * d), k * d));
  return { x: out, y: Float64Array.from(rows, (r) => y[r]!), n: rows.length };
};

/**
 * Trains on the n × d features `x` and labels `y` (the training passengers). `seed` draws the validation
 * passengers, the initial weights and the batches; `onEpoch` sees every epoch's validation loss.
 */
export const trainTitanic = (
  x: Float64Array,
  y: Float64Array,
  d: number,
  opts: { readonly recipe: TitanicRecipe; readonly seed: number; readonly onEpoch?: (epoch: number, total: number, validationLoss: number) => void },
): E.Either<string, Trained> => {
  const { recipe, seed } = opts;
  const n = y.length;
  if (!(recipe.validationFraction > 0 && recipe.validationFraction < 1)) return E.left(`expected a validation fraction in (0, 1), found ${recipe.validationFraction}`);
  if (!(Number.isInteger(recipe.patience) && recipe.patience >= 1)) return E.left(`expected a patience of at least one epoch, found ${recipe.patience}`);
  const nVal = Math.round(n * recipe.validationFraction);
  if (nVal < 1 || n - nVal < 1) return E.left(`expected enough training passengers to hold out a validation set, found ${n}`);
  const perm = Array.from(T.Random.permutation(T.Random.make(seed), n));
  const val = take(x, y, d, perm.slice(0, nVal).sort((a, b) => a - b));
  const fitOn = take(x, y, d, perm.slice(nVal).sort((a, b) => a - b));
  const data = { x: unsafeMake([fitOn.n, d], fitOn.x), y: unsafeMake([fitOn.n, 1], fitOn.y) };
  const initial = initialNetwork(d, recipe.hidden, seed);
  if (E.isLeft(initial)) return initial;

  const optimizer = L.adam({ learningRate: recipe.learningRate });
  let model = initial.right;
  let state: L.AdamState | undefined;
  let best = { model, epoch: 0, loss: hinge(scores(model, val.x, val.n, d), val.y) };
  let steps = 0;
  let epoch = 0;
  while (epoch < recipe.epochs && epoch - best.epoch < recipe.patience) {
    const fitted = L.fit(model, data, {
      loss: LOSSES[recipe.loss],
      optimizer,
      batchSize: recipe.batchSize,
      epochs: 1,
      // A fresh order every epoch, reproducible from the seed.
      seed: seed * 1009 + epoch,
      constraints: [L.nonPositiveBias()],
      ...(state === undefined ? {} : { state }),
    });
    if (E.isLeft(fitted)) return E.left(L.trainErrorMessage(fitted.left));
    epoch++;
    model = fitted.right.model;
    state = fitted.right.state;
    steps += fitted.right.steps;
    const loss = hinge(scores(model, val.x, val.n, d), val.y);
    opts.onEpoch?.(epoch, recipe.epochs, loss);
    if (loss < best.loss) best = { model, epoch, loss };
  }
  return E.right({
    model: best.model,
    bestEpoch: best.epoch,
    epochsRun: epoch,
    steps,
    trainedOn: fitOn.n,
    validation: val.n,
    trainLoss: hinge(scores(best.model, fitOn.x, fitOn.n, d), fitOn.y),
    validationLoss: best.loss,
  });
};
