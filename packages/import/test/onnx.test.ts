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

describe("ONNX ops real networks use, in small graphs written here, against onnxruntime-web", () => {
  const rng = T.Random.make(23);
  const rnd = (n: number) => Float32Array.from({ length: n }, () => T.Random.normal(rng));
  const cases: readonly [string, Uint8Array, readonly number[], readonly string[]][] = [
    [
      "a max pool padded with −∞ over a signed input (TF's \"same\" max pools, PyTorch's resnet stem before a ReLU)",
      encodeModel({ shape: [1, 2, 5, 6], nodes: [node("MaxPool", ["x"], ["y"], [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), ints("pads", [1, 1, 1, 0])], "mp")] }),
      [2, 5, 6],
      ["maxPool2d"],
    ],
    [
      "ceil_mode max pools (GoogLeNet, SqueezeNet): the overhanging windows take the maximum of their part inside",
      encodeModel({ shape: [1, 1, 6, 7], nodes: [node("MaxPool", ["x"], ["y"], [ints("kernel_shape", [3, 3]), ints("strides", [2, 2]), int("ceil_mode", 1)], "mp")] }),
      [1, 6, 7],
      ["maxPool2d"],
    ],
    [
      "a grouped convolution (ResNeXt, RegNet) as an ordinary one with zero weights between groups",
      encodeModel({ shape: [1, 4, 5, 5], nodes: [node("Conv", ["x", "w", "b"], ["y"], [int("group", 2), ints("pads", [1, 1, 1, 1])], "g")], initializers: [initializer("w", [6, 2, 3, 3], rnd(108)), initializer("b", [6], rnd(6))] }),
      [4, 5, 5],
      ["conv2d"],
    ],
    [
      "ReduceMean over H, W with keepdims (x.mean([2, 3], keepdim=True)), then a 1×1 Conv; Concat of one input (torch.cat([x]))",
      encodeModel({
        shape: [1, 3, 4, 4],
        nodes: [node("Concat", ["x"], ["c"], [int("axis", 1)], "cat1"), node("ReduceMean", ["c"], ["m"], [ints("axes", [-2, -1])], "rm"), node("Conv", ["m", "w"], ["y"], [], "fc")],
        initializers: [initializer("w", [2, 3, 1, 1], rnd(6))],
      }),
      [3, 4, 4],
      ["globalAvgPool", "dense"],
    ],
    [
      "ReduceMax over H, W without keepdims, opset 18 (axes as an input)",
      encodeModel({ shape: [1, 3, 4, 4], nodes: [node("ReduceMax", ["x", "axes"], ["y"], [int("keepdims", 0)], "rmax")], initializers: [{ name: "axes", dims: [2], dataType: 7, int64Data: [2, 3] }], opset: 18 }),
      [3, 4, 4],
      ["globalMaxPool"],
    ],
  ];
  for (const [what, bytes, shape, ops] of cases) {
    test(what, async () => {
      const ir = ok(importIr(bytes, { name: "case.onnx" }));
      expect(ir.nodes.map((n) => n.op)).toEqual(ops);
      const run = await ortLogits(bytes, shape);
      const model = dtdModel(bytes, { name: "case.onnx" });
      for (const x of samples(3, 3, shape.reduce((a, b) => a * b, 1))) {
        const expected = Float64Array.from((await run(x.map((v) => v - 0.5))));
        const signed = x.map((v) => v - 0.5);
        expectAllClose(evalIr(ir, signed), expected, { rtol: 1e-5, atol: 1e-6 });
        expectAllClose(dtdLogits(model, signed), expected, { rtol: 1e-5, atol: 1e-6 });
      }
    });
  }
});

describe("ONNX: refusals name the node, its op and what is missing", () => {
  const conv = (attrs: Parameters<typeof node>[3]) =>
    encodeModel({ shape: [1, 2, 5, 5], nodes: [node("Conv", ["x", "w"], ["y"], attrs, "conv1")], initializers: [initializer("w", [3, 2, 3, 3], new Float32Array(54).fill(0.1))] });
  const cases: readonly [string, Uint8Array, string][] = [
    ["a dilated convolution", conv([ints("dilations", [2, 2])]), `onnx node "conv1" (Conv) is not supported: dilations [2, 2]: dtd supports dilation 1`],
    ["a grouped convolution whose weight does not fit its groups", encodeModel({ shape: [1, 4, 5, 5], nodes: [node("Conv", ["x", "w"], ["y"], [int("group", 2)], "g")], initializers: [initializer("w", [4, 4, 1, 1], new Float32Array(16))] }), "group 2 with a weight [4, 4, 1, 1] on 4 channels: expected [O, C/group, kh, kw]"],
    ["an op dtd lacks", encodeModel({ shape: [1, 3], nodes: [node("Einsum", ["x"], ["y"], [], "t")] }), `onnx node "t" (Einsum) is not supported: dtd does not import Einsum nodes (supported: Conv,`],
    ["a smooth activation, with why", encodeModel({ shape: [1, 3], nodes: [node("Tanh", ["x"], ["y"], [], "t")] }), `onnx node "t" (Tanh) is not supported: a smooth nonlinearity: dtd's rules are derived for ReLU-type units`],
    ["HardSwish (MobileNetV3), with why", encodeModel({ shape: [1, 3], nodes: [node("HardSwish", ["x"], ["y"], [], "hs")], opset: 14 }), `(HardSwish) is not supported: x·ReLU6(x + 3)/6 (MobileNetV3) multiplies an activation by a function of itself: dtd explains networks of affine layers`],
    ["a gate: x·σ(x) (SiLU)", encodeModel({ shape: [1, 3], nodes: [node("Sigmoid", ["x"], ["s"], [], "sig"), node("Mul", ["x", "s"], ["y"], [], "silu")] }), `onnx node "silu" (Mul) is not supported: Mul of two activations: dtd explains networks of affine layers, ReLU-type units, pooling, sums and concatenations, and derives no deep Taylor rule for a product of two activations`],
    ["ReduceMean over channels", encodeModel({ shape: [1, 2, 3, 3], nodes: [node("ReduceMean", ["x"], ["y"], [ints("axes", [1])], "rm")] }), `onnx node "rm" (ReduceMean) is not supported: reduction over axes [1] of an input [1, 2, 3, 3]: dtd supports the spatial axes [2, 3]`],
    ["an average pool with ceil_mode overhanging the input", encodeModel({ shape: [1, 1, 5, 5], nodes: [node("AveragePool", ["x"], ["y"], [ints("kernel_shape", [2, 2]), ints("strides", [2, 2]), int("ceil_mode", 1)], "ap")] }), "ceil_mode = 1 with windows that overhang the padded input by [1, 1]"],
    ["Clip that is not a ReLU", encodeModel({ shape: [1, 3], nodes: [node("Clip", ["x"], ["y"], [float("min", -1), float("max", 1)], "c")], opset: 9 }), "min -1: dtd supports Clip(0, max)"],
    ["a max pool whose padding is as large as its window", encodeModel({ shape: [1, 1, 4, 4], nodes: [node("MaxPool", ["x"], ["y"], [ints("kernel_shape", [2, 2]), ints("pads", [2, 0, 0, 0])], "mp")] }), `onnx node "mp" (MaxPool) is not supported: expected pads smaller than the window [2, 2]`],
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
