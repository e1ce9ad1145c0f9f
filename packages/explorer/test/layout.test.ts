import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { imageLayout } from "../src/layout.ts";
import { detectFormat } from "../src/loaders.ts";
import { presetIds, presets, specName } from "../src/methods.ts";

describe("imageLayout: how an input is shown as a picture", () => {
  test.each([
    [[3, 12, 12], {}, { channels: 3, height: 12, width: 12, from: "input shape" }],
    [[1, 28, 28], {}, { channels: 1, height: 28, width: 28, from: "input shape" }],
    [[5, 7], {}, { channels: 1, height: 5, width: 7, from: "input shape" }],
    [[1568], { imageShape: [1, 28, 56] }, { channels: 1, height: 28, width: 56, from: "metadata.imageShape" }],
    [[12], { imageShape: [3, 2, 2] }, { channels: 3, height: 2, width: 2, from: "metadata.imageShape" }],
    [[1568], {}, { channels: 1, height: 28, width: 56, from: "MNIST rows of 28" }],
    [[16], {}, { channels: 1, height: 4, width: 4, from: "square" }],
  ] as const)("%j with metadata %j", (shape, metadata, layout) => {
    expect(imageLayout(shape, metadata)).toEqual(E.right(layout));
  });

  test.each([
    [[10], {}, 'a flat input of 10 values is not a picture: add "imageShape": [channels, height, width] to the model file\'s metadata'],
    [[16], { imageShape: [1, 4, 5] }, "metadata.imageShape: expected [1 or 3, height, width] with 16 values in all, found [1,4,5]"],
    [[2, 4, 4], {}, "an input of shape [2, 4, 4] is not a picture: expected [1 or 3, height, width], [height, width] or a flat vector"],
  ] as const)("%j with metadata %j is refused, saying what to add", (shape, metadata, message) => {
    expect(imageLayout(shape, metadata)).toEqual(E.left(message));
  });
});

describe("the method menu", () => {
  test("every preset means a spec with one rule per affine layer (or a baseline)", () => {
    for (const id of presetIds) {
      const spec = presets[id].spec(3, [0, 1], ["w2", "zb", "zplus"]);
      if (spec._tag === "DeepTaylor") expect(spec.rules, id).toHaveLength(3);
    }
    expect(specName(presets.zb.spec(3, [0, 1], []))).toBe("zᵇ / z⁺ ×2");
    expect(specName(presets.trainingFreeW2.spec(1, [0, 1], []))).toBe("w², proportional");
    expect(specName(presets.perLayer.spec(3, [0, 1], ["w2", "zb", "zplus"]))).toBe("w² / zᵇ / z⁺");
    expect(specName(presets.sensitivity.spec(3, [0, 1], []))).toBe("sensitivity");
  });
});

describe("detectFormat", () => {
  const files = (text: string | Uint8Array) => ({ name: "m", bytes: typeof text === "string" ? new TextEncoder().encode(text) : text, others: new Map() });
  test("dtd model files, TF.js model.json, ONNX bytes", () => {
    expect(detectFormat(files('\uFEFF  {"format": "dtd-model", "version": 1}'))).toBe("dtd");
    expect(detectFormat(files('{"format": "layers-model", "modelTopology": {}}'))).toBe("tfjs");
    expect(detectFormat(files(new Uint8Array([0x08, 0x07, 0x12, 0x07])))).toBe("onnx");
  });
});
