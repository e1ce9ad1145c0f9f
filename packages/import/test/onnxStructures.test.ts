/**
 * The structures real PyTorch exports have (test/fixtures/onnx/make_structures.py: torchvision's ResNet,
 * MobileNetV2, SqueezeNet, VGG and DenseNet shapes at tiny widths, and the ways code flattens), each exported at
 * opsets 11, 13 and 17 with the settings that change what the file holds — no constant folding, initializers
 * listed as graph inputs, a dynamic batch axis, batch norms left as nodes — imported and checked against
 * onnxruntime-web: the IR through an independent evaluator and dtd's own forward pass, within 1e-5 relative.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { importIr, message } from "@dtd/import";
import { dtdLogits, dtdModel } from "./dtdForward.ts";
import { evalIr } from "./irEval.ts";
import { fixture, ortLogits } from "./onnxFiles.ts";

const VARIANTS = ["op11_nofold_inputs_dyn", "op13", "op17_nofold_dyn_bn"] as const;

/** Each structure, the IR ops it must contain, and those it must not (what the import settles away). */
const STRUCTURES: readonly [string, string, readonly string[], readonly string[]][] = [
  ["resnet_tiny", "ResNet: BN stem, padded max pool, identity and 1×1/2 downsampling skips, adaptive average pool, fc", ["conv2d", "maxPool2d", "add", "globalAvgPool", "dense"], []],
  ["mobile_tiny", "MobileNetV2: inverted residuals with padded depthwise convs and ReLU6 (Clip), Dropout, Linear", ["depthwiseConv2d", "clippedRelu", "add", "globalAvgPool", "dense"], []],
  ["squeeze_tiny", "SqueezeNet: ceil_mode max pools, a fire module's concat, a conv classifier, no dense layer", ["maxPool2d", "concat", "globalAvgPool"], ["dense"]],
  ["vgg_tiny", "VGG: adaptive average pooling to 2×2 (an AveragePool after a ReLU), flatten, Linear-ReLU-Linear", ["avgPool2d", "flatten", "dense"], []],
  ["flattens", "x.view(N, -1), x.reshape(-1, n) (Shape/Gather/Concat shape programs), mean over [2, 3], summed heads", ["flatten", "globalAvgPool", "add"], []],
  ["densenet_tiny", "torchvision's DenseNet: BN on concatenations (not foldable), transitions' 1×1 conv + average pool as one conv", ["concat", "scaleShift", "conv2d"], ["avgPool2d"]],
];

const samples = (seed: number, n: number, size: number): Float32Array[] => {
  const rng = T.Random.make(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => T.Random.uniform(rng, -1, 2)));
};

describe("ONNX exports of real architectures' structures, at opsets 11/13/17 and with every exporter setting, against onnxruntime-web", () => {
  for (const [name, what, has, hasNot] of STRUCTURES) {
    for (const variant of VARIANTS) {
      const file = `${name}_${variant}.onnx`;
      test(`${what} (${file})`, async () => {
        const bytes = fixture(file);
        const r = importIr(bytes, { name: file });
        if (E.isLeft(r)) throw new Error(message(r.left));
        const ops = new Set(r.right.nodes.map((n) => n.op));
        for (const op of has) expect(ops, `${op} in ${[...ops].join(", ")}`).toContain(op);
        for (const op of hasNot) expect(ops).not.toContain(op);
        const run = await ortLogits(bytes, r.right.input.shape);
        const model = dtdModel(bytes, { name: file });
        for (const x of samples(17, 2, r.right.input.shape.reduce((a, b) => a * b, 1))) {
          const expected = Float64Array.from(await run(x));
          expectAllClose(evalIr(r.right, x), expected, { rtol: 1e-5, atol: 1e-6 });
          expectAllClose(dtdLogits(model, x), expected, { rtol: 1e-5, atol: 1e-6 });
        }
      });
    }
  }

  test("the three exports of a structure import as the same function (the settings change the file, not the model)", () => {
    for (const [name] of STRUCTURES) {
      const models = VARIANTS.map((v) => dtdModel(fixture(`${name}_${v}.onnx`), { name }));
      const x = samples(3, 1, models[0]!.inputShape.reduce((a, b) => a * b, 1))[0]!;
      const [a, ...rest] = models.map((m) => dtdLogits(m, x));
      for (const b of rest) expectAllClose(b, a!, { rtol: 1e-5, atol: 1e-6 });
    }
  });
});
