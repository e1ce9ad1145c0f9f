import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { takeKernelsFlag } from "../src/kernelsFlag.ts";

describe("--kernels", () => {
  test("taken out of the arguments wherever it is, in both spellings; the last one wins", () => {
    expect(takeKernelsFlag(["explain", "--kernels", "wasm", "--model", "m.json"])).toEqual(E.right({ choice: "wasm", rest: ["explain", "--model", "m.json"] }));
    expect(takeKernelsFlag(["--kernels=native", "check"])).toEqual(E.right({ choice: "native", rest: ["check"] }));
    expect(takeKernelsFlag(["--kernels=native", "check", "--kernels", "auto"])).toEqual(E.right({ choice: "auto", rest: ["check"] }));
    expect(takeKernelsFlag(["explain", "--", "--kernels", "wasm"])).toEqual(E.right({ choice: undefined, rest: ["explain", "--", "--kernels", "wasm"] }));
  });

  test("an unknown or missing choice is refused with the choices", () => {
    const bad = takeKernelsFlag(["--kernels", "fast"]);
    expect(E.isLeft(bad) && bad.left).toEqual({ _tag: "UnknownKernels", where: "--kernels", expected: ["auto", "native", "wasm"], found: "fast" });
    const missing = takeKernelsFlag(["check", "--kernels"]);
    expect(E.isLeft(missing) && missing.left._tag).toBe("UnknownKernels");
  });
});
