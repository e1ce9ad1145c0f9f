import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { CONTINUOUS_FEATURES, type DataError, message, type Passenger, parsePassengers, TITANIC_FEATURES, TITANIC_VARIABLES, type TitanicData, titanicFeatures, titleOf } from "@dtd/datasets";
import { loadTitanic, locateTitanic, readTitanic } from "@dtd/datasets/node";

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const CSV = fixture("titanic-small.csv");
const ARFF = fixture("titanic-small.arff");
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const NO_ENV = {};

const right = <A>(r: E.Either<DataError, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected success, got: ${message(r.left)}`);
  return r.right;
};
const left = <A>(r: E.Either<DataError, A>): DataError => {
  if (E.isRight(r)) throw new Error("expected an error, got success");
  return r.left;
};
const passengers = (path: string): Passenger[] => right(parsePassengers(readFileSync(path, "utf8"), path));
const col = (x: Float64Array, d: number, j: number): number[] => Array.from({ length: x.length / d }, (_, r) => x[r * d + j]!);
const feature = (name: (typeof TITANIC_FEATURES)[number]): number => TITANIC_FEATURES.indexOf(name);
const allIn01 = (x: Float64Array): boolean => x.every((v) => v >= 0 && v <= 1);

describe("titanic passengers", () => {
  test("the Kaggle CSV and the titanic3 ARFF fixtures hold the same 20 passengers", () => {
    const fromCsv = passengers(CSV);
    const fromArff = passengers(ARFF);
    expect(fromCsv).toHaveLength(20);
    const strip = (ps: Passenger[]) => ps.map(({ line: _line, ...rest }) => rest);
    expect(strip(fromArff)).toEqual(strip(fromCsv));
    expect(fromCsv[3]!.name).toBe('Dalton, Mrs. Dora "Dot"');
    expect(fromArff[19]!.name).toBe('Turner, Mrs. Tessa, "Tess"');
    expect(fromCsv.map((p) => p.age === null).filter(Boolean)).toHaveLength(3);
    expect(fromCsv[12]).toMatchObject({ name: "Moore, Mr. Martin", fare: null, line: 14 });
    expect(fromArff[11]).toMatchObject({ name: "Lewis, Miss. Lucy", embarked: null, line: 33 });
    expect(fromCsv.map((p) => p.cabin).filter((c) => c !== null)).toEqual(["C85", "C123", "E46", "G6", "C103"]);
  });

  test("the cabin column is optional: without it no cabin is known", () => {
    const csv = "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Fare,Embarked\n1,0,3,\"A, Mr. B\",male,22,1,0,7.25,S\n";
    expect(right(parsePassengers(csv, "t.csv"))).toMatchObject([{ cabin: null, name: "A, Mr. B" }]);
  });

  test("titles: the text between the first comma and the next full stop, synonyms folded, the rare ones 'other'", () => {
    expect(["Braund, Mr. Owen Harris", "Cumings, Mrs. John Bradley", "Aubart, Mme. Leontine", "Heikkinen, Miss. Laina", "O'Dwyer, Ms. Ellen"].map(titleOf)).toEqual(["Mr", "Mrs", "Mrs", "Miss", "Miss"]);
    expect(["Sagesser, Mlle. Emma", "Palsson, Master. Gosta", "Rothes, the Countess. of (Lucy Noel)", "Uruchurtu, Don. Manuel E", "Byles, Rev. Thomas", "no comma. at all", ""].map(titleOf)).toEqual([
      "Miss",
      "Master",
      "other",
      "other",
      "other",
      "other",
      "other",
    ]);
    expect(titleOf('Turner, Mrs. Tessa, "Tess"')).toBe("Mrs");
  });

  test("a bad value names the file line and column; a missing column lists the columns found", () => {
    const csv = readFileSync(CSV, "utf8").replace('"Owen, Miss. Olive",female', '"Owen, Miss. Olive",unknown');
    expect(left(parsePassengers(csv, "t.csv"))).toMatchObject({ _tag: "BadValue", line: 16, column: "sex", found: '"unknown"' });
    expect(message(left(parsePassengers(csv, "t.csv")))).toBe(`t.csv line 16, column 'sex': expected female or male, found "unknown"`);
    const noFare = "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Embarked\n1,0,3,A,male,22,1,0,S\n";
    expect(left(parsePassengers(noFare, "t.csv"))).toMatchObject({ _tag: "MissingColumn", column: "fare" });
    const badClass = readFileSync(CSV, "utf8").replace("2,1,1,", "2,1,4,");
    expect(left(parsePassengers(badClass, "t.csv"))).toMatchObject({ _tag: "BadValue", line: 3, column: "pclass", found: '"4"' });
  });
});

describe("titanic features", () => {
  const all = (): TitanicData => right(titanicFeatures(passengers(CSV), { testFraction: 0 }));

  test("imputation from the training split: median age, class median fare, most frequent port", () => {
    const data = all();
    // Known ages sorted: 0.75 2 2 4 14 14 20 22 [26] 27 31 35 38 39 54 55 58.
    expect([data.imputation.ageMedian, data.imputation.port]).toEqual([26, "S"]);
    // Fares by class: 1st 26.55 51.8625 | 53.1 71.2833; 2nd 13 [16] 30.0708; 3rd: 12 fares, middle pair 8.4583 | 11.1333.
    expectAllClose(data.imputation.fareMedianByClass, [(51.8625 + 53.1) / 2, 16, (8.4583 + 11.1333) / 2], { atol: 1e-12, rtol: 0 });
    const raw = data.train.raw;
    const d = data.d;
    expect(col(raw, d, feature("age"))[4]).toBe(26); // Evans: age missing
    expect(col(raw, d, feature("age_missing"))).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expectAllClose(col(raw, d, feature("log_fare"))[12]!, Math.log1p((8.4583 + 11.1333) / 2), { atol: 1e-12, rtol: 0 }); // Moore
    const ports = [feature("embarked_C"), feature("embarked_Q"), feature("embarked_S")];
    expect([11, 12].map((r) => ports.map((j) => raw[r * d + j]))).toEqual([[0, 0, 1], [0, 0, 1]]); // Lewis: port imputed S
  });

  test("encoding: every category one-hot, family = sibsp + parch + 1, fare on a log scale, cabin known", () => {
    const data = all();
    expect(data.featureNames).toEqual([
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
    ]);
    const raw = (name: (typeof TITANIC_FEATURES)[number]): number[] => col(data.train.raw, data.d, feature(name));
    expect(raw("female").slice(0, 4)).toEqual([0, 1, 1, 1]);
    expect(raw("class_1").slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(raw("title_Master").flatMap((v, r) => (v === 1 ? [r] : []))).toEqual([7, 16]); // Hughes and Quinn
    expect(raw("family").slice(0, 14)).toEqual([2, 2, 1, 2, 1, 1, 1, 5, 3, 2, 3, 1, 1, 7]);
    expect(raw("cabin_known").flatMap((v, r) => (v === 1 ? [r] : []))).toEqual([1, 3, 6, 10, 11]);
    expectAllClose(raw("log_fare")[0]!, Math.log1p(7.25), { atol: 1e-12, rtol: 0 });
    // Each one-hot group holds exactly one 1 per passenger.
    for (const variable of ["sex", "class", "title", "port"] as const) {
      const columns = TITANIC_VARIABLES[variable].map(feature);
      for (let r = 0; r < data.train.n; r++) expect(columns.reduce((sum, j) => sum + data.train.raw[r * data.d + j]!, 0), `${variable} row ${r}`).toBe(1);
    }
    expect(Array.from(data.train.y)).toEqual([0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1]);
  });

  test("min–max scaling: every value in [0, 1], each continuous column spanning exactly [0, 1] on the training rows", () => {
    const data = all();
    expect(allIn01(data.train.x)).toBe(true);
    for (const name of CONTINUOUS_FEATURES) {
      const c = col(data.train.x, data.d, feature(name));
      expect([Math.min(...c), Math.max(...c)], name).toEqual([0, 1]);
    }
    // Binary columns are left as they are, and their box is their whole domain {0, 1} even when the
    // training rows hold only 0 (no "other" title among the 20).
    for (const [j, name] of TITANIC_FEATURES.entries()) {
      if (CONTINUOUS_FEATURES.includes(name)) continue;
      expect(col(data.train.x, data.d, j), name).toEqual(col(data.train.raw, data.d, j));
    }
    expect(Array.from(data.scaler.low)).toEqual(new Array(18).fill(0));
    expect(Array.from(data.scaler.high)).toEqual(new Array(18).fill(1));
    const age = col(data.train.x, data.d, feature("age"));
    expectAllClose(age[0]!, (22 - 0.75) / (58 - 0.75), { atol: 1e-12, rtol: 0 });
    const at = (name: (typeof TITANIC_FEATURES)[number]) => [data.scaler.min[feature(name)], data.scaler.max[feature(name)]];
    expect([at("age"), at("family"), at("title_other")]).toEqual([[0.75, 58], [1, 7], [0, 1]]);
    expectAllClose(at("log_fare") as number[], [Math.log1p(7.225), Math.log1p(71.2833)], { atol: 1e-12, rtol: 0 });
  });

  test("standard scaling: z-scores of the continuous columns on the training rows, binary columns as they are, 0 inside the box", () => {
    const data = right(titanicFeatures(passengers(CSV), { testFraction: 0.25, seed: 2, scaling: "standard" }));
    for (const [j, name] of TITANIC_FEATURES.entries()) {
      const c = col(data.train.x, data.d, j);
      if (CONTINUOUS_FEATURES.includes(name)) {
        const mean = c.reduce((a, b) => a + b, 0) / c.length;
        const sd = Math.sqrt(c.reduce((a, b) => a + (b - mean) ** 2, 0) / c.length);
        expectAllClose([mean, sd], [0, 1], { atol: 1e-12, rtol: 0 });
        expect([Math.min(...c), Math.max(...c)]).toEqual([data.scaler.low[j], data.scaler.high[j]]);
      } else {
        expect(c, name).toEqual(col(data.train.raw, data.d, j));
        expect([data.scaler.low[j], data.scaler.high[j]]).toEqual([0, 1]);
      }
      expect(data.scaler.low[j]! <= 0 && data.scaler.high[j]! >= 0, name).toBe(true);
    }
    expect(data.train.x.some((v) => v < 0)).toBe(true);
    for (let k = 0; k < data.test.x.length; k++) {
      const j = k % data.d;
      expect(data.test.x[k]! >= data.scaler.low[j]! && data.test.x[k]! <= data.scaler.high[j]!).toBe(true);
    }
  });

  test("the scaler is fitted on the training split only; test values are clipped into [0, 1]", () => {
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const data = right(titanicFeatures(passengers(CSV), { seed, testFraction: 0.3 }));
      expect([data.train.n, data.test.n]).toEqual([14, 6]);
      for (const name of CONTINUOUS_FEATURES) {
        const raw = col(data.train.raw, data.d, feature(name));
        expect([data.scaler.min[feature(name)], data.scaler.max[feature(name)]]).toEqual([Math.min(...raw), Math.max(...raw)]);
      }
      expect(allIn01(data.test.x)).toBe(true);
    }
    // Some seed puts the youngest passenger (0.75 years) in the test split: clipped to 0, not negative.
    const clipped = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].some((seed) => {
      const data = right(titanicFeatures(passengers(CSV), { seed, testFraction: 0.3 }));
      return data.test.passengers.some((p, r) => p.age === 0.75 && data.test.x[r * data.d + feature("age")] === 0 && data.scaler.min[feature("age")]! > 0.75);
    });
    expect(clipped).toBe(true);
  });

  test("the split is by passenger, disjoint, and the same seed gives identical arrays", () => {
    const ps = passengers(CSV);
    const a = right(titanicFeatures(ps, { seed: 7 }));
    const b = right(titanicFeatures(ps, { seed: 7 }));
    const c = right(titanicFeatures(ps, { seed: 8 }));
    expect([a.train.n, a.test.n]).toEqual([16, 4]);
    const ids = (t: TitanicData) => [t.train.passengers.map((p) => p.line), t.test.passengers.map((p) => p.line)];
    const [train, test] = ids(a);
    expect(train!.filter((l) => test!.includes(l))).toEqual([]);
    expect([...train!, ...test!].sort((x, y) => x - y)).toEqual(ps.map((p) => p.line));
    expect(ids(b)).toEqual(ids(a));
    expect(Array.from(b.train.x)).toEqual(Array.from(a.train.x)); // bit-identical by construction, not a float comparison
    expect(Array.from(b.test.y)).toEqual(Array.from(a.test.y));
    expect(ids(c)).not.toEqual(ids(a));
  });

  test("bad options are refused", () => {
    expect(left(titanicFeatures(passengers(CSV), { testFraction: 1 }))).toMatchObject({ _tag: "InvalidOption" });
    expect(left(titanicFeatures(passengers(CSV), { testFraction: -0.1 }))).toMatchObject({ _tag: "InvalidOption" });
  });
});

describe("locating and loading", () => {
  test("explicit path (ARFF, CSV or gzipped) with identical features for the same seed", () => {
    const a = right(loadTitanic({ root: ROOT, path: ARFF, env: NO_ENV }, { seed: 3 }));
    const c = right(loadTitanic({ root: ROOT, path: CSV, env: NO_ENV }, { seed: 3 }));
    expect([a.source.format, c.source.format]).toEqual(["arff", "csv"]);
    expect(Array.from(a.train.x)).toEqual(Array.from(c.train.x));
    const dir = mkdtempSync(join(tmpdir(), "dtd-titanic-"));
    writeFileSync(join(dir, "t.arff.gz"), gzipSync(readFileSync(ARFF)));
    const g = right(loadTitanic({ root: dir, path: "t.arff.gz", env: NO_ENV }, { seed: 3 }));
    expect(Array.from(g.test.x)).toEqual(Array.from(a.test.x));
  });

  test("DTD_TITANIC, then <root>/.cache/titanic/titanic3.arff", () => {
    const dir = mkdtempSync(join(tmpdir(), "dtd-titanic-"));
    expect(right(locateTitanic({ root: dir, env: { DTD_TITANIC: CSV } }))).toBe(CSV);
    mkdirSync(join(dir, ".cache", "titanic"), { recursive: true });
    copyFileSync(ARFF, join(dir, ".cache", "titanic", "titanic3.arff"));
    expect(right(readTitanic({ root: dir, env: NO_ENV })).passengers).toHaveLength(20);
  });

  test("nothing found: the error says how to get the data", () => {
    const dir = mkdtempSync(join(tmpdir(), "dtd-titanic-"));
    const e = left(loadTitanic({ root: dir, env: NO_ENV }));
    expect(e).toMatchObject({ _tag: "NotFound", tried: [join(dir, ".cache/titanic/titanic3.arff")] });
    expect(message(e)).toContain("bash scripts/fetch-titanic.sh");
    expect(message(e)).toContain("Kaggle Titanic train.csv");
    expect(left(locateTitanic({ root: dir, env: { DTD_TITANIC: "/nope/train.csv" } }))).toMatchObject({ tried: ["/nope/train.csv"] });
  });

  const real = join(ROOT, ".cache/titanic/titanic3.arff");
  // Skipped on a developer machine without the data; never on CI, whose .ci/run fetches it first.
  test.skipIf(!existsSync(real) && process.env["CI"] === undefined)("the real titanic3 (after scripts/fetch-titanic.sh): 1309 passengers", () => {
    const data = right(loadTitanic({ root: ROOT, env: NO_ENV }));
    expect(data.train.n + data.test.n).toBe(1309);
    expect([data.train.n, data.test.n]).toEqual([1047, 262]);
    const ps = [...data.train.passengers, ...data.test.passengers];
    expect(ps.filter((p) => p.survived === 1)).toHaveLength(500);
    expect(ps.filter((p) => p.age === null)).toHaveLength(263);
    expect(ps.filter((p) => p.cabin !== null)).toHaveLength(295);
    const titles = new Map<string, number>();
    for (const p of ps) titles.set(titleOf(p.name), (titles.get(titleOf(p.name)) ?? 0) + 1);
    expect(Object.fromEntries(titles)).toEqual({ Mr: 757, Mrs: 198, Miss: 264, Master: 61, other: 29 });
    expect(allIn01(data.train.x) && allIn01(data.test.x)).toBe(true);
  });
});
