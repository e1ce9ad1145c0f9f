/**
 * TF.js files dtd refuses, each with a message naming the place: the layer or node, its class or op, and what
 * is missing; the weights manifest's problems name the shard or the weight.
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { beforeAll, describe, expect, test } from "vitest";
import { importIr, message } from "@dtd/import";
import { saveArtifacts, writeFiles } from "./tfjsFiles.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const json = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));
const refusal = (bytes: Uint8Array, files: ReadonlyMap<string, Uint8Array> = new Map()): string => {
  const r = importIr(bytes, { name: "model.json", readFile: (p) => files.get(p) });
  return E.isLeft(r) ? message(r.left) : "imported";
};

const sequential = (layers: readonly object[]) => ({ format: "layers-model", modelTopology: { class_name: "Sequential", config: { name: "s", layers } } });
const dense = (name: string, extra: object = {}) => ({ class_name: "Dense", config: { name, units: 2, activation: "linear", use_bias: false, batch_input_shape: [null, 3], ...extra } });

describe("TF.js layers models: refusals", () => {
  test("a layer class dtd does not import", () => {
    expect(refusal(json(sequential([{ class_name: "LSTM", config: { name: "lstm_1", units: 4, batch_input_shape: [null, 5, 3] } }])))).toContain(
      `tfjs-layers model is not supported: its input "lstm_1_input" has rank 2 ([5, 3])`,
    );
    expect(refusal(json(sequential([{ class_name: "Flatten", config: { name: "f", batch_input_shape: [null, 3] } }, { class_name: "LSTM", config: { name: "lstm_1", units: 4 } }])))).toBe(`tfjs-layers node "lstm_1" (LSTM) is not supported: a recurrent layer: dtd explains feed-forward networks`);
    expect(refusal(json(sequential([{ class_name: "Flatten", config: { name: "f", batch_input_shape: [null, 3] } }, { class_name: "Hashing", config: { name: "h" } }])))).toContain(`tfjs-layers node "h" (Hashing) is not supported: dtd does not import Hashing layers (supported: Conv2D,`);
    expect(refusal(json(sequential([{ class_name: "Flatten", config: { name: "f", batch_input_shape: [null, 3] } }, { class_name: "Multiply", config: { name: "se" } }])))).toContain(`tfjs-layers node "se" (Multiply) is not supported: a product of activations (squeeze-and-excitation's gate): dtd explains networks of affine layers`);
  });

  test("an activation dtd does not represent, inside a Dense layer", () => {
    const m = { ...sequential([dense("d", { activation: "tanh" })]), weightsManifest: [{ paths: ["w.bin"], weights: [{ name: "d/kernel", shape: [3, 2], dtype: "float32" }] }] };
    expect(refusal(json(m), new Map([["w.bin", new Uint8Array(24)]]))).toBe(
      `tfjs-layers node "d" (Dense) is not supported: activation "tanh": dtd supports relu, relu6 and linear (and sigmoid/softmax as the model's last op)`,
    );
  });

  test("a weight missing from the manifest", () => {
    expect(refusal(json(sequential([dense("d")])))).toBe(`tfjs-layers node "d": weight d/kernel is not in the weights manifest`);
  });

  test("a missing shard, a short shard, a duplicate weight name, a non-finite weight", () => {
    const spec = { name: "d/kernel", shape: [3, 2], dtype: "float32" };
    const m = (weights: object[], paths = ["w.bin"]) => json({ ...sequential([dense("d")]), weightsManifest: [{ paths, weights }] });
    expect(refusal(m([spec]))).toBe("weight file w.bin: cannot be read (listed in weightsManifest[0].paths)");
    expect(refusal(m([spec]), new Map([["w.bin", new Uint8Array(20)]]))).toBe(`weight file w.bin: holds 20 bytes, but weight "d/kernel" (weightsManifest[0].weights[0]) ends at byte 24`);
    expect(refusal(m([spec, spec]), new Map([["w.bin", new Uint8Array(48)]]))).toBe(`model.json at weightsManifest[0].weights[1].name: expected a weight name not used before in the manifest, found "d/kernel"`);
    const nan = new Uint8Array(new Float32Array([0, 1, NaN, 0, 0, 0]).buffer);
    expect(refusal(m([spec]), new Map([["w.bin", nan]]))).toBe(`weight file w.bin: weight "d/kernel" holds NaN at flat index 2: expected finite values`);
  });

  test("string and bool weights a graph may carry are skipped, their bytes counted, and the weights after them read in place", () => {
    const specs = [
      { name: "labels", shape: [2], dtype: "string" },
      { name: "flag", shape: [3], dtype: "bool" },
      { name: "d/kernel", shape: [3, 2], dtype: "float32" },
    ];
    const text = (t: string) => [...new Uint8Array(Uint32Array.of(t.length).buffer), ...new TextEncoder().encode(t)];
    const kernel = new Float32Array([1, 2, 3, 4, 5, 6]);
    const bin = Uint8Array.from([...text("cat"), ...text("dog!"), 1, 0, 1, ...new Uint8Array(kernel.buffer)]);
    const m = json({ ...sequential([dense("d")]), weightsManifest: [{ paths: ["w.bin"], weights: specs }] });
    const r = importIr(m, { name: "model.json", readFile: (p) => (p === "w.bin" ? bin : undefined) });
    expect(E.isRight(r) && Array.from(r.right.nodes[0]!.op === "dense" ? r.right.nodes[0]!.W.data : [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(refusal(m, new Map([["w.bin", bin.subarray(0, 6)]]))).toBe(`weight file w.bin: holds 6 bytes, too few for string weight "labels" (weightsManifest[0].weights[0]) from byte 0`);
  });

  test("channels_first, dilation, a model nested as a layer, two inputs", async () => {
    const conv = (extra: object) => sequential([{ class_name: "Conv2D", config: { name: "c", filters: 2, kernel_size: [3, 3], batch_input_shape: [null, 5, 5, 1], ...extra } }]);
    expect(refusal(json(conv({ data_format: "channels_first" })))).toContain(`node "c" (Conv2D) is not supported: data_format "channels_first"`);
    expect(refusal(json(conv({ dilation_rate: [2, 2] })))).toContain(`node "c" (Conv2D) is not supported: dilation_rate [2,2]: dtd supports dilation 1`);
    expect(refusal(json(sequential([dense("d"), { class_name: "Sequential", config: { name: "inner", layers: [] } }])))).toContain(`layer "inner" is itself a model (Sequential)`);
    const a = tf.input({ shape: [3] });
    const b = tf.input({ shape: [3] });
    const two = tf.model({ inputs: [a, b], outputs: tf.layers.add().apply([a, b]) as tf.SymbolicTensor });
    const files = writeFiles(await saveArtifacts(two));
    expect(refusal(files.modelJson, files.files)).toContain("it has 2 inputs");
  });

  test("a file that is not a model", () => {
    expect(refusal(json({ hello: 1 }))).toBe(`model.json at modelTopology: expected a model topology: a graph (with node) or a Keras model (with class_name or model_config), found nothing`);
    expect(refusal(new TextEncoder().encode("{ not json"))).toContain("model.json: expected a JSON document, found a syntax error");
  });
});

describe("TF.js graph models: refusals", () => {
  const graph = (nodes: object[]) => json({ format: "graph-model", modelTopology: { node: nodes }, weightsManifest: [] });
  const input = { name: "x", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "-1" }, { size: "4" }] } } } };
  test("an op dtd does not import, named, with why for the ones real networks use", () => {
    expect(refusal(graph([input, { name: "c", op: "Cumsum", input: ["x"] }]))).toContain(`tfjs-graph node "c" (Cumsum) is not supported: dtd does not import Cumsum nodes (supported: Conv2D,`);
    expect(refusal(graph([input, { name: "t", op: "Tanh", input: ["x"] }]))).toBe(`tfjs-graph node "t" (Tanh) is not supported: a smooth nonlinearity: dtd's rules are derived for ReLU-type units (piecewise linear, with their root at the hinge)`);
    expect(refusal(graph([input, { name: "p", op: "Prelu", input: ["x"] }]))).toContain(`(Prelu) is not supported: a ReLU that lets negative inputs through with a slope`);
  });
  test("a Const node without weights", () => {
    expect(refusal(graph([input, { name: "w", op: "Const" }, { name: "m", op: "MatMul", input: ["x", "w"] }]))).toBe(`tfjs-graph weight "w" (a Const node) is not in the weights manifest`);
  });
  test("an input of unknown size", () => {
    const x = { name: "x", op: "Placeholder", attr: { shape: { shape: { dim: [{ size: "-1" }, { size: "-1" }, { size: "-1" }, { size: "3" }] } } } };
    expect(refusal(graph([x, { name: "r", op: "Relu", input: ["x"] }]))).toContain(`its input "x" has shape [?, ?, ?, 3] with unknown sizes: give the per-sample input size (H, W, C) when importing: the inputShape option, dtd's --input-shape`);
  });
  test("a softmax in the middle", () => {
    expect(refusal(graph([input, { name: "s", op: "Softmax", input: ["x"] }, { name: "r", op: "Relu", input: ["s"] }]))).toContain(`node "r" (Relu) is not supported: its input went through a softmax, which dtd supports only as the model's last op`);
  });
});
