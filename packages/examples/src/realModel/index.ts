/**
 * `dtd real-model`: a pretrained network no one here wrote, on real photos. @vladmandic/human's anti-spoofing
 * CNN (a TF.js graph model with float16 weights and a positive bias in most of its neurons) is imported,
 * its forward pass checked against TensorFlow.js on every face, and each face — cut from
 * @vladmandic/face-api's demo photos by hand-marked boxes — is explained with zᵇ in the first layer (the box
 * the photo's pixels can take) and z⁺ above, the biases as relevance sinks. The report says how much of f the
 * biases absorbed, whether Σ R + absorbed = f, and where the relevance lies (inside the face or around it);
 * the pictures show each face, its heatmap and the heatmap over it. Both packages are development
 * dependencies: the example runs from the repository.
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as DT from "@dtd/deep-taylor";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { Grid, Heatmap, Image, VizError } from "@dtd/viz";
import * as Photo from "@dtd/viz/photo";
import * as Png from "@dtd/viz/png";
import { type CliError, defineCommand, ExitCode, failure, line, num, table } from "@dtd/cli";
import { defaultPrep, importFile, infoOf, negateOutput, photoToInput } from "@dtd/cli/blocks";
import { repoRoot } from "../kit/index.ts";
import { boxIn, type Face, FACES, faceMask } from "./faces.ts";

/** What one face gave. */
export interface FaceResult {
  readonly label: string;
  /** The logit of tfjs and of dtd (float32 and float64 imports). */
  readonly tfjs: number;
  readonly dtd32: number;
  readonly dtd64: number;
  /** P(real) = σ(logit). */
  readonly pReal: number;
  /** The class explained: 1 (real, f = logit) or 0 (spoof, f = −logit). */
  readonly explained: 0 | 1;
  readonly f: number;
  readonly sumR: number;
  readonly absorbed: number;
  readonly minR: number;
  /** Share of the positive relevance inside the face ellipse, and the ellipse's share of the area. */
  readonly faceShare: number;
  readonly areaShare: number;
  /** The strict explanation's refusal (a positive bias), in words. */
  readonly strict: string;
  readonly picture: Image.Image;
  readonly R: Float64Array;
}

const flags = {
  out: { type: "string", value: "DIR", default: "out/real-model", description: "folder of the report and pictures" },
  docs: { type: "boolean", description: "also write the heatmaps to docs/images/real-model-antispoof.png" },
} as const;

const packageDir = (name: string, entry: string): string | undefined => {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/${entry}`));
  } catch {
    try {
      return join(dirname(createRequire(import.meta.url).resolve(name)), "..");
    } catch {
      return undefined;
    }
  }
};

/** The input of the final Sigmoid of a graph model.json: its logit node. */
const logitNode = (json: { readonly modelTopology: { readonly node: readonly { readonly op: string; readonly input?: readonly string[] }[] } }): string | undefined =>
  json.modelTopology.node.find((n) => n.op === "Sigmoid")?.input?.[0];

/** CHW → NHWC for tfjs. */
const toNhwc = (x: ArrayLike<number>, c: number, h: number, w: number): Float32Array => {
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) out[(y * w + q) * c + k] = x[(k * h + y) * w + q]!;
  return out;
};

/** Σ of the positive relevance (summed over channels) inside the mask, over all positive relevance. */
const shareInside = (R: Float64Array, mask: Uint8Array, channels: number): number => {
  const n = mask.length;
  let inside = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let c = 0; c < channels; c++) r += R[c * n + i]!;
    if (r <= 0) continue;
    total += r;
    if (mask[i] === 1) inside += r;
  }
  return total === 0 ? 0 : inside / total;
};

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Runs the example: the results per face, or why it cannot run. */
export const runRealModel = async (faces: readonly Face[] = FACES): Promise<E.Either<CliError, readonly FaceResult[]>> => {
  const humanDir = packageDir("@vladmandic/human", "package.json");
  const faceDir = packageDir("@vladmandic/face-api", "package.json");
  if (humanDir === undefined || faceDir === undefined) {
    return E.left(failure("the example needs the development dependencies @vladmandic/human and @vladmandic/face-api: run it from the repository after `pnpm install`"));
  }
  const modelPath = join(humanDir, "models", "antispoof.json");
  const bytes = new Uint8Array(readFileSync(modelPath));
  const m64 = importFile(modelPath, bytes, { dtype: "float64" });
  const m32 = importFile(modelPath, bytes, { dtype: "float32" });
  if (E.isLeft(m64)) return m64;
  if (E.isLeft(m32)) return m32;
  const imported = infoOf(m64.right.ir, modelPath);
  const json = JSON.parse(new TextDecoder().decode(bytes)) as Parameters<typeof logitNode>[0] & { readonly weightsManifest: { readonly paths: string[]; readonly weights: object[] }[] };
  const logit = logitNode(json);
  if (logit === undefined) return E.left(failure(`${modelPath}: no final Sigmoid`));
  // TensorFlow.js, loaded only here (a development dependency): the oracle of the forward pass.
  const tf = await import("@tensorflow/tfjs");
  await tf.setBackend("cpu");
  const bin = readFileSync(join(humanDir, "models", json.weightsManifest[0]!.paths[0]!));
  const graph = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
  );
  const [C, H, W] = m64.right.model.inputShape as [number, number, number];
  const photos = new Map<number, Image.Image>();
  const results: FaceResult[] = [];
  for (const [k, face] of faces.entries()) {
    if (!photos.has(face.photo)) {
      const path = join(faceDir, "demo", `sample${face.photo}.jpg`);
      const p = Photo.decodePhoto(new Uint8Array(readFileSync(path)), path);
      if (E.isLeft(p)) return E.left(failure(VizError.message(p.left)));
      photos.set(face.photo, p.right);
    }
    const photo = photos.get(face.photo)!;
    const [bx, by, side] = boxIn(face, photo.width, photo.height);
    const input = photoToInput(Image.crop(photo, bx, by, side, side), [C, H, W], defaultPrep, imported);
    const x64 = T.of(input.x, [1, C, H, W]);
    const tfjs = (graph.execute(tf.tensor(toNhwc(input.x, C, H, W), [1, H, W, C]), logit) as { dataSync(): Float32Array }).dataSync()[0]!;
    const dtd32 = L.forward(m32.right.model, T.astype(x64, "float32")).output.data[0]!;
    const dtd64 = L.forward(m64.right.model, x64).output.data[0]!;
    const explained: 0 | 1 = dtd64 >= 0 ? 1 : 0;
    const model = explained === 1 ? E.right(m64.right.model) : negateOutput(m64.right.model);
    if (E.isLeft(model)) return E.left(failure(model.left));
    const box = DT.zB(T.of(input.low, [C, H, W]), T.of(input.high, [C, H, W]));
    if (E.isLeft(box)) return E.left(failure(box.left));
    const composite = DT.layerwise({ first: DT.deriveRule(box.right), rest: DT.deriveRule(DT.zPlus), maxPool: "winnerTakeAll" });
    const strict = DT.explain(model.right, x64, composite);
    const e = DT.explain(model.right, x64, composite, { biasSink: true });
    if (E.isLeft(e)) return E.left(failure(DT.message(e.left)));
    const R = Float64Array.from(e.right.R.data);
    results.push({
      label: `sample${face.photo} #${k + 1}`,
      tfjs,
      dtd32,
      dtd64,
      pReal: sigmoid(dtd64),
      explained,
      f: e.right.f.data[0]!,
      sumR: R.reduce((a, b) => a + b, 0),
      absorbed: e.right.biasRelevance[0]!,
      minR: Math.min(...R),
      faceShare: shareInside(R, faceMask(H, W), C),
      areaShare: faceMask(H, W).reduce((a, b) => a + b, 0) / (H * W),
      strict: E.isLeft(strict) ? DT.message(strict.left) : "explained",
      picture: input.picture,
      R,
    });
  }
  return E.right(results);
};

/** The pictures: per face, the crop, its heatmap and the heatmap over it (each 256 × 256). */
export const figure = (results: readonly FaceResult[]): Image.Image => {
  const rows = results.map((r) => {
    const field = T.of(r.R, [3, r.picture.height, r.picture.width]);
    return [Image.upscale(r.picture, 2), Heatmap.relevance(field, { upscale: 2 }), Image.upscale(Heatmap.overlay(r.picture, field), 2)];
  });
  return Grid.grid(rows, {
    title: "anti-spoofing CNN (@vladmandic/human): zb first layer, z+ above, biases as relevance sinks",
    columnTitles: ["face (128 x 128 input)", "relevance", "over the face"],
    rowLabels: results.map((r) => `${r.label}: P(real) ${r.pReal.toFixed(2)}`),
  });
};

/** The report's table rows. */
export const tableRows = (results: readonly FaceResult[]): string[][] => [
  ["face", "P(real)", "class explained", "logit tfjs", "|dtd − tfjs| (float32)", "f(x)", "Σ R", "absorbed by biases", "min R", "positive R in the face ellipse (area share)"],
  ...results.map((r) => [
    r.label,
    r.pReal.toFixed(3),
    r.explained === 1 ? "real (f = logit)" : "spoof (f = −logit)",
    num(r.tfjs),
    num(Math.abs(r.dtd32 - r.tfjs)),
    num(r.f),
    num(r.sumR),
    `${num(r.absorbed)} (${((100 * r.absorbed) / r.f).toFixed(2)} % of f)`,
    num(r.minR),
    `${(100 * r.faceShare).toFixed(1)} % (${(100 * r.areaShare).toFixed(1)} %)`,
  ]),
];

export const command = defineCommand({
  name: "real-model",
  summary: "a pretrained anti-spoofing CNN from npm explained on real photos (import, tfjs check, zb + z+, bias sinks)",
  usage: "real-model [--out DIR] [--docs]",
  description: `
Imports @vladmandic/human's anti-spoofing CNN (TF.js graph model), checks dtd's forward pass against
TensorFlow.js on faces cut from @vladmandic/face-api's demo photos, and explains each face with zb in the first
layer (the box of the pixel values) and z+ above, biases as relevance sinks. Writes a report (Markdown) and the
heatmaps; --docs also writes docs/images/real-model-antispoof.png.`,
  flags,
  examples: ["real-model", "real-model --docs"],
  run: async ({ values }, { io }) => {
    const r = await runRealModel();
    if (E.isLeft(r)) return r;
    const results = r.right;
    const out = resolve(values.out);
    mkdirSync(out, { recursive: true });
    const img = figure(results);
    const pictures = [join(out, "antispoof.png"), ...(values.docs ? [join(repoRoot(), "docs", "images", "real-model-antispoof.png")] : [])];
    for (const p of pictures) {
      const w = Png.writePng(p, img);
      if (E.isLeft(w)) return E.left(failure(VizError.message(w.left)));
      line(io.stderr, `wrote ${p}`);
    }
    const rows = tableRows(results);
    const md = [
      "# A real pretrained model: @vladmandic/human's anti-spoofing CNN",
      "",
      "| " + rows[0]!.join(" | ") + " |",
      "| " + rows[0]!.map(() => "---").join(" | ") + " |",
      ...rows.slice(1).map((row) => "| " + row.join(" | ") + " |"),
      "",
      `Strict z⁺/zᵇ (the deck's preconditions): ${results[0]!.strict}`,
      "",
      "![heatmaps](antispoof.png)",
      "",
    ].join("\n");
    writeFileSync(join(out, "report.md"), md);
    line(io.stderr, `wrote ${join(out, "report.md")}`);
    table(rows).forEach((s) => line(io.stdout, s));
    return E.right(ExitCode.ok);
  },
});
