/**
 * What JSON.parse accepts but reads wrongly (issue 12, cases 6 and 8): a field given twice (the last one wins, so
 * a refused value hides behind an accepted one), a number beyond ±1.8e308 (read as Infinity); and metadata that a
 * model file cannot hold faithfully (nested 5,000 deep: JSON.stringify overflows when the model is written back).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { formatError, formatJsonError, MAX_METADATA_DEPTH, type ModelFileError, parseJson, parseModel, type PathStep } from "@dtd/model-io";
import { writeModelFile } from "@dtd/model-io/file";

const messageOf = (r: E.Either<ModelFileError, unknown>): string => (E.isLeft(r) ? formatError(r.left) : "Right");
const deck = (dense: string) => `{"format": "dtd-model", "version": 1, "inputShape": [3], "layers": [${dense}, {"type": "relu"}, {"type": "sumPool"}]}`;

describe("case 8: duplicate fields are refused with their path", () => {
  test('"bias":[5,5],"bias":[-1,-0.5] is not read as the second', () => {
    const text = deck('{"type": "dense", "weight": [[1, -2], [2, 1], [-1, 3]], "bias": [5, 5], "bias": [-1, -0.5]}');
    expect(messageOf(parseModel(text))).toBe('layers[0]: expected each field once, found a second field "bias" (line 1, column 141; JSON.parse would keep the last one silently)');
  });
  test("escaped names are compared decoded, at any depth; the top level too", () => {
    expect(messageOf(parseModel('{"format": "dtd-model", "\\u0066ormat": "dtd-model"}'))).toMatch(/^\(top level\): expected each field once, found a second field "format"/);
    const r = parseJson('{"a": [1, {"b": {"c": 1, "d": [{}, {"e": 1, "e": 2}]}}]}');
    expect(E.isLeft(r) && formatJsonError(r.left)).toMatch(/^\$\.a\[1\]\.b\.d\[1\]: expected each field once, found a second field "e"/);
  });
  test("a key equal to a string value elsewhere is not a duplicate", () => {
    expect(E.isRight(parseJson('{"a": "b", "b": ["a", "b"], "c": {"a": 1}}'))).toBe(true);
  });
  test("the first duplicate in the text, whatever the nesting (random documents)", () => {
    type Doc = number | string | Doc[] | { readonly keys: readonly string[]; readonly values: readonly Doc[]; readonly dup: boolean };
    const doc: fc.Arbitrary<Doc> = fc.letrec<{ doc: Doc }>((tie) => ({
      doc: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.integer(),
        fc.string({ maxLength: 3 }),
        fc.array(tie("doc"), { maxLength: 3 }),
        fc.tuple(fc.uniqueArray(fc.constantFrom("a", "b", "c", 'q"', "é"), { minLength: 1, maxLength: 3 }), fc.array(tie("doc"), { minLength: 3, maxLength: 3 }), fc.boolean()).map(([keys, values, dup]) => ({ keys, values, dup })),
      ),
    })).doc;
    fc.assert(
      fc.property(doc, (d) => {
        const dups: { readonly at: number; readonly path: readonly PathStep[] }[] = [];
        const write = (v: Doc, path: readonly PathStep[], out: string[]): void => {
          const at = () => out.join("").length;
          if (typeof v === "number" || typeof v === "string") out.push(JSON.stringify(v));
          else if (Array.isArray(v)) {
            out.push("[");
            v.forEach((x, i) => (i > 0 && out.push(", "), write(x, [...path, i], out)));
            out.push("]");
          } else {
            out.push("{");
            v.keys.forEach((k, i) => (i > 0 && out.push(", "), out.push(`${JSON.stringify(k)}: `), write(v.values[i]!, [...path, k], out)));
            if (v.dup) {
              out.push(", ");
              dups.push({ at: at(), path });
              out.push(`${JSON.stringify(v.keys[0])}: 0`);
            }
            out.push("}");
          }
        };
        const out: string[] = [];
        write(d, [], out);
        const r = parseJson(out.join(""));
        const first = dups.sort((p, q) => p.at - q.at)[0];
        if (first === undefined) expect(E.isRight(r)).toBe(true);
        else expect(E.isLeft(r) && r.left._tag === "DuplicateKey" && r.left.path.slice(0, -1)).toEqual(first.path);
      }),
    );
  });
});

describe("case 6: numbers beyond ±1.8e308, found before decoding", () => {
  test("1e309 in a weight is named with its path and literal", () => {
    const text = deck('{"type": "dense", "weight": [[1, -2], [2, 1e309], [-1, 3]], "bias": [-1, -0.5]}');
    expect(messageOf(parseModel(text))).toBe(
      "layers[0].weight[1][1]: expected a finite number (|x| ≤ 1.7976931348623157e308), found 1e309 (line 1, column 111), which JSON.parse reads as Infinity",
    );
    const r = parseJson(`[1, -2.5e400, ${"9".repeat(400)}]`);
    expect(E.isLeft(r) && formatJsonError(r.left)).toMatch(/^\$\[1\]: expected a finite number .* found -2\.5e400 .* reads as -Infinity$/);
    expect(E.isRight(parseJson("[1e308, -1.7976931348623157e308, 1e-400, 123456789012345678901234567890]"))).toBe(true);
  });
});

describe("case 6: metadata a model file cannot hold", () => {
  const nested = (depth: number): Record<string, unknown> => {
    const root: Record<string, unknown> = {};
    let cur = root;
    for (let i = 0; i < depth; i++) {
      const next: Record<string, unknown> = {};
      cur["a"] = next;
      cur = next;
    }
    return root;
  };
  test(`metadata nested 5,000 deep is refused when the file is read (at most ${MAX_METADATA_DEPTH} levels)`, () => {
    const text = `{"format": "dtd-model", "version": 1, "inputShape": [1], "layers": [], "metadata": ${JSON.stringify(nested(90))}}`.replace(
      '"a":{}',
      `${'"a":{'.repeat(4910)}${"}".repeat(4910)}`,
    );
    expect(messageOf(parseModel(text))).toBe(`metadata: expected metadata nested at most ${MAX_METADATA_DEPTH} levels deep, found nesting more than ${MAX_METADATA_DEPTH} levels deep at metadata.a.a.a.a.a.a.a.a…`);
    const ok = parseModel(`{"format": "dtd-model", "version": 1, "inputShape": [1], "layers": [], "metadata": ${JSON.stringify(nested(MAX_METADATA_DEPTH))}}`);
    expect(E.isRight(ok)).toBe(true);
  });
  test("writing refuses NaN, class instances and deep nesting in metadata, before writing anything", () => {
    const model = L.build([2], [L.dense(T.ones([2, 1]), T.zeros([1]))]);
    if (E.isLeft(model)) throw new Error(L.message(model.left));
    const dir = mkdtempSync(join(tmpdir(), "dtd-meta-"));
    const write = (metadata: Record<string, unknown>) => writeModelFile(join(dir, "m.json"), model.right, { metadata });
    expect(messageOf(write({ training: { finalLoss: NaN } }))).toBe("metadata.training.finalLoss: expected a finite number (JSON has no NaN or Infinity), found NaN");
    expect(messageOf(write({ when: new Date(0) }))).toMatch(/^metadata\.when: expected a JSON value .* found an object of class Date$/);
    expect(messageOf(write(nested(5000)))).toMatch(/^metadata\.a\.a.*…: expected metadata nested at most 100 levels deep/);
    expect(() => readFileSync(join(dir, "m.json"))).toThrow();
    expect(E.isRight(write({ name: "ok", tags: ["a", 1, null, true], skipped: undefined }))).toBe(true);
    // a parameter that went NaN (a diverged training, unsafeMake) would be written as null: refused too
    const diverged = L.withParamTree(model.right, [{ W: unsafeMake([2, 1], Float64Array.of(1, NaN)), b: T.zeros([1]) }]);
    expect(messageOf(writeModelFile(join(dir, "nan.json"), diverged))).toBe(
      "layers[0]: expected finite parameters of one dtype, found layer 0 (dense) is invalid: expected finite parameters, found NaN in W at flat index 1",
    );
    expect(() => readFileSync(join(dir, "nan.json"))).toThrow();
  });
});
