/** float16 decoding: known values, and every half value round-trips through the test's encoder. */
import { describe, expect, test } from "vitest";
import { float16ToNumber } from "../src/internal/float16.ts";
import { toFloat16 } from "./tfjsFiles.ts";

describe("float16", () => {
  test("known values", () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00].map(float16ToNumber)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, -0, Infinity, -Infinity]);
    expect(float16ToNumber(0x7e00)).toBeNaN();
  });
  test("every non-NaN half decodes to the value that encodes back to it", () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = float16ToNumber(h);
      if (Number.isNaN(v)) continue;
      if (toFloat16(v) !== h) throw new Error(`0x${h.toString(16)} → ${v} → 0x${toFloat16(v).toString(16)}`);
    }
  });
});
