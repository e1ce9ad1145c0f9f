/**
 * The `dtd` program in-process: `run(argv, io)` is what bin.ts calls, with recording streams instead of the
 * process's. Here go the many refusal cases (each bad flag, bad input and bad model file) and the features
 * that need no process of their own; cli-e2e.test.ts runs a representative set as real processes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { Image } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import { memoryIo } from "../src/Io.ts";
import { entries, run } from "../src/run.ts";
import { b, detectionModel, imageModel, W, writeFiles, x, zbOracle, zPlusOracle } from "./cliFixtures.ts";

let p: Record<string, string>;

/** Runs `dtd …args` in-process. */
const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

const explainArgs = (model: string, input: string, ...rest: string[]): string[] => ["explain", "--model", p[model]!, "--input", p[input]!, ...rest];

/** A 2×4×4 model with max pooling, to tell the two max-pooling modes apart. */
const maxPoolModel = {
  format: "dtd-model",
  version: 1,
  inputShape: [1, 4, 4],
  layers: [
    { type: "conv2d", weight: [[[[1]]], [[[0.5]]]], bias: [0, 0] },
    { type: "relu" },
    { type: "maxPool2d", kernel: [2, 2] },
    { type: "sumPool" },
  ],
};

beforeAll(() => {
  const base = { format: "dtd-model", version: 1, inputShape: [3] };
  p = writeFiles({
    "deck.json": detectionModel(W, b),
    "x.json": x,
    "nested.json": [[1], [2], [0.5]],
    "image.json": imageModel,
    "maxpool.json": maxPoolModel,
    "grid.json": [[[0.1, 0.9, 0.2, 0.3], [0.4, 0.5, 0.6, 0.05], [0.7, 0.8, 0.95, 0.1], [0.2, 0.3, 0.4, 0.6]]],
    "multi.json": { ...base, layers: [{ type: "dense", weight: W, bias: b }, { type: "relu" }] },
    "low.json": [-1, 0, -2],
    "high.json": [2, 3, 1],
    "low2.json": [-1, 0],
    // bad inputs
    "nan.json": "[1, NaN, 0.5]",
    "null.json": [1, null, 0.5],
    "string.json": [1, "2", 0.5],
    "object.json": { x: [1, 2, 0.5] },
    "ragged.json": [[1, 2], [0.5]],
    "empty.txt": "",
    "fake.png": Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]),
    // bad model files
    "m-types.json": { ...base, layers: [{ type: "dense", weight: "W", bias: [0, 0] }, { type: "relu" }, { type: "sumPool" }] },
    "m-missing.json": { ...base, layers: [{ type: "dense", bias: [0, 0] }, { type: "relu" }, { type: "sumPool" }] },
    "m-version.json": { ...base, version: 7, layers: [] },
    "m-unknown.json": { ...base, layers: [{ type: "dense", weight: W, bias: b }, { type: "softmax" }] },
    "m-weight.json": { ...base, layers: [{ type: "dense", weight: W, bias: [0, 0, 0] }, { type: "relu" }, { type: "sumPool" }] },
    "m-nan.json": '{"format":"dtd-model","version":1,"inputShape":[3],"layers":[{"type":"dense","weight":[[1,NaN],[2,1],[-1,3]],"bias":[-1,-0.5]}]}',
  });
  const img = Image.make(6, 4);
  const written = Png.writePng(join(p["dir"]!, "wrong-size.png"), Image.make(5, 5));
  const ok = Png.writePng(join(p["dir"]!, "image.png"), img);
  if (E.isLeft(written) || E.isLeft(ok)) throw new Error("fixture PNG");
  p["wrong-size.png"] = join(p["dir"]!, "wrong-size.png");
  p["image.png"] = join(p["dir"]!, "image.png");
});

describe("help and version", () => {
  test("every command has --help (stdout, exit 0) naming its usage and every flag; `dtd help <command>` is the same", async () => {
    for (const e of entries) {
      const r = await dtd(e.name, "--help");
      expect(r.code, e.name).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`^Usage: dtd ${e.name}\\b`, "m"));
      for (const flag of Object.keys((await e.load()).flags)) expect(r.stdout).toContain(`--${flag}`);
      expect((await dtd("help", e.name)).stdout).toBe(r.stdout);
    }
  });
  test("dtd --version and dtd -V print the package version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect((await dtd("--version")).stdout).toBe(`dtd ${pkg.version}\n`);
    expect((await dtd("-V")).stdout).toBe(`dtd ${pkg.version}\n`);
  });
  test("no command, an unknown top-level flag, or `help` of an unknown command: exit 2", async () => {
    for (const args of [[], ["--frob"], ["help", "frob"]]) {
      const r = await dtd(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/Run 'dtd --help' for the commands\./);
    }
  });
});

describe("usage errors: exit 2, the reason and a usage hint on stderr", () => {
  const cases: readonly (readonly [string, readonly string[], RegExp])[] = [
    ["a bad --rule value", ["--rule", "foo"], /--rule: expected one of w2, zplus, zb, found "foo"/],
    ["a bad --method value", ["--method", "lrp"], /--method: expected one of deep-taylor, sensitivity, taylor, gradxinput, found "lrp"/],
    ["a bad --maxpool value", ["--rule", "zplus", "--maxpool", "avg"], /--maxpool: expected one of winner, proportional, found "avg"/],
    ["a missing --rule", [], /missing required flag --rule/],
    ["zb without bounds", ["--rule", "zb"], /the zb rule needs the box l ≤ x ≤ h: missing --low and --high/],
    ["zb without --high", ["--first-rule", "zb", "--rule", "zplus", "--low", "0"], /missing --high$/m],
    ["zb with l > 0", ["--rule", "zb", "--low", "0.5", "--high", "1"], /expected low ≤ 0 .* found 0\.5/],
    ["zb with h < 0", ["--rule", "zb", "--low=-1", "--high=-0.5"], /expected high ≥ 0 .* found -0\.5/],
    ["a bound that is neither a number nor a file", ["--rule", "zb", "--low", "minus-one", "--high", "1"], /--low: expected a number or the path of a JSON array of numbers, found "minus-one"/],
    ["bounds without zb", ["--rule", "zplus", "--low", "0"], /--low set the box of the zb rule/],
    ["a bad rule with a baseline", ["--method", "sensitivity", "--rule", "w3"], /--rule: expected one of w2, zplus, zb, found "w3"/],
    ["a target with a baseline", ["--method", "sensitivity", "--target", "0"], /--target selects the explained output of deep Taylor decomposition and does not apply to --method sensitivity/],
    ["a bad --target", ["--rule", "zplus", "--target", "first"], /--target: expected an output index \(0, 1, …\) or argmax, found "first"/],
    ["a value for a switch", ["--rule", "zplus", "--json=yes"], /Option '--json' does not take an argument/],
    ["a missing value", ["--rule"], /Option '--rule <value>' argument missing/],
    ["a stray argument", ["--rule", "zplus", "extra"], /Unexpected argument 'extra'/],
  ];
  test.each(cases)("%s", async (_, extra, message) => {
    const r = await dtd(...explainArgs("deck.json", "x.json", ...extra));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^Usage: dtd explain /m);
  });
  test("a negative bound may follow its flag as a separate word (--low -1)", async () => {
    const spaced = await dtd(...explainArgs("deck.json", "x.json", "--rule", "zb", "--low", "-1", "--high", "2", "--json"));
    const attached = await dtd(...explainArgs("deck.json", "x.json", "--rule", "zb", "--low=-1", "--high", "2", "--json"));
    expect(spaced.code).toBe(0);
    expect(spaced.stdout).toBe(attached.stdout);
  });
  test("rule flags left on the line with a baseline method are ignored with a note", async () => {
    const r = await dtd(...explainArgs("deck.json", "x.json", "--rule", "zplus", "--method", "gradxinput", "--json"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: --rule configure deep Taylor rules and are ignored by --method gradxinput/);
    expect(JSON.parse(r.stdout)).toHaveProperty("relevance");
  });
  test("missing --model and --input are named together", async () => {
    const r = await dtd("check", "--rule", "zplus");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dtd check: missing required flags --model and --input \(or --image\)$/m);
  });
  test("per-unit bounds with zb on layers of different input shapes", async () => {
    const twoLayers = writeFiles({
      "m.json": { format: "dtd-model", version: 1, inputShape: [3], layers: [{ type: "dense", weight: W, bias: b }, { type: "relu" }, { type: "dense", weight: [[1], [1]], bias: [0] }] },
    });
    const r = await dtd("explain", "--model", twoLayers["m.json"]!, "--input", p["x.json"]!, "--rule", "zb", "--low", p["low.json"]!, "--high", p["high.json"]!);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/per-unit bounds fit one input shape, but the zb rule is assigned to layer 0 \(input \[3\]\) and layer 2 \(input \[2\]\)/);
  });
});

describe("bad input files: exit 1 with what was expected and found", () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    ["nan.json", /nan\.json: expected JSON, found text that does not parse: not JSON: line 1, column 5 [\s\S]*\(NaN and Infinity are not JSON numbers\)/],
    ["null.json", /null\.json: expected a number at \$\[1\], found null \(JSON has no NaN or Infinity/],
    ["string.json", /string\.json: expected a number at \$\[1\], found a string \("2"\)/],
    ["object.json", /object\.json: expected a JSON array of numbers at \$, found an object/],
    ["ragged.json", /ragged\.json: expected an array of length 2 \(rectangular nesting of shape \[2, 2\]\) at \$\[1\], found length 1/],
    ["empty.txt", /empty\.txt: expected JSON, found text that does not parse/],
    ["image.png", /image\.png: a PNG input needs an image model \(input shape \[C, H, W\] with C = 1 or 3\), found input shape \[3\]/],
  ];
  test.each(cases)("%s", async (input, message) => {
    const r = await dtd(...explainArgs("deck.json", input, "--rule", "w2"));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/Usage:/);
  });
  test("a missing input file", async () => {
    const r = await dtd("explain", "--model", p["deck.json"]!, "--input", join(p["dir"]!, "nope.json"), "--rule", "w2");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/input: cannot read .*nope\.json: no such file/);
  });
  test("bytes that start like a PNG but are not one", async () => {
    const r = await dtd(...explainArgs("image.json", "fake.png", "--rule", "zplus"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot decode .*fake\.png as PNG: expected a valid PNG stream/);
  });
  test("a PNG of the wrong size for an image model", async () => {
    const r = await dtd(...explainArgs("image.json", "wrong-size.png", "--rule", "zplus"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong-size\.png: expected a 6×4 image \(width × height, input shape \[1, 4, 6\]\), found a header declaring 5×5 pixels \(nothing decoded\)/);
  });
  test("the wrong number of values for an image model, nested", async () => {
    const r = await dtd(...explainArgs("image.json", "grid.json", "--rule", "zplus"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/grid\.json: expected 24 numbers \(input shape \[1, 4, 6\]\), found 16/);
  });
  test("a per-unit bound file of the wrong length", async () => {
    const r = await dtd(...explainArgs("deck.json", "x.json", "--rule", "zb", "--low", p["low2.json"]!, "--high", "1"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--low: .*low2\.json: expected 3 numbers \(the input of layer 0, shape \[3\]\), found 2/);
  });
});

describe("bad model files: exit 1 with model-io's message (JSON path, expected, found)", () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    ["m-types.json", /layers\[0\]\.weight: expected .*found "W"/],
    ["m-missing.json", /layers\[0\]\.weight: expected .*found nothing \(the field is missing\)/],
    ["m-version.json", /version: expected 1 or 2, found 7/],
    ["m-unknown.json", /layers\[1\]\.type: expected one of "dense", .*found "softmax"/],
    ["m-weight.json", /layers\[0\]/],
    ["m-nan.json", /m-nan\.json: not JSON/],
  ];
  test.each(cases)("%s", async (model, message) => {
    const r = await dtd(...explainArgs(model, "x.json", "--rule", "w2"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dtd explain: model file /);
    expect(r.stderr).toMatch(message);
  });
  test("a model that does not end in one score needs --target", async () => {
    const refused = await dtd(...explainArgs("multi.json", "x.json", "--rule", "zplus"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/expected a model whose output is one score per sample/);
    // explaining output 0 alone: R_j = [3.5, 0], so z⁺ gives x_i w_i0⁺ / Σ x w⁺ · 3.5 = [1, 4, 0] / 5 · 3.5
    const one = await dtd(...explainArgs("multi.json", "x.json", "--rule", "zplus", "--target", "0", "--json"));
    expect(one.code).toBe(0);
    expectAllClose((JSON.parse(one.stdout) as { relevance: number[] }).relevance, [0.7, 2.8, 0], { atol: 1e-12, rtol: 1e-12 });
  });
});

describe("inputs, bounds, methods and pooling", () => {
  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { f: number; relevance: number[]; conservationError: number; minRelevance: number; consistent: boolean };
  const tight = { atol: 1e-12, rtol: 1e-12 };

  test("a nested input reads as its row-major flattening", async () => {
    const flat = json(await dtd(...explainArgs("deck.json", "x.json", "--rule", "zplus", "--json")));
    const nested = json(await dtd(...explainArgs("deck.json", "nested.json", "--rule", "zplus", "--json")));
    expect(nested.relevance).toEqual(flat.relevance);
    expectAllClose(flat.relevance, zPlusOracle(x), tight);
  });
  test("per-unit bounds from files", async () => {
    const r = await dtd(...explainArgs("deck.json", "x.json", "--rule", "zb", "--low", p["low.json"]!, "--high", p["high.json"]!, "--json"));
    expect(r.code).toBe(0);
    expectAllClose(json(r).relevance, zbOracle(x, [-1, 0, -2], [2, 3, 1]), tight);
  });
  test("baselines: sensitivity is (∂f/∂x)² and not conservative; gradient × input is x ⊙ ∂f/∂x", async () => {
    // both hidden units are active, so ∂f/∂x_i = Σ_j w_ij = [−1, 3, 2]
    const grad = W.map((row) => row[0]! + row[1]!);
    const sens = json(await dtd(...explainArgs("deck.json", "x.json", "--method", "sensitivity", "--json")));
    expectAllClose(sens.relevance, grad.map((g) => g * g), tight);
    expect(sens.consistent).toBe(false);
    expectAllClose([sens.conservationError], [1 + 9 + 4 - 4.5], tight);
    const gxi = json(await dtd(...explainArgs("deck.json", "x.json", "--method", "gradxinput", "--json")));
    expectAllClose(gxi.relevance, grad.map((g, i) => g * x[i]!), tight);
    expectAllClose([gxi.minRelevance], [-1], tight);
    expect(gxi.consistent).toBe(false);
    const taylor = await dtd(...explainArgs("deck.json", "x.json", "--method", "taylor", "--json"));
    expect(taylor.code).toBe(0);
    expect(json(taylor).relevance).toHaveLength(3);
    expect(taylor.stderr).toMatch(/^note: simple Taylor: root point ξ at distance /m);
  });
  test("check with a baseline checks consistency only", async () => {
    const r = await dtd("check", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--method", "sensitivity");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^preconditions\s+n\/a/m);
    expect(r.stdout).toMatch(/^consistency\s+FAIL .*NOT conservative/m);
  });
  test("max pooling: winner-take-all by default, proportional on request; both conservative", async () => {
    const winner = json(await dtd(...explainArgs("maxpool.json", "grid.json", "--rule", "zplus", "--json")));
    const prop = json(await dtd(...explainArgs("maxpool.json", "grid.json", "--rule", "zplus", "--maxpool", "proportional", "--json")));
    // window (0,0) holds 0.1 0.9 / 0.4 0.5: the winner 0.9 (unit 1) takes all of its relevance
    expect(winner.relevance[0]).toBe(0);
    expect(winner.relevance[4]).toBe(0);
    expect(prop.relevance[0]).toBeGreaterThan(0);
    expect(winner.consistent && prop.consistent).toBe(true);
    expectAllClose([winner.f], [(0.9 + 0.6 + 0.8 + 0.95) * 1.5], tight);
  });
  test("--png for a vector input draws a bar chart", async () => {
    const out = join(p["dir"]!, "bars.png");
    const r = await dtd(...explainArgs("deck.json", "x.json", "--rule", "zplus", "--png", out));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*bars\.png \(\d+×\d+\)$/m);
    const img = Png.readPng(out);
    if (E.isLeft(img)) throw new Error("not a PNG");
    expect(img.right.width).toBeGreaterThan(100);
    expect(Image.countPixels(img.right, (c) => c.r === 214 && c.g === 39 && c.b === 40)).toBeGreaterThan(0); // the red bars
  });
  test("f(x) < 0 cannot be explained", async () => {
    const neg = writeFiles({ "m.json": { format: "dtd-model", version: 1, inputShape: [3], layers: [{ type: "dense", weight: [[1], [1], [1]], bias: [-10] }] } });
    const r = await dtd("explain", "--model", neg["m.json"]!, "--input", p["x.json"]!, "--rule", "w2");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/expected f\(x\) ≥ 0, found f\(x\) = -6\.5/);
  });
});
