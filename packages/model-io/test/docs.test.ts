import { readFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { type DecodedModel, encodeModel, formatError, parseModel } from "@dtd/model-io";

/** docs/model-format.md: its examples are decoded here, so the page cannot drift from the code. */
const markdown = readFileSync(new URL("../../../docs/model-format.md", import.meta.url), "utf8");

interface Block {
  readonly info: string;
  readonly body: string;
}
const blocks: Block[] = [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1]!.trim(), body: m[2]! }));
const valid = blocks.filter((b) => b.info === "json");

const decoded = (text: string): DecodedModel => {
  const r = parseModel(text);
  if (E.isLeft(r)) throw new Error(formatError(r.left));
  return r.right;
};

describe("docs/model-format.md", () => {
  test("has the detection-pooling, base64, convolutional, residual and concatenation examples", () => {
    expect(valid.length).toBe(5);
  });
  test.each(valid.map((b, i) => [i, b.body] as const))("example %i decodes", (_i, body) => {
    const { model, dtype } = decoded(body);
    expect(L.forward(model, T.zeros([2, ...model.inputShape], dtype)).output.shape).toEqual([2, ...L.outputShapeOf(model)]);
  });
  test("the detection-pooling example computes what the page says: x = (1, 2, 3) gives 6.5, nested and base64 alike", () => {
    for (const b of valid.slice(0, 2)) expectAllClose(L.forward(decoded(b.body).model, T.of([1, 2, 3], [1, 3])).output, [6.5], { atol: 1e-12 });
    expect(decoded(valid[0]!.body).metadata).toEqual({ name: "detection-pooling", description: "3 inputs, 2 detection units, sum pooling" });
  });
  test("the base64 example is exactly what encodeModel writes for the first one with tensors: \"base64\"", () => {
    expect(JSON.parse(valid[1]!.body)).toEqual(encodeModel(decoded(valid[0]!.body).model, { tensors: "base64" }));
  });
  test("the convolutional example has the shapes the page lists, in float32", () => {
    const { model, dtype } = decoded(valid[2]!.body);
    expect(dtype).toBe("float32");
    expect(model.shapes).toEqual([[1, 4, 4], [2, 4, 4], [2, 4, 4], [2, 2, 2], [8], [2], [1]]);
  });
  test("the residual example computes what the page says: x = (1, 1) gives 1.5; its graph is the one described", () => {
    const { model } = decoded(valid[3]!.body);
    expectAllClose(L.forward(model, T.of([1, 1], [1, 2])).output, [1.5], { atol: 1e-12 });
    expect(model.nodes.map((n) => [n.name, n.inputs])).toEqual([
      ["fc1", ["input"]],
      ["act1", ["fc1"]],
      ["fc2", ["act1"]],
      ["sum", ["fc2", "input"]],
      ["out", ["sum"]],
      ["sumPool_5", ["out"]],
    ]);
    // written back: version 2, names only where given, inputs only where not the previous layer
    expect({ dtype: "float64", ...(JSON.parse(valid[3]!.body) as object) }).toEqual(encodeModel(model, { metadata: { name: "residual" } }));
  });
  test("the concatenation example has the shapes the page lists", () => {
    const { model } = decoded(valid[4]!.body);
    expect(model.shapes).toEqual([[1, 4, 4], [2, 4, 4], [2, 4, 4], [1, 4, 4], [1, 4, 4], [1, 5, 5], [1, 4, 4], [4, 4, 4], [4], [1]]);
    expect(model.nodes[6]!.inputs).toEqual(["b1relu", "b2relu", "b3"]);
  });
  test("every refused example is refused with exactly the message shown after it", () => {
    const pairs = blocks.flatMap((b, i) => (b.info === "json invalid" ? [[b.body, blocks[i + 1]] as const] : []));
    expect(pairs.length).toBeGreaterThanOrEqual(5);
    for (const [body, shown] of pairs) {
      expect(shown?.info).toBe("text");
      const r = parseModel(body);
      expect(E.isLeft(r) && formatError(r.left)).toBe(shown!.body.replace(/\n$/, ""));
    }
  });
});
