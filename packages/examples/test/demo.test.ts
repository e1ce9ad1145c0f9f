/**
 * The MNIST example as a library call on a small budget: the consistency claims of the deep Taylor rules hold
 * on every explained test pair, every file is written (the PNGs decode), a second run takes the model from the
 * cache and reproduces the first bit for bit, and the command refuses contradictory flags.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import { memoryIo } from "@dtd/cli";
import { run } from "../src/program.ts";
import { type DemoOptions, type DemoResult, runDemo } from "../src/demo/pipeline.ts";
import { silent } from "../src/kit/index.ts";
import * as Png from "@dtd/viz/png";

const dir = mkdtempSync(join(tmpdir(), "dtd-demo-"));
const options: DemoOptions = {
  seed: 7,
  steps: 60,
  testCount: 24,
  accuracyCount: 200,
  calibrationCount: 200,
  gridCount: 4,
  taylorCount: 3,
  taylorMaxIterations: 5,
  outDir: join(dir, "out"),
  cacheDir: join(dir, "cache"),
  retrain: false,
};

const ok = (r: E.Either<string, DemoResult>): DemoResult => {
  if (E.isLeft(r)) throw new Error(`expected the demo to run, got: ${r.left}`);
  return r.right;
};

let first: DemoResult;
const notes: string[] = [];
beforeAll(() => {
  first = ok(runDemo(options, { ...silent, note: (t) => notes.push(t) }));
});

describe("dtd demo (small budget)", () => {
  test("w², z⁺ and zᵇ are conservative and positive on every explained test pair", () => {
    for (const id of ["w2", "zplus", "zb"]) {
      const m = first.methods.find((x) => x.id === id);
      expect(m, id).toBeDefined();
      expect(m!.consistency.samples).toBe(24);
      expect(m!.consistency.shareConservative, id).toBe(1);
      expect(m!.consistency.sharePositive, id).toBe(1);
      expect(m!.consistency.maxAbsConservationError, id).toBeLessThan(1e-12);
      expect(m!.consistency.mostNegativeRelevance, id).toBeGreaterThanOrEqual(-1e-12);
    }
    expect(first.claims[0]!.holds).toBe(true);
    expect(first.claims[1]!.holds).toBe(true);
  });

  test("the baselines run on their pairs: sensitivity on all, simple Taylor on the grid rows first", () => {
    const sens = first.methods.find((x) => x.id === "sensitivity")!;
    const taylor = first.methods.find((x) => x.id === "simpleTaylor")!;
    expect(sens.consistency.samples).toBe(24);
    expect(sens.consistency.sharePositive).toBe(1);
    expect(taylor.consistency.samples).toBe(3);
    expect(taylor.roots?.searched).toBe(3);
    expect(first.claims).toHaveLength(5);
    // The verdicts are computed, so each carries its numbers.
    for (const c of first.claims) expect(c.evidence).toMatch(/\d/);
  });

  test("accuracy is measured with a threshold from training pairs and lies in [0, 1]", () => {
    expect(first.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(first.testAccuracy).toBeLessThanOrEqual(1);
    expect(first.trainAccuracy).toBeGreaterThan(0.5);
    expect(Number.isFinite(first.threshold)).toBe(true);
    expect(first.fromCache).toBe(false);
    expect(notes.some((n) => n.startsWith("training "))).toBe(true);
  });

  test("the report, the heatmap grid and Figure 2 are written; the PNGs decode", () => {
    const report = readFileSync(first.files.report, "utf8");
    expect(report).toContain("## The deck's claims, checked on this run");
    expect(report).toContain("![heatmaps](heatmaps.png)");
    expect(report).toContain("![figure 2](figure2.png)");
    expect(report).toMatch(/\*\*test accuracy\*\* \| \*\*\d+\.\d %\*\*/);
    const grid = Png.readPng(first.files.grid);
    const fig = Png.readPng(first.files.figure2);
    if (E.isLeft(grid) || E.isLeft(fig)) throw new Error("expected both PNGs to decode");
    // 4 rows of 28×56 pairs at 3× (84 px high) plus titles; 6 columns of 168 px.
    expect(grid.right.height).toBeGreaterThan(4 * 84);
    expect(grid.right.width).toBeGreaterThan(6 * 168);
    // 5 methods, one row of plots each (320 px high).
    expect(fig.right.height).toBeGreaterThan(5 * 320);
    expect(existsSync(first.files.model)).toBe(true);
  });

  test("region perturbation measures every method on the pairs called positive, by noise and by 0, with the random order as floor", () => {
    expect(first.aopc.map((a) => a.settings.replacement)).toEqual(["noise", "zero"]);
    expect(first.aopcClaims).toHaveLength(2);
    for (const a of first.aopc) {
      expect(a.selected.length).toBeGreaterThan(0);
      expect(a.selected).toEqual(first.aopc[0]!.selected);
      expect(a.methods.map((m) => m.id)).toEqual(first.methods.map((m) => m.id).filter((id) => a.methods.some((m) => m.id === id)));
      for (const m of a.methods) {
        expect(m.idx.every((i) => a.selected.includes(i))).toBe(true);
        expect(m.morf.meanCurve.length).toBe(a.settings.steps + 1);
        // At k = 0 nothing is perturbed: every ordering starts at the same mean score.
        expect(m.lerf.meanCurve[0]).toBe(m.morf.meanCurve[0]);
        expect(m.random.meanCurve[0]).toBe(m.morf.meanCurve[0]);
        expect(Number.isFinite(m.morf.aopc) && Number.isFinite(m.vsRandom.standardError)).toBe(true);
      }
      // The random order ignores the heatmaps: the same floor for every method measured on the same pairs.
      const full = a.methods.filter((m) => m.idx.length === a.selected.length);
      for (const m of full) expect(m.random.aopc).toBe(full[0]!.random.aopc);
    }
    expect(first.aopcClaims[0]!.evidence).toMatch(/MoRF AOPC over \d+ pairs/);
    const report = readFileSync(first.files.report, "utf8");
    expect(report).toContain("## Region perturbation (AOPC)");
    expect(report).toContain("Replaced by uniform noise in the pixel box [0, 1]");
    expect(report).toContain("Replaced by 0 (black: the ink removed)");
    expect(report).toContain("![perturbation curves](perturbation.png)");
    const curves = Png.readPng(first.files.perturbation);
    expect(E.isRight(curves) && [curves.right.width > 2 * 480, curves.right.height > 2 * 360]).toEqual([true, true]);
  });

  test("a second run takes the model from the cache and reproduces every number", () => {
    const cachedNotes: string[] = [];
    const second = ok(runDemo(options, { ...silent, note: (t) => cachedNotes.push(t) }));
    expect(second.fromCache).toBe(true);
    expect(cachedNotes.some((n) => n.includes("training skipped"))).toBe(true);
    expect(second.testAccuracy).toBe(first.testAccuracy);
    expect(second.threshold).toBe(first.threshold);
    expect(second.methods.map((m) => m.consistency)).toEqual(first.methods.map((m) => m.consistency));
    expect(second.aopc.map((a) => a.methods.map((m) => m.morf.aopc))).toEqual(first.aopc.map((a) => a.methods.map((m) => m.morf.aopc)));
  });

  test("the command refuses --full with --steps and a malformed count (exit 2)", async () => {
    const io = memoryIo();
    expect(await run(["demo", "--full", "--steps", "10"], io)).toBe(2);
    expect(io.err()).toContain("give --full or --steps, not both");
    const io2 = memoryIo();
    expect(await run(["demo", "--test-count", "many"], io2)).toBe(2);
    expect(io2.err()).toContain('--test-count: expected an integer ≥ 1, found "many"');
  });
});
