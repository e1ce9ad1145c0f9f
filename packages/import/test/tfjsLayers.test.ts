/**
 * TF.js layers models built and saved by tfjs in-process, imported, and checked against tfjs on the same
 * inputs: the IR through an independent evaluator, and — for chains of dtd's current layer kinds — dtd's own
 * forward pass, both within 1e-5 relative of tfjs (float32).
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { importIr, importModel, type IrModel, message } from "@dtd/import";
import { dtdLogits, dtdModel } from "./dtdForward.ts";
import { evalIr } from "./irEval.ts";
import { type FileOptions, type Files, nhwcToChw, saveArtifacts, seedWeights, sigmoid, softmax, writeFiles } from "./tfjsFiles.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const H = 10;
const W = 9;
const C = 3;

/** conv(valid, relu) → max pool → conv(same, linear) → BN → ReLU → flatten → dense(relu) → dropout → dense(softmax). */
const sequentialCnn = (): tf.LayersModel => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [H, W, C], filters: 4, kernelSize: 2, activation: "relu", biasInitializer: "randomNormal" }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: "same", biasInitializer: "randomNormal" }));
  m.add(tf.layers.batchNormalization({ movingMeanInitializer: "randomNormal", movingVarianceInitializer: "ones", gammaInitializer: "randomUniform", betaInitializer: "randomNormal" }));
  m.add(tf.layers.reLU());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 7, activation: "relu", biasInitializer: "randomNormal" }));
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
  return m;
};

/** conv → BN → relu → conv → add (skip) → relu → depthwise (same, stride 2) + 1×1 branch → concat → ReLU6 → zero pad → GAP → dense. */
const functionalResidual = (): tf.LayersModel => {
  const input = tf.input({ shape: [H, W, C] });
  const apply = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => l.apply(x) as tf.SymbolicTensor;
  const c1 = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", biasInitializer: "randomNormal" }), input);
  const b1 = apply(tf.layers.batchNormalization({ movingMeanInitializer: "randomNormal", gammaInitializer: "randomUniform", betaInitializer: "randomNormal" }), c1);
  const r1 = apply(tf.layers.reLU(), b1);
  const c2 = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same" }), r1);
  const sum = apply(tf.layers.add(), [r1, c2]);
  const r2 = apply(tf.layers.activation({ activation: "relu" }), sum);
  const dw = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: "same", biasInitializer: "randomNormal" }), r2);
  const side = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, strides: 2, padding: "same" }), r2);
  const cat = apply(tf.layers.concatenate(), [dw, side]);
  const r6 = apply(tf.layers.reLU({ maxValue: 6 }), cat);
  const padded = apply(tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }), r6);
  const pooled = apply(tf.layers.globalAveragePooling2d({}), padded);
  const out = apply(tf.layers.dense({ units: 5, biasInitializer: "randomNormal" }), pooled);
  return tf.model({ inputs: input, outputs: out });
};

const inputs = (seed: number, n: number): Float32Array[] => {
  const rng = T.Random.make(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: H * W * C }, () => T.Random.uniform(rng, -1, 2)));
};

const readOf = (f: Files) => (p: string) => f.files.get(p);

/** tfjs's outputs against the IR's (an independent evaluator) and dtd's forward pass, final activation applied. */
const compare = async (files: Files, ir: IrModel, n = 4): Promise<void> => {
  const oracle = await files.oracle();
  const model = dtdModel(files.modelJson, { name: "model.json", readFile: readOf(files) });
  const activate = (z: ArrayLike<number>): Float64Array => Float64Array.from(ir.outputActivation === "softmax" ? softmax(z) : ir.outputActivation === "sigmoid" ? sigmoid(z) : Array.from(z));
  for (const x of inputs(7, n)) {
    const expected = Float64Array.from((oracle.predict(tf.tensor(x, [1, H, W, C])) as tf.Tensor).dataSync());
    const chw = nhwcToChw(x, H, W, C);
    expectAllClose(activate(evalIr(ir, chw)), expected, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(activate(dtdLogits(model, chw)), expected, { rtol: 1e-5, atol: 1e-6 });
  }
};

const imported = (files: Files, name = "model.json"): IrModel => {
  const r = importIr(files.modelJson, { name, readFile: readOf(files) });
  if (E.isLeft(r)) throw new Error(message(r.left));
  return r.right;
};

describe("TF.js layers models: fidelity against tfjs", () => {
  test("a shared layer (one Dense applied twice) becomes one node per call, with the same weights", async () => {
    const input = tf.input({ shape: [5] });
    const shared = tf.layers.dense({ units: 5, activation: "relu", name: "shared" });
    const twice = shared.apply(shared.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: "head" }).apply(twice) as tf.SymbolicTensor;
    const files = writeFiles(await saveArtifacts(seedWeights(tf.model({ inputs: input, outputs: out }), 8)));
    const ir = imported(files);
    expect(ir.nodes.filter((nd) => nd.op === "dense").map((nd) => nd.name)).toEqual(["shared", "shared_call1", "head"]);
    const oracle = await files.oracle();
    const model = dtdModel(files.modelJson, { name: "model.json", readFile: readOf(files) });
    const x = Float32Array.from([0.3, -1, 2, 0.5, 1]);
    expectAllClose(dtdLogits(model, x), (oracle.predict(tf.tensor(x, [1, 5])) as tf.Tensor).dataSync(), { rtol: 1e-5, atol: 1e-6 });
  });

  test("the committed fixture (fixtures/tfjs, made by make_tfjs.ts) through dtd's forward pass", async () => {
    const dir = new URL("./fixtures/tfjs/", import.meta.url);
    const json = readFileSync(new URL("residual_layers.json", dir));
    const shard = new Uint8Array(readFileSync(new URL("group1-shard1of1.bin", dir)));
    const model = dtdModel(new Uint8Array(json), { name: "residual_layers.json", readFile: (p) => (p === "group1-shard1of1.bin" ? shard : undefined) });
    const parsed = JSON.parse(json.toString("utf8")) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const oracle = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest[0]!.weights, weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength) as ArrayBuffer }));
    const rng = T.Random.make(4);
    for (let k = 0; k < 3; k++) {
      const x = Float32Array.from({ length: 432 }, () => T.Random.uniform(rng));
      const expected = Float64Array.from((oracle.predict(tf.tensor(x, [1, 12, 12, 3])) as tf.Tensor).dataSync());
      expectAllClose(Float64Array.from(softmax(dtdLogits(model, nhwcToChw(x, 12, 12, 3)))), expected, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  test("a Sequential CNN (conv, max pool, same padding, batch norm, flatten → dense, dropout, softmax)", async () => {
    const files = writeFiles(await saveArtifacts(seedWeights(sequentialCnn(), 1)));
    const ir = imported(files);
    expect(ir.outputActivation).toBe("softmax");
    expect(ir.input.shape).toEqual([C, H, W]);
    await compare(files, ir);
  });

  test("the same CNN through dtd's own forward pass (float32)", async () => {
    const files = writeFiles(await saveArtifacts(seedWeights(sequentialCnn(), 1)));
    const r = importModel(files.modelJson, { name: "model.json", readFile: readOf(files) });
    if (E.isLeft(r)) throw new Error(message(r.left));
    const oracle = await files.oracle();
    for (const x of inputs(3, 3)) {
      const expected = (oracle.predict(tf.tensor(x, [1, H, W, C])) as tf.Tensor).dataSync();
      const out = L.forward(r.right.model, T.of(nhwcToChw(x, H, W, C), [1, C, H, W], "float32")).output;
      expectAllClose(Float64Array.from(softmax(out.data)), Float64Array.from(expected), { rtol: 1e-5, atol: 1e-6 });
    }
  });

  const variants: readonly [string, FileOptions][] = [
    ["Keras 2 inbound nodes", {}],
    ["Keras 3 keras_history and weight names under the model's, model_config wrapping, no format field", { keras3: true, modelConfigWrap: true, dropFormat: true }],
    ["weights quantized to uint8 (q·scale + min), three shards in two groups, shuffled manifest", { quantize: "uint8", shards: 3, shuffleSeed: 5 }],
    ["weights quantized to uint16", { quantize: "uint16", shuffleSeed: 9 }],
    ["weights stored as float16", { quantize: "float16", shards: 2 }],
  ];
  for (const [what, opts] of variants) {
    test(`a functional residual net with depthwise, concat, ReLU6, padding, global pooling: ${what}`, async () => {
      const files = writeFiles(await saveArtifacts(seedWeights(functionalResidual(), 2)), opts);
      const ir = imported(files);
      expect(ir.nodes.map((nd) => nd.op)).toContain("add");
      expect(ir.nodes.map((nd) => nd.op)).toContain("depthwiseConv2d");
      await compare(files, ir);
    });
  }
});
