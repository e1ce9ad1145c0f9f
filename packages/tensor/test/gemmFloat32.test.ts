import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { conv2dBackpropInput, conv2dForward } from "../src/internal/kernels/conv2d.ts";
import { gemm, type GemmKernel, wasmBlockSizes } from "../src/internal/kernels/gemm.ts";
import { nativeKernels } from "../src/internal/kernels/native.ts";
import { wasmBlock } from "../src/internal/kernels/wasmBlock.ts";
import { backpropInputRef, convRef, type Geo, outSize } from "./convReference.ts";
import { filled, type FloatArray, gemmRefAbs, label, transposes } from "./gemmFixtures.ts";

const filled32 = (length: number, rng: T.Random.Rng): Float32Array => filled("float32", length, rng);

/**
 * The routes whose float32 sums are float32 and must meet the bound below: WebAssembly SIMD, and the native
 * kernels when vitest.setup.ts installed them (float32 FMAs: one rounding per term, within the same bound).
 */
const float32Routes: readonly GemmKernel[] = nativeKernels() === undefined ? ["wasm"] : ["wasm", "native"];

/** gemm's k block (KC in gemm.ts): float32 sums restart at every block and are added into out. */
const KC = 384;

/**
 * The largest |got − want| / bound over the entries, where bound = (k + ⌈k/KC⌉ + 2)·2⁻²³·(abs + |before|): twice
 * the worst case of float32 sums of k rounded products restarted once per k block (γ_n with n roundings per
 * entry, Higham, "Accuracy and Stability of Numerical Algorithms", §3.1), plus the rounding of float64 operands
 * to float32 and of the addition into `before`. ≤ 1 passes.
 */
const worstRatio = (got: FloatArray, want: Float64Array, abs: Float64Array, k: number, before?: FloatArray): number => {
  const u = (k + Math.ceil(k / KC) + 2) * 2 ** -23;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const prior = before === undefined ? 0 : before[i]!;
    const bound = u * (abs[i]! + Math.abs(prior)) + Number.MIN_VALUE;
    const r = Math.abs(got[i]! - (prior + want[i]!)) / bound;
    if (!(r <= worst)) worst = r; // NaN included
  }
  return worst;
};

describe("float32 gemm on the WebAssembly and native paths (float32 sums)", () => {
  test("the float32 kernel runs under Node: 2²⁴ + 1 − 2²⁴ sums to 0 in float32 (wasm, native), to 1 in float64 (JavaScript)", () => {
    expect(wasmBlock(...wasmBlockSizes)).toBeDefined();
    // A 4×3 of ones times a 3×4 whose columns are (2²⁴, 1, −2²⁴): float32 rounds 2²⁴ + 1 to 2²⁴ (ties to even).
    const a = new Float32Array(12).fill(1);
    const b = new Float32Array(12);
    b.fill(2 ** 24, 0, 4);
    b.fill(1, 4, 8);
    b.fill(-(2 ** 24), 8, 12);
    const sums = (kernel: GemmKernel): number[] => {
      const out = new Float32Array(16).fill(Number.NaN);
      gemm({ m: 4, n: 4, k: 3, a: { data: a }, b: { data: b }, out, kernel });
      return Array.from(out);
    };
    for (const kernel of float32Routes) expect(sums(kernel), kernel).toEqual(new Array<number>(16).fill(0));
    expect(sums("js")).toEqual(new Array<number>(16).fill(1));
  });

  for (const kernel of float32Routes)
  for (const [tA, tB] of transposes) {
    test(`${kernel} ${label(tA, tB)}: m, n off multiples of 4 and 8, k across several k blocks, m > 64 and > 512, n > 1024; within the float32 bound`, () => {
      const rng = T.Random.make(71);
      const cases: [number, number, number][] = [
        [4, 4, 1],
        [4, 8, 3],
        [5, 12, 7],
        [7, 9, 384],
        [8, 13, 385],
        [13, 20, 800],
        [33, 37, 1153],
        [70, 44, 300],
        [129, 131, 257],
        [600, 21, 390],
        [9, 1030, 40],
      ];
      // Plus random shapes (m, n ≥ 4: the blocked path).
      for (let r = 0; r < 8; r++) cases.push([4 + Math.floor(T.Random.uniform(rng, 0, 60)), 4 + Math.floor(T.Random.uniform(rng, 0, 60)), 1 + Math.floor(T.Random.uniform(rng, 0, 900))]);
      for (const [m, n, k] of cases) {
        const a = filled32(m * k, rng);
        const b = filled32(k * n, rng);
        const out = new Float32Array(m * n).fill(Number.NaN);
        gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out, kernel });
        const ref = gemmRefAbs(m, n, k, a, tA, b, tB);
        expect(worstRatio(out, ref.c, ref.abs, k), `${m}×${n}×${k}`).toBeLessThanOrEqual(1);
      }
    });
  }

  test.each(float32Routes)("%s: accumulate adds into out, offsets address sub-arrays, nothing outside the block is written", (kernel) => {
    const rng = T.Random.make(72);
    for (const [m, n, k] of [
      [4, 4, 2],
      [9, 6, 7],
      [13, 10, 400],
      [66, 17, 800],
    ] as const) {
      for (const [tA, tB] of transposes) {
        for (const accumulate of [true, false]) {
          const a = filled32(3 + m * k, rng);
          const b = filled32(5 + k * n, rng);
          const before = filled32(4 + m * n + 2, rng);
          const out = before.slice();
          gemm({ m, n, k, a: { data: a, offset: 3, transpose: tA }, b: { data: b, offset: 5, transpose: tB }, out, outOffset: 4, accumulate, kernel });
          const ref = gemmRefAbs(m, n, k, a.subarray(3), tA, b.subarray(5), tB);
          const prior = accumulate ? before.subarray(4, 4 + m * n) : undefined;
          expect(worstRatio(out.subarray(4, 4 + m * n), ref.c, ref.abs, k, prior), `${m}×${n}×${k} ${label(tA, tB)} ${accumulate}`).toBeLessThanOrEqual(1);
          expect([out[0], out[3], out[4 + m * n], out[5 + m * n]]).toEqual([before[0], before[3], before[4 + m * n], before[5 + m * n]]);
        }
      }
    }
  });

  test("float64 operands into a float32 out are rounded to float32 when packed, then summed in float32", () => {
    const rng = T.Random.make(73);
    const [m, n, k] = [11, 9, 500];
    const a = Float64Array.from(filled32(m * k, rng), (x) => x * (1 + 1e-9));
    const b = Float64Array.from(filled32(k * n, rng), (x) => x * (1 - 1e-9));
    const out = new Float32Array(m * n);
    gemm({ m, n, k, a: { data: a }, b: { data: b }, out });
    const ref = gemmRefAbs(m, n, k, a, false, b, false);
    expect(worstRatio(out, ref.c, ref.abs, k)).toBeLessThanOrEqual(1);
  });

  test("a packed A is reused only in the precision it was packed in (ap32 and ap share memory)", () => {
    const rng = T.Random.make(74);
    // The same float32 A multiplied into a float64 out (packed as float64) and into a float32 out (packed as
    // float32), alternately, with the same key otherwise. Each result must equal, to the bit, the same product
    // computed beforehand from a fresh copy of A (which no later call can match in the cache). k ≤ 384: one k
    // block, so that consecutive calls can meet the packed A.
    const [m, n, k] = [64, 37, 288];
    const a = filled32(m * k, rng);
    const b = filled32(k * n, rng);
    const product = (dtype: T.DType, from: Float32Array): FloatArray => {
      const out = T.alloc(dtype, m * n);
      gemm({ m, n, k, a: { data: from }, b: { data: b, lifetime: "scratch" }, out, kernel: "wasm" });
      return out;
    };
    const expected = { float32: product("float32", a.slice()), float64: product("float64", a.slice()) };
    for (const dtype of ["float64", "float64", "float32", "float32", "float64", "float32", "float64"] as const) {
      const got = product(dtype, a);
      let mismatches = 0;
      for (let i = 0; i < m * n; i++) if (!Object.is(got[i], expected[dtype][i])) mismatches++;
      expect(mismatches, dtype).toBe(0);
    }
  });
});

describe("float32 conv2d (forward: gemmPackedB with float32 panels; input gradient: float32 columns) against float64", () => {
  const geometries: (Geo & { name: string })[] = [
    { name: "LeNet conv2 shape (k = 288, 64 channels)", n: 2, c: 32, h: 12, w: 12, o: 64, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
    { name: "two k blocks (k = 432), positions off multiples of 8 (38·38 = 1444)", n: 1, c: 48, h: 40, w: 40, o: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 },
    { name: "stride 2 with padding, 7 channels, 13 positions", n: 3, c: 3, h: 7, w: 9, o: 7, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  ];
  for (const geo of geometries) {
    test(geo.name, () => {
      const rng = T.Random.make(75);
      const [oh, ow] = outSize(geo);
      const g = { ...geo, oh, ow };
      const x = filled32(geo.n * geo.c * geo.h * geo.w, rng);
      const w = filled32(geo.o * geo.c * geo.kh * geo.kw, rng);
      const y32 = new Float32Array(geo.n * geo.o * oh * ow).fill(Number.NaN);
      const y64 = new Float64Array(y32.length).fill(Number.NaN);
      conv2dForward(x, w, g, y32);
      conv2dForward(Float64Array.from(x), Float64Array.from(w), g, y64);
      const abs = convRef(x.map(Math.abs), w.map(Math.abs), geo);
      expect(worstRatio(y32, y64, abs, geo.c * geo.kh * geo.kw)).toBeLessThanOrEqual(1);
      // The float64 convolution is exact to float64 rounding: against the definition.
      const want = convRef(x, w, geo);
      let worst64 = 0;
      for (let i = 0; i < want.length; i++) worst64 = Math.max(worst64, Math.abs(y64[i]! - want[i]!) / (abs[i]! + Number.MIN_VALUE));
      expect(worst64).toBeLessThan(1e-13);
      // dx: products of k = o terms summed in float32, then up to kh·kw columns folded onto each entry in float32.
      const dy = filled32(y32.length, rng);
      const dx32 = new Float32Array(x.length).fill(Number.NaN);
      const dx64 = new Float64Array(x.length).fill(Number.NaN);
      conv2dBackpropInput(dy, w, g, dx32);
      conv2dBackpropInput(Float64Array.from(dy), Float64Array.from(w), g, dx64);
      const dxAbs = backpropInputRef(dy.map(Math.abs), w.map(Math.abs), geo);
      expect(worstRatio(dx32, dx64, dxAbs, geo.o + geo.kh * geo.kw)).toBeLessThanOrEqual(1);
    });
  }
});
