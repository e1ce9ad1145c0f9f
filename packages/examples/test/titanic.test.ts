/**
 * The Titanic example on the committed 20-passenger fixture: every explanation is consistent, the shares of a
 * conservative explanation add up to 100 %, the rule claims are checked (z⁺ leaves its domain on standardised
 * features), the outputs are written, missing data is reported with the way to get it, and the command prints
 * the table. On the real titanic3 (fetched by .ci/run): the network beats "women survive".
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { memoryIo } from "@dtd/cli";
import { run } from "../src/program.ts";
import { silent } from "../src/kit/index.ts";
import { featureShares, variableShares } from "../src/titanic/shares.ts";
import { runTitanic, type TitanicResult } from "../src/titanic/pipeline.ts";
import { absentShares, isSound } from "../src/titanic/claims.ts";
import { summarise } from "../src/titanic/accuracy.ts";
import { TITANIC_RECIPE } from "../src/titanic/network.ts";
import * as Png from "@dtd/viz/png";

const CSV = fileURLToPath(new URL("../../datasets/test/fixtures/titanic-small.csv", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dtd-titanic-"));
const recipe = { ...TITANIC_RECIPE, epochs: 30 };
const small = { splits: 2, inits: 2 };

const ok = (r: E.Either<string, TitanicResult>): TitanicResult => {
  if (E.isLeft(r)) throw new Error(`expected the run to succeed, got: ${r.left}`);
  return r.right;
};

describe("dtd titanic (fixture)", () => {
  const result = ok(runTitanic({ root: dir, dataPath: CSV, seed: 1, outDir: join(dir, "out"), recipe, env: {}, ...small }, silent));

  test("every test passenger's explanation is consistent under zᵇ (the default, first), w² and z⁺", () => {
    expect(result.counts).toMatchObject({ train: 16, test: 4 });
    expect(result.methods.map((m) => m.id)).toEqual(["zb", "w2", "zplus"]);
    for (const m of result.methods) {
      expect(m.consistency.samples, m.id).toBe(4);
      expect(m.consistency.shareConsistent, m.id).toBe(1);
      expect(m.consistency.maxAbsConservationError, m.id).toBeLessThan(1e-12);
      expect(m.warnings, m.id).toBe(0);
    }
  });

  test("min–max features: the inputs are in ℝ₊ᵈ and in the box, zᵇ and z⁺ are sound, z⁺ credits no absent category", () => {
    const verdict = Object.fromEntries(result.claims.map((c) => [c.key, c.holds]));
    expect(verdict).toMatchObject({ inPositiveOrthant: true, inBox: true, nonPositiveBias: true, "roots:zb": true, "roots:zplus": true, zplusSkipsAbsent: true });
    expect([isSound(result.claims, "zb"), isSound(result.claims, "zplus")]).toEqual([true, true]);
    const zplus = result.methods.find((m) => m.id === "zplus")!;
    expect(zplus.absent.total).toBe(0);
    expect(result.box.low.every((l) => l === 0) && result.box.high.every((h) => h === 1)).toBe(true);
  });

  test("standardised features leave z⁺'s domain: its claims do not hold and a lenient explanation records the violations; zᵇ stays sound", () => {
    const std = ok(runTitanic({ root: dir, dataPath: CSV, seed: 1, outDir: join(dir, "std"), recipe, env: {}, scaling: "standard", splits: 1, inits: 1 }, silent));
    const verdict = Object.fromEntries(std.claims.map((c) => [c.key, c.holds]));
    expect(verdict).toMatchObject({ inPositiveOrthant: false, inBox: true, "consistent:zb": true, "roots:zb": true });
    expect(isSound(std.claims, "zb")).toBe(true);
    expect(isSound(std.claims, "zplus")).toBe(false);
    const zplus = std.methods.find((m) => m.id === "zplus")!;
    expect(zplus.warnings).toBeGreaterThan(0);
    expect(std.box.low.some((l) => l < 0)).toBe(true);
    expect(readFileSync(std.files.report, "utf8")).toContain("**does not hold**");
  });

  test("the accuracy table: one row per split, each initialisation against the baseline on the same passengers", () => {
    expect(result.splits.rows.map((r) => r.split)).toEqual([1, 2]);
    expect(result.splits.runs).toBe(4);
    expect(result.splits.wins + result.splits.ties + result.splits.losses).toBe(4);
    // Initialisation 0 of the first split is the explained network.
    expect(result.splits.rows[0]!.testAccuracy[0]).toBe(result.testAccuracy);
    expect(result.splits.rows[0]!.baselineAccuracy).toBe(result.baselineAccuracy);
  });

  test("the mean shares of passengers with f(x) > 0 add up to 100 %, per feature and per variable", () => {
    for (const m of result.methods) {
      expect(m.shares.sharePercent).toHaveLength(18);
      expect(m.shares.passengers + m.shares.silent).toBe(4);
      if (m.shares.passengers > 0) {
        expectAllClose(m.shares.sharePercent.reduce((s, v) => s + v, 0), 100, { atol: 1e-9 });
        expectAllClose(Object.values(m.variables).reduce((s, v) => s + v, 0), 100, { atol: 1e-9 });
      }
    }
  });

  test("writes the report, the bar chart and one CSV row per test passenger and rule", () => {
    const report = readFileSync(result.files.report, "utf8");
    expect(report).toContain("## Mean relevance share per feature");
    expect(report).toContain("## Accuracy against \"women survive\"");
    expect(report).toContain("## Which rule suits these inputs");
    expect(report).toContain("**The default rule of this report is zᵇ");
    expect(report).toContain("Every explanation is consistent");
    const chart = Png.readPng(result.files.chart);
    if (E.isLeft(chart)) throw new Error("expected the bar chart to decode");
    expect(chart.right.width).toBeGreaterThan(3 * 420);
    const csv = readFileSync(result.files.relevances, "utf8").trim().split("\n");
    expect(csv).toHaveLength(1 + 3 * 4);
    expect(csv[0]).toBe(
      "passenger_line,name,survived,rule,f,predicted_survived,R_female,R_male,R_class_1,R_class_2,R_class_3,R_title_Mr,R_title_Mrs,R_title_Miss,R_title_Master,R_title_other,R_age,R_age_missing,R_family,R_log_fare,R_cabin_known,R_embarked_C,R_embarked_Q,R_embarked_S",
    );
    // Names with commas are quoted.
    expect(csv[1]).toMatch(/^\d+,"[^"]*,[^"]*",[01],zb,/);
  });

  test("is reproducible: the same seed gives the same numbers", () => {
    const again = ok(runTitanic({ root: dir, dataPath: CSV, seed: 1, outDir: join(dir, "out2"), recipe, env: {}, ...small }, silent));
    expect(again.testAccuracy).toBe(result.testAccuracy);
    expect(again.splits).toEqual(result.splits);
    expect(again.methods.map((m) => m.shares.sharePercent)).toEqual(result.methods.map((m) => m.shares.sharePercent));
  });

  test("missing data: the error says how to get it", () => {
    const r = runTitanic({ root: dir, seed: 0, outDir: join(dir, "none"), env: {} }, silent);
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) {
      expect(r.left).toContain("Titanic data not found");
      expect(r.left).toContain("bash scripts/fetch-titanic.sh");
    }
  });
});

describe("the numbers behind the report", () => {
  test("absentShares: the share of binary features at 0, mean over passengers with f > 0", () => {
    // Two features, the first binary; passenger 0 has it absent, passenger 1 present, passenger 2 silent.
    const a = absentShares([2, 1, 0], [1, 1, 0.5, 0.5, 0, 0], [0, 0.3, 1, 0.7, 0, 0.1], [true, false]);
    expectAllClose(a.perFeature, [50 / 2, 0], { atol: 1e-12 });
    expectAllClose(a.total, 25, { atol: 1e-12 });
  });

  test("variableShares sums the features of each variable and names a missing one", () => {
    expect(variableShares(["a", "b", "c"], [10, 20, 70], { ab: ["a", "b"], c: ["c"] })).toEqual({ ab: 30, c: 70 });
    expect(() => variableShares(["a"], [100], { x: ["z"] })).toThrow(/variable "x" names the feature "z"/);
  });

  test("summarise counts wins, ties and losses against each split's own baseline", () => {
    const row = (split: number, baselineAccuracy: number, testAccuracy: number[]) => ({ split, test: 100, baselineAccuracy, testAccuracy, passengersGained: [], disagreements: [2, 4], bestEpoch: [] });
    const s = summarise([row(0, 0.8, [0.82, 0.8]), row(1, 0.7, [0.69, 0.75])]);
    expect([s.runs, s.wins, s.ties, s.losses, s.splitsAllBeat, s.meanDisagreements]).toEqual([4, 2, 1, 1, 0, 3]);
    expectAllClose([s.meanAccuracy, s.meanBaseline, s.meanDifference, s.minDifference, s.maxDifference], [0.765, 0.75, 0.015, -0.01, 0.05], { atol: 1e-12 });
    // (2 + 4 + 2 + 4 disagreements + 1 + 0 − 1 + 3 gained) / (2 · 12).
    const gained = summarise([{ ...row(0, 0.8, [0.82, 0.8]), passengersGained: [1, 0] }, { ...row(1, 0.7, [0.69, 0.75]), passengersGained: [-1, 3] }]);
    expectAllClose(gained.rightWhenDisagreeing, 15 / 24, { atol: 1e-12 });
  });
});

describe("featureShares", () => {
  test("averages R_i / f over passengers with f > 0 and counts the others", () => {
    const s = featureShares([2, 0, 1], [1, 1, 0, 0, 0.25, 0.75], 2);
    expect(s.passengers).toBe(2);
    expect(s.silent).toBe(1);
    expectAllClose(s.sharePercent, [(50 + 25) / 2, (50 + 75) / 2], { atol: 1e-12 });
    expectAllClose(s.meanRelevance, [0.625, 0.875], { atol: 1e-12 });
    expect(() => featureShares([1], [1, 2, 3], 2)).toThrow(/expected 1 × 2 = 2 relevances, found 3/);
  });
});

describe("the titanic command", () => {
  test("prints the accuracy, the consistency and the share table", async () => {
    const io = memoryIo();
    const code = await run(["titanic", "--data", CSV, "--epochs", "10", "--splits", "1", "--inits", "1", "--out", join(dir, "cmd")], io);
    expect(io.err()).toContain("training");
    expect(code).toBe(0);
    expect(io.out()).toMatch(/test accuracy {2}\d+\.\d % on 4 test passengers/);
    expect(io.out()).toContain("mean relevance share per feature");
    expect(io.out()).toMatch(/\n {2}female +\d+\.\d %/);
    expect(io.out()).toMatch(/over splits +\d+\.\d %/);
  });

  test("refuses a bad --hidden (exit 2) and a missing file (exit 1)", async () => {
    const io = memoryIo();
    expect(await run(["titanic", "--hidden", "16,x"], io)).toBe(2);
    expect(io.err()).toContain('--hidden: expected comma-separated positive integers, found "16,x"');
    const io2 = memoryIo();
    expect(await run(["titanic", "--data", join(dir, "nope.csv"), "--out", join(dir, "x")], io2)).toBe(1);
    expect(io2.err()).toContain("nope.csv");
    const io3 = memoryIo();
    expect(await run(["titanic", "--scaling", "robust"], io3)).toBe(2);
    expect(io3.err()).toContain('--scaling: expected one of minmax, standard, found "robust"');
    const io4 = memoryIo();
    expect(await run(["titanic", "--splits", "0"], io4)).toBe(2);
    expect(io4.err()).toContain('--splits: expected an integer ≥ 1, found "0"');
  });
});

// Skipped on a developer machine without the data; never on CI, whose .ci/run fetches it first.
const REAL = join(ROOT, ".cache/titanic/titanic3.arff");
describe.skipIf(!existsSync(REAL) && process.env["CI"] === undefined)("dtd titanic on the real titanic3", () => {
  test("the default network beats \"women survive\" on split 0, every explanation is consistent, zᵇ is sound and w²'s roots leave the box", () => {
    const r = ok(runTitanic({ root: ROOT, seed: 0, outDir: join(dir, "real"), env: {}, splits: 1, inits: 1 }, silent));
    expect(r.counts).toEqual({ train: 1047, test: 262, survivedTest: 110 });
    expect(r.testAccuracy).toBeGreaterThan(r.baselineAccuracy);
    for (const m of r.methods) expect(m.consistency.shareConsistent, m.id).toBe(1);
    const verdict = Object.fromEntries(r.claims.map((c) => [c.key, c.holds]));
    expect(verdict).toMatchObject({ inPositiveOrthant: true, inBox: true, "roots:zb": true, "roots:w2": false, zplusSkipsAbsent: true, zbCreditsAbsent: true });
  });
});
