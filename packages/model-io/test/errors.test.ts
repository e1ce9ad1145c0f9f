import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { decodeModel, formatError, MAX_ACTIVATION_SIZE, type ModelFileError, parseModel } from "@dtd/model-io";

/** The deck's detection-pooling net, x_j = max(0, Σ_i x_i w_ij + b_j), x_k = Σ_j x_j: 3 inputs, 2 hidden units. */
const valid = () => ({
  format: "dtd-model",
  version: 1,
  inputShape: [3],
  layers: [{ type: "dense", weight: [[1, -1], [0.5, 2], [0, 1]], bias: [-0.5, -1] } as Record<string, unknown>, { type: "relu" } as Record<string, unknown>, { type: "sumPool" } as Record<string, unknown>],
});

/** A little-endian float64 base64 text (Buffer is fine here: the test runs on Node; the decoder itself never uses it). */
const f64 = (xs: readonly number[]): string => Buffer.from(new Float64Array(xs).buffer).toString("base64");

const errorOf = (r: E.Either<ModelFileError, unknown>): ModelFileError => {
  if (E.isRight(r)) throw new Error("expected the file to be refused");
  return r.left;
};
const messageOf = (json: unknown): string => formatError(errorOf(decodeModel(json)));
const withLayer = (i: number, layer: Record<string, unknown>) => {
  const f = valid();
  f.layers[i] = layer;
  return f;
};

describe("a valid file", () => {
  test("decodes to the model it describes, with its metadata", () => {
    const r = decodeModel({ ...valid(), metadata: { name: "detection-pooling" } });
    if (E.isLeft(r)) throw new Error(formatError(r.left));
    expect(r.right.model.shapes).toEqual([[3], [2], [2], [1]]);
    expect(r.right.metadata).toEqual({ name: "detection-pooling" });
    expect(r.right.dtype).toBe("float64");
    // x = (1, 2, 3): z = (1 + 1 + 0 - 0.5, -1 + 4 + 3 - 1) = (1.5, 5), f = 6.5
    expectAllClose(L.forward(r.right.model, T.of([1, 2, 3], [1, 3])).output, [6.5], { atol: 1e-12 });
  });
  test("an empty layer list is allowed: the identity model", () => {
    const r = decodeModel({ ...valid(), layers: [] });
    if (E.isLeft(r)) throw new Error(formatError(r.left));
    expect(r.right.model.shapes).toEqual([[3]]);
    expectAllClose(L.forward(r.right.model, T.of([1, -2, 3], [1, 3])).output, [1, -2, 3], { atol: 0 });
  });
  test("without metadata, metadata is {}", () => {
    const r = decodeModel(valid());
    expect(E.isRight(r) && r.right.metadata).toEqual({});
  });
});

describe("bad files: one message each, with the JSON path, what was expected and what was found", () => {
  test("not JSON at all: the line, column and character of the syntax error", () => {
    expect(formatError(errorOf(parseModel('{\n  "format": "dtd-model",\n  "version": 1,\n  "inputShape": [3],\n  "layers": [NaN]\n}')))).toBe(
      [
        "not JSON: line 5, column 14 (character 77): expected a JSON value (an object, array, string, number, true, false or null), found \"N\"",
        '    "layers": [NaN]',
        "               ^",
      ].join("\n"),
    );
    const e = errorOf(parseModel("hello"));
    expect(e).toMatchObject({ _tag: "InvalidJson", position: 0, line: 1, column: 1, found: '"h"' });
    expect(errorOf(parseModel('{"format": "dtd-model",}'))).toMatchObject({ position: 23, expected: "a field name in double quotes", found: '"}"' });
    expect(errorOf(parseModel('{"format": "dtd-model"'))).toMatchObject({ position: 22, expected: '"," or "}"', found: "the end of the text" });
    expect(errorOf(parseModel(""))).toMatchObject({ position: 0, found: "the end of the text" });
  });
  test("a long line is clipped around the error", () => {
    const text = `[${"1, ".repeat(100)}x]`;
    const message = formatError(errorOf(parseModel(text)));
    const [, excerpt, caret] = message.split("\n");
    expect(excerpt!.length).toBeLessThanOrEqual(2 + 82);
    expect(excerpt![caret!.length - 1]).toBe("x");
  });
  test("a leading byte-order mark is ignored", () => {
    expect(E.isRight(parseModel(`\uFEFF${JSON.stringify(valid())}`))).toBe(true);
  });
  test("not an object", () => {
    expect(messageOf([1, 2])).toBe('(top level): expected a dtd model file: a JSON object with "format": "dtd-model", found [1, 2]');
  });
  test("wrong format", () => {
    expect(messageOf({ ...valid(), format: "onnx" })).toBe('format: expected "dtd-model", found "onnx"');
    expect(messageOf({ version: 1 })).toBe('format: expected "dtd-model", found nothing (the field is missing)');
  });
  test("unsupported version", () => {
    const e = errorOf(decodeModel({ ...valid(), version: 3 }));
    expect(e).toEqual({ _tag: "UnsupportedVersion", found: 3, supported: [1, 2] });
    expect(formatError(e)).toBe("version: expected 1 or 2, found 3 (this dtd reads model files of version 1 or 2)");
  });
  test("a version that is not a number", () => {
    expect(messageOf({ ...valid(), version: "1" })).toBe('version: expected 1 or 2, found "1"');
  });
  test("missing fields", () => {
    const { version: _v, ...noVersion } = valid();
    expect(messageOf(noVersion)).toBe("version: expected 1 or 2, found nothing (the field is missing)");
    const { inputShape: _s, ...noShape } = valid();
    expect(messageOf(noShape)).toBe("inputShape: expected a shape of positive integers: [n] for a flat vector or [c, h, w] for a CHW image, found nothing (the field is missing)");
    expect(messageOf(withLayer(0, { type: "dense", weight: [[1, 2]] }))).toBe(
      "layers[0].bias: expected an array of numbers (one per output) or a base64 tensor object, found nothing (the field is missing)",
    );
    expect(messageOf(withLayer(2, { type: "pNormPool" }))).toBe("layers[2].p: expected a number p ≥ 1, found nothing (the field is missing)");
    expect(messageOf(withLayer(2, { type: "select" }))).toBe("layers[2].index: expected a non-negative integer, found nothing (the field is missing)");
  });
  test("wrong types", () => {
    expect(messageOf({ ...valid(), inputShape: "3" })).toBe('inputShape: expected a shape of positive integers: [n] for a flat vector or [c, h, w] for a CHW image, found "3"');
    expect(messageOf({ ...valid(), inputShape: [2, 3] })).toBe("inputShape: expected a shape of positive integers: [n] for a flat vector or [c, h, w] for a CHW image, found [2, 3]");
    expect(messageOf({ ...valid(), layers: {} })).toBe("layers: expected an array of layers, found an object");
    expect(messageOf({ ...valid(), dtype: "float16" })).toBe('dtype: expected "float32" or "float64", found "float16"');
    expect(messageOf({ ...valid(), metadata: "mine" })).toBe('metadata: expected an object (free-form metadata: name, description, training…), found "mine"');
    expect(messageOf(withLayer(2, { type: "pNormPool", p: "2" }))).toBe('layers[2].p: expected a number p ≥ 1, found "2"');
    expect(messageOf(withLayer(2, { type: "pNormPool", p: 0.5 }))).toBe("layers[2].p: expected a number p ≥ 1, found 0.5");
    expect(messageOf(withLayer(1, "relu" as unknown as Record<string, unknown>))).toBe('layers[1]: expected a layer object such as { "type": "relu" }, found "relu"');
    expect(messageOf(withLayer(0, { type: "dense", weight: "[[1, 2]]", bias: [0] }))).toBe(
      'layers[0].weight: expected a rectangular nested array of numbers (in × out) or a base64 tensor object, found "[[1, 2]]"',
    );
    expect(messageOf(withLayer(0, { type: "dense", weight: [[1, "2"], [3, 4], [5, 6]], bias: [0, 0] }))).toBe('layers[0].weight[0][1]: expected a finite number, found "2"');
    expect(messageOf(withLayer(2, { type: "sumPool", kernel: [2] }))).toBe("layers[2].kernel: expected a pair [kh, kw] of positive integers, found [2]");
  });
  test("a nested weight that is not rectangular (the issue's example)", () => {
    const f = valid();
    f.inputShape = [4];
    f.layers = [{ type: "relu" }, { type: "relu" }, { type: "dense", weight: [[1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4]], bias: [0, 0, 0, 0] }];
    expect(messageOf(f)).toBe("layers[2].weight: expected a rectangular nested array of numbers (in × out), found a row of length 3 where 4 was expected (at weight[1])");
  });
  test("a nested weight of the wrong rank, or empty", () => {
    expect(messageOf(withLayer(0, { type: "dense", weight: [1, 2, 3], bias: [0] }))).toBe(
      "layers[0].weight: expected a rectangular nested array of numbers (in × out), found nested arrays of shape [3] (rank 1 where rank 2 was expected)",
    );
    expect(messageOf(withLayer(0, { type: "dense", weight: [[[1]]], bias: [0] }))).toBe(
      "layers[0].weight: expected a rectangular nested array of numbers (in × out), found nested arrays deeper than rank 2 (weight[0][0] is an array, not a number)",
    );
    expect(messageOf(withLayer(0, { type: "dense", weight: [[]], bias: [] }))).toMatch(/^layers\[0\]\.weight: expected a rectangular nested array of numbers \(in × out\), found an empty array \(at weight\[0\]\)$/m);
    expect(messageOf(withLayer(0, { type: "dense", weight: [[1, 2], 3, [4, 5]], bias: [0, 0] }))).toBe(
      "layers[0].weight: expected a rectangular nested array of numbers (in × out), found 3 where a row of length 2 was expected (at weight[1])",
    );
  });
  test("unknown layer types, with a suggestion when one is close", () => {
    const kinds =
      '"dense", "relu", "sumPool", "pNormPool", "maxPool2d", "avgPool2d", "conv2d", "flatten", "select", "scaleShift", "depthwiseConv2d", "clippedRelu", "globalAvgPool", "globalMaxPool", "batchNorm", "add", "concat", "pad2d", "identity"';
    expect(messageOf(withLayer(1, { type: "dens" }))).toBe(`layers[1].type: expected one of ${kinds}, found "dens" (did you mean "dense"?)`);
    expect(messageOf(withLayer(1, { type: "ReLU" }))).toBe(`layers[1].type: expected one of ${kinds}, found "ReLU" (did you mean "relu"?)`);
    expect(messageOf(withLayer(1, { type: "softmax" }))).toBe(`layers[1].type: expected one of ${kinds}, found "softmax"`);
    expect(messageOf(withLayer(1, { type: "toString" }))).toBe(`layers[1].type: expected one of ${kinds}, found "toString"`);
    expect(messageOf(withLayer(1, {}))).toBe(`layers[1].type: expected one of ${kinds}, found nothing (the field is missing)`);
  });
  test("unknown fields are refused, so a typo cannot fall back to a default", () => {
    expect(messageOf(withLayer(2, { type: "maxPool2d", kernel: [1, 1], strides: [1, 1] }))).toBe(
      'layers[2]: expected only the fields of a maxPool2d layer (type, kernel, stride, padding), found an unknown field "strides"',
    );
    expect(messageOf({ ...valid(), name: "x" })).toBe(
      '(top level): expected only the fields of a dtd model file (format, version, inputShape, layers, dtype, metadata), found an unknown field "name"',
    );
  });
  test("a stride without a kernel (global pooling has no windows)", () => {
    expect(messageOf(withLayer(2, { type: "sumPool", stride: [2, 2] }))).toBe(
      "layers[2].stride: expected no stride without a kernel (without a kernel, the whole input is pooled into one value), found [2, 2]",
    );
  });
  test("layers whose shapes do not chain: the layer index and both shapes", () => {
    const e = errorOf(decodeModel({ ...valid(), inputShape: [4] }));
    expect(e).toMatchObject({ _tag: "IncompatibleLayers", index: 0, kind: "dense", inputShape: [4] });
    expect(formatError(e)).toBe("layers[0] (dense) cannot take the model input, of shape [4]: expected an input of shape [3] (the weight is [3, 2]), found [4]");
    const f = valid();
    f.layers.push({ type: "dense", weight: [[1], [2]], bias: [0] });
    expect(messageOf(f)).toBe("layers[3] (dense) cannot take the output of layers[2] (sumPool), of shape [1]: expected an input of shape [2] (the weight is [2, 1]), found [1]");
    expect(messageOf(withLayer(0, { type: "conv2d", weight: [[[[1]]]], bias: [0] }))).toBe(
      "layers[0] (conv2d) cannot take the model input, of shape [3]: expected a CHW input of rank 3, found [3]",
    );
    expect(messageOf(withLayer(2, { type: "select", index: 2 }))).toBe("layers[2] (select) cannot take the output of layers[1] (relu), of shape [2]: expected an index in [0, 1], found 2");
  });
  test("a bias whose length disagrees with the weight", () => {
    expect(messageOf(withLayer(0, { type: "dense", weight: [[1, 2], [3, 4], [5, 6]], bias: [0, 0, 0] }))).toBe(
      "layers[0].bias: expected 2 values (one per output: the weight is [3, 2], in × out), found 3 values",
    );
    expect(messageOf(withLayer(1, { type: "scaleShift", scale: [1, 1], shift: [0] }))).toBe("layers[1].shift: expected 2 values (as many as scale), found 1 values");
  });
  test("base64 tensors: byte length = 8 × size (or 4 × size), valid base64, no NaN", () => {
    const b64 = (base64: string, shape = [3, 2]) => withLayer(0, { type: "dense", weight: { shape, dtype: "float64", base64 }, bias: [0, 0] });
    expect(messageOf(b64(f64([1, 2, 3, 4, 5])))).toBe("layers[0].weight.base64: expected 48 bytes (6 little-endian float64 values for shape [3, 2]), found 40 bytes");
    expect(messageOf(b64(f64([1, 2, 3, 4, 5, Number.NaN])))).toBe("layers[0].weight.base64: expected finite values, found NaN at flat index 5");
    expect(messageOf(b64(f64([1, 2, Number.NEGATIVE_INFINITY, 4, 5, 6])))).toBe("layers[0].weight.base64: expected finite values, found -Infinity at flat index 2");
    expect(messageOf(b64(f64([1, 2, 3, 4, 5, 6]).slice(0, -1)))).toBe(
      "layers[0].weight.base64: expected base64 text (A–Z, a–z, 0–9, +, /, padded with = to a multiple of 4 characters), found 63 characters, not a multiple of 4 (is the text cut short?)",
    );
    expect(messageOf(b64(`${f64([1, 2, 3, 4, 5, 6]).slice(0, 10)}%${f64([1, 2, 3, 4, 5, 6]).slice(11)}`))).toBe(
      'layers[0].weight.base64: expected base64 text (A–Z, a–z, 0–9, +, /, padded with = to a multiple of 4 characters), found "%" at character 10',
    );
    expect(messageOf(b64(f64([1, 2, 3, 4, 5, 6]), [6]))).toBe("layers[0].weight.shape: expected a shape of 2 positive integers (in × out), found [6]");
    expect(messageOf(withLayer(0, { type: "dense", weight: { shape: [3, 2], dtype: "float64", data: [1] }, bias: [0, 0] }))).toBe(
      [
        "layers[0].weight.base64: expected a base64 string, found nothing (the field is missing)",
        'layers[0].weight: expected only the fields of a base64 tensor object (shape, dtype, base64), found an unknown field "data"',
      ].join("\n"),
    );
  });
  test("numbers that parse as Infinity (1e999) are refused", () => {
    const text = JSON.stringify(valid()).replace("0.5", "1e999");
    expect(formatError(errorOf(parseModel(text)))).toBe(
      "layers[0].weight[1][0]: expected a finite number (|x| ≤ 1.7976931348623157e308), found 1e999 (line 1, column 96), which JSON.parse reads as Infinity",
    );
    // decoded from a value (no text to point into), the tensor codec still refuses it
    expect(formatError(errorOf(decodeModel(JSON.parse(text))))).toBe("layers[0].weight[1][0]: expected a finite number, found Infinity (JSON numbers beyond ±1.8e308, such as 1e999, are read as Infinity)");
  });
  test("a float32 model refuses values beyond the float32 range", () => {
    expect(messageOf({ ...withLayer(0, { type: "dense", weight: [[1, 2], [1e39, 4], [5, 6]], bias: [0, 0] }), dtype: "float32" })).toBe(
      "layers[0].weight[1][0]: expected a number within the float32 range (|x| ≤ 3.4028234663852886e+38), the model's dtype, found 1e+39",
    );
  });
  test("buffers larger than MAX_ACTIVATION_SIZE values per sample (outputs, a conv2d's unfolded input) are refused before anything is allocated", () => {
    const big = { ...valid(), inputShape: [1, 3, 3], layers: [{ type: "conv2d", weight: [[[[1]]], [[[1]]], [[[1]]], [[[1]]], [[[1]]], [[[1]]], [[[1]]], [[[1]]]], bias: [0, 0, 0, 0, 0, 0, 0, 0], padding: [2000, 2000] }] };
    expect(messageOf(big)).toBe(`layers[0]: expected an output of at most ${MAX_ACTIVATION_SIZE} values per sample, found an output of shape [8, 4003, 4003] (128192072 values)`);
    const unfolded = { ...valid(), inputShape: [1, 3000, 3000], layers: [{ type: "conv2d", weight: [[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]], bias: [0] }] };
    expect(messageOf(unfolded)).toBe(
      `layers[0]: expected a convolution whose unfolded input (in·kh·kw × oh·ow) holds at most ${MAX_ACTIVATION_SIZE} values per sample, found 1·3·3 × 2998·2998 = 80892036 values`,
    );
    expect(messageOf({ ...valid(), inputShape: [100000, 1000] })).toMatch(/^inputShape: expected a shape of positive integers/);
    expect(messageOf({ ...valid(), inputShape: [1000, 1000, 1000] })).toBe(`inputShape: expected an input of at most ${MAX_ACTIVATION_SIZE} values, found [1000, 1000, 1000] (1000000000 values)`);
  });
  test("every problem is listed, one per line, at most 10, then '… and N more problems'", () => {
    const layers = Array.from({ length: 13 }, () => ({ type: "relu", extra: 1 }));
    const message = messageOf({ ...valid(), layers });
    const lines = message.split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('layers[0]: expected only the fields of a relu layer (type), found an unknown field "extra"');
    expect(lines[9]).toMatch(/^layers\[9\]: /);
    expect(lines[10]).toBe("… and 3 more problems");
    const e = errorOf(decodeModel({ ...valid(), layers }));
    expect(e._tag === "InvalidModel" && e.problems.length).toBe(13);
  });
});
