/**
 * Mini-batch training of any parameter tree against an objective, built from @dtd/layers' training parts
 * (optimizers, seeded batches, parameter trees, the same TrainError): `fit` there trains a `Model`, and a
 * relevance model with two inputs and a per-sample bias is not one. Per step: draw the rows of a batch, compute
 * the objective and its gradient with `AD.valueAndGrad`, take one optimizer step.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { Optimizer, ParamTreeT, TrainError } from "@dtd/layers";
import { batches, batchesPerEpoch, ParamTree } from "@dtd/layers";

/** The objective on a batch: parameters as Vars (same structure as the tree) and the batch's rows. */
export type Objective = (params: readonly Readonly<Record<string, AD.Var>>[], rows: Int32Array) => AD.Var;

/** Options: exactly one of steps and epochs. */
export interface FitParamsOptions<S> {
  readonly optimizer: Optimizer<S>;
  readonly steps?: number;
  readonly epochs?: number;
  /** Rows per batch (default: all rows, full-batch gradient descent). */
  readonly batchSize?: number;
  /** Seed of the shuffler (default 0). */
  readonly seed?: number;
  /** Called after every step with its batch loss. */
  readonly onStep?: (step: number, loss: number) => void;
}

/** The trained parameters, the loss of every step, and the optimizer state. */
export interface FitParamsResult<S> {
  readonly params: ParamTreeT;
  readonly lossHistory: readonly number[];
  readonly state: S;
}

const positiveInt = (v: number | undefined): v is number => v !== undefined && Number.isInteger(v) && v >= 1;

/** Trains `params` on `n` rows to minimise `objective`. */
export const fitParams = <S>(params: ParamTreeT, n: number, objective: Objective, opts: FitParamsOptions<S>): E.Either<TrainError, FitParamsResult<S>> => {
  const invalid = (reason: string): E.Either<TrainError, FitParamsResult<S>> => E.left({ _tag: "InvalidOptions", reason });
  if ((opts.steps === undefined) === (opts.epochs === undefined)) return invalid(`expected exactly one of steps and epochs, found ${opts.steps === undefined ? "neither" : "both"}`);
  if (opts.steps !== undefined && !positiveInt(opts.steps)) return invalid(`expected steps to be a positive integer, found ${opts.steps}`);
  if (opts.epochs !== undefined && !positiveInt(opts.epochs)) return invalid(`expected epochs to be a positive integer, found ${opts.epochs}`);
  if (!positiveInt(n)) return E.left({ _tag: "InvalidData", step: undefined, reason: `expected at least one example, found ${n}` });
  const batchSize = opts.batchSize ?? n;
  if (!positiveInt(batchSize)) return invalid(`expected batchSize to be a positive integer, found ${batchSize}`);
  const totalSteps = opts.steps ?? opts.epochs! * batchesPerEpoch(n, batchSize);
  // The shuffler draws row indices; the rows themselves are taken by the objective.
  const rowsOf = batches({ x: T.zeros([n, 1]), y: T.zeros([n, 1]) }, { batchSize: Math.min(batchSize, n), seed: opts.seed ?? 0 });

  let current = params;
  let state = opts.optimizer.init(current);
  const lossHistory: number[] = [];
  for (let step = 0; step < totalSteps; step++) {
    const drawn = rowsOf.next();
    if (drawn.done === true) return E.left({ _tag: "InvalidData", step, reason: "the batch iterator ended" });
    const rows = drawn.value.rows;
    const tree = current;
    const computed = T.attempt(() => {
      const [value, grads] = AD.valueAndGrad((...vars: AD.Var[]) => objective(ParamTree.fromLeaves(tree, vars), rows))(...ParamTree.leaves(tree).map((l) => l.value));
      return { loss: T.item(value.value), grads: ParamTree.fromLeaves(tree, grads.map((g) => g.value)) };
    });
    if (E.isLeft(computed)) return E.left({ _tag: "StepFailed", step, error: computed.left });
    const { loss, grads } = computed.right;
    if (!Number.isFinite(loss)) return E.left({ _tag: "NonFiniteLoss", step, loss });
    const stepped = opts.optimizer.step(state, current, grads);
    current = stepped.params;
    state = stepped.state;
    lossHistory.push(loss);
    opts.onStep?.(step + 1, loss);
  }
  return E.right({ params: current, lossHistory, state });
};
