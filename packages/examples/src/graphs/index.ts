/**
 * `dtd graphs` (`pnpm dtd graphs`): trains the ResNet-style and the Inception-style MNIST networks of
 * docs/graphs.md (`networks.ts`) — Adam on softmax cross-entropy, seeded — and writes each as a model file of
 * version 2, with a few test digits to explain, so that `dtd explain` and `dtd check` can be run on graphs:
 *
 *   pnpm dtd explain --model out/graphs/resnet.json --input out/graphs/digit-0.json --target argmax \
 *     --first-rule zb --rule zplus --low 0 --high 1 --add rules --png resnet-zb.png
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { writeModelFile } from "@dtd/model-io/file";
import { formatError } from "@dtd/model-io";
import { defineCommand, ExitCode, failure, integerFlag, line, startProgress } from "@dtd/cli";
import { DIGIT_PIXELS, type MnistPool, splitMnist } from "@dtd/datasets";
import { loadMnist } from "@dtd/datasets/node";
import { Grid, VizError } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import type { Image } from "@dtd/viz";
import { type Architecture, constraints, initGraph, learningRates, setBatchNormStatistics } from "./networks.ts";
import { consistencyTable, figureTitles, heatmapRows, tableLines } from "./report.ts";

/** Every digit of a pool as a batch [N, 1, 28, 28] with its labels [N]. */
const dataset = (pool: MnistPool): L.Dataset => {
  const n = pool.indices.reduce((s, ix) => s + ix.length, 0);
  const x = new Float64Array(n * DIGIT_PIXELS);
  const y = new Float64Array(n);
  let k = 0;
  pool.indices.forEach((ix, c) => {
    for (const i of ix) {
      x.set(pool.classes.images[c]!.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS), k * DIGIT_PIXELS);
      y[k++] = c;
    }
  });
  return { x: T.of(x, [n, 1, 28, 28]), y: T.of(y, [n]) };
};

/** Rows `from` ≤ i < `to` of a batch. */
const rows = (t: T.Tensor, from: number, to: number): T.Tensor => T.slice(t, [from, ...t.shape.slice(1).map(() => 0)], [to - from, ...t.shape.slice(1)]);

/** `count` rows evenly spaced over a batch (the test pool is ordered by class: this takes every class). */
const spread = (t: T.Tensor, count: number): T.Tensor => {
  const n = t.shape[0]!;
  const k = Math.min(count, n);
  const d = t.data.length / n;
  const out = T.alloc(t.dtype, k * d);
  for (let r = 0; r < k; r++) {
    const i = Math.floor((r * n) / k);
    out.set(t.data.subarray(i * d, (i + 1) * d), r * d);
  }
  return unsafeMake([k, ...t.shape.slice(1)], out);
};

/** The share of a data set the model classifies correctly (argmax of the logits), in batches of 500. */
const accuracy = (model: L.Model, data: L.Dataset): number => {
  const n = data.x.shape[0]!;
  let right = 0;
  for (let from = 0; from < n; from += 500) {
    const to = Math.min(n, from + 500);
    const logits = L.forward(model, rows(data.x, from, to)).output;
    for (let i = 0; i < to - from; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (logits.data[i * 10 + c]! > logits.data[i * 10 + best]!) best = c;
      if (best === data.y.data[from + i]) right++;
    }
  }
  return right / n;
};

const flags = {
  steps: { type: "string", value: "N", default: "1500", description: "Adam steps per network" },
  seed: { type: "string", value: "N", default: "0", description: "seed of the split, the initial weights and the batches" },
  out: { type: "string", value: "DIR", default: "out/graphs", description: "folder of the model files and the test digits" },
} as const;

export const command = defineCommand({
  name: "graphs",
  summary: "train the ResNet- and Inception-style MNIST networks of docs/graphs.md and write them as model files",
  usage: "graphs [--steps N] [--seed N] [--out DIR]",
  description: `
Trains two graph networks on MNIST digits (10 classes): a ResNet-style CNN (conv → batch norm → ReLU blocks, an
identity and a projection skip, global average pooling, a dense head) and an Inception-style one (four branches
joined by concat: 1×1, 3×3, depthwise-separable, padded max pooling). Biases are kept ≤ 0 and batch norms fold
into the convs before them, so the canonized networks meet the z⁺ and zᵇ rules' preconditions. Writes
<out>/resnet.json and <out>/inception.json (model files of version 2) and <out>/digit-<k>.json (test digits),
and prints the test accuracy and the commands that explain them.`,
  flags,
  examples: ["graphs", "graphs --steps 300 --out /tmp/graphs"],
  run: async ({ values }, { io }) => {
    const steps = integerFlag("steps", values.steps, 1);
    if (E.isLeft(steps)) return steps;
    const seedFlag = integerFlag("seed", values.seed, 0);
    if (E.isLeft(seedFlag)) return seedFlag;
    const seed = seedFlag.right;
    const { train, test } = splitMnist(loadMnist(), { seed });
    const trainData = dataset(train);
    const testData = dataset(test);
    mkdirSync(values.out, { recursive: true });
    // The first test digit of each class: explained in the figure (classes 0, 3, 5, 8) and written as digit-<c>.json.
    const firstOfClass = (c: number): Float64Array => {
      const i = test.indices[c]![0]!;
      return test.classes.images[c]!.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
    };
    const FIGURE_CLASSES = [0, 3, 5, 8];
    const figureDigits = T.of(Float64Array.from(FIGURE_CLASSES.flatMap((c) => Array.from(firstOfClass(c)))), [FIGURE_CLASSES.length, 1, 28, 28]);
    const figure: Image.Image[][] = [];
    const labels: string[] = [];
    for (const arch of ["resnet", "inception"] as const satisfies readonly Architecture[]) {
      const start = Date.now();
      const init = setBatchNormStatistics(initGraph(arch, seed), rows(trainData.x, 0, 256));
      const bar = startProgress({ label: `training ${arch}`, total: steps.right, stream: io.stderr });
      const fitted = L.fit(init, trainData, {
        loss: L.softmaxCrossEntropy,
        optimizer: L.adam({ learningRate: learningRates[arch] }),
        batchSize: 32,
        steps: steps.right,
        seed,
        constraints,
        progressEvery: 10,
        onProgress: (p) => bar.update(p.step, { loss: p.loss }),
      });
      bar.stop();
      if (E.isLeft(fitted)) return E.left(failure(L.trainErrorMessage(fitted.left)));
      const model = fitted.right.model;
      const path = join(values.out, `${arch}.json`);
      const metadata = { name: `${arch}-style MNIST classifier`, classes: [...Array(10).keys()].map(String), training: { steps: steps.right, seed, optimizer: `adam(${learningRates[arch]})`, batchSize: 32 } };
      const written = writeModelFile(path, model, { tensors: "base64", metadata });
      if (E.isLeft(written)) return E.left(failure(formatError(written.left)));
      const folded = L.canonizeReport(model);
      line(io.stdout, `${arch}: test accuracy ${(100 * accuracy(model, testData)).toFixed(2)} % on ${testData.x.shape[0]} digits, ${((Date.now() - start) / 1000).toFixed(0)} s; ${path}`);
      line(io.stdout, `  canonized: ${folded.folded.length} batch norms folded, ${folded.kept.length} kept`);
      const table = consistencyTable(model, spread(testData.x, 200));
      if (E.isLeft(table)) return E.left(failure(`${arch}: ${table.left}`));
      line(io.stdout, `  deep Taylor heatmaps of 200 test digits spread over the classes (argmax class), as \`dtd explain\` computes them:`);
      tableLines(table.right).forEach((l) => line(io.stdout, l));
      const heat = heatmapRows(model, figureDigits);
      if (E.isLeft(heat)) return E.left(failure(`${arch}: ${heat.left}`));
      figure.push(...heat.right.map((r) => [...r]));
      labels.push(...FIGURE_CLASSES.map((c) => `${arch} ${c}`));
    }
    const figurePath = join(values.out, "heatmaps.png");
    const img = Grid.grid(figure, { title: "deep Taylor heatmaps of graph networks (argmax class)", columnTitles: figureTitles(), rowLabels: labels, textScale: 1 });
    const png = Png.writePng(figurePath, img);
    if (E.isLeft(png)) return E.left(failure(VizError.message(png.left)));
    line(io.stdout, `figure: ${figurePath}`);
    for (let c = 0; c < 10; c++) writeFileSync(join(values.out, `digit-${c}.json`), `${JSON.stringify(Array.from(firstOfClass(c)))}\n`);
    line(io.stdout, `explain: pnpm dtd explain --model ${join(values.out, "resnet.json")} --input ${join(values.out, "digit-3.json")} --target argmax --first-rule zb --rule zplus --low 0 --high 1 --add rules --png resnet.png`);
    return E.right(ExitCode.ok);
  },
});
