/**
 * The addon's quotient (eq. (4)'s c = R / (s + K), 0 where the denominator is 0) against @dtd/tensor's
 * JavaScript loops (divNoNanSum through the op with the native kernels uninstalled): the same bits on random
 * shapes long enough to take the native route, with exact zeros, cancellations (b + c = 0), signed zeros and
 * non-finite entries, c per sample, as a suffix, or absent; and the arguments it refuses.
 */
import * as T from "@dtd/tensor";
import { divNoNanSum, installNativeKernels, nativeKernels, unsafeMake } from "@dtd/tensor/unsafe";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { loadNative, message } from "../src/index.ts";

const loaded = loadNative();
const required = process.env["DTD_REQUIRE_NATIVE"] === "1";
const run = E.isRight(loaded) || required ? describe : describe.skip;

const special = [0, -0, 1, -1, 0.5, -0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];

const quotient = (a: T.Tensor, b: T.Tensor, c: T.Tensor | undefined, native: boolean): T.Tensor => {
  const before = nativeKernels();
  if (E.isLeft(loaded)) throw new Error(message(loaded.left));
  installNativeKernels(native ? loaded.right : undefined);
  try {
    return divNoNanSum(a, b, c);
  } finally {
    installNativeKernels(before);
  }
};

run("native quotient", () => {
  test("the same bits as the JavaScript loops: zeros, cancellations, ±0, ±∞, NaN; c per sample, a suffix, or absent", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    expect(typeof loaded.right.quotient).toBe("function");
    const cases = fc.record({
      n: fc.integer({ min: 1, max: 3 }),
      c: fc.integer({ min: 1, max: 8 }),
      hw: fc.integer({ min: 128, max: 700 }),
      form: fc.constantFrom("sample", "suffix", "none"),
      dtype: fc.constantFrom<T.DType>("float32", "float64"),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(cases, (g) => {
        const rng = T.Random.make(g.seed);
        const draw = (length: number): T.FloatArray => {
          const d = T.alloc(g.dtype, length);
          for (let i = 0; i < length; i++) {
            const r = T.Random.uniform(rng, 0, 1);
            d[i] = r < 0.3 ? special[Math.floor((r / 0.3) * special.length)]! : Math.round(T.Random.uniform(rng, -8, 8)) / 4;
          }
          return d;
        };
        const shape = [g.n, g.c, g.hw];
        const size = g.n * g.c * g.hw;
        const a = unsafeMake(shape, draw(size)); // T.of refuses non-finite values
        const cData = draw(g.form === "suffix" ? g.hw : g.c * g.hw);
        // b = −c on a third of the entries: exact cancellations.
        const bData = draw(size);
        for (let i = 0; i < size; i += 3) bData[i] = -cData[i % cData.length]!;
        const b = unsafeMake(shape, bData);
        const c = g.form === "none" ? undefined : unsafeMake(g.form === "suffix" ? [g.hw] : [1, g.c, g.hw], cData);
        const js = quotient(a, b, c, false);
        const nat = quotient(a, b, c, true);
        expect(nat.dtype).toBe(g.dtype);
        expect(nat.shape).toEqual(shape);
        const p = Array.from(nat.data);
        const q = Array.from(js.data);
        expect(p.every((v, i) => Object.is(v, q[i]) || (Number.isNaN(v) && Number.isNaN(q[i])))).toBe(true);
      }),
    );
  });

  test("refuses mixed element types, lengths that do not fit, and an output overlapping an operand", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    const f = loaded.right.quotient!;
    const a = new Float32Array(8);
    expect(() => f(a, new Float32Array(8), new Float32Array(3), new Float32Array(8))).toThrow(RangeError);
    expect(() => f(a, new Float32Array(7), undefined, new Float32Array(8))).toThrow(RangeError);
    expect(() => f(a, new Float32Array(8), new Float32Array(0), new Float32Array(8))).toThrow(RangeError);
    expect(() => f(a, new Float64Array(8), undefined, new Float32Array(8))).toThrow(TypeError);
    expect(() => f(a, new Float32Array(8), new Float64Array(4), new Float32Array(8))).toThrow(TypeError);
    expect(() => f(a, new Float32Array(8), undefined, a)).toThrow(RangeError);
    const out = new Float32Array(8);
    f(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), new Float32Array([1, -1, 0, 2, 1, 1, 1, 1]), new Float32Array([0, 1]), out);
    expect(Array.from(out)).toEqual([1, 0, 0, Math.fround(4 / 3), 5, 3, 7, 4]);
  });
});
