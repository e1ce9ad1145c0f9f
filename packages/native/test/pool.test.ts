/**
 * The addon's max pooling against @dtd/tensor's JavaScript loop (maxPool2dForwardJs through the op with the
 * native kernels uninstalled): the same values and winners, bit for bit, on random geometries (2×2 and general
 * windows, strides, batches) whose inputs carry NaN, ±∞, ±0 and ties; and the arguments it refuses.
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

/** Values with ties, signed zeros and non-finite entries, in the element type. */
const special = [0, -0, 1, 1, -1, 0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];

const pool = (x: T.Tensor, kernel: [number, number], stride: [number, number], native: boolean) => {
  const before = nativeKernels();
  if (E.isLeft(loaded)) throw new Error(message(loaded.left));
  installNativeKernels(native ? loaded.right : undefined);
  try {
    return T.maxPool2d(x, { kernel, stride });
  } finally {
    installNativeKernels(before);
  }
};

run("native maxPool2d", () => {
  test("the same values and winners as the JavaScript loop, NaN/±∞/ties included", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    expect(typeof loaded.right.maxPool2d).toBe("function");
    const geometry = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      extraH: fc.integer({ min: 0, max: 6 }),
      extraW: fc.integer({ min: 0, max: 21 }),
      dtype: fc.constantFrom<T.DType>("float32", "float64"),
      square: fc.boolean(),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(geometry, (g) => {
        const kh = g.square ? 2 : g.kh;
        const kw = g.square ? 2 : g.kw;
        const h = kh + g.extraH;
        const w = kw + g.extraW;
        const rng = T.Random.make(g.seed);
        const data = T.alloc(g.dtype, g.n * g.c * h * w);
        for (let i = 0; i < data.length; i++) {
          const r = T.Random.uniform(rng, 0, 1);
          data[i] = r < 0.5 ? special[Math.floor(r * 2 * special.length)]! : Math.round(T.Random.uniform(rng, -4, 4));
        }
        const x = unsafeMake([g.n, g.c, h, w], data); // T.of refuses non-finite values
        // 2×2 windows at stride 2 (the vector rows of pool.c) half the time.
        const stride: [number, number] = g.square ? [2, 2] : [g.sh, g.sw];
        const js = pool(x, [kh, kw], stride, false);
        const nat = pool(x, [kh, kw], stride, true);
        expect(nat.y.dtype).toBe(g.dtype);
        expect(Array.from(nat.argmax)).toEqual(Array.from(js.argmax));
        // Object.is: NaN equals NaN, −0 differs from +0 (copies keep the sign).
        const a = Array.from(nat.y.data);
        const b = Array.from(js.y.data);
        expect(a.every((v, i) => Object.is(v, b[i]))).toBe(true);
      }),
    );
  });

  test("a NaN wins its window; the first maximum wins a tie", () => {
    const x = unsafeMake([1, 1, 2, 4], new Float32Array([1, Number.NaN, 3, 3, 2, 2, 2, 2]));
    const r = pool(x, [2, 2], [2, 2], true);
    expect(Array.from(r.argmax)).toEqual([1, 2]);
    expect(Number.isNaN(r.y.data[0]!)).toBe(true);
    expect(r.y.data[1]).toBe(3);
  });

  test("refuses arguments that would read or write outside the arrays", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    const f = loaded.right.maxPool2d!;
    const x = new Float32Array(16);
    // 1 plane of 4×4, 2×2 windows, stride 2, 2×2 out — but out and argmax too short, a window outside x, mixed types.
    expect(() => f(x, new Float32Array(3), new Int32Array(4), new Float64Array([1, 4, 4, 2, 2, 2, 2, 2, 2]))).toThrow(RangeError);
    expect(() => f(x, new Float32Array(4), new Int32Array(3), new Float64Array([1, 4, 4, 2, 2, 2, 2, 2, 2]))).toThrow(RangeError);
    expect(() => f(x, new Float32Array(4), new Int32Array(4), new Float64Array([1, 4, 4, 2, 2, 3, 3, 2, 2]))).toThrow(RangeError);
    expect(() => f(x, new Float32Array(4), new Int32Array(4), new Float64Array([2, 4, 4, 2, 2, 2, 2, 2, 2]))).toThrow(RangeError);
    expect(() => f(x, new Float64Array(4), new Int32Array(4), new Float64Array([1, 4, 4, 2, 2, 2, 2, 2, 2]))).toThrow(TypeError);
    expect(() => f(x, new Float32Array(4), new Int32Array(4), new Float64Array([1, 4, 4, 2, 2, 2, 2, 2, 0.5]))).toThrow(RangeError);
  });
});
