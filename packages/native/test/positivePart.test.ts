/**
 * The addon's x⁺ against @dtd/tensor's JavaScript loop (positivePart through the op with the native kernels
 * uninstalled): the same bits on arrays long enough to take the native route, whose entries are random bit
 * patterns — NaN of either sign and any payload, ±0, ±∞, subnormals — in both element types; and the arguments
 * it refuses.
 */
import * as T from "@dtd/tensor";
import { installNativeKernels, nativeKernels, unsafeMake } from "@dtd/tensor/unsafe";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { loadNative, message } from "../src/index.ts";

const loaded = loadNative();
const required = process.env["DTD_REQUIRE_NATIVE"] === "1";
const run = E.isRight(loaded) || required ? describe : describe.skip;

const positivePart = (x: T.Tensor, native: boolean): T.Tensor => {
  const before = nativeKernels();
  if (E.isLeft(loaded)) throw new Error(message(loaded.left));
  installNativeKernels(native ? loaded.right : undefined);
  try {
    return T.positivePart(x);
  } finally {
    installNativeKernels(before);
  }
};

/** The bits of a float array as unsigned words (NaN payloads and the sign of zero included). */
const bits = (a: T.FloatArray): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4));

run("native positivePart", () => {
  test("the same bits as the JavaScript loop on random bit patterns, both element types", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    expect(typeof loaded.right.positivePart).toBe("function");
    const special = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x00000001, 0x80000001];
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 5000 }), fc.constantFrom<T.DType>("float32", "float64"), fc.integer(), (n, dtype, seed) => {
        const rng = T.Random.make(seed);
        const data = T.alloc(dtype, n);
        const words = new Uint32Array(data.buffer);
        for (let i = 0; i < words.length; i++) {
          const r = T.Random.uniform(rng, 0, 1);
          words[i] = r < 0.3 ? special[Math.floor((r / 0.3) * special.length)]! : Math.floor(T.Random.uniform(rng, 0, 2 ** 32)) >>> 0;
        }
        // float64: high words from the specials too (NaN, ±∞, ±0 as whole doubles), low words 0 or random.
        if (dtype === "float64") for (let i = 1; i < words.length; i += 4) words[i] = special[i % special.length]! & 0xfff00000 | (words[i]! & 0x000fffff & -(i % 3 === 0));
        const x = unsafeMake([n], data); // T.of refuses non-finite values
        const nat = positivePart(x, true);
        const js = positivePart(x, false);
        expect(nat.dtype).toBe(dtype);
        expect(bits(nat.data)).toEqual(bits(js.data));
      }),
      { numRuns: 30 },
    );
  });

  test("refuses mixed element types, lengths that differ, and an output partly overlapping x", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    const f = loaded.right.positivePart!;
    const x = new Float32Array(8).fill(-1);
    expect(() => f(x, new Float64Array(8))).toThrow(TypeError);
    expect(() => f(x, new Float32Array(7))).toThrow(RangeError);
    const whole = new Float32Array(12);
    expect(() => f(whole.subarray(0, 8), whole.subarray(4, 12))).toThrow(RangeError);
    const out = new Float32Array(8);
    f(new Float32Array([1, -1, 0, -0, 2, Number.NaN, Number.POSITIVE_INFINITY, -3]), out);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 2, 0, Number.POSITIVE_INFINITY, 0]);
    expect(Object.is(out[3], 0)).toBe(true);
  });
});
