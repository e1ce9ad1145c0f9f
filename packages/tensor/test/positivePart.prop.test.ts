import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "../src/index.ts";
import { unsafeMake } from "../src/unsafe.ts";

/** Every bit pattern, NaNs with payloads and both signs included, compared with the definition v > 0 ? v : 0. */
describe("positivePart (branch-free on the bits)", () => {
  const same = (got: ArrayLike<number>, x: ArrayLike<number>) => {
    for (let i = 0; i < x.length; i++) expect(Object.is(got[i], x[i]! > 0 ? x[i]! : 0), `x⁺ of ${x[i]}: ${got[i]}`).toBe(true);
  };

  test("float32: all 32-bit patterns", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 40 }), (bits) => {
        const x = new Float32Array(Int32Array.from(bits).buffer);
        same(T.positivePart(unsafeMake([x.length], x)).data, x);
      }),
    );
  });

  test("float64: all 64-bit patterns, and high words at the NaN/∞ boundary", () => {
    const word = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0x7ff00000, 0x7ff00001, 0x7fefffff, -0x100000, 0, 1, -1, -(2 ** 31)));
    fc.assert(
      fc.property(fc.array(fc.tuple(word, word), { maxLength: 40 }), (pairs) => {
        const x = new Float64Array(Int32Array.from(pairs.flat()).buffer);
        same(T.positivePart(unsafeMake([x.length], x)).data, x);
      }),
    );
  });

  test("an offset view (subarray) is read from its own offset", () => {
    const base = new Float64Array([-1, 2, -3, 4, Number.NaN, 5]);
    const x = base.subarray(1, 5);
    expect(Array.from(T.positivePart(unsafeMake([4], x)).data)).toEqual([2, 0, 4, 0]);
  });
});
