/**
 * The shapes of Keras applications as TF.js layers models (what `tensorflowjs_converter` writes for
 * `keras.applications.MobileNet` and `MobileNetV2`), at tiny widths, built and saved by tfjs in-process with the
 * layer names and structure Keras uses: ZeroPadding2D before strided valid convolutions, DepthwiseConv2D without
 * bias, BatchNormalization, ReLU(max_value = 6), GlobalAveragePooling2D, the v1 head's Reshape to 1×1×C → Dropout
 * → 1×1 Conv2D → Reshape to the classes → softmax, the v2 head's Dense. Imported and checked against tfjs, and
 * quantized (uint8) with several shards.
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { importIr, type IrModel, message } from "@dtd/import";
import { dtdLogits, dtdModel } from "./dtdForward.ts";
import { evalIr } from "./irEval.ts";
import { type FileOptions, nhwcToChw, saveArtifacts, seedWeights, softmax, writeFiles } from "./tfjsFiles.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

type Sym = tf.SymbolicTensor;
const apply = (l: tf.layers.Layer, x: Sym | Sym[]): Sym => l.apply(x) as Sym;
const bn = (name: string) => tf.layers.batchNormalization({ name, epsilon: 1e-3 });
const relu6 = (name: string) => tf.layers.reLU({ maxValue: 6, name });
const SIZE = 32;

/** keras.applications.mobilenet.MobileNet (α = 0.25, depth to 4 blocks), its v1 head with include_top. */
const mobileNetV1 = (classes: number): tf.LayersModel => {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: "input_1" });
  let x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: false, name: "conv1" }), input);
  x = apply(relu6("conv1_relu"), apply(bn("conv1_bn"), x));
  const block = (x: Sym, filters: number, strides: number, id: number): Sym => {
    const padded = strides === 1 ? x : apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${id}` }), x);
    let h = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: strides === 1 ? "same" : "valid", useBias: false, name: `conv_dw_${id}` }), padded);
    h = apply(relu6(`conv_dw_${id}_relu`), apply(bn(`conv_dw_${id}_bn`), h));
    h = apply(tf.layers.conv2d({ filters, kernelSize: 1, padding: "same", useBias: false, name: `conv_pw_${id}` }), h);
    return apply(relu6(`conv_pw_${id}_relu`), apply(bn(`conv_pw_${id}_bn`), h));
  };
  x = block(x, 16, 1, 1);
  x = block(x, 16, 2, 2);
  x = block(x, 24, 1, 3);
  x = block(x, 24, 2, 4);
  x = apply(tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }), x);
  x = apply(tf.layers.reshape({ targetShape: [1, 1, 24], name: "reshape_1" }), x);
  x = apply(tf.layers.dropout({ rate: 1e-3, name: "dropout" }), x);
  x = apply(tf.layers.conv2d({ filters: classes, kernelSize: 1, padding: "same", name: "conv_preds" }), x);
  x = apply(tf.layers.reshape({ targetShape: [classes], name: "reshape_2" }), x);
  x = apply(tf.layers.activation({ activation: "softmax", name: "act_softmax" }), x);
  return tf.model({ inputs: input, outputs: x, name: "mobilenet_0.25_32" });
};

/** keras.applications.mobilenet_v2.MobileNetV2 (α = 0.35, 3 inverted residual blocks), correct_pad before strided depthwise convs. */
const mobileNetV2 = (classes: number): tf.LayersModel => {
  const input = tf.input({ shape: [SIZE, SIZE, 3], name: "input_1" });
  let x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: false, name: "Conv1" }), input);
  x = apply(relu6("Conv1_relu"), apply(bn("bn_Conv1"), x));
  const block = (x: Sym, inC: number, filters: number, stride: number, expansion: number, id: number): Sym => {
    const prefix = id === 0 ? "expanded_conv_" : `block_${id}_`;
    let h = x;
    if (id > 0) {
      h = apply(tf.layers.conv2d({ filters: expansion * inC, kernelSize: 1, padding: "same", useBias: false, name: `${prefix}expand` }), h);
      h = apply(relu6(`${prefix}expand_relu`), apply(bn(`${prefix}expand_BN`), h));
    }
    if (stride === 2) h = apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${prefix}pad` }), h);
    h = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 1 ? "same" : "valid", useBias: false, name: `${prefix}depthwise` }), h);
    h = apply(relu6(`${prefix}depthwise_relu`), apply(bn(`${prefix}depthwise_BN`), h));
    h = apply(tf.layers.conv2d({ filters, kernelSize: 1, padding: "same", useBias: false, name: `${prefix}project` }), h);
    h = apply(bn(`${prefix}project_BN`), h);
    return inC === filters && stride === 1 ? apply(tf.layers.add({ name: `${prefix}add` }), [x, h]) : h;
  };
  x = block(x, 8, 8, 1, 1, 0);
  x = block(x, 8, 8, 1, 6, 1);
  x = block(x, 8, 16, 2, 6, 2);
  x = apply(tf.layers.conv2d({ filters: 32, kernelSize: 1, useBias: false, name: "Conv_1" }), x);
  x = apply(relu6("out_relu"), apply(bn("Conv_1_bn"), x));
  x = apply(tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }), x);
  x = apply(tf.layers.dense({ units: classes, activation: "softmax", name: "predictions" }), x);
  return tf.model({ inputs: input, outputs: x, name: "mobilenetv2_0.35_32" });
};

const inputs = (seed: number, n: number): Float32Array[] => {
  const rng = T.Random.make(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: SIZE * SIZE * 3 }, () => T.Random.uniform(rng, -1, 1)));
};

const check = async (model: tf.LayersModel, opts: FileOptions, expectOps: readonly string[]): Promise<IrModel> => {
  const files = writeFiles(await saveArtifacts(seedWeights(model, 31)), opts);
  const readFile = (p: string) => files.files.get(p);
  const r = importIr(files.modelJson, { name: "model.json", readFile });
  if (E.isLeft(r)) throw new Error(message(r.left));
  const ir = r.right;
  for (const op of expectOps) expect(ir.nodes.map((n) => n.op)).toContain(op);
  expect(ir.outputActivation).toBe("softmax");
  const oracle = await files.oracle();
  const dtd = dtdModel(files.modelJson, { name: "model.json", readFile });
  for (const x of inputs(5, 2)) {
    const expected = Float64Array.from((oracle.predict(tf.tensor(x, [1, SIZE, SIZE, 3])) as tf.Tensor).dataSync());
    const chw = nhwcToChw(x, SIZE, SIZE, 3);
    expectAllClose(softmax(evalIr(ir, chw)), expected, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(softmax(dtdLogits(dtd, chw)), expected, { rtol: 1e-5, atol: 1e-6 });
  }
  return ir;
};

describe("Keras applications' shapes as TF.js layers models, against tfjs", () => {
  test("MobileNet v1: ZeroPadding2D + valid strided depthwise, BN, ReLU6, GAP → Reshape(1, 1, C) → Dropout → 1×1 conv → Reshape(classes) → softmax", async () => {
    const ir = await check(mobileNetV1(5), {}, ["depthwiseConv2d", "pad2d", "clippedRelu", "globalAvgPool", "dense"]);
    // The 1×1 conv on the pooled 1×1×C map is the dense layer it computes.
    expect(ir.nodes.at(-1)?.op).toBe("dense");
  });
  test("MobileNet v1, uint8-quantized weights in three shards over two groups, shuffled manifest", async () => {
    await check(mobileNetV1(3), { quantize: "uint8", shards: 3, shuffleSeed: 2 }, ["depthwiseConv2d"]);
  });
  test("MobileNetV2: inverted residuals with correct_pad, a residual Add, Conv_1 → out_relu → GAP → Dense(softmax)", async () => {
    await check(mobileNetV2(4), {}, ["depthwiseConv2d", "pad2d", "add", "globalAvgPool", "dense"]);
  });
  test("MobileNetV2 stored as float16, Keras 3 topology", async () => {
    await check(mobileNetV2(4), { quantize: "float16", keras3: true }, ["add"]);
  });
});
