/**
 * The JSON of an explanation (`toJson`): the text `JSON.stringify` writes of it is the text of the plain mapping
 * `Array.from(R, jsonNumber)` — the packed-array fast path changes the time, never the bytes (a non-finite value
 * anywhere, -0, subnormals, float32 heatmaps included).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { jsonNumber, toJson } from "../src/explainJson.ts";

const value = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 5e-324, -5e-324, 1e21, 1e-7, 123456789012345680000, Number.NaN, Infinity, -Infinity),
  fc.integer().map((n) => n),
);

test("toJson's relevance stringifies as Array.from(R, jsonNumber) does, for float64 and float32 heatmaps", () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 300 }), fc.boolean(), (values, f32) => {
      const R = f32 ? Float32Array.from(values) : Float64Array.from(values);
      const r = { f: values[0] ?? 1, R, biasRelevance: -0, consistency: { conservationError: 0.5, minRelevance: values[1] ?? 0, consistent: true } };
      const reference = { f: jsonNumber(r.f), relevance: Array.from(R, jsonNumber), conservationError: 0.5, minRelevance: jsonNumber(values[1] ?? 0), consistent: true, biasRelevance: -0 };
      expect(JSON.stringify(toJson(r))).toBe(JSON.stringify(reference));
    }),
  );
});
