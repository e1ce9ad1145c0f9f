import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { type DecodedModel, decodeModel, type EncodeOptions, encodeModel, formatError, type ModelFileError, parseModel, stringifyModel } from "@dtd/model-io";
import * as Arb from "./arbitraries.ts";

const isTensor = (u: unknown): u is T.Tensor => typeof u === "object" && u !== null && "data" in u && (u.data instanceof Float32Array || u.data instanceof Float64Array);

/** A layer with its tensors replaced by their shape and dtype: what must be equal besides the bits. */
const record = (l: L.Layer): Record<string, unknown> => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, isTensor(v) ? { shape: v.shape, dtype: v.dtype } : v]));

/** The bytes of a tensor's values; with `signedZero: false`, -0 counts as 0 (nested JSON writes -0 as 0). */
const bits = (x: T.Tensor, signedZero: boolean): number[] => {
  const data = x.dtype === "float32" ? new Float32Array(x.data) : new Float64Array(x.data);
  if (!signedZero) for (let i = 0; i < data.length; i++) if (data[i] === 0) data[i] = 0;
  return Array.from(new Uint8Array(data.buffer));
};

const right = (r: E.Either<ModelFileError, DecodedModel>): DecodedModel => {
  if (E.isLeft(r)) throw new Error(formatError(r.left));
  return r.right;
};

/** Decoded and original are the same model: shapes, layer records, and tensors bit for bit. */
const expectSameModel = (decoded: L.Model, original: L.Model, signedZero: boolean): void => {
  expect(decoded.inputShape).toEqual(original.inputShape);
  expect(decoded.shapes).toEqual(original.shapes);
  expect(decoded.layers.map(record)).toEqual(original.layers.map(record));
  expect(decoded.nodes.map((n) => [n.name, n.inputs])).toEqual(original.nodes.map((n) => [n.name, n.inputs]));
  const got = L.paramTree(decoded);
  L.paramTree(original).forEach((params, i) => {
    for (const [name, x] of Object.entries(params)) {
      const y = got[i]![name]!;
      expect(y.dtype).toBe(x.dtype);
      expect(bits(y, true)).toEqual(bits(x, signedZero));
    }
  });
};

const encodings: readonly NonNullable<EncodeOptions["tensors"]>[] = ["nested", "base64"];

describe("round trips: encode → JSON.stringify → JSON.parse → decode", () => {
  for (const tensors of encodings) {
    test(`${tensors} tensors: bit-identical tensors and equal layer records, float32 and float64 models, metadata kept`, () => {
      fc.assert(
        fc.property(Arb.model, Arb.metadata, ({ model, dtype }, metadata) => {
          const json: unknown = JSON.parse(JSON.stringify(encodeModel(model, { tensors, metadata })));
          const decoded = right(decodeModel(json));
          // A model without parameters has no dtype of its own: it is written as float64.
          expect(decoded.dtype).toBe(L.paramTree(model).some((p) => Object.keys(p).length > 0) ? dtype : "float64");
          // Metadata is kept as JSON keeps it (fc.jsonValue may hold a -0, which JSON writes as 0).
          expect(decoded.metadata).toEqual(JSON.parse(JSON.stringify(metadata)));
          expectSameModel(decoded.model, model, tensors === "base64");
        }),
      );
    });
    test(`${tensors} tensors: stringifyModel is JSON.stringify's value, laid out, and parseModel reads it back`, () => {
      fc.assert(
        fc.property(Arb.model, Arb.metadata, ({ model }, metadata) => {
          const text = stringifyModel(model, { tensors, metadata });
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(encodeModel(model, { tensors, metadata }))));
          expectSameModel(right(parseModel(text)).model, model, tensors === "base64");
        }),
      );
    });
    for (const dtype of T.dtypes) {
      test(`${tensors} tensors, ${dtype}: a model with every layer kind, decoded, computes the same function`, () => {
        const model = Arb.everyKind(dtype);
        const decoded = right(parseModel(stringifyModel(model, { tensors })));
        expect(decoded.model.layers.map((l) => l.kind)).toEqual(model.layers.map((l) => l.kind));
        expectSameModel(decoded.model, model, true);
        const x = T.astype(T.Random.normalTensor(T.Random.make(1), [2, 2, 7, 5], 0, 1), dtype);
        expect(Array.from(L.forward(decoded.model, x).output.data)).toEqual(Array.from(L.forward(model, x).output.data));
      });
    }
  }
  test("base64 keeps the sign of zero; nested JSON writes -0 as 0 (JSON.stringify's rule)", () => {
    const model = right(decodeModel({ format: "dtd-model", version: 1, inputShape: [1], layers: [{ type: "scaleShift", scale: [1], shift: [0] }] })).model;
    const negZero = L.withParamTree(model, [{ scale: T.of([-0], [1]), shift: T.of([-0], [1]) }]);
    const back = (tensors: "nested" | "base64") => L.paramTree(right(parseModel(stringifyModel(negZero, { tensors }))).model)[0]!["scale"]!.data[0]!;
    expect(Object.is(back("base64"), -0)).toBe(true);
    expect(Object.is(back("nested"), 0)).toBe(true);
  });
  test("a model with tensors of two dtypes cannot be built; written by hand, encoding it is a programmer error", () => {
    const layers = [L.dense(T.zeros([2, 2], "float32"), T.zeros([2]))];
    const mixed = L.build([2], layers);
    expect(E.isLeft(mixed) && L.message(mixed.left)).toBe("layer 0 (dense) is invalid: expected b in float32 like every parameter (the dtype of layer 0 (dense) W), found float64");
    const handWritten: L.Model = { inputShape: [2], nodes: [{ name: "d", layer: layers[0]!, inputs: ["input"] }], layers, shapes: [[2], [2]], sources: [[0]] };
    expect(() => encodeModel(handWritten)).toThrow("encodeModel: dtype mismatch: expected float32, found float64");
  });
  test("the written layout: one field per line, a row of a weight per line", () => {
    const model = right(decodeModel({ format: "dtd-model", version: 1, inputShape: [2], layers: [{ type: "dense", weight: [[1, -1], [0.5, 2]], bias: [0, -1] }, { type: "relu" }] })).model;
    expect(stringifyModel(model, { metadata: { name: "tiny" } })).toBe(
      [
        "{",
        '  "format": "dtd-model",',
        '  "version": 2,',
        '  "dtype": "float64",',
        '  "inputShape": [2],',
        '  "layers": [',
        "    {",
        '      "type": "dense",',
        '      "weight": [',
        "        [1, -1],",
        "        [0.5, 2]",
        "      ],",
        '      "bias": [0, -1]',
        "    },",
        '    { "type": "relu" }',
        "  ],",
        '  "metadata": { "name": "tiny" }',
        "}",
        "",
      ].join("\n"),
    );
  });
});
