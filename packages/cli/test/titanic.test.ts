/**
 * The Titanic example on the committed 20-passenger fixture: every explanation is consistent, the shares of a
 * conservative explanation add up to 100 %, the outputs are written, missing data is reported with the way to
 * get it, and the command prints the table.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { memoryIo } from "@dtd/cli/Io";
import { run } from "@dtd/cli/run";
import { silent } from "@dtd/cli/demo/pipeline";
import { featureShares } from "@dtd/cli/titanic/shares";
import { runTitanic, type TitanicResult } from "@dtd/cli/titanic/pipeline";
import { TITANIC_RECIPE } from "@dtd/cli/titanic/network";
import { Png } from "@dtd/viz";

const CSV = fileURLToPath(new URL("./fixtures/titanic-small.csv", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dtd-titanic-"));
const recipe = { ...TITANIC_RECIPE, epochs: 30 };

const ok = (r: E.Either<string, TitanicResult>): TitanicResult => {
  if (E.isLeft(r)) throw new Error(`expected the run to succeed, got: ${r.left}`);
  return r.right;
};

describe("dtd titanic (fixture)", () => {
  const result = ok(runTitanic({ root: dir, dataPath: CSV, seed: 1, outDir: join(dir, "out"), recipe, env: {} }, silent));

  test("every test passenger's explanation is consistent under w², z⁺ and zᵇ", () => {
    expect(result.counts).toMatchObject({ train: 16, test: 4 });
    expect(result.methods.map((m) => m.id)).toEqual(["w2", "zplus", "zb"]);
    for (const m of result.methods) {
      expect(m.consistency.samples, m.id).toBe(4);
      expect(m.consistency.shareConsistent, m.id).toBe(1);
      expect(m.consistency.maxAbsConservationError, m.id).toBeLessThan(1e-12);
    }
  });

  test("the mean shares of passengers with f(x) > 0 add up to 100 %", () => {
    for (const m of result.methods) {
      expect(m.shares.sharePercent).toHaveLength(10);
      expect(m.shares.passengers + m.shares.silent).toBe(4);
      if (m.shares.passengers > 0) expectAllClose(m.shares.sharePercent.reduce((s, v) => s + v, 0), 100, { atol: 1e-9 });
    }
  });

  test("writes the report, the bar chart and one CSV row per test passenger and rule", () => {
    const report = readFileSync(result.files.report, "utf8");
    expect(report).toContain("## Mean relevance share per feature");
    expect(report).toContain("Every explanation is consistent");
    const chart = Png.readPng(result.files.chart);
    if (E.isLeft(chart)) throw new Error("expected the bar chart to decode");
    expect(chart.right.width).toBeGreaterThan(3 * 420);
    const csv = readFileSync(result.files.relevances, "utf8").trim().split("\n");
    expect(csv).toHaveLength(1 + 3 * 4);
    expect(csv[0]).toBe("passenger_line,name,survived,method,f,predicted_survived,R_pclass,R_sex,R_age,R_sibsp,R_parch,R_fare,R_embarked_C,R_embarked_Q,R_embarked_S,R_age_missing");
    // Names with commas are quoted: every row has the header's 16 fields after unquoting.
    expect(csv[1]).toMatch(/^\d+,"[^"]*,[^"]*",[01],w2,/);
  });

  test("is reproducible: the same seed gives the same numbers", () => {
    const again = ok(runTitanic({ root: dir, dataPath: CSV, seed: 1, outDir: join(dir, "out2"), recipe, env: {} }, silent));
    expect(again.testAccuracy).toBe(result.testAccuracy);
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
    const code = await run(["titanic", "--data", CSV, "--epochs", "10", "--out", join(dir, "cmd")], io);
    expect(io.err()).toContain("training");
    expect(code).toBe(0);
    expect(io.out()).toMatch(/test accuracy {2}\d+\.\d % on 4 test passengers/);
    expect(io.out()).toContain("mean relevance share per feature");
    expect(io.out()).toMatch(/\n {2}sex +\d+\.\d %/);
  });

  test("refuses a bad --hidden (exit 2) and a missing file (exit 1)", async () => {
    const io = memoryIo();
    expect(await run(["titanic", "--hidden", "16,x"], io)).toBe(2);
    expect(io.err()).toContain('--hidden: expected comma-separated positive integers, found "16,x"');
    const io2 = memoryIo();
    expect(await run(["titanic", "--data", join(dir, "nope.csv"), "--out", join(dir, "x")], io2)).toBe(1);
    expect(io2.err()).toContain("nope.csv");
  });
});
