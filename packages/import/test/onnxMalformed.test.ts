/**
 * Malformed and awkward ONNX files: each refused with a tagged error naming the file, the node or the weight,
 * what was expected and what was found — never an exception — and the legal-but-unusual ones (nodes out of
 * order, a dynamic input size given by the caller, Dropout with training_mode false, Identity and Constant
 * nodes) imported and checked against onnxruntime-web.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { importIr, message } from "@dtd/import";
import { dtdLogits, dtdModel } from "./dtdForward.ts";
import { encodeModel, fixture, initializer, int, node, ortLogits } from "./onnxFiles.ts";

const refusal = (bytes: Uint8Array, opts: { readonly inputShape?: readonly number[] } = {}): string => {
  const r = importIr(bytes, { name: "bad.onnx", ...opts });
  return E.isLeft(r) ? `${r.left._tag}: ${message(r.left)}` : "imported";
};

const rnd = (seed: number, n: number): Float32Array => {
  const rng = T.Random.make(seed);
  return Float32Array.from({ length: n }, () => T.Random.normal(rng));
};

describe("ONNX files that are not (whole) ONNX models: refused with what they look like", () => {
  const residual = fixture("residual_cnn.onnx");
  const cases: readonly [string, Uint8Array, string][] = [
    ["a truncated file", residual.subarray(0, 3000), "InvalidFile: bad.onnx: expected an ONNX model (a protobuf ModelProto), found bytes that end inside a field (a field at offset"],
    ["a truncated file, cut after the first bytes", residual.subarray(0, 10), "a truncated file?"],
    ["an empty file", new Uint8Array(0), "InvalidFile: bad.onnx: expected an ONNX model (a protobuf ModelProto), found an empty file"],
    ["a PNG image", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0]), "found a PNG image"],
    ["a PyTorch checkpoint (a zip archive)", Uint8Array.from([0x50, 0x4b, 3, 4, 20, 0, 0, 0]), "found a zip archive (a PyTorch .pt/.pth checkpoint? export the model with torch.onnx.export)"],
    ["a Keras .h5 file", Uint8Array.from([0x89, 0x48, 0x44, 0x46, 13, 10, 26, 10]), "found an HDF5 file (a Keras .h5 model"],
    ["text", new TextEncoder().encode("hello, world\n"), "InvalidFile: bad.onnx: expected an ONNX model (a protobuf ModelProto), found bytes that do not decode"],
    ["a bare TF.js weights manifest (face-api's *-weights_manifest.json)", new TextEncoder().encode(JSON.stringify([{ paths: ["w.bin"], weights: [{ name: "conv/w", shape: [3], dtype: "float32" }] }])), "InvalidFile: bad.onnx: expected a model.json (modelTopology and weightsManifest), found a bare weights manifest without a model topology"],
  ];
  for (const [what, bytes, expected] of cases) test(what, () => expect(refusal(bytes)).toContain(expected));

  test("the real face-api weight manifests are refused, not decoded as protobuf", () => {
    const dir = join(dirname(createRequire(import.meta.url).resolve("@vladmandic/face-api/package.json")), "model");
    const bytes = new Uint8Array(readFileSync(join(dir, "tiny_face_detector_model-weights_manifest.json")));
    expect(refusal(bytes)).toContain("a bare weights manifest without a model topology");
  });
});

describe("ONNX graphs that are broken inside: refused naming the node or weight", () => {
  const w = (name: string, shape: readonly number[]) => initializer(name, shape, rnd(1, shape.reduce((a, b) => a * b, 1)));
  test("an initializer whose raw bytes do not fit its shape", () => {
    const bytes = encodeModel({ shape: [1, 3], nodes: [node("MatMul", ["x", "w"], ["y"], [], "mm")], initializers: [{ name: "w", dims: [3, 2], dataType: 1, rawData: new Uint8Array(10) }] });
    expect(refusal(bytes)).toBe(`Weight: onnx weight "w" holds 10 bytes of raw data: expected 24 (6 × 4) for shape [3, 2]`);
  });

  test("an initializer whose typed values do not fit its shape, and one declaring 2^40 elements (refused before anything is allocated)", () => {
    const short = encodeModel({ shape: [1, 3], nodes: [node("MatMul", ["x", "w"], ["y"], [], "mm")], initializers: [{ name: "w", dims: [3, 2], dataType: 1, floatData: [1, 2, 3] }] });
    expect(refusal(short)).toBe(`Weight: onnx weight "w" holds 3 values: expected 6 for shape [3, 2]`);
    const huge = encodeModel({ shape: [1, 3], nodes: [node("MatMul", ["x", "w"], ["y"], [], "mm")], initializers: [{ name: "w", dims: [2 ** 20, 2 ** 20], dataType: 1, rawData: new Uint8Array(8) }] });
    expect(refusal(huge)).toBe(`Weight: onnx weight "w" has an impossible shape: shape [1048576, 1048576] holds 1099511627776 elements: expected at most 2^28`);
    const negative = encodeModel({ shape: [1, 3], nodes: [node("MatMul", ["x", "w"], ["y"], [], "mm")], initializers: [{ name: "w", dims: [-3, 2], dataType: 1 }] });
    expect(refusal(negative)).toContain("dimension 0 is -3: expected a non-negative integer");
  });

  test("a cycle", () => {
    const bytes = encodeModel({ shape: [1, 3], nodes: [node("Add", ["x", "d"], ["c"], [], "add"), node("Relu", ["c"], ["d"], [], "loop"), node("Relu", ["c"], ["y"], [], "out")] });
    expect(refusal(bytes)).toMatch(/^UnsupportedModel: onnx model is not supported: its graph has a cycle through node "(add|loop)" \((Add|Relu)\): its input "[cd]" depends on its own output$/);
  });

  test("an input no one computes, and a node's second output", () => {
    const orphan = encodeModel({ shape: [1, 3], nodes: [node("Add", ["x", "ghost"], ["y"], [], "add")] });
    expect(refusal(orphan)).toBe(`UnsupportedNode: onnx node "add" (Add) is not supported: its input 1 ("ghost") is neither the graph's input, an initializer nor any node's output (a truncated or inconsistent file?)`);
    const mask = encodeModel({ shape: [1, 3], nodes: [node("Dropout", ["x"], ["d", "m"], [], "drop"), node("Add", ["d", "m"], ["y"], [], "add")] });
    expect(refusal(mask)).toContain(`its input 1 ("m") is output 1 of node "drop" (Dropout), and dtd reads only a node's first output`);
  });

  test("Dropout in training mode", () => {
    const bytes = encodeModel({ shape: [1, 3], nodes: [node("Dropout", ["x", "ratio", "training"], ["y"], [], "drop")], initializers: [initializer("ratio", [], [0.5]), { name: "training", dims: [], dataType: 9, int32Data: [1] }] });
    expect(refusal(bytes)).toBe(`UnsupportedNode: onnx node "drop" (Dropout) is not supported: training_mode = true (dropout drops units at random): dtd imports models at inference`);
  });

  test("an input of unknown size: refused naming how to give it; given, imported; contradicted, refused", () => {
    const nodes = [node("Conv", ["x", "w"], ["y"], [], "conv")];
    const bytes = encodeModel({ shape: [-1, 3, -1, -1], nodes, initializers: [w("w", [2, 3, 3, 3])], dimParams: ["batch", "", "height", "width"] });
    expect(refusal(bytes)).toBe(`UnsupportedModel: onnx model is not supported: its input "x" has shape [?, 3, ?, ?] with unknown sizes: give the per-sample input size (C, H, W) when importing: the inputShape option, dtd's --input-shape`);
    expect(refusal(bytes, { inputShape: [3, 8, 8] })).toBe("imported");
    expect(refusal(bytes, { inputShape: [1, 8, 8] })).toBe(`UnsupportedModel: onnx model is not supported: the input shape given, [1, 8, 8] per sample, contradicts the file's input "x" of shape [?, 3, ?, ?]`);
    expect(refusal(bytes, { inputShape: [3, 8] })).toContain("contradicts");
  });
});

describe("legal but unusual ONNX graphs, against onnxruntime-web", () => {
  test("Pad of channels and space at once (zero channels: a 1×1 convolution with an identity weight)", async () => {
    const bytes = encodeModel({ shape: [1, 2, 4, 4], nodes: [node("Pad", ["x", "pads"], ["p"], [], "pad"), node("Relu", ["p"], ["y"], [], "relu")], initializers: [{ name: "pads", dims: [8], dataType: 7, int64Data: [0, 1, 1, 0, 0, 2, 0, 1] }] });
    const r = importIr(bytes, { name: "pad.onnx" });
    if (E.isLeft(r)) throw new Error(message(r.left));
    expect(r.right.nodes.map((n) => n.op)).toEqual(["pad2d", "conv2d", "relu"]);
    expect(r.right.nodes.at(-1)!.shape).toEqual([5, 5, 5]);
    const run = await ortLogits(bytes, [2, 4, 4]);
    const model = dtdModel(bytes, { name: "pad.onnx" });
    const x = rnd(8, 32);
    expectAllClose(dtdLogits(model, x), Float64Array.from(await run(x)), { rtol: 0, atol: 0 });
  });

  test("weight-only quantization (DequantizeLinear of int8 weights, per output channel) and opset 15's Shape(start, end) in a flatten", async () => {
    const bytes = encodeModel({
      shape: [1, 3, 4, 4],
      opset: 15,
      nodes: [
        node("DequantizeLinear", ["wq", "scale", "zero"], ["w"], [int("axis", 0)], "dq"),
        node("Conv", ["x", "w"], ["c"], [], "conv"),
        node("Relu", ["c"], ["r"], [], "relu"),
        node("Shape", ["r"], ["n"], [int("start", 0), int("end", 1)], "batch"),
        node("Concat", ["n", "minus1"], ["target"], [int("axis", 0)], "cat"),
        node("Reshape", ["r", "target"], ["y"], [], "flatten"),
      ],
      initializers: [
        { name: "wq", dims: [2, 3, 1, 1], dataType: 3, int32Data: [-100, 7, 127, 3, -128, 55] },
        initializer("scale", [2], [0.01, 0.02]),
        { name: "zero", dims: [2], dataType: 3, int32Data: [1, -2] },
        { name: "minus1", dims: [1], dataType: 7, int64Data: [-1] },
      ],
    });
    const r = importIr(bytes, { name: "dq.onnx" });
    if (E.isLeft(r)) throw new Error(message(r.left));
    expect(r.right.nodes.map((n) => n.op)).toEqual(["conv2d", "relu", "flatten"]);
    const run = await ortLogits(bytes, [3, 4, 4]);
    const model = dtdModel(bytes, { name: "dq.onnx" });
    const x = rnd(9, 48);
    expectAllClose(dtdLogits(model, x), Float64Array.from(await run(x)), { rtol: 1e-6, atol: 1e-7 });
  });

  test("nodes out of topological order, Identity, a Constant node, Dropout with training_mode false, initializers also listed as inputs", async () => {
    const bytes = encodeModel({
      shape: [1, 2, 5, 5],
      nodes: [
        node("Gemm", ["f", "fw", "fb"], ["y"], [int("transB", 1)], "fc"),
        node("Flatten", ["d"], ["f"], [], "flat"),
        node("Dropout", ["i", "ratio", "training"], ["d"], [], "drop"),
        node("Identity", ["r"], ["i"], [], "id"),
        node("Relu", ["c"], ["r"], [], "relu"),
        node("Conv", ["x", "cw", "cb"], ["c"], [], "conv"),
        node("Constant", [], ["cb"], [{ name: "value", type: 4, t: { dims: [3], dataType: 1, floatData: [0.1, -0.2, 0.3] } }], "bias"),
      ],
      initializers: [initializer("cw", [3, 2, 3, 3], rnd(2, 54)), initializer("fw", [4, 27], rnd(3, 108)), initializer("fb", [4], rnd(4, 4)), initializer("ratio", [], [0.3]), { name: "training", dims: [], dataType: 9, int32Data: [0] }],
      initializersAsInputs: true,
    });
    const r = importIr(bytes, { name: "unusual.onnx" });
    if (E.isLeft(r)) throw new Error(message(r.left));
    expect(r.right.nodes.map((n) => n.op)).toEqual(["conv2d", "relu", "flatten", "dense"]);
    const run = await ortLogits(bytes, [2, 5, 5]);
    const model = dtdModel(bytes, { name: "unusual.onnx" });
    for (const seed of [5, 6]) {
      const x = rnd(seed, 50);
      expectAllClose(dtdLogits(model, x), Float64Array.from(await run(x)), { rtol: 1e-5, atol: 1e-6 });
    }
  });
});
