import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { divNoNanSum } from "@dtd/tensor/unsafe";

/** Values with exact zeros and cancellations (b + c = 0) mixed in. */
const valueArb = fc.oneof(fc.constantFrom(0, 1, -1, 0.5, -0.5), fc.double({ min: -4, max: 4, noNaN: true }));

describe("divNoNanSum", () => {
  test("equals divNoNan(a, add(b, c)) to the bit: per-sample, suffix and non-periodic c, both dtypes", () => {
    const caseArb = fc
      .record({
        dims: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        form: fc.constantFrom("sample", "suffix", "same", "column"),
        dtype: fc.constantFrom("float32" as const, "float64" as const),
        seed: fc.nat(),
      })
      .chain(({ dims, form, dtype, seed }) => {
        const cShape =
          form === "sample" ? [1, ...dims.slice(1)] : form === "suffix" ? dims.slice(-1) : form === "same" ? dims : [...dims.slice(0, -1), 1];
        const n = dims.reduce((p, d) => p * d, 1);
        const m = cShape.reduce((p, d) => p * d, 1);
        return fc.record({
          a: fc.array(valueArb, { minLength: n, maxLength: n }),
          b: fc.array(valueArb, { minLength: n, maxLength: n }),
          c: fc.array(valueArb, { minLength: m, maxLength: m }),
          dims: fc.constant(dims),
          cShape: fc.constant(cShape),
          dtype: fc.constant(dtype),
          seed: fc.constant(seed),
        });
      });
    fc.assert(
      fc.property(caseArb, ({ a, b, c, dims, cShape, dtype }) => {
        const [ta, tb, tc] = [T.of(a, dims, dtype), T.of(b, dims, dtype), T.of(c, cShape, dtype)];
        const fused = divNoNanSum(ta, tb, tc);
        const composed = T.divNoNan(ta, T.add(tb, tc));
        expect(fused.dtype).toBe(dtype);
        expect(fused.shape).toEqual(composed.shape);
        expect(Array.from(fused.data)).toEqual(Array.from(composed.data));
        expect(fused.data.some((v) => Number.isNaN(v))).toBe(false);
      }),
    );
  });

  test("without c, equals divNoNan(a, b) to the bit (both dtypes, zeros in b)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(valueArb, valueArb), { minLength: 1, maxLength: 40 }),
        fc.constantFrom("float32" as const, "float64" as const),
        (pairs, dtype) => {
          const a = T.of(pairs.map(([p]) => p), [pairs.length], dtype);
          const b = T.of(pairs.map(([, q]) => q), [pairs.length], dtype);
          expect(Array.from(divNoNanSum(a, b).data)).toEqual(Array.from(T.divNoNan(a, b).data));
        },
      ),
    );
  });

  test("0 where the denominator cancels to 0; a shape mismatch between a and b names both", () => {
    const R = T.of([1, 2, 3, 4], [2, 2]);
    const z = T.of([1, -2, 0.5, 2], [2, 2]);
    const K = T.of([-1, 2], [1, 2]);
    expect(Array.from(divNoNanSum(R, z, K).data)).toEqual([0, 0, 3 / -0.5, 1]);
    expect(() => divNoNanSum(R, T.zeros([4]), K)).toThrow(/divNoNanSum.*\[2, 2\].*\[4\]/s);
  });
});
