import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import { formatError, stringifyModel } from "@dtd/model-io";
import { counterexampleSaver, readModelFile, writeFailingCase, writeModelFile } from "@dtd/model-io/file";
import * as T from "@dtd/tensor";
import * as Arb from "./arbitraries.ts";

const dir = mkdtempSync(join(tmpdir(), "dtd-model-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("model files on disk", () => {
  test("write then read gives the same model and metadata; the file is stringifyModel's text; no temporary file is left", () => {
    const model = Arb.everyKind("float32");
    const path = join(dir, "every-kind.json");
    expect(writeModelFile(path, model, { tensors: "base64", metadata: { name: "every kind" } })).toEqual(E.right(undefined));
    expect(readFileSync(path, "utf8")).toBe(stringifyModel(model, { tensors: "base64", metadata: { name: "every kind" } }));
    const back = readModelFile(path);
    if (E.isLeft(back)) throw new Error(formatError(back.left));
    expect(back.right.metadata).toEqual({ name: "every kind" });
    expect(back.right.dtype).toBe("float32");
    expect(back.right.model.shapes).toEqual(model.shapes);
    // Bit identity is the claim: the values themselves, compared exactly.
    const values = (m: L.Model) => L.paramTree(m).map((p) => Object.fromEntries(Object.entries(p).map(([k, x]) => [k, Array.from(x.data)])));
    expect(values(back.right.model)).toEqual(values(model));
    expect(readdirSync(dir)).toEqual(["every-kind.json"]);
  });
  test("a missing file is a FileError naming the path", () => {
    const path = join(dir, "missing.json");
    const r = readModelFile(path);
    expect(r).toEqual(E.left({ _tag: "FileError", path, operation: "read", code: "ENOENT", reason: "no such file or directory" }));
    expect(E.isLeft(r) && formatError(r.left)).toBe(`cannot read model file ${path}: no such file or directory (ENOENT)`);
  });
  test("writing into a directory that does not exist is a FileError naming the path", () => {
    const path = join(dir, "no-such-dir", "m.json");
    const r = writeModelFile(path, Arb.everyKind("float64"));
    expect(r).toMatchObject({ left: { _tag: "FileError", path, operation: "write", code: "ENOENT" } });
    expect(E.isLeft(r) && formatError(r.left)).toBe(`cannot write model file ${path}: no such file or directory (ENOENT)`);
  });
  test("a file that is not JSON: the syntax error's place", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, '{\n  "format": "dtd-model",\n  "version": 1\n  "inputShape": [3]\n}\n');
    const r = readModelFile(path);
    expect(r).toMatchObject({ left: { _tag: "InvalidJson", line: 4, column: 3, expected: '"," or "}"', found: '"\\""' } });
  });
});

describe("failing cases of property tests", () => {
  const model = (() => {
    const m = L.build([2, 1, 2], L.sequential(L.flatten, L.dense(T.of([1, -1, 2, 0.5], [4, 1]), T.of([-0.25], [1]))));
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    return m.right;
  })();
  const x = T.of([1, 2, 3, 4, -1, -2, -3, -4], [2, 2, 1, 2]);
  test("the model as a model file with the description, the failing sample nested in the input shape", () => {
    const sub = join(dir, "cases");
    const r = writeFailingCase(sub, "rootsAreRoots", { model, x, sample: 1, description: "rule r, property rootsAreRoots: why" });
    expect(r).toEqual(E.right({ model: join(sub, "rootsAreRoots.model.json"), input: join(sub, "rootsAreRoots.input.json") }));
    const back = readModelFile(join(sub, "rootsAreRoots.model.json"));
    if (E.isLeft(back)) throw new Error(formatError(back.left));
    expect(back.right.metadata).toEqual({ counterexample: "rule r, property rootsAreRoots: why" });
    expect(back.right.model.shapes).toEqual(model.shapes);
    expect(JSON.parse(readFileSync(join(sub, "rootsAreRoots.input.json"), "utf8"))).toEqual([[[-1, -2]], [[-3, -4]]]);
  });
  test("the kit's save hook says where the files are and how to open them, or why they are not", () => {
    const say = counterexampleSaver(join(dir, "saved"))({ model, x, sample: 0, description: "d" }, "positive");
    expect(say).toBe(`${join(dir, "saved", "positive.model.json")} and ${join(dir, "saved", "positive.input.json")} (dtd check --model ${join(dir, "saved", "positive.model.json")} --input ${join(dir, "saved", "positive.input.json")} --rule …)`);
    writeFileSync(join(dir, "a-file"), "");
    expect(counterexampleSaver(join(dir, "a-file", "below"))({ model, x, sample: 0, description: "d" }, "positive")).toMatch(/^not saved: cannot write model file .*a-file\/below: /);
  });
});
