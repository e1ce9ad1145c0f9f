/**
 * How well the Titanic network predicts survival, against the trivial baseline "every woman survives, every man
 * dies" on the same test passengers — on one split, and over several splits and initialisations, since 262 test
 * passengers make one split's accuracy move by a few points (one passenger is 0.38 points).
 *
 * One run: train on the training passengers (early stopping on a held-out share of them, network.ts), choose the
 * threshold t on f(x) on all training passengers (../kit/threshold.ts), predict "survived" when f(x) > t on the
 * test passengers. The test passengers choose nothing.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type TitanicData } from "@dtd/datasets";
import { accuracy, chooseThreshold } from "../kit/index.ts";
import { scores, type TitanicRecipe, type Trained, trainTitanic } from "./network.ts";

/** A trained network and how it scores. */
export interface Scored {
  readonly trained: Trained;
  readonly threshold: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** "Every woman survives, every man dies" on the same test passengers. */
  readonly baselineAccuracy: number;
  /** Test passengers the network gets right minus those the baseline gets right. */
  readonly passengersGained: number;
  /** Test passengers on whom the network and the baseline decide differently: the only ones where it can gain or lose. */
  readonly disagreements: number;
}

/** The baseline's decisions: 1 for every woman. */
const women = (split: TitanicData["test"]): number[] => split.passengers.map((p) => (p.sex === "female" ? 1 : 0));

/** Accuracy of "women survive" on a split's passengers. */
export const womenSurvive = (split: TitanicData["test"]): number => accuracy(women(split), split.y, 0.5);

/** Trains with `seed` on the data's training passengers and scores the test passengers. */
export const fitAndScore = (
  data: TitanicData,
  recipe: TitanicRecipe,
  seed: number,
  onEpoch?: (epoch: number, total: number, validationLoss: number) => void,
): E.Either<string, Scored> => {
  const trained = trainTitanic(data.train.x, data.train.y, data.d, { recipe, seed, ...(onEpoch === undefined ? {} : { onEpoch }) });
  if (E.isLeft(trained)) return trained;
  const model = trained.right.model;
  const threshold = chooseThreshold(scores(model, data.train.x, data.train.n, data.d), data.train.y);
  const f = scores(model, data.test.x, data.test.n, data.d);
  const testAccuracy = accuracy(f, data.test.y, threshold.t);
  const baselineAccuracy = womenSurvive(data.test);
  const baseline = women(data.test);
  return E.right({
    trained: trained.right,
    threshold: threshold.t,
    trainAccuracy: threshold.trainAccuracy,
    testAccuracy,
    baselineAccuracy,
    passengersGained: Math.round((testAccuracy - baselineAccuracy) * data.test.n),
    disagreements: baseline.filter((w, s) => (f[s]! > threshold.t ? 1 : 0) !== w).length,
  });
};

/** The training seed of initialisation `init` on split `split`: init 0 trains with the split's own seed. */
export const trainingSeed = (split: number, init: number): number => split + 1000 * init;

/** One split: the baseline and each initialisation's test accuracy. */
export interface SplitRow {
  readonly split: number;
  readonly test: number;
  readonly baselineAccuracy: number;
  readonly testAccuracy: readonly number[];
  readonly passengersGained: readonly number[];
  readonly disagreements: readonly number[];
  readonly bestEpoch: readonly number[];
}

/** The accuracy table and its summary. */
export interface SplitTable {
  readonly rows: readonly SplitRow[];
  readonly runs: number;
  /** Runs whose test accuracy is above, equal to, below the baseline's on the same split. */
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  readonly meanAccuracy: number;
  readonly sdAccuracy: number;
  readonly meanBaseline: number;
  /** Mean, smallest and largest difference (accuracy − baseline), in accuracy units. */
  readonly meanDifference: number;
  readonly minDifference: number;
  readonly maxDifference: number;
  /** Splits on which every initialisation beats the baseline. */
  readonly splitsAllBeat: number;
  /** Mean number of test passengers on whom the network and the baseline decide differently. */
  readonly meanDisagreements: number;
  /**
   * On those passengers exactly one of the two is right; the share where it is the network, over all runs:
   * Σ (disagreements + gained) / (2 Σ disagreements).
   */
  readonly rightWhenDisagreeing: number;
}

const sum = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0);
const mean = (v: readonly number[]): number => sum(v) / Math.max(1, v.length);

/** Summarises rows of accuracies. */
export const summarise = (rows: readonly SplitRow[]): SplitTable => {
  const acc = rows.flatMap((r) => r.testAccuracy);
  const diff = rows.flatMap((r) => r.testAccuracy.map((a) => a - r.baselineAccuracy));
  const m = mean(acc);
  return {
    rows,
    runs: acc.length,
    wins: diff.filter((d) => d > 0).length,
    ties: diff.filter((d) => d === 0).length,
    losses: diff.filter((d) => d < 0).length,
    meanAccuracy: m,
    sdAccuracy: Math.sqrt(mean(acc.map((a) => (a - m) ** 2))),
    meanBaseline: mean(rows.map((r) => r.baselineAccuracy)),
    meanDifference: mean(diff),
    minDifference: Math.min(...diff),
    maxDifference: Math.max(...diff),
    splitsAllBeat: rows.filter((r) => r.testAccuracy.every((a) => a > r.baselineAccuracy)).length,
    meanDisagreements: mean(rows.flatMap((r) => r.disagreements)),
    rightWhenDisagreeing: (sum(rows.flatMap((r) => r.disagreements)) + sum(rows.flatMap((r) => r.passengersGained))) / Math.max(1, 2 * sum(rows.flatMap((r) => r.disagreements))),
  };
};

/**
 * Accuracy over splits seeds[k] × initialisations 0…inits − 1: `split(seed)` prepares the data of a split,
 * `done(k)` is told after every split.
 */
export const accuracyOverSplits = (
  seeds: readonly number[],
  inits: number,
  opts: { readonly recipe: TitanicRecipe; readonly split: (seed: number) => E.Either<string, TitanicData>; readonly done?: (k: number) => void },
): E.Either<string, SplitTable> => {
  const rows: SplitRow[] = [];
  for (const [k, s] of seeds.entries()) {
    const data = opts.split(s);
    if (E.isLeft(data)) return data;
    const runs: Scored[] = [];
    for (let m = 0; m < inits; m++) {
      const r = fitAndScore(data.right, opts.recipe, trainingSeed(s, m));
      if (E.isLeft(r)) return r;
      runs.push(r.right);
    }
    rows.push({
      split: s,
      test: data.right.test.n,
      baselineAccuracy: womenSurvive(data.right.test),
      testAccuracy: runs.map((r) => r.testAccuracy),
      passengersGained: runs.map((r) => r.passengersGained),
      disagreements: runs.map((r) => r.disagreements),
      bestEpoch: runs.map((r) => r.trained.bestEpoch),
    });
    opts.done?.(k + 1);
  }
  return E.right(summarise(rows));
};
