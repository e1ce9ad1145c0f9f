/**
 * The same-shape loops of the built-in binary ops (`binarySame`, one copy per element type) against the strided
 * loops they stand in for (`binaryRun`): equal to the bit, every op, both dtypes, with zeros, ±0, ±∞ and NaN among
 * the operands; and through `T.add`/`T.mul`/`T.divNoNan` on tensors of one shape.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { type BinaryCode, binaryRun, binarySame } from "../src/internal/elementwiseRun.ts";

const codes: readonly BinaryCode[] = ["add", "sub", "mul", "div", "divNoNan", "maximum", "minimum"];
const entry = fc.oneof(fc.double(), fc.constantFrom(0, -0, 1, Infinity, -Infinity, NaN));

describe("binarySame: the built-in binary ops on operands of one shape", () => {
  test("equal to the strided loop to the bit, every op and dtype", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(entry, entry), { minLength: 1, maxLength: 40 }), fc.constantFrom<T.DType>("float32", "float64"), (pairs, dtype) => {
        const make = (vs: number[]) => (dtype === "float32" ? Float32Array.from(vs) : Float64Array.from(vs));
        const A = make(pairs.map(([a]) => a));
        const B = make(pairs.map(([, b]) => b));
        for (const code of codes) {
          const got = make(pairs.map(() => 0));
          const want = make(pairs.map(() => 0));
          binarySame(code, got, A, B);
          binaryRun(code, want, 0, A, 0, 1, B, 0, 1, want.length);
          expect(Array.from(got).map((v) => Object.is(v, -0) ? "-0" : v)).toEqual(Array.from(want).map((v) => Object.is(v, -0) ? "-0" : v));
        }
      }),
    );
  });
  test("mixed element types (no monomorphic copy) take the strided loop", () => {
    const out = new Float64Array(3);
    binarySame("divNoNan", out, Float32Array.of(1, 2, 3), Float64Array.of(2, 0, 4));
    expect(Array.from(out)).toEqual([0.5, 0, 0.75]);
  });
  test("through the ops: divNoNan of one shape, float32", () => {
    const a = T.of([1, 2, 3, 4], [2, 2], "float32");
    const b = T.of([2, 0, -4, 8], [2, 2], "float32");
    expect(Array.from(T.divNoNan(a, b).data)).toEqual([0.5, 0, -0.75, 0.5]);
    expect(Array.from(T.mul(a, b).data)).toEqual([2, 0, -12, 32]);
  });
});
