/**
 * Numbers you can trust on the command line (issue 12): every numbered case of the issue that reaches the CLI,
 * run in-process, and a property that hunts: no run prints null, NaN or Infinity as a result with exit 0, and no
 * run ends in "unexpected error".
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { memoryIo } from "../src/Io.ts";
import { run } from "../src/run.ts";
import { b, detectionModel, W, writeFiles, x } from "./cliFixtures.ts";

const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

let p: Record<string, string>;

/** A 69-byte PNG declaring 60000×60000 gray pixels (see packages/viz/test/imageHeader.test.ts). */
const hostilePng = (): Uint8Array => {
  const crc = (bytes: readonly number[]): number => {
    let c = 0xffffffff;
    for (const v of bytes) {
      c ^= v;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const be = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const chunk = (type: string, data: readonly number[]) => {
    const typed = [...[...type].map((c) => c.charCodeAt(0)), ...data];
    return [...be(data.length), ...typed, ...be(crc(typed))];
  };
  return Uint8Array.from([
    137, 80, 78, 71, 13, 10, 26, 10,
    ...chunk("IHDR", [...be(60000), ...be(60000), 8, 0, 0, 0, 0]),
    ...chunk("IDAT", Array.from(deflateSync(new Uint8Array(100)))),
    ...chunk("IEND", []),
  ]);
};

const deep = (depth: number, leaf: string): string => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;

beforeAll(() => {
  const base = { format: "dtd-model", version: 1 };
  const conv = (c: number, o: number, k: number, value: number) =>
    Array.from({ length: o }, (_, a) => Array.from({ length: c }, () => Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, s) => value * ((a + r + s) % 3 === 0 ? -1 : 1)))));
  p = writeFiles({
    "deck.json": detectionModel(W, b),
    "deck32.json": { ...detectionModel(W, b), dtype: "float32" },
    "pnorm.json": { ...base, inputShape: [3], layers: [{ type: "dense", weight: W, bias: b }, { type: "relu" }, { type: "pNormPool", p: 400 }] },
    "huge-w.json": { ...base, inputShape: [2], layers: [{ type: "dense", weight: [[1e160], [1e160]], bias: [0] }, { type: "relu" }, { type: "sumPool" }] },
    "dup.json": `{"format": "dtd-model", "version": 1, "inputShape": [3], "layers": [{"type": "dense", "weight": ${JSON.stringify(W)}, "bias": [5, 5], "bias": ${JSON.stringify(b)}}, {"type": "relu"}, {"type": "sumPool"}]}`,
    "deep-meta.json": `{"format": "dtd-model", "version": 1, "inputShape": [3], "layers": [{"type": "dense", "weight": ${JSON.stringify(W)}, "bias": ${JSON.stringify(b)}}, {"type": "relu"}, {"type": "sumPool"}], "metadata": ${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
    "maxpool-first.json": {
      ...base,
      inputShape: [1, 2, 2],
      layers: [{ type: "conv2d", weight: [[[[1]]], [[[-1]]]], bias: [0, 0] }, { type: "maxPool2d", kernel: [2, 2] }, { type: "relu" }, { type: "sumPool" }],
    },
    "cnn128.json": { ...base, dtype: "float32", inputShape: [3, 128, 128], layers: [{ type: "conv2d", weight: conv(3, 64, 3, 0.1), bias: new Array(64).fill(-0.05), padding: [1, 1] }, { type: "relu" }, { type: "sumPool" }] },
    "x.json": x,
    "x331.json": [3, 3, 1],
    "near-max.json": { ...base, inputShape: [3], layers: [{ type: "dense", weight: [[1, 0.5], [2, 1], [-1, 3]], bias: b }, { type: "relu" }, { type: "sumPool" }] },
    "x-near-max.json": [1e308, 0, 1e-300],
    "big.json": [1e308, 1e308, 1e308],
    "inf.json": "[1, 1e309, 1]",
    "over32.json": [1, 1e39, 1],
    "deep.json": deep(10_000, "1"),
    "deep-null.json": deep(10_000, "null"),
    "tiny.json": [1e-160, 1e-160],
    "x-pool.json": [[[1, 0.5], [0.25, 2]]],
    "hostile.png": hostilePng(),
    "data-inf.json": '{"x": [[1, 2, 0.5], [1e309, 0, 0]], "y": [1, 0]}',
    "data-dup.json": '{"x": [[1, 2, 0.5]], "y": [1], "x": [[0, 0, 0]]}',
    "data-32.json": { x: [[1, 2, 0.5], [1, 1e39, 0]], y: [1, 0] },
    "x128.json": Array.from({ length: 3 * 128 * 128 }, (_, i) => (i % 7) / 7),
  });
});

describe("case 1: dtd check works on float32 models", () => {
  test("preconditions, roots and consistency hold for the deck's network in float32", async () => {
    const r = await dtd("check", "--model", p["deck32.json"]!, "--input", p["x.json"]!, "--rule", "zplus");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/roots +ok +2 active of 2 neurons/);
    expect(r.stdout).toMatch(/result +every check holds/);
  });
});

describe("case 2: non-finite results are errors (exit 1), or with --lenient a warning naming layer and unit (still exit 1)", () => {
  test("an input of [1e308, 1e308, 1e308]", async () => {
    const r = await dtd("explain", "--model", p["deck.json"]!, "--input", p["big.json"]!, "--rule", "zplus", "--json");
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toMatch(/non-finite value Infinity at the output of layer 0 \(dense\), unit 0 of sample 0/);
    const lenient = await dtd("explain", "--model", p["deck.json"]!, "--input", p["big.json"]!, "--rule", "zplus", "--json", "--lenient");
    expect(lenient.code).toBe(1);
    expect(lenient.stderr).toMatch(/^warning: non-finite value Infinity at the output of layer 0 \(dense\), unit 0 of sample 0/m);
    expect(lenient.stdout).not.toMatch(/null/);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ f: "Infinity", consistent: false });
  });
  test("p-norm pooling with p = 400, w² with weights of 1e160", async () => {
    const pnorm = await dtd("explain", "--model", p["pnorm.json"]!, "--input", p["x331.json"]!, "--rule", "zplus"); // z = [7, 0]: 7⁴⁰⁰ > 1.8e308
    expect(pnorm.code).toBe(1);
    expect(pnorm.stderr).toMatch(/non-finite value Infinity at the output of layer 2 \(pNormPool\)/);
    const w2 = await dtd("explain", "--model", p["huge-w.json"]!, "--input", p["tiny.json"]!, "--rule", "w2", "--json");
    expect([w2.code, w2.stdout]).toEqual([1, ""]);
    expect(w2.stderr).toMatch(/non-finite value NaN in the relevance of the inputs of layer 0 \(dense, rule w2\), unit 0 of sample 0/);
  });
});

describe("case 2: finite results near the float64 maximum print as finite numbers", () => {
  test("f(x) = 1.5e308: shares of f are computed without overflowing (100·R overflowed to Infinity%)", async () => {
    const r = await dtd("explain", "--model", p["near-max.json"]!, "--input", p["x-near-max.json"]!, "--rule", "w2");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/f\(x\) +1\.500e\+308/);
    expect(r.stdout).toMatch(/47\.7%/);
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });
});

describe("case 3: checks fail on non-finite numbers", () => {
  test("check --method sensitivity on an overflowing input does not print 'every check holds'", async () => {
    const r = await dtd("check", "--model", p["deck.json"]!, "--input", p["big.json"]!, "--method", "sensitivity");
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/every check holds/);
    expect(r.stderr).toMatch(/non-finite value Infinity at the output of layer 0/);
  });
  test("check with deep Taylor reports where the first non-finite value appeared, and fails", async () => {
    const r = await dtd("check", "--model", p["deck.json"]!, "--input", p["big.json"]!, "--rule", "zplus", "--json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; nonFinite: string; consistency: { f: unknown; positive: boolean } };
    expect(report.ok).toBe(false);
    expect(report.nonFinite).toMatch(/layer 0 \(dense\), unit 0 of sample 0/);
    expect(report.consistency.positive).toBe(false);
    expect(r.stdout).not.toMatch(/null/);
  });
});

describe("case 4: a float32 explanation is reported consistent", () => {
  test("explain --json on the float32 deck network", async () => {
    const r = await dtd("explain", "--model", p["deck32.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { conservationError: number; consistent: boolean };
    expect(j.consistent).toBe(true);
    expect(Math.abs(j.conservationError)).toBeGreaterThan(0); // float32 rounding, within its tolerance
  });
});

describe("case 5: a PNG's declared size is checked before decoding", () => {
  test("the 69-byte PNG declaring 60000×60000 pixels is refused from its header", async () => {
    const r = await dtd("explain", "--model", p["cnn128.json"]!, "--input", p["hostile.png"]!, "--rule", "zplus");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hostile\.png: expected a 128×128 image \(width × height, input shape \[3, 128, 128\]\), found a header declaring 60000×60000 pixels \(nothing decoded\)/);
  });
});

describe("case 6: what used to reach 'unexpected error' is a message naming the file, the path and the value", () => {
  test("an input value 1e309, and 1e39 for a float32 model", async () => {
    const r = await dtd("explain", "--model", p["deck.json"]!, "--input", p["inf.json"]!, "--rule", "zplus");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/inf\.json: \$\[1\]: expected a finite number \(\|x\| ≤ 1\.7976931348623157e308\), found 1e309 \(line 1, column 5\), which JSON\.parse reads as Infinity/);
    const f32 = await dtd("explain", "--model", p["deck32.json"]!, "--input", p["over32.json"]!, "--rule", "zplus");
    expect(f32.code).toBe(1);
    expect(f32.stderr).toMatch(/over32\.json: expected a number within the float32 range \(\|x\| ≤ 3\.4028234663852886e\+38, the model's dtype\) at \$\[1\], found 1e\+39/);
  });
  test("an input nested 10,000 deep (the recursive flatten overflowed the stack)", async () => {
    const r = await dtd("explain", "--model", p["deck.json"]!, "--input", p["deep.json"]!, "--rule", "zplus");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deep\.json: expected 3 numbers \(input shape \[3\]\), found 1/);
    const n = await dtd("explain", "--model", p["deck.json"]!, "--input", p["deep-null.json"]!, "--rule", "zplus");
    expect(n.stderr).toMatch(/deep-null\.json: expected a number at \$(\[0\]){8}…\(9988 more levels\)…(\[0\]){4}, found null/);
  });
  test("--method taylor on an overflowing input", async () => {
    const r = await dtd("explain", "--model", p["deck.json"]!, "--input", p["big.json"]!, "--method", "taylor");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dtd explain: non-finite value Infinity at the output of layer 0 \(dense\)/);
  });
  test("--png with a NaN relevance (lenient): the picture is not drawn, no exception", async () => {
    const png = join(p["dir"]!, "nan.png");
    const r = await dtd("explain", "--model", p["huge-w.json"]!, "--input", p["tiny.json"]!, "--rule", "w2", "--lenient", "--png", png);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.stderr).toMatch(/the explanation is not finite .* so .*nan\.png was not written/);
    expect(existsSync(png)).toBe(false);
  });
  test("train data with 1e309 (or 1e39 for a float32 model) is refused before training starts", async () => {
    const out = join(p["dir"]!, "trained.json");
    const r = await dtd("train", "--model", p["deck.json"]!, "--data", p["data-inf.json"]!, "--out", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data-inf\.json: \$\.x\[1\]\[0\]: expected a finite number .* found 1e309/);
    expect(r.stderr).not.toMatch(/training/);
    const f32 = await dtd("train", "--model", p["deck32.json"]!, "--data", p["data-32.json"]!, "--out", out);
    expect(f32.stderr).toMatch(/data-32\.json: expected a number within the float32 range .* at x\[1\]\[1\], found 1e\+39/);
    expect(existsSync(out)).toBe(false);
  });
  test("train on a model whose metadata is nested 5,000 deep: refused when the model is read, before training", async () => {
    const r = await dtd("train", "--model", p["deep-meta.json"]!, "--data", p["data-32.json"]!, "--out", join(p["dir"]!, "t.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/deep-meta\.json: metadata: expected metadata nested at most 100 levels deep/);
    expect(r.stderr).not.toMatch(/training/);
  });
});

describe("case 8: duplicate keys are refused with their path", () => {
  test("in a model file and in a data file", async () => {
    const m = await dtd("explain", "--model", p["dup.json"]!, "--input", p["x.json"]!, "--rule", "zplus");
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/dup\.json: layers\[0\]: expected each field once, found a second field "bias"/);
    const d = await dtd("train", "--model", p["deck.json"]!, "--data", p["data-dup.json"]!, "--out", join(p["dir"]!, "t2.json"));
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/data-dup\.json: \$: expected each field once, found a second field "x" \(line 1, column 32; JSON\.parse would keep the last one silently\)/);
  });
});

describe("case 9: dtd check on a 3×128×128 CNN with a 64-filter first conv", () => {
  test("every root of its 1,048,576 conv neurons is checked (it crashed materialising a 49152 × 1016064 Jacobian)", async () => {
    const r = await dtd("check", "--model", p["cnn128.json"]!, "--input", p["x128.json"]!, "--rule", "zplus");
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/roots +ok +\d+ active of 1048576 neurons in 1 dense\/conv2d layer checked, 0 violations/);
    const sampled = await dtd("check", "--model", p["cnn128.json"]!, "--input", p["x128.json"]!, "--rule", "zplus", "--max-neurons", "1000");
    expect(sampled.stdout).toMatch(/of 1000 neurons/);
  });
});

describe("case 10: --maxpool proportional on a max pool before its ReLU", () => {
  test("is a violated precondition (exit 1), a warning with --lenient, and listed unit by unit by check", async () => {
    const args = ["--model", p["maxpool-first.json"]!, "--input", p["x-pool.json"]!, "--rule", "w2", "--maxpool", "proportional"];
    const r = await dtd("explain", ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/precondition of rule proportional violated at layer 1 \(maxPool2d\), input unit 4 of sample 0: expected x ≥ 0/);
    const lenient = await dtd("explain", ...args, "--lenient");
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/^warning: precondition of rule proportional/m);
    const check = await dtd("check", ...args);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/preconditions +FAIL +4 violated/);
    expect((await dtd("explain", "--model", p["maxpool-first.json"]!, "--input", p["x-pool.json"]!, "--rule", "w2")).code).toBe(0);
  });
});

describe("case 11: a flag given twice", () => {
  test("--rule zplus --rule w2 is a usage error naming the flag", async () => {
    const r = await dtd("explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zplus", "--rule", "w2");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dtd explain: --rule given 2 times \("zplus", "w2"\): expected it once$/m);
    const low = await dtd("explain", "--model", p["deck.json"]!, "--input", p["x.json"]!, "--rule", "zb", "--low=-1", "--low", "-2", "--high", "1");
    expect(low.code).toBe(2);
    expect(low.stderr).toMatch(/--low given 2 times \("-1", "-2"\)/);
  });
});

describe("hunting: no run prints null, NaN or Infinity as a result with exit 0, and none ends in 'unexpected error'", () => {
  const magnitude = fc.oneof(
    fc.constantFrom(0, -0, 1, -1, 5e-324, -5e-324, 1e-308, 1e308, -1e308, 1.7976931348623157e308, 3.4e38, 1e39, 1e-45),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -10, max: 10, noNaN: true }),
  );
  test("random weights and inputs from denormals to 1e308, float32 and float64, every rule and method", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          weight: fc.array(magnitude, { minLength: 6, maxLength: 6 }),
          bias: fc.array(fc.oneof(magnitude, fc.constant(-0.5)), { minLength: 2, maxLength: 2 }),
          input: fc.array(magnitude, { minLength: 3, maxLength: 3 }),
          dtype: fc.constantFrom("float32", "float64"),
          head: fc.constantFrom<object>({ type: "sumPool" }, { type: "pNormPool", p: 3 }, { type: "pNormPool", p: 400 }),
          args: fc.constantFrom(["--rule", "zplus"], ["--rule", "w2"], ["--rule", "zb", "--low=-1", "--high=1"], ["--method", "sensitivity"], ["--method", "gradxinput"], ["--method", "taylor"]),
          command: fc.constantFrom("explain", "check"),
          json: fc.boolean(),
          lenient: fc.boolean(),
        }),
        async (c) => {
          const files = writeFiles({
            "m.json": { format: "dtd-model", version: 1, dtype: c.dtype, inputShape: [3], layers: [{ type: "dense", weight: [c.weight.slice(0, 2), c.weight.slice(2, 4), c.weight.slice(4, 6)], bias: c.bias }, { type: "relu" }, c.head] },
            "x.json": c.input,
          });
          const r = await dtd(c.command, "--model", files["m.json"]!, "--input", files["x.json"]!, ...c.args, ...(c.json ? ["--json"] : []), ...(c.lenient ? ["--lenient"] : []));
          expect(r.stderr).not.toMatch(/unexpected error/);
          if (r.code !== 0) return;
          expect(r.stdout).not.toMatch(/NaN|Infinity/);
          if (!c.json) return;
          const out = JSON.parse(r.stdout) as { f?: unknown; relevance?: unknown[]; consistency?: Record<string, unknown> };
          const results = c.command === "explain" ? [out.f, ...(out.relevance ?? [])] : ["f", "sumR", "conservationError", "minRelevance", "tolerance"].map((k) => out.consistency?.[k]);
          for (const v of results) expect(typeof v === "number" && Number.isFinite(v)).toBe(true);
        },
      ),
    );
  });
});
