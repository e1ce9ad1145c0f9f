/**
 * ONNX models exported by PyTorch (test/fixtures/onnx, made by make_onnx.py), imported and checked against
 * onnxruntime-web on the same inputs: the IR through an independent evaluator and, for chains, dtd's own
 * forward pass, within 1e-5 relative. Unsupported models are refused naming the node, its op and what is
 * missing.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { importIr, importModel, type IrModel, message } from "@dtd/import";
import { dtdLogits, dtdModel } from "./dtdForward.ts";
import { evalIr } from "./irEval.ts";
import { encodeModel, fixture, float, initializer, int, ints, node, ortLogits } from "./onnxFiles.ts";

const ok = <A>(r: E.Either<import("@dtd/import").ImportError, A>): A => {
  if (E.isLeft(r)) throw new Error(message(r.left));
  return r.right;
};

const samples = (seed: number, n: number, size: number): Float32Array[] => {
  const rng = T.Random.make(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => T.Random.uniform(rng, -1, 2)));
};

const fidelity = async (file: string, checks: (ir: IrModel) => void): Promise<void> => {
  const bytes = fixture(file);
  const ir = ok(importIr(bytes, { name: file }));
  checks(ir);
  const run = await ortLogits(bytes, ir.input.shape);
  const model = dtdModel(bytes, { name: file });
  for (const x of samples(11, 4, ir.input.shape.reduce((a, b) => a * b, 1))) {
    const expected = Float64Array.from(await run(x));
    expectAllClose(evalIr(ir, x), expected, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(dtdLogits(model, x), expected, { rtol: 1e-5, atol: 1e-6 });
  }
};

describe("ONNX models from PyTorch: fidelity against onnxruntime-web (the IR's evaluator and dtd's forward pass)", () => {
  test("a residual CNN: conv (BN folded by the exporter), residual add, BN after a ReLU, depthwise conv, Clip(0, 6), global pooling, Gemm", async () => {
    await fidelity("residual_cnn.onnx", (ir) => {
      expect(ir.nodes.map((n) => n.op)).toEqual(["conv2d", "relu", "conv2d", "add", "relu", "scaleShift", "maxPool2d", "depthwiseConv2d", "clippedRelu", "globalAvgPool", "dense"]);
      expect(ir.outputActivation).toBe("none");
    });
  });

  test("the same net exported with opset 9 (Clip bounds as attributes)", async () => {
    await fidelity("residual_cnn_opset9.onnx", (ir) => expect(ir.nodes.map((n) => n.op)).toContain("clippedRelu"));
  });

  test("concatenated branches, F.pad's computed pads, a padded max pool after a ReLU, an average pool counting its padding, x.view(N, -1), sigmoid", async () => {
    await fidelity("concat_net.onnx", (ir) => {
      expect(ir.nodes.map((n) => n.op)).toContain("concat");
      expect(ir.outputActivation).toBe("sigmoid");
    });
  });

  test("an MLP (MatMul + Add fused into one dense layer, Gemm with transB, softmax) through dtd's own forward pass", async () => {
    const bytes = fixture("mlp.onnx");
    const r = ok(importModel(bytes, { name: "mlp.onnx" }));
    expect(r.ir.nodes.map((n) => n.op)).toEqual(["flatten", "dense", "relu", "dense"]);
    const run = await ortLogits(bytes, [1, 4, 4]);
    for (const x of samples(5, 4, 16)) {
      const out = L.forward(r.model, T.of(x, [1, 1, 4, 4], "float32")).output;
      expectAllClose(out.data, await run(x), { rtol: 1e-5, atol: 1e-6 });
    }
  });
});

describe("ONNX: refusals name the node, its op and what is missing", () => {
  const conv = (attrs: Parameters<typeof node>[3]) =>
    encodeModel({ shape: [1, 2, 5, 5], nodes: [node("Conv", ["x", "w"], ["y"], attrs, "conv1")], initializers: [initializer("w", [3, 2, 3, 3], new Float32Array(54).fill(0.1))] });
  const cases: readonly [string, Uint8Array, string][] = [
    ["a dilated convolution", conv([ints("dilations", [2, 2])]), `onnx node "conv1" (Conv) is not supported: dilations [2, 2]: dtd supports dilation 1`],
    ["a grouped convolution that is not depthwise", encodeModel({ shape: [1, 4, 5, 5], nodes: [node("Conv", ["x", "w"], ["y"], [int("group", 2)], "g")], initializers: [initializer("w", [4, 2, 1, 1], new Float32Array(8))] }), "group 2 on 4 channels"],
    ["an op dtd lacks", encodeModel({ shape: [1, 3], nodes: [node("Tanh", ["x"], ["y"], [], "t")] }), `onnx node "t" (Tanh) is not supported: dtd does not import Tanh nodes`],
    ["Clip that is not a ReLU", encodeModel({ shape: [1, 3], nodes: [node("Clip", ["x"], ["y"], [float("min", -1), float("max", 1)], "c")], opset: 9 }), "min -1: dtd supports Clip(0, max)"],
    ["a padded max pool of an input that can be negative", encodeModel({ shape: [1, 1, 4, 4], nodes: [node("MaxPool", ["x"], ["y"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])], "mp")] }), "max pooling with padding [1, 1, 1, 1] of an input that can be negative"],
    ["an average pool that excludes its padding", encodeModel({ shape: [1, 1, 4, 4], nodes: [node("AveragePool", ["x"], ["y"], [ints("kernel_shape", [3, 3]), ints("pads", [1, 1, 1, 1])], "ap")] }), "excludes the padding from the average"],
    ["two outputs", encodeModel({ shape: [1, 3], nodes: [node("Relu", ["x"], ["y"]), node("Relu", ["x"], ["z"])], outputs: ["y", "z"] }), "onnx model is not supported: it has 2 outputs"],
    ["bytes that are not ONNX", new Uint8Array([1, 2, 3, 250, 251, 252]), "bad.onnx: expected an ONNX model"],
  ];
  for (const [what, bytes, expected] of cases) {
    test(what, () => {
      const r = importIr(bytes, { name: "bad.onnx" });
      expect(E.isLeft(r) ? message(r.left) : "imported").toContain(expected);
    });
  }
});
