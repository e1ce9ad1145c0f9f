/**
 * The training loop: mini-batch gradient descent on a loss, with constraints projected after every step.
 *
 * Per step: draw a batch (from a seeded shuffler over a data set, or from a sampler `(step) => { x, y }`),
 * compute the loss and its gradient with respect to every trainable parameter (`AD.valueAndGrad` over the
 * differentiable forward pass), take one optimizer step, restore frozen layers and apply the projections
 * (e.g. b ≤ 0). Frozen parameters are never differentiated at all: they enter as constants.
 *
 * Browser-safe: progress goes through `onProgress`, time through `performance.now()` when the platform has it.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { ParamInputs } from "../kinds.ts";
import { message as layerMessage } from "../LayerError.ts";
import { applyModel, checkInput, type Model, paramTree, withParamTree } from "../Model.ts";
import { applyConstraints, checkConstraints, type Constraint, frozenParams } from "./Constraint.ts";
import type { Loss } from "./Loss.ts";
import type { Optimizer } from "./Optimizer.ts";
import { fromLeaves, leaves, type ParamTree } from "./ParamTree.ts";
import { type Batch, batches, batchesPerEpoch, type Dataset, datasetSize } from "./Shuffle.ts";

/** Draws the batch of a step (e.g. fresh random pairs every step). */
export type Sampler = (step: number) => Batch;

/** What `fit` trains on: a fixed data set (shuffled each epoch) or a sampler. */
export type TrainingData = Dataset | Sampler;

/** Reported every `progressEvery` steps and after the last one. */
export interface Progress {
  /** Steps done so far (1 after the first step). */
  readonly step: number;
  readonly totalSteps: number;
  /** The epoch of the last batch (from 0); undefined when training on a sampler. */
  readonly epoch: number | undefined;
  /** The mean batch loss over the steps since the previous report. */
  readonly loss: number;
  /** Examples per second over the steps since the previous report. */
  readonly examplesPerSecond: number;
}

/** Anything with an `aborted` flag, such as an AbortSignal. */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Options of `fit`. Give exactly one of `steps` and `epochs` (epochs only for a data set). */
export interface FitOptions<S> {
  readonly loss: Loss;
  readonly optimizer: Optimizer<S>;
  /** Examples per batch: required for a data set, ignored for a sampler. */
  readonly batchSize?: number;
  readonly steps?: number;
  readonly epochs?: number;
  /** Seed of the shuffler (default 0). */
  readonly seed?: number;
  readonly constraints?: readonly Constraint[];
  readonly onProgress?: (p: Progress) => void;
  /** Report every k steps (default: about 100 reports per run). */
  readonly progressEvery?: number;
  /** Polled before every step: training stops when it returns true. */
  readonly shouldStop?: () => boolean;
  /** Training stops before the next step once it is aborted. */
  readonly signal?: AbortSignalLike;
  /** An optimizer state to continue from (default: `optimizer.init`). */
  readonly state?: S;
  /** The clock in milliseconds (default `performance.now()`, else `Date.now()`). */
  readonly now?: () => number;
}

/** Why training stopped. */
export type StopReason = "completed" | "shouldStop" | "aborted";

/** The trained model, the batch loss of every step taken, and the optimizer state to continue from. */
export interface FitResult<S> {
  readonly model: Model;
  readonly lossHistory: readonly number[];
  readonly steps: number;
  readonly stopped: StopReason;
  readonly state: S;
}

/** Every way training can be refused or fail. */
export type TrainError =
  | { readonly _tag: "InvalidOptions"; readonly reason: string }
  | { readonly _tag: "InvalidData"; readonly step: number | undefined; readonly reason: string }
  | { readonly _tag: "StepFailed"; readonly step: number; readonly error: T.TensorError }
  | { readonly _tag: "NonFiniteLoss"; readonly step: number; readonly loss: number };

/** A one-line human message. */
export const trainErrorMessage = (e: TrainError): string => {
  switch (e._tag) {
    case "InvalidOptions":
      return `fit: invalid options: ${e.reason}`;
    case "InvalidData":
      return `fit: invalid data${e.step === undefined ? "" : ` at step ${e.step}`}: ${e.reason}`;
    case "StepFailed":
      return `fit: step ${e.step} failed: ${T.message(e.error)}`;
    case "NonFiniteLoss":
      return `fit: the loss became ${e.loss} at step ${e.step}: expected a finite loss (lower the learning rate?)`;
  }
};

const defaultNow = (): number => {
  const perf = (globalThis as unknown as { readonly performance?: { readonly now: () => number } }).performance;
  return perf === undefined ? Date.now() : perf.now();
};

const positiveInt = (v: number | undefined): boolean => v !== undefined && Number.isInteger(v) && v >= 1;

/** A batch source with its length in steps. */
interface Plan {
  readonly totalSteps: number;
  readonly next: (step: number) => E.Either<string, Batch & { readonly epoch: number | undefined }>;
}

const planOf = <S>(model: Model, data: TrainingData, opts: FitOptions<S>): E.Either<TrainError, Plan> => {
  const invalid = (reason: string): E.Either<TrainError, Plan> => E.left({ _tag: "InvalidOptions", reason });
  if ((opts.steps === undefined) === (opts.epochs === undefined)) {
    return invalid(`expected exactly one of steps and epochs, found ${opts.steps === undefined ? "neither" : "both"}`);
  }
  if (opts.steps !== undefined && !positiveInt(opts.steps)) return invalid(`expected steps to be a positive integer, found ${opts.steps}`);
  if (opts.epochs !== undefined && !positiveInt(opts.epochs)) return invalid(`expected epochs to be a positive integer, found ${opts.epochs}`);
  if (typeof data === "function") {
    if (opts.steps === undefined) return invalid("expected steps (not epochs) when training on a sampler");
    return E.right({ totalSteps: opts.steps, next: (step) => E.right({ ...data(step), epoch: undefined }) });
  }
  const n = datasetSize(data);
  if (E.isLeft(n)) return E.left({ _tag: "InvalidData", step: undefined, reason: n.left });
  const x = checkInput(model, data.x);
  if (E.isLeft(x)) return E.left({ _tag: "InvalidData", step: undefined, reason: layerMessage(x.left) });
  const y = T.checkFinite("fit (targets)", data.y);
  if (E.isLeft(y)) return E.left({ _tag: "InvalidData", step: undefined, reason: T.message(y.left) });
  const batchSize = opts.batchSize;
  if (batchSize === undefined || !positiveInt(batchSize)) return invalid(`expected batchSize to be a positive integer, found ${batchSize}`);
  const it = batches(data, { batchSize, seed: opts.seed ?? 0 });
  const totalSteps = opts.steps ?? opts.epochs! * batchesPerEpoch(n.right, batchSize);
  return E.right({
    totalSteps,
    next: () => {
      const r = it.next();
      return r.done === true ? E.left("the batch iterator ended") : E.right(r.value);
    },
  });
};

const checkBatch = (model: Model, b: Batch): E.Either<string, Batch> => {
  const x = checkInput(model, b.x);
  if (E.isLeft(x)) return E.left(layerMessage(x.left));
  if (b.y.shape[0] !== b.x.shape[0]) return E.left(`expected as many targets as examples (${b.x.shape[0]}), found y ${T.showShape(b.y.shape)}`);
  return E.right(b);
};

/**
 * Trains `model` on `data` and returns the trained model with its loss history, or why it could not train.
 * Options and data are checked before the first step; a non-finite loss stops training with an error.
 */
export const fit = <S>(model: Model, data: TrainingData, opts: FitOptions<S>): E.Either<TrainError, FitResult<S>> => {
  const constraints = opts.constraints ?? [];
  const checked = checkConstraints(model.layers, constraints);
  if (E.isLeft(checked)) return E.left({ _tag: "InvalidOptions", reason: checked.left });
  const every = opts.progressEvery;
  if (every !== undefined && !positiveInt(every)) return E.left({ _tag: "InvalidOptions", reason: `expected progressEvery to be a positive integer, found ${every}` });
  const planned = planOf(model, data, opts);
  if (E.isLeft(planned)) return planned;
  const { totalSteps, next } = planned.right;
  const reportEvery = every ?? Math.max(1, Math.round(totalSteps / 100));
  const now = opts.now ?? defaultNow;
  const layers = model.layers;
  const frozenAt = layers.map((l, i) => new Set(frozenParams(constraints, l, i)));

  let params: ParamTree = applyConstraints(constraints, layers, paramTree(model));
  const trainableOf = (p: ParamTree): ParamTree => p.map((rec, i) => Object.fromEntries(Object.entries(rec).filter(([n]) => !frozenAt[i]!.has(n))));
  let state = opts.state ?? opts.optimizer.init(trainableOf(params));
  const lossHistory: number[] = [];
  let stopped: StopReason = "completed";
  let windowLoss = 0;
  let windowSteps = 0;
  let windowExamples = 0;
  let windowStart = now();

  for (let step = 0; step < totalSteps; step++) {
    if (opts.signal?.aborted === true) {
      stopped = "aborted";
      break;
    }
    if (opts.shouldStop?.() === true) {
      stopped = "shouldStop";
      break;
    }
    const drawn = E.flatMap((b: Batch & { readonly epoch: number | undefined }) => E.map(() => b)(checkBatch(model, b)))(next(step));
    if (E.isLeft(drawn)) return E.left({ _tag: "InvalidData", step, reason: drawn.left });
    const batch = drawn.right;
    const trainable = trainableOf(params);
    const current = params;
    const objective = (...vars: AD.Var[]): AD.Var => {
      const varTree = fromLeaves(trainable, vars);
      const inputs: ParamInputs[] = layers.map((_, i) => ({ ...current[i]!, ...varTree[i]! }));
      return opts.loss(applyModel(model, AD.constant(batch.x), inputs), batch.y);
    };
    const computed = T.attempt(() => {
      const [value, grads] = AD.valueAndGrad(objective)(...leaves(trainable).map((l) => l.value));
      return { loss: T.item(value.value), grads: fromLeaves(trainable, grads.map((g) => g.value)) };
    });
    if (E.isLeft(computed)) return E.left({ _tag: "StepFailed", step, error: computed.left });
    const { loss, grads } = computed.right;
    if (!Number.isFinite(loss)) return E.left({ _tag: "NonFiniteLoss", step, loss });
    const stepped = opts.optimizer.step(state, trainable, grads);
    state = stepped.state;
    const merged = layers.map((_, i) => ({ ...params[i]!, ...stepped.params[i]! }));
    params = applyConstraints(constraints, layers, merged, params);
    lossHistory.push(loss);

    windowLoss += loss;
    windowSteps++;
    windowExamples += batch.x.shape[0]!;
    const done = step + 1;
    if (opts.onProgress !== undefined && (done % reportEvery === 0 || done === totalSteps)) {
      const t = now();
      const seconds = Math.max((t - windowStart) / 1000, 1e-6);
      opts.onProgress({ step: done, totalSteps, epoch: batch.epoch, loss: windowLoss / windowSteps, examplesPerSecond: windowExamples / seconds });
      windowLoss = 0;
      windowSteps = 0;
      windowExamples = 0;
      windowStart = t;
    }
  }
  return E.right({ model: withParamTree(model, params), lossHistory, steps: lossHistory.length, stopped, state });
};

/** The mean loss of a model on a data set (one batch), without gradients: for evaluation. */
export const evaluate = (model: Model, data: Dataset, loss: Loss): number => T.item(loss(applyModel(model, AD.constant(data.x)), data.y).value);
