/**
 * Models made elsewhere on the command line, in-process: `dtd import` of TF.js and ONNX files into model files
 * that explain like the originals, `--image` photos through a real pretrained anti-spoofing CNN (positive biases:
 * refused strictly, explained with --bias-sink and Σ R + absorbed = f), the other class of a sigmoid model as
 * −logit, and a negative score refused with what makes sense instead.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { Image } from "@dtd/viz";
import * as Photo from "@dtd/viz/photo";
import * as Png from "@dtd/viz/png";
import { memoryIo } from "../src/Io.ts";
import { run } from "../src/run.ts";

const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

const require = createRequire(import.meta.url);
const human = join(dirname(require.resolve("@vladmandic/human")), "..", "models");
const antispoof = join(human, "antispoof.json");
const onnx = (name: string) => new URL(`../../import/test/fixtures/onnx/${name}`, import.meta.url).pathname;

let dir: string;
let face: string;
let tiny: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dtd-import-"));
  // A face from the face-api demo photos (sample1.jpg), cut out as a 320×320 PNG.
  const photo = Photo.decodePhoto(new Uint8Array(readFileSync(join(dirname(require.resolve("@vladmandic/face-api/package.json")), "demo", "sample1.jpg"))), "sample1.jpg");
  if (E.isLeft(photo)) throw new Error("photo");
  face = join(dir, "face.png");
  Png.writePng(face, Image.crop(photo.right, 360, 312, 320, 320));
  tiny = join(dir, "tiny.png");
  Png.writePng(tiny, Image.make(3, 2, { r: 200, g: 100, b: 50, a: 255 }));
});

interface Json {
  readonly f: number;
  readonly relevance: number[];
  readonly conservationError: number;
  readonly consistent: boolean;
  readonly biasRelevance: number;
}
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe("dtd import", () => {
  test("an ONNX residual CNN becomes a version 2 model file whose forward pass is the original's", async () => {
    const out = join(dir, "res.dtd.json");
    const r = await dtd("import", onnx("residual_cnn.onnx"), "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/imported .*residual_cnn\.onnx \(onnx\): input \[3, 12, 12\], 11 nodes/);
    const file = JSON.parse(readFileSync(out, "utf8")) as { version: number; metadata: { imported: { format: string } } };
    expect(file.version).toBe(2);
    expect(file.metadata.imported.format).toBe("onnx");
  });

  test("a model dtd cannot represent exactly is refused, naming the node and why", async () => {
    const r = await dtd("import", join(human, "iris.json"), "--out", join(dir, "i.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/node "StatefulPartitionedCall\/model\/p_re_lu_36\/Relu" \(Prelu\) is not supported: a ReLU that lets negative inputs through with a slope/);
  });

  test("a model with several heads: refused naming them, imported with --output-node", async () => {
    const model = join(human, "handlandmark-lite.json");
    const refused = await dtd("import", model, "--out", join(dir, "h.json"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/it has 4 outputs \(Identity_1:0 \(Identity_1\), Identity:0 \(Identity\), Identity_2:0 \(Identity_2\), Identity_3:0 \(Identity_3\)\): dtd explains one output — choose it by name/);
    const r = await dtd("import", model, "--output-node", "Identity_1", "--out", join(dir, "h.json"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: the final sigmoid is dropped/);
  });

  test("explaining an ONNX file directly equals explaining the file dtd import wrote", async () => {
    const input = join(dir, "x16.json");
    writeFileSync(input, JSON.stringify(Array.from({ length: 16 }, (_, i) => (i % 5) / 4)));
    const out = join(dir, "mlp.dtd.json");
    expect((await dtd("import", onnx("mlp.onnx"), "--out", out, "--dtype", "float64")).code).toBe(0);
    const direct = await dtd("explain", "--model", onnx("mlp.onnx"), "--input", input, "--rule", "w2", "--json");
    expect(direct.stderr).toMatch(/note: explaining the top class \(its logit; --target K for another\)/);
    const viaFile = await dtd("explain", "--model", out, "--input", input, "--rule", "w2", "--target", "argmax", "--json");
    expect(direct.code).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual(JSON.parse(viaFile.stdout));
  });
});

describe("the three formats explain conservatively from the command line", () => {
  const tfjsResidual = new URL("../../import/test/fixtures/tfjs/residual_layers.json", import.meta.url).pathname;
  const sample = (n: number, seed: number): string => {
    const path = join(dir, `x${n}-${seed}.json`);
    writeFileSync(path, JSON.stringify(Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 1000) / 1000)));
    return path;
  };
  test("a TF.js layers residual CNN with a batch norm (folded by canonization) and an add: every check holds", async () => {
    const r = await dtd("check", "--model", tfjsResidual, "--input", sample(432, 1), "--first-rule", "zb", "--low", "0", "--high", "1", "--rule", "zplus", "--add", "rules", "--bias-sink", "--target", "argmax");
    expect(r.stdout).toMatch(/^result {9}every check holds$/m);
    expect(r.code).toBe(0);
  });
  test("an ONNX CNN with concatenated branches and padding (class 0 of its sigmoid): conservative and positive", async () => {
    const r = await dtd("explain", "--model", onnx("concat_net.onnx"), "--input", sample(100, 2), "--first-rule", "zb", "--low", "0", "--high", "1", "--rule", "zplus", "--bias-sink", "--target", "0", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Json;
    expectAllClose([sum(j.relevance) + j.biasRelevance], [j.f], { rtol: 1e-9, atol: 1e-12 });
    expect(j.consistent).toBe(true);
  });
});

describe("dtd explain --image on a real pretrained CNN (@vladmandic/human's anti-spoofing net)", () => {
  test("its positive biases are refused by zᵇ/z⁺ strictly, with the way through named", async () => {
    const r = await dtd("explain", "--model", antispoof, "--image", face, "--first-rule", "zb", "--rule", "zplus");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/expected a bias b ≤ 0, found 0\.0330\d+ \(--bias-sink explains models with positive biases/);
  });

  test("--bias-sink: Σ R + absorbed = f, R ≥ 0, the zᵇ box from the photo's pixel range", async () => {
    const r = await dtd("explain", "--model", antispoof, "--image", face, "--first-rule", "zb", "--rule", "zplus", "--bias-sink", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Json;
    expect(j.relevance).toHaveLength(3 * 128 * 128);
    expect(j.f).toBeGreaterThan(0);
    expect(j.biasRelevance).toBeGreaterThanOrEqual(0);
    expectAllClose([sum(j.relevance) + j.biasRelevance], [j.f], { rtol: 1e-9, atol: 1e-12 });
    expect(Math.min(...j.relevance)).toBeGreaterThanOrEqual(0);
    expect(j.consistent).toBe(true);
  });

  test("--png draws the photo, the heatmap and the overlay; check lists what each layer's biases absorbed", async () => {
    const png = join(dir, "heat.png");
    const r = await dtd("explain", "--model", antispoof, "--image", face, "--first-rule", "zb", "--rule", "zplus", "--bias-sink", "--png", png);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/absorbed by biases  \S+  \(\S+ of f\(x\); biases as relevance sinks\)/);
    const img = Png.readPng(png);
    expect(E.isRight(img) && img.right.width).toBeGreaterThan(3 * 256);
    const c = await dtd("check", "--model", antispoof, "--image", face, "--first-rule", "zb", "--rule", "zplus", "--bias-sink", "--max-neurons", "50", "--json");
    const report = JSON.parse(c.stdout) as { biasRelevance: { total: number; perNode: { node: string; kind: string }[] }; preconditions: { ok: boolean } };
    expect(report.preconditions.ok).toBe(true);
    expect(report.biasRelevance.total).toBeGreaterThanOrEqual(0);
    for (const n of report.biasRelevance.perNode) expect(["conv2d", "dense"]).toContain(n.kind);
  });

  test("class 0 of the sigmoid model is −logit; a negative score names the class that makes sense", async () => {
    const logit = JSON.parse((await dtd("explain", "--model", antispoof, "--image", face, "--rule", "w2", "--json")).stdout) as Json;
    const other = await dtd("explain", "--model", antispoof, "--image", face, "--rule", "w2", "--target", "0", "--lenient", "--json");
    expect(other.stderr).toMatch(/class 0 of a sigmoid model: f = −logit/);
    expectAllClose([(JSON.parse(other.stdout) as Json).f], [-logit.f], { rtol: 1e-12 });
    const refused = await dtd("explain", "--model", antispoof, "--image", face, "--rule", "w2", "--target", "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/expected f\(x\) ≥ 0, found f\(x\) = -0\.\d+ for sample 0: this sigmoid model predicts class 1 here \(σ = 0\.\d+ for it\); --target 1 explains class 1, whose score is the logit = 0\.\d+/);
  });

  test("photo flags without --image, and a photo for a vector model, are refused", async () => {
    expect((await dtd("explain", "--model", antispoof, "--input", tiny, "--rule", "w2", "--mean", "0.5")).stderr).toMatch(/--mean prepare a photo: use them with --image/);
    const vector = join(dir, "vector.json");
    writeFileSync(vector, JSON.stringify({ format: "dtd-model", version: 1, inputShape: [3], layers: [{ type: "dense", weight: [[1], [1], [1]], bias: [0] }] }));
    expect((await dtd("explain", "--model", vector, "--image", tiny, "--rule", "w2")).stderr).toMatch(/--image needs an image model \(input shape \[C, H, W\], C = 1 or 3\), found input shape \[3\]/);
  });
});
