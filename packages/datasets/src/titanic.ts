/**
 * The deck's Python example data ("Relevance Distribution on the Titanic Dataset"): predict survival from
 * eighteen passenger features, then ask deep Taylor decomposition which features the prediction rests on.
 *
 * Pipeline ({@link titanicFeatures}), everything fitted on the training split only:
 * 1. split by passenger with a seeded permutation (default 80 % train / 20 % test);
 * 2. impute: a missing age becomes the training median age, and `age_missing` = 1 records that it was missing
 *    (263 of 1309 ages are missing in titanic3: a model may learn that missingness itself is informative);
 *    a missing fare becomes the training median fare of the passenger's class (one 3rd-class passenger in
 *    titanic3); a missing port becomes the most frequent training port (S; two passengers in titanic3);
 * 3. encode: every category one-hot — sex (female, male), class (1st, 2nd, 3rd), the title in the name (Mr, Mrs,
 *    Miss, Master — boys —, other), the port (C, Q, S) — so that each value of a category is a feature of its
 *    own that can be present (1); the family aboard (siblings, spouses, parents, children and the passenger);
 *    the fare on a log scale, ln(1 + fare); whether the cabin is known (mostly 1st class: the cabin list survived
 *    with the 1st-class records);
 * 4. scale with ./titanicScaling.ts ("minmax": [0, 1]; "standard": z-scores of age, family and fare) and clip
 *    test rows into the box of the training range.
 * `boat` and `body` are never used: they are recorded after the sinking and leak the label.
 *
 * This module is browser-safe: {@link parseTitanic} reads the text of a file. Where the file comes from, and
 * reading it (`locateTitanic`, `readTitanic`, `loadTitanic`), is `./titanicFiles.ts` (`@dtd/datasets/node`).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import type { DataError } from "./DataError.ts";
import * as Scaling from "./titanicScaling.ts";
import { detectFormat, type Passenger, parsePassengers, PORTS, type Port, type TitanicFormat } from "./titanicSource.ts";

/** Titles in the names ("Braund, Mr. Owen Harris"): the four common ones, everything else is "other". */
export const TITLES = ["Mr", "Mrs", "Miss", "Master", "other"] as const;
export type Title = (typeof TITLES)[number];

/** Titles that mean the same as a common one (French forms, Ms). */
const SYNONYMS: Readonly<Record<string, Title>> = { Mr: "Mr", Mrs: "Mrs", Mme: "Mrs", Miss: "Miss", Ms: "Miss", Mlle: "Miss", Master: "Master" };

/** The title of a name "Surname, Title. Given names": the text between the first comma and the next full stop. */
export const titleOf = (name: string): Title => {
  const m = /,\s*([^.,]+)\./.exec(name);
  return (m === null ? undefined : SYNONYMS[m[1]!.trim()]) ?? "other";
};

/** The feature columns, in order. */
export const TITANIC_FEATURES = [
  "female",
  "male",
  "class_1",
  "class_2",
  "class_3",
  "title_Mr",
  "title_Mrs",
  "title_Miss",
  "title_Master",
  "title_other",
  "age",
  "age_missing",
  "family",
  "log_fare",
  "cabin_known",
  "embarked_C",
  "embarked_Q",
  "embarked_S",
] as const;
export type TitanicFeature = (typeof TITANIC_FEATURES)[number];

/** Continuous features; every other one is binary (a one-hot category or a flag, 0 or 1). */
export const CONTINUOUS_FEATURES: readonly TitanicFeature[] = ["age", "family", "log_fare"];

/** The passenger variables and their feature columns (a category's one-hot columns, a value and its missing flag). */
export const TITANIC_VARIABLES = {
  sex: ["female", "male"],
  class: ["class_1", "class_2", "class_3"],
  title: ["title_Mr", "title_Mrs", "title_Miss", "title_Master", "title_other"],
  age: ["age", "age_missing"],
  family: ["family"],
  fare: ["log_fare"],
  cabin: ["cabin_known"],
  port: ["embarked_C", "embarked_Q", "embarked_S"],
} as const satisfies Record<string, readonly TitanicFeature[]>;
export type TitanicVariable = keyof typeof TITANIC_VARIABLES;

/** Split and seed of the feature pipeline. */
export interface TitanicOptions {
  /** Seed of the train/test permutation (default 0). */
  readonly seed?: number;
  /** Fraction of passengers in the test split, in [0, 1) (default 0.2). */
  readonly testFraction?: number;
  /** How the columns are scaled (default "minmax"). */
  readonly scaling?: Scaling.Scaling;
}

/** One split: n rows of d = 18 scaled features, labels, the unscaled (imputed) features and the passengers. */
export interface TitanicSplit {
  readonly n: number;
  /** n × d row-major, every row inside the box [scaler.low, scaler.high]. */
  readonly x: Float64Array;
  /** Survived: 1 or 0. */
  readonly y: Float64Array;
  /** n × d before scaling, after imputation (ages in years, family in people, ln(1 + fare in pounds)). */
  readonly raw: Float64Array;
  readonly passengers: readonly Passenger[];
}

/** The prepared data set. */
export interface TitanicData {
  readonly featureNames: readonly TitanicFeature[];
  readonly d: number;
  readonly train: TitanicSplit;
  readonly test: TitanicSplit;
  /** Fitted on the training rows: maps raw features into the box [low, high] (l ≤ 0 ≤ h). */
  readonly scaler: Scaling.Scaler;
  /** The values that replaced missing ones, all measured on the training split. */
  readonly imputation: { readonly ageMedian: number; readonly fareMedianByClass: readonly [number, number, number]; readonly port: Port };
}

/** The passengers of a Titanic file's text (ARFF or CSV, detected from the content); `source` names it in errors. */
export const parseTitanic = (text: string, source: string): E.Either<DataError, { readonly format: TitanicFormat; readonly passengers: Passenger[] }> =>
  E.map((passengers: Passenger[]) => ({ format: detectFormat(text), passengers }))(parsePassengers(text, source));

const median = (values: number[]): number => {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Imputation values from the training passengers (which must not be empty). */
const fitImputation = (train: readonly Passenger[]): E.Either<DataError, TitanicData["imputation"]> => {
  const ages = train.flatMap((p) => (p.age === null ? [] : [p.age]));
  if (ages.length === 0) {
    return E.left({ _tag: "InvalidOption", op: "titanicFeatures", expected: "at least one known age in the training split", found: "none" });
  }
  const fares = train.flatMap((p) => (p.fare === null ? [] : [p.fare]));
  const overall = fares.length > 0 ? median(fares) : 0;
  const byClass = ([1, 2, 3] as const).map((c) => {
    const f = train.flatMap((p) => (p.pclass === c && p.fare !== null ? [p.fare] : []));
    return f.length > 0 ? median(f) : overall;
  });
  const counts = PORTS.map((port) => train.filter((p) => p.embarked === port).length);
  const port = PORTS[counts.indexOf(Math.max(...counts))]!;
  return E.right({ ageMedian: median(ages), fareMedianByClass: [byClass[0]!, byClass[1]!, byClass[2]!], port });
};

/** The n × d unscaled feature matrix of `passengers`, missing values replaced by `imp`. */
const rawFeatures = (passengers: readonly Passenger[], imp: TitanicData["imputation"]): Float64Array => {
  const d = TITANIC_FEATURES.length;
  const x = new Float64Array(passengers.length * d);
  const flag = (b: boolean): number => (b ? 1 : 0);
  passengers.forEach((p, r) => {
    const port = p.embarked ?? imp.port;
    const title = titleOf(p.name);
    const row: { readonly [F in TitanicFeature]: number } = {
      female: flag(p.sex === "female"),
      male: flag(p.sex === "male"),
      class_1: flag(p.pclass === 1),
      class_2: flag(p.pclass === 2),
      class_3: flag(p.pclass === 3),
      title_Mr: flag(title === "Mr"),
      title_Mrs: flag(title === "Mrs"),
      title_Miss: flag(title === "Miss"),
      title_Master: flag(title === "Master"),
      title_other: flag(title === "other"),
      age: p.age ?? imp.ageMedian,
      age_missing: flag(p.age === null),
      family: p.sibsp + p.parch + 1,
      log_fare: Math.log1p(p.fare ?? imp.fareMedianByClass[p.pclass - 1]!),
      cabin_known: flag(p.cabin !== null),
      embarked_C: flag(port === "C"),
      embarked_Q: flag(port === "Q"),
      embarked_S: flag(port === "S"),
    };
    x.set(TITANIC_FEATURES.map((f) => row[f]), r * d);
  });
  return x;
};

/** Splits, imputes, encodes and scales (see the module comment). The same seed gives identical arrays. */
export const titanicFeatures = (passengers: readonly Passenger[], options: TitanicOptions = {}): E.Either<DataError, TitanicData> => {
  const seed = options.seed ?? 0;
  const testFraction = options.testFraction ?? 0.2;
  const n = passengers.length;
  const nTest = Math.round(n * testFraction);
  if (!(testFraction >= 0 && testFraction < 1) || n - nTest < 1) {
    return E.left({ _tag: "InvalidOption", op: "titanicFeatures", expected: "testFraction in [0, 1) leaving at least one training passenger", found: `testFraction ${testFraction} with ${n} passengers` });
  }
  const perm = T.Random.permutation(T.Random.make(seed), n);
  const testIdx = Array.from(perm.subarray(0, nTest)).sort((a, b) => a - b);
  const trainIdx = Array.from(perm.subarray(nTest)).sort((a, b) => a - b);
  const trainP = trainIdx.map((i) => passengers[i]!);
  const testP = testIdx.map((i) => passengers[i]!);
  const imputation = fitImputation(trainP);
  if (E.isLeft(imputation)) return imputation;
  const d = TITANIC_FEATURES.length;
  const trainRaw = rawFeatures(trainP, imputation.right);
  const binary = TITANIC_FEATURES.map((f) => !CONTINUOUS_FEATURES.includes(f));
  const scaler = Scaling.fit({ scaling: options.scaling ?? "minmax", x: trainRaw, n: trainP.length, binary });
  const split = (ps: Passenger[], raw: Float64Array): TitanicSplit => ({
    n: ps.length,
    x: Scaling.transform(scaler, raw),
    y: Float64Array.from(ps, (p) => p.survived),
    raw,
    passengers: ps,
  });
  return E.right({
    featureNames: TITANIC_FEATURES,
    d,
    train: split(trainP, trainRaw),
    test: split(testP, rawFeatures(testP, imputation.right)),
    scaler,
    imputation: imputation.right,
  });
};
