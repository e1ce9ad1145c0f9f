/**
 * `dtd train`: trains the parameters of a model file on a JSON data set and writes the trained model — mini-batch
 * SGD or Adam (@dtd/layers' `fit`), optionally keeping every bias b ≤ 0, which the z⁺ and zᵇ rules need
 * (Montavon et al. 2017, Propositions 2–3; the deck's MNIST network is trained that way). Progress goes to
 * stderr (a bar on a terminal, a line per tenth otherwise). The examples train their own networks: `dtd demo`
 * and `dtd titanic`.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as Train from "@dtd/layers";
import { writeModelFile } from "@dtd/model-io/file";
import { metadataProblem } from "@dtd/model-io";
import { formatError, formatProblem } from "@dtd/model-io";
import { type CliError, ExitCode, failure, usage } from "../CliError.ts";
import { defineCommand } from "../Command.ts";
import { num } from "../format.ts";
import { line } from "../Io.ts";
import { describe, flattenNumbers, isNumeral, parseJson, readBytes } from "../jsonNumbers.ts";
import { loadModel } from "../loadModel.ts";
import { startProgress } from "../progress.ts";
import { integerFlag } from "../integerFlag.ts";

const LOSSES = { mse: Train.meanSquaredError, bce: Train.binaryCrossEntropyWithLogits } as const;

const flags = {
  model: { type: "string", value: "FILE", description: "the model to train (dtd-model JSON); its weights are the starting point unless --init" },
  data: { type: "string", value: "FILE", description: 'the training set: {"x": [one sample per example], "y": [one target per example]}' },
  out: { type: "string", value: "FILE", description: "where to write the trained model" },
  loss: { type: "string", value: "LOSS", choices: ["mse", "bce"], default: "mse", description: "mean squared error, or binary cross-entropy on logits (targets in [0, 1])" },
  optimizer: { type: "string", value: "OPT", choices: ["sgd", "adam"], default: "adam", description: "the optimizer" },
  lr: { type: "string", value: "RATE", default: "0.01", description: "the learning rate" },
  epochs: { type: "string", value: "N", description: "passes over the data (default 10 when --steps is absent)" },
  steps: { type: "string", value: "N", description: "optimizer steps instead of epochs" },
  "batch-size": { type: "string", value: "N", default: "32", description: "examples per step" },
  seed: { type: "string", value: "N", default: "0", description: "seed of the shuffling (and of --init)" },
  init: { type: "string", value: "SCHEME", choices: ["he", "glorot"], description: "re-initialise the weights (seeded) and zero the biases before training" },
  "non-positive-bias": { type: "boolean", description: "project every dense/conv2d bias onto b ≤ 0 after each step (for the zplus and zb rules)" },
} as const;

const integer = integerFlag;

/**
 * Reads `{"x": [...], "y": [...]}`: N samples in the model's input layout and N targets of its output's size,
 * every number finite in the model's dtype. Everything is checked here, before any training step, and each
 * refusal names the file and the JSON path (`x[3][1]`).
 */
export const readDataset = (path: string, model: L.Model, dtype: T.DType): E.Either<CliError, Train.Dataset> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return E.left(failure(`data: ${bytes.left}`));
  const json = parseJson(new TextDecoder().decode(bytes.right));
  if (E.isLeft(json)) return E.left(failure(`${path}: ${json.left}`));
  const o = json.right;
  if (typeof o !== "object" || o === null || Array.isArray(o)) return E.left(failure(`${path}: expected an object {"x": [...], "y": [...]}, found ${describe(o)}`));
  const { x, y } = o as { readonly x?: unknown; readonly y?: unknown };
  if (!Array.isArray(x) || x.length === 0) return E.left(failure(`${path}: expected "x" to be a non-empty array of samples, found ${describe(x)}`));
  if (!Array.isArray(y) || y.length !== x.length) return E.left(failure(`${path}: expected "y" to be an array of ${x.length} targets (one per sample of "x"), found ${describe(y)}`));
  const inShape = model.inputShape;
  const outShape = L.outputShapeOf(model);
  const d = T.Shape.size(inShape);
  const k = T.Shape.size(outShape);
  const N = x.length;
  const X = new Float64Array(N * d);
  const Y = new Float64Array(N * k);
  for (let n = 0; n < N; n++) {
    const xs = flattenNumbers(x[n], { dtype, root: `x[${n}]` });
    if (E.isLeft(xs)) return E.left(failure(`${path}: ${xs.left}`));
    if (xs.right.length !== d) return E.left(failure(`${path}: x[${n}]: expected ${d} numbers (input shape ${T.showShape(inShape)}), found ${xs.right.length}`));
    X.set(xs.right, n * d);
    const ys = flattenNumbers(typeof y[n] === "number" ? [y[n]] : y[n], { dtype, root: `y[${n}]` });
    if (E.isLeft(ys)) return E.left(failure(`${path}: ${ys.left.replace(`y[${n}][0]`, `y[${n}]`)}`));
    if (ys.right.length !== k) return E.left(failure(`${path}: y[${n}]: expected ${k} number${k === 1 ? "" : "s"} (output shape ${T.showShape(outShape)}), found ${ys.right.length}`));
    Y.set(ys.right, n * k);
  }
  return E.right({ x: T.astype(T.of(X, [N, ...inShape]), dtype), y: T.astype(T.of(Y, [N, ...outShape]), dtype) });
};

export const train = defineCommand({
  name: "train",
  summary: "train a model file's parameters on a JSON data set",
  usage: "train --model FILE --data FILE --out FILE [options]",
  description: `
Trains the weights and biases of a model file by mini-batch gradient descent and writes the trained model
(same layers, same format). The data file holds one sample per example in "x" (in the model's input layout,
flat or nested) and one target per example in "y" (a number for a one-output model, else an array):
  {"x": [[0.1, 0.7, 0.2], [0.9, 0.0, 0.4]], "y": [1, 0]}
Deep Taylor's zplus and zb rules need b ≤ 0: --non-positive-bias keeps every bias there while training.
Progress goes to stderr; a summary of the run to stdout.

The examples train their own networks with this machinery:
  dtd demo      the deck's MNIST task: a 1568-400-1 detection-pooling network (b ≤ 0) that finds a digit 0–3
                beside a distracting digit 4–9 in 28×56 images
  dtd titanic   the deck's Python example: survival from eighteen passenger features (a box: zᵇ is its rule)
Run 'dtd demo --help' and 'dtd titanic --help' for their options.`,
  flags,
  examples: [
    "train --model net.json --data train.json --out trained.json --epochs 20 --non-positive-bias",
    "train --model net.json --data train.json --out trained.json --init he --optimizer sgd --lr 0.05 --steps 2000",
  ],
  run: async ({ values }, { io }) => {
    const missing = (["model", "data", "out"] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) return E.left(usage(`missing required flag${missing.length > 1 ? "s" : ""} ${missing.map((k) => `--${k}`).join(", ")}`));
    if (values.epochs !== undefined && values.steps !== undefined) return E.left(usage("give --epochs or --steps, not both"));
    const lr = Number(values.lr);
    if (!isNumeral(values.lr) || !(lr > 0) || !Number.isFinite(lr)) return E.left(usage(`--lr: expected a positive number, found "${values.lr}"`));
    const batchSize = integer("batch-size", values["batch-size"], 1);
    const seed = integer("seed", values.seed, 0);
    const count = values.steps !== undefined ? integer("steps", values.steps, 1) : integer("epochs", values.epochs ?? "10", 1);
    if (E.isLeft(batchSize)) return batchSize;
    if (E.isLeft(seed)) return seed;
    if (E.isLeft(count)) return count;

    const loaded = await loadModel(values.model!);
    if (E.isLeft(loaded)) return loaded;
    const init = values.init;
    const model = init === "he" || init === "glorot" ? Train.initialize(loaded.right.model, { seed: seed.right, scheme: init }) : loaded.right.model;
    const data = readDataset(values.data!, model, loaded.right.dtype);
    if (E.isLeft(data)) return data;
    // The metadata to write, checked now (a placeholder for the final loss) rather than after the work is done.
    const before = loaded.right.metadata;
    const kept = typeof before === "object" && before !== null && !Array.isArray(before) ? (before as Record<string, unknown>) : {};
    const trainingRecord = (finalLoss: number, steps: number, optimizer: string) => ({
      by: "dtd train",
      data: values.data,
      loss: values.loss,
      optimizer,
      steps,
      batchSize: batchSize.right,
      seed: seed.right,
      finalLoss,
    });
    const badMetadata = metadataProblem({ ...kept, training: trainingRecord(0, 0, values.optimizer) });
    if (badMetadata !== undefined) return E.left(failure(`${values.model}: cannot write this model's metadata back: ${formatProblem(badMetadata)}`));
    const N = data.right.x.shape[0]!;
    const steps = values.steps !== undefined ? count.right : count.right * Train.batchesPerEpoch(N, batchSize.right);
    const loss = values.loss === "bce" ? LOSSES.bce : LOSSES.mse;
    const bar = startProgress({ label: "training", total: steps, stream: io.stderr });
    const fitWith = <S>(optimizer: Train.Optimizer<S>) =>
      E.map((r: Train.FitResult<S>) => ({ ...r, optimizer: optimizer.name }))(
        Train.fit(model, data.right, {
          loss,
          optimizer,
          batchSize: batchSize.right,
          ...(values.steps !== undefined ? { steps: count.right } : { epochs: count.right }),
          seed: seed.right,
          constraints: values["non-positive-bias"] ? [Train.nonPositiveBias()] : [],
          onProgress: (p) => bar.update(p.step, { loss: p.loss, throughput: p.examplesPerSecond }),
        }),
      );
    const fitted = values.optimizer === "sgd" ? fitWith(Train.sgd({ learningRate: lr })) : fitWith(Train.adam({ learningRate: lr }));
    bar.stop();
    if (E.isLeft(fitted)) return E.left(failure(Train.trainErrorMessage(fitted.left)));
    const history = fitted.right.lossHistory;
    const tail = history.slice(-Math.min(10, history.length));
    const finalLoss = tail.reduce((s, v) => s + v, 0) / Math.max(tail.length, 1);
    const metadata = { ...kept, training: trainingRecord(finalLoss, fitted.right.steps, fitted.right.optimizer) };
    const written = writeModelFile(values.out!, fitted.right.model, { metadata });
    if (E.isLeft(written)) return E.left(failure(formatError(written.left)));
    line(io.stdout, `trained    ${values.model} on ${N} examples → ${values.out}`);
    line(io.stdout, `steps      ${fitted.right.steps} of ${batchSize.right} examples, ${fitted.right.optimizer}${values["non-positive-bias"] ? ", biases kept ≤ 0" : ""}`);
    line(io.stdout, `loss       ${num(history[0] ?? NaN)} at the first step → ${num(finalLoss)} (mean of the last ${tail.length} steps)`);
    return E.right(ExitCode.ok);
  },
});
