/**
 * The many-input records (batch/records.ts): the line written for an outcome is, character for character, the
 * `JSON.stringify` of its record object — whatever the doubles (NaN, ±Infinity, −0, subnormals, the extremes),
 * the file name (quotes, backslashes, control characters, any Unicode) and the warnings.
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { expect, test } from "vitest";
import * as DT from "@dtd/deep-taylor";
import type { Consistency } from "@dtd/deep-taylor";
import type { Heatmap, Outcome } from "@dtd/parallel";
import { toJson } from "../src/explainJson.ts";
import { recordLine, relevanceText } from "../src/batch/records.ts";

const anyDouble = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, Number.MAX_VALUE, 5e-324, 1e21, 1e-7));

/** The record object, as recordLine wrote it before it built the relevance array itself. */
const reference = (o: Outcome<unknown>, file: string | undefined): string => {
  if (E.isLeft(o.result)) throw new Error("only explained outcomes here");
  const h = o.result.right;
  const warnings = h.warnings.map(DT.message);
  return JSON.stringify({ index: o.index, ...(file === undefined ? {} : { file }), ...toJson(h), ...(warnings.length === 0 ? {} : { warnings }) });
};

test("relevanceText is JSON.stringify of the array, non-finite values by name", () => {
  fc.assert(fc.property(fc.array(anyDouble, { maxLength: 40 }), (xs) => {
    expect(relevanceText(Float64Array.from(xs))).toBe(JSON.stringify(xs.map((v) => (Number.isFinite(v) ? v : String(v)))));
  }));
});

test("a record line is the JSON.stringify of its record, for any doubles, file name and warnings", () => {
  const outcome = fc.record({
    index: fc.nat(),
    R: fc.array(anyDouble, { maxLength: 30 }),
    f: anyDouble,
    biasRelevance: anyDouble,
    conservationError: anyDouble,
    minRelevance: anyDouble,
    consistent: fc.boolean(),
    file: fc.option(fc.string({ unit: "binary" }), { nil: undefined }),
    warned: fc.boolean(),
    float32: fc.boolean(),
  });
  fc.assert(fc.property(outcome, (c) => {
    const warning: DT.DtdError = { _tag: "NonFinite", stage: "activation", layer: 1, name: 'dense "1"', kind: "dense", rule: "", sample: 0, unit: 3, value: Number.NaN };
    const consistency: Consistency.SampleConsistency = {
      f: c.f,
      sumR: 0,
      conservationError: c.conservationError,
      relativeConservationError: 0,
      minRelevance: c.minRelevance,
      tolerance: 0,
      finite: true,
      conservative: c.consistent,
      positive: c.consistent,
      consistent: c.consistent,
    };
    const R = c.float32 ? Float32Array.from(c.R) : Float64Array.from(c.R);
    const heatmap: Heatmap = { f: c.f, R, biasRelevance: c.biasRelevance, consistency, warnings: c.warned ? [warning] : [] };
    const o: Outcome<unknown> = { index: c.index, payload: undefined, result: E.right(heatmap) };
    expect(recordLine(o, c.file)).toBe(reference(o, c.file));
  }));
});
