/**
 * The deep-network experiment (the deck's Section 4) as a library call on a small budget, for both networks: the
 * training-free model is consistent on every explained pair and its roots are roots, the min-max model is positive
 * and conserves its own R̂_k (its error w.r.t. f is the fit's), a_j ≤ 0, every file is written, and the command
 * refuses bad flags. The deck's other claims depend on a well-trained network and are checked by the real run
 * (docs/mnist-deep.md), not here.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import { memoryIo } from "@dtd/cli";
import { silent } from "../src/kit/index.ts";
import { run } from "../src/program.ts";
import { type DeepOptions, type DeepResult, runDeep } from "../src/deep/pipeline.ts";
import { deepOptions } from "../src/deep/index.ts";
import * as Png from "@dtd/viz/png";

const dir = mkdtempSync(join(tmpdir(), "dtd-deep-"));
const options: DeepOptions = {
  seed: 3,
  nets: ["mlp", "cnn"],
  steps: { mlp: 60, cnn: 20 },
  testCount: 16,
  accuracyCount: 100,
  calibrationCount: 100,
  gridCount: 3,
  taylorCount: 2,
  taylorMaxIterations: 4,
  minMax: { pairs: 120, steps: 20, batchSize: 40, learningRate: 0.0003, initScale: 0.03 },
  rootPairs: 1,
  aopc: [
    { patch: 7, steps: 4, seed: 3, replacement: "noise" },
    { patch: 7, steps: 4, seed: 3, replacement: "zero" },
  ],
  outDir: join(dir, "out"),
  cacheDir: join(dir, "cache"),
  retrain: false,
};

let result: DeepResult;
beforeAll(() => {
  const r = runDeep(options, silent);
  if (E.isLeft(r)) throw new Error(`expected the experiment to run, got: ${r.left}`);
  result = r.right;
});

describe("dtd demo deep (small budget)", () => {
  test("the training-free model is consistent on every explained pair, z⁺ above the first layer, roots are roots", () => {
    for (const net of result.nets) {
      for (const id of ["tf-w2", "tf-zb", "zplus"]) {
        const m = net.methods.find((x) => x.id === id)!;
        expect(m.consistency.samples, `${net.net.id} ${id}`).toBe(16);
        expect(m.consistency.shareConsistent, `${net.net.id} ${id}`).toBe(1);
      }
      expect(net.claims[0]!.holds).toBe(true);
      expect(net.rules.filter((r) => r !== "")).toEqual(net.net.id === "mlp" ? ["zb", "zplus"] : ["zb", "zplus", "zplus"]);
      expect(net.roots.violations).toBe(0);
      expect(net.claims[1]!.holds).toBe(true);
    }
  });

  test("the min-max model is positive and conserves its own R̂_k; a_j ≤ 0; its fit error is reported", () => {
    for (const net of result.nets) {
      for (const id of ["mm-w2", "mm-zb"]) {
        expect(net.methods.find((x) => x.id === id)!.consistency.sharePositive).toBe(1);
        expect(net.modelled[id]!.shareConservative, `${net.net.id} ${id}`).toBe(1);
        expect(net.fitError[id]).toBeGreaterThan(0);
      }
      expect(net.minMax.maxBias).toBeLessThanOrEqual(0);
      expect(net.claims[3]!.holds).toBe(true);
      expect(net.minMax.lossAfter).toBeLessThan(net.minMax.lossBefore);
    }
  });

  test("every method is measured by region perturbation, by noise and by 0; the Samek claims carry their numbers", () => {
    for (const net of result.nets) {
      expect(net.aopc.map((a) => a.settings.replacement)).toEqual(["noise", "zero"]);
      expect(net.aopcClaims).toHaveLength(4);
      for (const a of net.aopc) for (const m of a.methods) expect(m.morf.meanCurve.length).toBe(5);
    }
  });

  test("the report and the pictures are written; the PNGs decode", () => {
    const report = readFileSync(result.report, "utf8");
    expect(report).toContain("## mlp: 1568 → 256 ReLU → 64 ReLU → Σ (b ≤ 0)");
    expect(report).toContain("### The deck's claims (Section 4), checked on this network");
    for (const net of result.nets) {
      for (const f of Object.values(net.files)) {
        expect(report).toContain(`(${f.split("/").pop()})`);
        expect(E.isRight(Png.readPng(f)), f).toBe(true);
      }
      expect(existsSync(net.modelPath)).toBe(true);
    }
  });

  test("the flags: --nets picks networks, bad ones and --full are refused (exit 2)", async () => {
    const o = deepOptions({ steps: "10", full: false, seed: "2", "test-count": undefined, "taylor-count": undefined, out: undefined, retrain: false, nets: "cnn" });
    expect(E.isRight(o) && [o.right.nets, o.right.steps, o.right.outDir]).toEqual([["cnn"], { cnn: 10 }, "out/mnist-deep"]);
    const io = memoryIo();
    expect(await run(["demo", "deep", "--nets", "mlp,resnet"], io)).toBe(2);
    expect(io.err()).toContain('--nets: expected distinct networks among mlp, cnn, separated by commas, found "mlp,resnet"');
    const io2 = memoryIo();
    expect(await run(["demo", "deeper"], io2)).toBe(2);
    expect(io2.err()).toContain('expected the experiment deep (or none), found "deeper"');
    const io3 = memoryIo();
    expect(await run(["demo", "--nets", "mlp"], io3)).toBe(2);
  });
});
