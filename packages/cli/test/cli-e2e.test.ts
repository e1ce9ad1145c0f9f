/**
 * `dtd` end to end: each test runs the real command as a child process (`node --import tsx src/bin.ts …`) and
 * checks its exit code, stdout and stderr. Spawns cost about half a second each, so this file keeps to a
 * representative set; the many refusal cases run in-process in cli-run.test.ts through the same `run`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as DT from "@dtd/deep-taylor";
import { readModelFile } from "@dtd/model-io/file";
import { Image, imageToInput } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import { b, detectionModel, imageModel, type Ran, runDtd, W, w2Oracle, writeFiles, x, zbOracle, zPlusOracle } from "./cliFixtures.ts";

const tight = { atol: 1e-12, rtol: 1e-12 };
let p: Record<string, string>;

/** The one JSON object of `explain --json`. */
interface ExplainJson {
  readonly f: number;
  readonly relevance: number[];
  readonly conservationError: number;
  readonly minRelevance: number;
  readonly consistent: boolean;
}

const jsonOf = (r: Ran): ExplainJson => {
  expect(r.stdout.trim().split("\n"), "stdout holds exactly one line of JSON").toHaveLength(1);
  return JSON.parse(r.stdout) as ExplainJson;
};

/** A 6×4 gray picture whose pixel (c, r) has level 40·c + 10·r. */
const picture = (): Image.Image => {
  const img = Image.make(6, 4);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) Image.setPixel(img, c, r, { r: 40 * c + 10 * r, g: 40 * c + 10 * r, b: 40 * c + 10 * r, a: 255 });
  return img;
};

beforeAll(() => {
  p = writeFiles({
    "deck.json": detectionModel(W, b),
    "x.json": x,
    "neg.json": [1, -2, -0.5],
    "short.json": [1, 2],
    "posbias.json": detectionModel(W, [0.5, -0.5]),
    "chain.json": { format: "dtd-model", version: 1, inputShape: [3], layers: [{ type: "dense", weight: W, bias: b }, { type: "relu" }, { type: "dense", weight: [[1], [1], [1]], bias: [0] }] },
    "image.json": imageModel,
    "train.json": { x: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0, 0, 0]], y: [1, 2, 0, 3, 2, 1, 3, 0] },
  });
  const written = Png.writePng(join(p["dir"]!, "digit.png"), picture());
  if (E.isLeft(written)) throw new Error("fixture PNG");
  p["digit.png"] = join(p["dir"]!, "digit.png");
});

describe.concurrent("dtd explain --json: the deck's example numbers", () => {
  test("z⁺ matches R_i = Σ_j x_i w_ij⁺ / Σ_i' x_i' w_i'j⁺ · R_j, to the last bit of the library's result", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const out = jsonOf(r);
    expect(Object.keys(out).sort()).toEqual(["biasRelevance", "conservationError", "consistent", "f", "minRelevance", "relevance"]);
    expect((out as unknown as { biasRelevance: number }).biasRelevance).toBe(0);
    expectAllClose([out.f], [4.5], tight);
    // hand: x·w⁺ columns [1, 4, 0] (sum 5) and [0, 2, 1.5] (sum 3.5), R_j = [3.5, 1]
    expectAllClose(out.relevance, [(1 / 5) * 3.5, (4 / 5) * 3.5 + 2 / 3.5, 1.5 / 3.5], tight);
    expectAllClose(out.relevance, zPlusOracle(x), tight);
    expect(out.consistent).toBe(true);
    expect(Math.abs(out.conservationError)).toBeLessThan(1e-12);
    expectAllClose([out.minRelevance], [1.5 / 3.5], tight);
    // Nothing rounds on the way out: the printed doubles are the library's, bit for bit.
    const model = readModelFile(p["deck.json"]!);
    if (E.isLeft(model)) throw new Error("fixture model");
    const lib = DT.explain(model.right.model, T.of(x, [1, 3]), DT.uniform(DT.deriveRule(DT.zPlus)));
    if (E.isLeft(lib)) throw new Error(DT.message(lib.left));
    expect(out.relevance).toEqual(Array.from(lib.right.R.data));
  });

  test("w² matches R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "w2", "--json"]);
    expect(r.code).toBe(0);
    const out = jsonOf(r);
    expectAllClose(out.relevance, w2Oracle(x), tight);
    expectAllClose(out.relevance, [(1 / 6) * 3.5 + (4 / 14) * 1, (4 / 6) * 3.5 + (1 / 14) * 1, (1 / 6) * 3.5 + (9 / 14) * 1], tight);
  });

  test("zᵇ with l = −1, h = 2 matches R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i' (…) · R_j", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zb", "--low=-1", "--high", "2", "--json"]);
    expect(r.code).toBe(0);
    const out = jsonOf(r);
    expectAllClose(out.relevance, zbOracle(x, [-1, -1, -1], [2, 2, 2]), tight);
    expectAllClose(out.relevance, [(2 / 9.5) * 3.5 + (2 / 9.5) * 1, (6 / 9.5) * 3.5 + (3 / 9.5) * 1, (1.5 / 9.5) * 3.5 + (4.5 / 9.5) * 1], tight);
  });

  test("without --json: a readable summary on stdout with the top units, nothing on stderr", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zplus"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^f\(x\)\s+4\.5$/m);
    expect(r.stdout).toMatch(/^sum of R\s+4\.5$/m);
    expect(r.stdout).toMatch(/^consistent\s+yes/m);
    expect(r.stdout).toMatch(/deep Taylor decomposition: layer 0 \(dense\) zplus/);
    // ranks by R: unit 1 (3.37…), unit 0 (0.7), unit 2 (0.43…)
    const ranked = [...r.stdout.matchAll(/^\s+(\d)\s+(\d)\s+\S+\s+\S+\s+\S+%$/gm)].map((m) => [m[1], m[2]]);
    expect(ranked).toEqual([
      ["1", "1"],
      ["2", "0"],
      ["3", "2"],
    ]);
  });
});

describe.concurrent("the example of docs/model-format.md", () => {
  test("its detection-pooling file explains x = (1, 2, 3): f = 6.5, z⁺ as the formula says", async () => {
    const markdown = readFileSync(new URL("../../../docs/model-format.md", import.meta.url), "utf8");
    const text = /^```json\n([\s\S]*?)^```$/m.exec(markdown)![1]!;
    const file = JSON.parse(text) as { layers: [{ weight: number[][]; bias: number[] }] };
    const { weight, bias } = file.layers[0];
    const q = writeFiles({ "doc.json": text, "x.json": [1, 2, 3] });
    const r = await runDtd(["explain", "--model", q["doc.json"]!, "--input", q["x.json"]!, "--rule", "zplus", "--json"]);
    expect(r.code).toBe(0);
    const out = jsonOf(r);
    expectAllClose([out.f], [6.5], tight);
    expectAllClose(out.relevance, zPlusOracle([1, 2, 3], weight, bias), tight);
    expect(out.consistent).toBe(true);
  });
});

describe.concurrent("preconditions", () => {
  test("z⁺ on a negative input fails (exit 1), naming the layer and the unit", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["neg.json"]!, "--rule", "zplus", "--json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^dtd explain: precondition of rule zplus violated at layer 0 \(dense\), input unit 1 of sample 0: expected x ≥ 0, found -2/);
    expect(r.stderr).toMatch(/--lenient/);
    expect(r.stderr).not.toMatch(/Usage:/);
  });

  test("--lenient explains anyway, with the violations as warnings on stderr", async () => {
    const r = await runDtd(["explain", "--model", p["posbias.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--lenient", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: precondition of rule zplus violated at layer 0 \(dense\), unit 0: expected a bias b ≤ 0, found 0\.5$/m);
    const out = jsonOf(r);
    expect(out.relevance).toHaveLength(3);
    expectAllClose([out.f], [hidden2(x).reduce((s, v) => s + v, 0)], tight);
  });
});

/** The hidden layer of the positive-bias model. */
const hidden2 = (xs: readonly number[]): number[] => [0.5, -0.5].map((bj, j) => Math.max(0, xs.reduce((s, xi, i) => s + xi * W[i]![j]!, bj)));

describe.concurrent("exit codes and messages", () => {
  test("an unknown flag is a usage error: exit 2 with a usage hint", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^dtd explain: Unknown option '--bogus'/);
    expect(r.stderr).toMatch(/^Usage: dtd explain --model FILE --input FILE\|DIR --rule RULE \[--out FILE --workers N\|auto\] \[options\]$/m);
  });

  test("an unknown command: exit 2, listing the commands", async () => {
    const r = await runDtd(["explian"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'explian': expected one of explain, merge, check, evaluate, train, import, help/);
  });

  test("layers that do not chain: exit 1 naming the layer and the shapes", async () => {
    const r = await runDtd(["explain", "--model", p["chain.json"]!, "--input", p["x.json"]!, "--rule", "zplus"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/chain\.json: layers\[2\] \(dense\) cannot take the output of layers\[1\] \(relu\), of shape \[2\]/);
  });

  test("an input of the wrong length: exit 1 with what was expected and found", async () => {
    const r = await runDtd(["explain", "--model", p["deck.json"]!, "--input", p["short.json"]!, "--rule", "w2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/short\.json: expected 3 numbers \(input shape \[3\]\), found 2/);
  });
});

describe.concurrent("images", () => {
  test("a PNG input for an image model, and --png writes the input beside its heatmap", async () => {
    const out = join(p["dir"]!, "heatmap.png");
    const r = await runDtd(["explain", "--model", p["image.json"]!, "--input", p["digit.png"]!, "--first-rule", "zb", "--rule", "zplus", "--low", "0", "--high", "1", "--json", "--png", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*heatmap\.png \(\d+×\d+\)$/m);
    const json = jsonOf(r);
    expect(json.relevance).toHaveLength(24);
    expect(json.consistent).toBe(true);
    // the same explanation in-process, from the picture read back the way the CLI reads it
    const model = readModelFile(p["image.json"]!);
    if (E.isLeft(model)) throw new Error("fixture model");
    const xImg = imageToInput(picture(), { channels: 1, range: [0, 1] });
    const zb = DT.zB(0, 1);
    if (E.isLeft(zb)) throw new Error(zb.left);
    const lib = DT.explain(model.right.model, T.reshape(xImg, [1, 1, 4, 6]), DT.layerwise({ first: DT.deriveRule(zb.right), rest: DT.deriveRule(DT.zPlus) }));
    if (E.isLeft(lib)) throw new Error(DT.message(lib.left));
    expect(json.relevance).toEqual(Array.from(lib.right.R.data));
    expectAllClose([json.f], lib.right.f, tight);
    const png = Png.decodePng(readFileSync(out), out);
    if (E.isLeft(png)) throw new Error("not a PNG");
    // two 6×4 pictures upscaled 16× (= 96×64 each) side by side, with a title and margins
    expect(png.right.width).toBeGreaterThan(2 * 96);
    expect(png.right.height).toBeGreaterThan(64);
    const reddish = Image.countPixels(png.right, (c) => c.r > c.b + 60 && c.r > c.g + 60);
    expect(reddish).toBeGreaterThan(0);
  });
});

describe.concurrent("dtd check", () => {
  test("a sound case: exit 0, every check holds", async () => {
    const r = await runDtd(["check", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zplus"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^preconditions\s+ok\s+all hold$/m);
    expect(r.stdout).toMatch(/^roots\s+ok\s+2 active of 2 neurons in 1 dense\/conv2d layer checked, 0 violations$/m);
    expect(r.stdout).toMatch(/^consistency\s+ok\s+f\(x\) = 4\.5/m);
    expect(r.stdout).toMatch(/^result\s+every check holds$/m);
  });

  test("an unsound case (--json): exit 1, listing every violated precondition", async () => {
    // x = [1, −2, −0.5] with b₁ = 0.5 > 0: two negative inputs and one positive bias
    const r = await runDtd(["check", "--model", p["posbias.json"]!, "--input", p["neg.json"]!, "--rule", "zplus", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      preconditions: { ok: boolean; violations: { what: string; unit: number; layer: number }[] };
      roots: { ok: boolean; neurons: number };
      consistency: { ok: boolean };
    };
    expect(report.ok).toBe(false);
    expect(report.preconditions.ok).toBe(false);
    expect(report.preconditions.violations.map((v) => [v.what, v.layer, v.unit])).toEqual([
      ["input", 0, 1],
      ["input", 0, 2],
      ["bias", 0, 0],
    ]);
    expect(report.roots.neurons).toBe(2);
  });
});

describe.concurrent("help", () => {
  test("dtd --help lists every command (stdout, exit 0) — the examples are the repository's (packages/examples), not the published command's", async () => {
    const r = await runDtd(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["explain", "merge", "check", "evaluate", "train", "import", "help"]) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s`, "m"));
    for (const c of ["demo", "titanic"]) expect(r.stdout).not.toMatch(new RegExp(`^  ${c}\\s`, "m"));
  });

  test("dtd explain --help documents every flag", async () => {
    const r = await runDtd(["explain", "--help"]);
    expect(r.code).toBe(0);
    for (const f of ["model", "input", "rule", "first-rule", "low", "high", "method", "maxpool", "target", "lenient", "json", "png", "help"]) {
      expect(r.stdout).toMatch(new RegExp(`--${f}\\b`));
    }
  });
});

describe.concurrent("dtd train", () => {
  test("trains, keeps b ≤ 0, writes a readable model, and reports progress as plain lines when stderr is not a terminal", async () => {
    const out = join(p["dir"]!, "trained.json");
    const r = await runDtd(["train", "--model", p["deck.json"]!, "--data", p["train.json"]!, "--out", out, "--steps", "200", "--batch-size", "4", "--non-positive-bias"]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines.slice(0, 10).map((l) => /^training: (\d+)% \(\d+\/200\), loss [\d.e+-]+, [\d.e+]+\/s$/.exec(l)?.[1])).toEqual(["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]);
    expect(lines[10]).toMatch(/^training: done, 200\/200 in \d+\.\d s/);
    expect(r.stderr).not.toMatch(/\u001b\[/); // no terminal control sequences
    const m = /loss\s+(\S+) at the first step → (\S+) \(mean of the last 10 steps\)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]));
    const trained = readModelFile(out);
    if (E.isLeft(trained)) throw new Error("trained model unreadable");
    const dense = trained.right.model.layers[0]!;
    if (dense.kind !== "dense") throw new Error("layer 0");
    expect(Math.max(...dense.b.data)).toBeLessThanOrEqual(0);
  });
});
