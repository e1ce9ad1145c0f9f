/**
 * dtd's models and explanation methods as the score and relevance functions of region perturbation: a model's
 * score f (its single output, or the output of each input's class), deep Taylor decomposition with any rule or
 * composite, and the baselines (sensitivity, gradient × input, simple Taylor decomposition).
 *
 * @example
 * const score = Dtd.modelScore(model);
 * const relevance = Dtd.deepTaylor(model, DT.trainingFree(DT.deriveRule(DT.zPlus)));
 * const r = regionPerturbation({ score, x, relevance, replacement: uniformNoise(0, 1), patch: 4, steps: 50 });
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Baselines as B } from "@dtd/deep-taylor";
import type { RelevanceFunction, ScoreFunction } from "./perturbation.ts";

/** Options of {@link modelScore}. */
export interface ModelScoreOptions {
  /**
   * For a model that ends in a vector of scores: the class scored for each evaluated input (classes[n] for input
   * n, e.g. from {@link argmaxClasses} on the unperturbed inputs, so the class stays fixed while they are perturbed).
   */
  readonly classes?: readonly number[];
}

/** The forward pass, with a refused batch as a message. */
const outputOf = (model: L.Model, x: T.Tensor): E.Either<string, T.Tensor> => {
  const checked = L.checkInput(model, x);
  if (E.isLeft(checked)) return E.left(L.message(checked.left));
  return E.mapLeft(T.message)(T.attempt(() => L.forward(model, x).output));
};

/** f of every row: the model's one output, or output classes[samples[r]] of row r. */
export const modelScore = (model: L.Model, opts: ModelScoreOptions = {}): ScoreFunction => (x, samples) =>
  E.flatMap((out: T.Tensor): E.Either<string, ArrayLike<number>> => {
    const rows = x.shape[0]!;
    const K = out.data.length / Math.max(rows, 1);
    if (opts.classes === undefined) {
      return K === 1 ? E.right(Float64Array.from(out.data)) : E.left(`expected a model with one output per sample (or classes to score), found ${K} outputs per sample`);
    }
    const f = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = opts.classes[samples[r]!];
      if (c === undefined || !Number.isInteger(c) || c < 0 || c >= K) return E.left(`expected a class in [0, ${K - 1}] for input ${samples[r]}, found ${c}`);
      f[r] = out.data[r * K + c]!;
    }
    return E.right(f);
  })(outputOf(model, x));

/** The index of the largest output of every input (the predicted class), to fix the scored class. */
export const argmaxClasses = (model: L.Model, x: T.Tensor): E.Either<string, number[]> =>
  E.map((out: T.Tensor): number[] => {
    const N = x.shape[0]!;
    const K = out.data.length / Math.max(N, 1);
    return Array.from({ length: N }, (_, n) => {
      let c = 0;
      for (let k = 1; k < K; k++) if (out.data[n * K + k]! > out.data[n * K + c]!) c = k;
      return c;
    });
  })(outputOf(model, x));

/** Deep Taylor decomposition with a composite (e.g. `DT.uniform(rule)`, `DT.trainingFree(first)`). */
export const deepTaylor = (model: L.Model, composite: DT.Composite, opts: DT.ExplainOptions = {}): RelevanceFunction => (x) =>
  E.bimap(DT.message, (e: DT.Explanation) => e.R)(DT.explain(model, x, composite, opts));

/** A baseline: sensitivity analysis (∂f/∂x_p)², gradient × input x_p ∂f/∂x_p, or simple Taylor decomposition. */
export const baseline = (model: L.Model, method: B.BaselineMethod, opts: B.NearestRootOptions = {}): RelevanceFunction => (x) => {
  const run = method === "sensitivity" ? B.sensitivity(model, x) : method === "gradientXInput" ? B.gradientXInput(model, x) : B.simpleTaylor(model, x, opts);
  return E.bimap(DT.message, (b: B.BaselineExplanation) => b.R)(run);
};
