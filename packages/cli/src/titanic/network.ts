/**
 * The Titanic example's network: a small detection-pooling network on the ten passenger features in [0, 1]
 * (Montavon et al. 2017, Sec. 3; the deck's Python example used one hidden layer of 10 units):
 *
 *   x_j = max(0, Σ_i x_i w_ij + b_j) (one or more such layers, every b_j ≤ 0),     f(x) = Σ_j x_j,
 *
 * trained on survival (target 1 survived, 0 died) with the detection hinge of ../demo/detectionLoss.ts, so that
 * f(x) ≥ 0 measures the evidence for survival. Plain SGD over shuffled mini-batches, seeded; biases projected
 * onto b ≤ 0 after every step.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { LOSSES, type LossName } from "../demo/detectionLoss.ts";

/** How the network is built and trained. */
export interface TitanicRecipe {
  /** Units per hidden layer, e.g. [16] or [16, 8]. */
  readonly hidden: readonly number[];
  readonly loss: LossName;
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
}

/** The default recipe (measured in docs/titanic.md). */
export const TITANIC_RECIPE: TitanicRecipe = { hidden: [16], loss: "hinge", learningRate: 0.03, epochs: 100, batchSize: 20 };

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

/** Trains on the n × d features `x` and labels `y`; `onProgress` sees every reported step. */
export const trainTitanic = (
  x: Float64Array,
  y: Float64Array,
  d: number,
  opts: { readonly recipe: TitanicRecipe; readonly seed: number; readonly onProgress?: (step: number, total: number, loss: number) => void },
): E.Either<string, { readonly model: L.Model; readonly steps: number; readonly finalLoss: number }> => {
  const n = y.length;
  const { recipe, seed } = opts;
  const initial = initialNetwork(d, recipe.hidden, seed);
  if (E.isLeft(initial)) return initial;
  const data = { x: T.unsafeMake([n, d], x), y: T.unsafeMake([n, 1], y) };
  const fitted = L.fit(initial.right, data, {
    loss: LOSSES[recipe.loss],
    optimizer: L.sgd({ learningRate: recipe.learningRate }),
    batchSize: recipe.batchSize,
    epochs: recipe.epochs,
    seed,
    constraints: [L.nonPositiveBias()],
    ...(opts.onProgress !== undefined ? { onProgress: (p: L.Progress) => opts.onProgress!(p.step, p.totalSteps, p.loss) } : {}),
  });
  if (E.isLeft(fitted)) return E.left(L.trainErrorMessage(fitted.left));
  const h = fitted.right.lossHistory;
  const tail = h.slice(-Math.max(1, Math.floor(h.length / 20)));
  return E.right({ model: fitted.right.model, steps: fitted.right.steps, finalLoss: tail.reduce((s, v) => s + v, 0) / tail.length });
};
