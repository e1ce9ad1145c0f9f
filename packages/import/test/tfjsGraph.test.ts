/**
 * TF.js graph models against tfjs's graph executor: real converted models from @vladmandic/human (an
 * anti-spoofing CNN with float16 weights and a liveness CNN with batch norms after its ReLUs), and a graph
 * written here with the rest of the op subset (fused depthwise convolutions, Pad, a residual AddV2, folded batch
 * norm Mul/Add, ConcatV2, a padded MaxPool after ReLUs, Mean, MatMul with transpose_b, input scaling as
 * preprocessing, uint8 and float16 quantized weights).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { importIr, importModel, type IrModel, message } from "@dtd/import";
import { dtdLogits, dtdModel } from "./dtdForward.ts";
import { evalIr } from "./irEval.ts";
import { nhwcToChw, toFloat16 } from "./tfjsFiles.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

// The package exports only its bundles: its models/ folder sits beside dist/.
const humanModels = join(dirname(createRequire(import.meta.url).resolve("@vladmandic/human")), "..", "models", "/");
const human = (name: string) => {
  const json = JSON.parse(readFileSync(`${humanModels}${name}.json`, "utf8"));
  const bin = new Uint8Array(readFileSync(`${humanModels}${json.weightsManifest[0].paths[0]}`));
  return { bytes: new Uint8Array(readFileSync(`${humanModels}${name}.json`)), json, bin, readFile: (p: string) => (p === json.weightsManifest[0].paths[0] ? bin : undefined) };
};

const loadGraph = (json: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }, bin: Uint8Array) =>
  tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }));

const ok = <A>(r: E.Either<import("@dtd/import").ImportError, A>): A => {
  if (E.isLeft(r)) throw new Error(message(r.left));
  return r.right;
};

const samples = (seed: number, n: number, size: number, lo = 0, hi = 1): Float32Array[] => {
  const rng = T.Random.make(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => T.Random.uniform(rng, lo, hi)));
};

/** The logits node of a graph: the input of its final Sigmoid/Softmax (the output node's, when named). */
const logitsNode = (json: { modelTopology: { node: { name: string; op: string; input?: string[] }[] } }, output?: string): string => {
  const final = json.modelTopology.node.find((n) => (output === undefined ? n.op === "Sigmoid" || n.op === "Softmax" : n.name === output))!;
  return final.op === "Sigmoid" || final.op === "Softmax" ? final.input![0]! : final.name;
};

describe("real TF.js graph models from @vladmandic/human against tfjs", () => {
  // emotion: max pools padded ("SAME") over signed inputs, whose padding must act as −∞; faceres: a MobileNet v1
  // with ReLU6 written as Relu, Minimum, Maximum and two heads (gender, age); handlandmark-lite: a MobileNetV2-style
  // net with AddN residuals and four heads (the hand-presence logit chosen);
  const cases: readonly { readonly name: string; readonly output?: string; readonly logits?: string; readonly samples: number }[] = [
    { name: "antispoof", samples: 2 },
    { name: "liveness", samples: 2 },
    { name: "emotion", samples: 2 },
    { name: "faceres", output: "gender_pred/Sigmoid:0", logits: "gender_pred/BiasAdd", samples: 1 },
    { name: "handlandmark-lite", output: "Identity_1", samples: 1 },
    // blazeface: residual skips padded with zero channels (Pad on C), and per-anchor scores flattened from NHWC
    // ([1, 512, 1]) put back in their original order.
    { name: "blazeface", output: "Identity", samples: 1 },
  ];
  for (const c of cases) {
    test(`${c.name}${c.output === undefined ? "" : ` (output ${c.output})`}: dtd's own forward pass (float32) gives tfjs's logits`, async () => {
      const h = human(c.name);
      const r = ok(importModel(h.bytes, { name: `${c.name}.json`, readFile: h.readFile, ...(c.output === undefined ? {} : { output: c.output }) }));
      const [ch, hh, w] = r.ir.input.shape as [number, number, number];
      const graph = await loadGraph(h.json, h.bin);
      const logits = c.logits ?? logitsNode(h.json, c.output);
      for (const x of samples(3, c.samples, ch * hh * w)) {
        const expected = (graph.execute(tf.tensor(x, [1, hh, w, ch]), logits) as tf.Tensor).dataSync();
        const out = L.forward(r.model, T.of(nhwcToChw(x, hh, w, ch), [1, ch, hh, w], "float32")).output;
        expectAllClose(out.data, expected, { rtol: 1e-5, atol: 1e-5 * Math.max(...Array.from(expected, Math.abs)) });
      }
    });
  }

  test("a model with several outputs is refused, naming them, until one is chosen", () => {
    const h = human("faceres");
    const r = importIr(h.bytes, { name: "faceres.json", readFile: h.readFile });
    expect(E.isLeft(r) ? message(r.left) : "imported").toBe(
      "tfjs-graph model is not supported: it has 3 outputs (gender_pred/Sigmoid:0 (gender_pred/Sigmoid), global_pooling/Mean, age_pred/Softmax:0 (age_pred/Softmax)): dtd explains one output — choose it by name (the output option; dtd's --output-node)",
    );
    const wrong = importIr(h.bytes, { name: "faceres.json", readFile: h.readFile, output: "age" });
    expect(E.isLeft(wrong) ? message(wrong.left) : "imported").toMatch(/^tfjs-graph model is not supported: it has no output "age" \(its outputs: gender_pred\/Sigmoid:0/);
  });
});

// ---- a graph written here

const b64 = (s: string): string => btoa(s);
const s = (v: string) => ({ s: b64(v) });
const list = (xs: readonly number[]) => ({ list: { i: xs.map(String) } });
const strings = (xs: readonly string[]) => ({ list: { s: xs.map(b64) } });

interface W {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
  readonly dtype?: "float32" | "int32";
  readonly quantize?: "uint8" | "float16";
}

const encodeWeights = (ws: readonly W[]): { specs: tf.io.WeightsManifestEntry[]; bin: Uint8Array } => {
  const parts: Uint8Array[] = [];
  const specs = ws.map((w): tf.io.WeightsManifestEntry => {
    const base: tf.io.WeightsManifestEntry = { name: w.name, shape: [...w.shape], dtype: w.dtype ?? "float32" };
    if (w.dtype === "int32") {
      parts.push(new Uint8Array(Int32Array.from(w.values).buffer));
      return base;
    }
    if (w.quantize === "float16") {
      parts.push(new Uint8Array(Uint16Array.from(Array.from(w.values), toFloat16).buffer));
      return { ...base, quantization: { dtype: "float16" } };
    }
    if (w.quantize === "uint8") {
      const min = Math.min(...Array.from(w.values));
      const scale = (Math.max(...Array.from(w.values)) - min) / 255;
      parts.push(Uint8Array.from(Array.from(w.values), (v) => Math.round((v - min) / scale)));
      return { ...base, quantization: { dtype: "uint8", min, scale } };
    }
    parts.push(new Uint8Array(Float32Array.from(w.values).buffer));
    return base;
  });
  const bin = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bin.set(p, o);
    o += p.length;
  }
  return { specs, bin };
};

const syntheticGraph = (unknownSize = false) => {
  const rng = T.Random.make(17);
  const rnd = (n: number, scale = 0.5) => Float32Array.from({ length: n }, () => scale * T.Random.normal(rng));
  const weights: W[] = [
    { name: "scale", shape: [3], values: [1 / 255, 1 / 128, 1 / 64] },
    { name: "mean", shape: [3], values: [0.5, 0.25, -0.5] },
    { name: "k1", shape: [3, 3, 3, 4], values: rnd(108), quantize: "uint8" },
    { name: "b1", shape: [4], values: rnd(4, 0.2) },
    { name: "kd", shape: [3, 3, 4, 1], values: rnd(36), quantize: "float16" },
    { name: "bd", shape: [4], values: rnd(4, 0.2) },
    { name: "paddings", shape: [4, 2], values: [0, 0, 1, 0, 0, 1, 0, 0], dtype: "int32" },
    { name: "k2", shape: [3, 3, 4, 4], values: rnd(144) },
    { name: "b2", shape: [4], values: rnd(4, 0.2) },
    { name: "bnScale", shape: [4], values: [0.5, 1.5, 2, 0.75] },
    { name: "bnShift", shape: [4], values: rnd(4, 0.3) },
    { name: "axis", shape: [], values: [3], dtype: "int32" },
    { name: "axes", shape: [2], values: [1, 2], dtype: "int32" },
    { name: "fc", shape: [3, 8], values: rnd(24) },
    { name: "bfc", shape: [3], values: rnd(3, 0.1) },
  ];
  const node = (name: string, op: string, input: string[], attr: object = {}) => ({ name, op, input, attr: { T: { type: "DT_FLOAT" }, ...attr } });
  const conv = { strides: list([1, 1, 1, 1]), dilations: list([1, 1, 1, 1]), data_format: s("NHWC") };
  const nodes = [
    { name: "image", op: "Placeholder", attr: { dtype: { type: "DT_FLOAT" }, shape: { shape: { dim: [{ size: "-1" }, { size: unknownSize ? "-1" : "8" }, { size: unknownSize ? "-1" : "10" }, { size: "3" }] } } } },
    ...weights.map((w) => ({ name: w.name, op: "Const", attr: { dtype: { type: w.dtype === "int32" ? "DT_INT32" : "DT_FLOAT" }, value: { tensor: { dtype: w.dtype === "int32" ? "DT_INT32" : "DT_FLOAT", tensorShape: { dim: w.shape.map((d) => ({ size: String(d) })) } } } } })),
    node("pre/mul", "Mul", ["image", "scale"]),
    node("pre/sub", "Sub", ["pre/mul", "mean"]),
    node("c1", "_FusedConv2D", ["pre/sub", "k1", "b1"], { ...conv, padding: s("SAME"), num_args: { i: "1" }, fused_ops: strings(["BiasAdd", "Relu"]) }),
    node("dw", "FusedDepthwiseConv2dNative", ["c1", "kd", "bd"], { ...conv, strides: list([1, 2, 2, 1]), padding: s("SAME"), num_args: { i: "1" }, fused_ops: strings(["BiasAdd", "Relu6"]) }),
    node("pad", "Pad", ["c1", "paddings"]),
    node("c2", "Conv2D", ["pad", "k2"], { ...conv, strides: list([1, 2, 2, 1]), padding: s("VALID") }),
    node("c2/bias", "BiasAdd", ["c2", "b2"], { data_format: s("NHWC") }),
    node("sum", "AddV2", ["dw", "c2/bias"]),
    node("bn/mul", "Mul", ["sum", "bnScale"]),
    node("bn/add", "Add", ["bn/mul", "bnShift"]),
    node("relu", "Relu", ["bn/add"]),
    node("cat", "ConcatV2", ["relu", "dw", "axis"], { N: { i: "2" } }),
    node("mp", "MaxPool", ["cat"], { ksize: list([1, 3, 3, 1]), strides: list([1, 2, 2, 1]), padding: s("SAME"), data_format: s("NHWC") }),
    node("gap", "Mean", ["mp", "axes"], { keep_dims: { b: false } }),
    node("logits", "_FusedMatMul", ["gap", "fc", "bfc"], { transpose_a: { b: false }, transpose_b: { b: true }, num_args: { i: "1" }, fused_ops: strings(["BiasAdd"]) }),
    node("probs", "Softmax", ["logits"]),
    node("Identity", "Identity", ["probs"]),
  ];
  const { specs, bin } = encodeWeights(weights);
  const json = { format: "graph-model", modelTopology: { node: nodes, versions: { producer: 1 } }, weightsManifest: [{ paths: ["w.bin"], weights: specs }] };
  return { json, bin, bytes: new TextEncoder().encode(JSON.stringify(json)) };
};

describe("a graph with the rest of the op subset, against tfjs", () => {
  test("an input of unknown size is refused, and imports with the size given (inputShape, NHWC)", () => {
    const g = syntheticGraph(true);
    const readFile = (p: string) => (p === "w.bin" ? g.bin : undefined);
    const refused = importIr(g.bytes, { name: "g.json", readFile });
    expect(E.isLeft(refused) ? message(refused.left) : "imported").toMatch(/its input "image" has shape \[\?, \?, \?, 3\] with unknown sizes: give the per-sample input size \(H, W, C\)/);
    const sized = importIr(g.bytes, { name: "g.json", readFile, inputShape: [8, 10, 3] });
    expect(E.isRight(sized) && sized.right.input.shape).toEqual([3, 8, 10]);
  });

  test("imports with preprocessing, pads, residual add, concat, padded max pool, global mean, transposed matmul", async () => {
    const g = syntheticGraph();
    const ir: IrModel = ok(importIr(g.bytes, { name: "g.json", readFile: (p) => (p === "w.bin" ? g.bin : undefined) }));
    expect(ir.input.shape).toEqual([3, 8, 10]);
    expect(ir.preprocessing?.scale.map((v) => Math.fround(v))).toEqual([1 / 255, 1 / 128, 1 / 64].map(Math.fround));
    expect(ir.nodes.map((n) => n.op)).toEqual(["conv2d", "relu", "depthwiseConv2d", "clippedRelu", "pad2d", "conv2d", "add", "scaleShift", "relu", "concat", "maxPool2d", "globalAvgPool", "dense"]);
    expect(ir.outputActivation).toBe("softmax");
    const graph = await loadGraph(g.json as never, g.bin);
    const model = dtdModel(g.bytes, { name: "g.json", readFile: (p) => (p === "w.bin" ? g.bin : undefined) });
    const pre = ir.preprocessing!;
    for (const x of samples(9, 4, 3 * 8 * 10, 0, 255)) {
      const expected = Float64Array.from((graph.execute(tf.tensor(x, [1, 8, 10, 3]), "logits") as tf.Tensor).dataSync());
      const chw = nhwcToChw(x, 8, 10, 3);
      expectAllClose(evalIr(ir, chw), expected, { rtol: 1e-5, atol: 1e-5 });
      // dtd's model starts after the preprocessing the graph carried.
      const scaled = chw.map((v, i) => v * pre.scale[Math.floor(i / 80)]! + pre.offset[Math.floor(i / 80)]!);
      expectAllClose(dtdLogits(model, scaled), expected, { rtol: 1e-5, atol: 1e-5 });
    }
  });
});

describe("ops a converter leaves unfolded, against tfjs", () => {
  test("FusedBatchNormV3 at inference after a Relu, and Pad that adds zero channels (BlazeFace's widened skips)", async () => {
    const rng = T.Random.make(41);
    const rnd = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => T.Random.uniform(rng, lo, hi));
    const weights: W[] = [
      { name: "gamma", shape: [3], values: rnd(3, 0.5, 1.5) },
      { name: "beta", shape: [3], values: rnd(3) },
      { name: "mean", shape: [3], values: rnd(3) },
      { name: "var", shape: [3], values: rnd(3, 0.5, 2) },
      { name: "paddings", shape: [4, 2], values: [0, 0, 1, 0, 0, 1, 2, 1], dtype: "int32" },
    ];
    const node = (name: string, op: string, input: string[], attr: object = {}) => ({ name, op, input, attr: { T: { type: "DT_FLOAT" }, ...attr } });
    const nodes = [
      { name: "x", op: "Placeholder", attr: { dtype: { type: "DT_FLOAT" }, shape: { shape: { dim: [{ size: "-1" }, { size: "4" }, { size: "5" }, { size: "3" }] } } } },
      ...weights.map((w) => ({ name: w.name, op: "Const", attr: { dtype: { type: w.dtype === "int32" ? "DT_INT32" : "DT_FLOAT" }, value: { tensor: { dtype: w.dtype === "int32" ? "DT_INT32" : "DT_FLOAT", tensorShape: { dim: w.shape.map((d) => ({ size: String(d) })) } } } } })),
      node("relu", "Relu", ["x"]),
      node("bn", "FusedBatchNormV3", ["relu", "gamma", "beta", "mean", "var"], { U: { type: "DT_FLOAT" }, epsilon: { f: 0.001 }, data_format: s("NHWC"), is_training: { b: false } }),
      node("pad", "Pad", ["bn", "paddings"]),
      node("out", "Relu", ["pad"]),
    ];
    const { specs, bin } = encodeWeights(weights);
    const json = { format: "graph-model", modelTopology: { node: nodes, versions: { producer: 1 } }, weightsManifest: [{ paths: ["w.bin"], weights: specs }] };
    const bytes = new TextEncoder().encode(JSON.stringify(json));
    const readFile = (p: string) => (p === "w.bin" ? bin : undefined);
    const ir = ok(importIr(bytes, { name: "bn.json", readFile }));
    expect(ir.nodes.map((n) => n.op)).toEqual(["relu", "scaleShift", "pad2d", "conv2d", "relu"]);
    const graph = await loadGraph(json as never, bin);
    const model = dtdModel(bytes, { name: "bn.json", readFile });
    for (const x of samples(4, 2, 60, -1, 1)) {
      const expected = Float64Array.from((graph.execute(tf.tensor(x, [1, 4, 5, 3]), "out") as tf.Tensor).dataSync());
      // tfjs's output is NHWC [5, 6, 6]; dtd's CHW [6, 5, 6].
      const got = dtdLogits(model, nhwcToChw(x, 4, 5, 3));
      const nhwc = Float64Array.from({ length: got.length }, (_, i) => got[(i % 6) * 30 + Math.floor(i / 6)]!);
      expectAllClose(nhwc, expected, { rtol: 1e-5, atol: 1e-6 });
    }
  });
});
