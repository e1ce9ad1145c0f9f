import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { type DataError, message } from "@dtd/cli/data/DataError";
import { loadTitanic, locateTitanic, readTitanic, TITANIC_FEATURES, type TitanicData, titanicFeatures } from "@dtd/cli/data/titanic";
import { type Passenger, parsePassengers } from "@dtd/cli/data/titanicSource";

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
    expectAllClose(col(raw, d, feature("fare"))[12]!, (8.4583 + 11.1333) / 2, { atol: 1e-12, rtol: 0 }); // Moore
    expect([11, 12].map((r) => [6, 7, 8].map((j) => raw[r * d + j]))).toEqual([[0, 0, 1], [0, 0, 1]]); // Lewis: port imputed S
  });

  test("encoding: sex male = 1, one-hot ports sum to 1, ten named features", () => {
    const data = all();
    expect(data.featureNames).toEqual(["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked_C", "embarked_Q", "embarked_S", "age_missing"]);
    expect(col(data.train.raw, data.d, feature("sex")).slice(0, 4)).toEqual([1, 0, 0, 0]);
    for (let r = 0; r < data.train.n; r++) {
      expect(data.train.raw[r * data.d + 6]! + data.train.raw[r * data.d + 7]! + data.train.raw[r * data.d + 8]!).toBe(1);
    }
    expect(Array.from(data.train.y)).toEqual([0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1]);
  });

  test("min–max scaling: every value in [0, 1], each column spanning exactly [0, 1] on the training rows", () => {
    const data = all();
    expect(allIn01(data.train.x)).toBe(true);
    for (let j = 0; j < data.d; j++) {
      const c = col(data.train.x, data.d, j);
      expect([Math.min(...c), Math.max(...c)]).toEqual([0, 1]);
    }
    const age = col(data.train.x, data.d, feature("age"));
    expectAllClose(age[0]!, (22 - 0.75) / (58 - 0.75), { atol: 1e-12, rtol: 0 });
    expectAllClose(Array.from(data.scaler.min), [1, 0, 0.75, 0, 0, 7.225, 0, 0, 0, 0], { atol: 0, rtol: 0 });
    expectAllClose(Array.from(data.scaler.max), [3, 1, 58, 4, 5, 71.2833, 1, 1, 1, 1], { atol: 0, rtol: 0 });
  });

  test("the scaler is fitted on the training split only; test values are clipped into [0, 1]", () => {
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const data = right(titanicFeatures(passengers(CSV), { seed, testFraction: 0.3 }));
      expect([data.train.n, data.test.n]).toEqual([14, 6]);
      for (let j = 0; j < data.d; j++) {
        const raw = col(data.train.raw, data.d, j);
        expect([data.scaler.min[j], data.scaler.max[j]]).toEqual([Math.min(...raw), Math.max(...raw)]);
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
    expect(allIn01(data.train.x) && allIn01(data.test.x)).toBe(true);
  });
});
