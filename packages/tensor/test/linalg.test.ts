import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { matmul } from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { gemm, type GemmKernel, gemmRoute, wasmBlockSizes } from "../src/internal/kernels/gemm.ts";
import { installNativeKernels, nativeKernels } from "../src/internal/kernels/native.ts";
import { wasmBlock } from "../src/internal/kernels/wasmBlock.ts";
import { filled, type FloatArray, gemmRef, label, tol, transposes } from "./gemmFixtures.ts";

/**
 * Every set of loops: "auto" is the native kernels where vitest.setup.ts installed them (@dtd/native), "wasm" the
 * WebAssembly SIMD kernels (see the test below), "js" the fallback.
 */
const kernels: readonly GemmKernel[] = ["auto", "wasm", "js"];

describe("gemm kernel against the definition", () => {
  const sizes = [1, 7, 33, 65];
  for (const [kernel, dtype] of kernels.flatMap((kn) => T.dtypes.map((d) => [kn, d] as const))) {
    for (const [tA, tB] of transposes) {
      test(`${kernel} ${dtype} ${label(tA, tB)}: every m, n, k in {1, 7, 33, 65}`, () => {
        const rng = T.Random.make(11);
        for (const m of sizes) {
          for (const n of sizes) {
            for (const k of sizes) {
              const a = filled(dtype, m * k, rng);
              const b = filled(dtype, k * n, rng);
              const out = T.alloc(dtype, m * n).fill(Number.NaN);
              gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out, kernel });
              expectAllClose(out, gemmRef(m, n, k, a, tA, b, tB), tol(dtype, k));
            }
          }
        }
      });
      test(`${kernel} ${dtype} ${label(tA, tB)}: sizes crossing the block edges (k > 384, m > 64, n > 1024) and thin shapes, into a NaN-filled out`, () => {
        const rng = T.Random.make(12);
        const cases: [number, number, number][] = [
          [70, 9, 300],
          [9, 7, 385],
          [66, 5, 800],
          [5, 1030, 3],
          [2, 50, 600],
          [3, 2, 17],
          [40, 3, 530],
          [4, 4, 4],
          [129, 131, 257],
        ];
        for (const [m, n, k] of cases) {
          const a = filled(dtype, m * k, rng);
          const b = filled(dtype, k * n, rng);
          // Without accumulate, out is overwritten: its previous content (NaN here) must not leak into any k block.
          const out = T.alloc(dtype, m * n).fill(Number.NaN);
          gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out, kernel });
          expectAllClose(out, gemmRef(m, n, k, a, tA, b, tB), tol(dtype, k));
        }
      });
    }
  }

  test("the WebAssembly SIMD kernel is available under Node, and agrees with the JavaScript one to the bit in float64", () => {
    expect(wasmBlock(...wasmBlockSizes)).toBeDefined();
    const rng = T.Random.make(15);
    // Same products, same summation order (p ascending, float64, one rounding per k block): identical results.
    // (float32 products sum in float32 on the wasm path: gemmFloat32.test.ts bounds their error instead.)
    for (const dtype of ["float64"] as const) {
      for (const [tA, tB] of transposes) {
        for (const [m, n, k] of [
          [129, 67, 801],
          [4, 4, 1],
          [37, 1030, 5],
        ] as const) {
          const a = filled(dtype, m * k, rng);
          const b = filled(dtype, k * n, rng);
          const viaWasm = T.alloc(dtype, m * n);
          const viaJs = T.alloc(dtype, m * n);
          gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out: viaWasm, kernel: "wasm" });
          gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out: viaJs, kernel: "js" });
          let mismatches = 0;
          for (let i = 0; i < m * n; i++) if (!Object.is(viaWasm[i], viaJs[i])) mismatches++;
          expect(mismatches).toBe(0);
        }
      }
    }
  });

  test("the wasm path reuses a packed A only for the same array, offset, transpose, shape and k block", () => {
    const rng = T.Random.make(16);
    // Calls that share A (as a convolution's filters meet each image) interleaved with calls that differ in one
    // of the key's parts; B is rewritten in place before every call (Lifetime "scratch"). Each must equal, to the bit, the
    // JavaScript kernel (float64) or the wasm kernel given a fresh copy of A, which no packed A can match
    // (float32, whose wasm sums are float32). m = 600 > 512 rows takes the block-by-block packing; k = 801 spans
    // three k blocks.
    for (const dtype of T.dtypes) {
      const a1 = filled(dtype, 2 * 600 * 801, rng);
      const a2 = filled(dtype, 600 * 801, rng);
      const b = filled(dtype, 801 * 37, rng);
      const calls: [FloatArray, number, boolean, number, number][] = [
        [a1, 0, false, 64, 288],
        [a1, 0, false, 64, 288],
        [a1, 7, false, 64, 288],
        [a1, 0, true, 64, 288],
        [a1, 0, false, 64, 288],
        [a2, 0, false, 64, 288],
        [a1, 0, false, 288, 64],
        [a1, 0, false, 64, 288],
        [a1, 0, false, 600, 801],
        [a1, 0, false, 64, 801],
        [a1, 0, false, 64, 801],
        [a1, 0, false, 64, 288],
        [a1, 0, false, 65, 288],
      ];
      const bs = calls.map(() => filled(dtype, b.length, rng));
      // The expected products first (the fresh copies move the packed A elsewhere), then the calls in order.
      const expected = calls.map(([a, aOff, tA, m, k], c) => {
        const e = T.alloc(dtype, m * 37);
        b.set(bs[c]!);
        if (dtype === "float64") gemm({ m, n: 37, k, a: { data: a, offset: aOff, transpose: tA }, b: { data: b }, out: e, kernel: "js" });
        else gemm({ m, n: 37, k, a: { data: a.slice(), offset: aOff, transpose: tA }, b: { data: b, lifetime: "scratch" }, out: e, kernel: "wasm" });
        return e;
      });
      calls.forEach(([a, aOff, tA, m, k], c) => {
        b.set(bs[c]!);
        const viaWasm = T.alloc(dtype, m * 37);
        gemm({ m, n: 37, k, a: { data: a, offset: aOff, transpose: tA }, b: { data: b, lifetime: "scratch" }, out: viaWasm, kernel: "wasm" });
        let mismatches = 0;
        for (let i = 0; i < viaWasm.length; i++) if (!Object.is(viaWasm[i], expected[c]![i])) mismatches++;
        expect(mismatches, `call ${c}`).toBe(0);
      });
    }
  });

  test("a scratch A is packed afresh on every call: rewriting it between calls gives the new product", () => {
    const rng = T.Random.make(21);
    for (const dtype of T.dtypes) {
      const [m, n, k] = [64, 37, 288];
      const a = filled(dtype, m * k, rng);
      const b = filled(dtype, k * n, rng);
      for (let call = 0; call < 3; call++) {
        a.set(filled(dtype, m * k, rng));
        const got = T.alloc(dtype, m * n);
        gemm({ m, n, k, a: { data: a, lifetime: "scratch" }, b: { data: b }, out: got });
        const want = T.alloc(dtype, m * n);
        gemm({ m, n, k, a: { data: a.slice() }, b: { data: b }, out: want });
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });

  test("accumulate adds into out, or not; offsets address sub-arrays; nothing outside the block is written", () => {
    const rng = T.Random.make(13);
    for (const [m, n, k] of [
      [2, 3, 5],
      [9, 6, 7],
      [6, 2, 4],
      [13, 10, 400],
    ] as const) {
      for (const [tA, tB] of transposes) {
        for (const [accumulate, kernel] of kernels.flatMap((kn) => [[true, kn], [false, kn]] as const)) {
          const a = filled("float64", 3 + m * k, rng);
          const b = filled("float64", 5 + k * n, rng);
          const before = filled("float64", 4 + m * n + 2, rng);
          const out = before.slice();
          gemm({ m, n, k, a: { data: a, offset: 3, transpose: tA }, b: { data: b, offset: 5, transpose: tB }, out, outOffset: 4, accumulate, kernel });
          const prod = gemmRef(m, n, k, a.subarray(3), tA, b.subarray(5), tB);
          const expected = before.slice();
          for (let i = 0; i < m * n; i++) expected[4 + i] = (accumulate ? before[4 + i]! : 0) + prod[i]!;
          expectAllClose(out, expected, { atol: 1e-12 });
          expect([out[0], out[3], out[4 + m * n], out[5 + m * n]]).toEqual([before[0], before[3], before[4 + m * n], before[5 + m * n]]);
        }
      }
    }
  });

  test("a single-row product wider than the shared scratch (n > 256·1024)", () => {
    const rng = T.Random.make(14);
    const [m, n, k] = [1, 262_147, 2];
    for (const [tA, tB] of transposes) {
      const a = filled("float64", m * k, rng);
      const b = filled("float64", k * n, rng);
      const out = new Float64Array(m * n);
      gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out });
      expectAllClose(out, gemmRef(m, n, k, a, tA, b, tB), { atol: 1e-12 });
    }
  });

  test("k = 0 gives zeros (or leaves out unchanged when accumulating)", () => {
    const out = new Float64Array([1, 2, 3, 4]);
    gemm({ m: 2, n: 2, k: 0, a: { data: new Float64Array(0) }, b: { data: new Float64Array(0) }, out, accumulate: true });
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    gemm({ m: 2, n: 2, k: 0, a: { data: new Float64Array(0) }, b: { data: new Float64Array(0) }, out });
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  test("non-finite values propagate (0·∞ is NaN, not skipped)", () => {
    const out = new Float64Array(1);
    gemm({ m: 1, n: 1, k: 2, a: { data: new Float64Array([0, 1]) }, b: { data: new Float64Array([Infinity, 1]) }, out });
    expect(Number.isNaN(out[0])).toBe(true);
  });
});

describe("matmul", () => {
  const rng = T.Random.make(21);
  const rand = (shape: number[], dtype: T.DType = "float64") => T.Random.uniformTensor(rng, shape, -1, 1, dtype);

  test("a 2×3 by 3×2 product by hand, with a typed result shape", () => {
    const a = T.of([1, 2, 3, 4, 5, 6], [2, 3] as [2, 3]);
    const b = T.of([1, 0, 0, 1, 1, 1], [3, 2] as [3, 2]);
    const c: T.Tensor<[2, 2], "float64"> = matmul(a, b);
    expect(c.shape).toEqual([2, 2]);
    expectAllClose(c, [4, 5, 10, 11]);
  });

  test("transpose flags agree with explicit transposes", () => {
    for (const dtype of T.dtypes) {
      const a = rand([7, 5], dtype);
      const b = rand([7, 4], dtype);
      const expected = matmul(T.transpose(a), b);
      const r = matmul(a, b, { transposeA: true });
      expect(r.shape).toEqual([5, 4]);
      expect(r.dtype).toBe(dtype);
      expectAllClose(r, expected, tol(dtype, 7));
      const c = rand([6, 7], dtype);
      expectAllClose(matmul(a, c, { transposeA: true, transposeB: true }), matmul(T.transpose(a), T.transpose(c)), tol(dtype, 7));
      expect(matmul(b, rand([9, 4], dtype), { transposeB: true }).shape).toEqual([7, 9]);
    }
  });

  test("batched [B, m, k] × [B, k, n] multiplies matching entries", () => {
    const a = rand([3, 4, 5]);
    const b = rand([3, 5, 2]);
    const c = matmul(a, b);
    expect(c.shape).toEqual([3, 4, 2]);
    for (let i = 0; i < 3; i++) {
      const ai = T.slice(a, [i, 0, 0], [1, 4, 5]);
      const bi = T.slice(b, [i, 0, 0], [1, 5, 2]);
      const expected = gemmRef(4, 2, 5, ai.data, false, bi.data, false);
      expectAllClose(T.slice(c, [i, 0, 0], [1, 4, 2]).data, expected, { atol: 1e-12 });
    }
  });

  test("a matrix broadcasts over the batch on either side, with and without transposes", () => {
    const a3 = rand([2, 3, 4]);
    const m2 = rand([4, 5]);
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const a = transposeA ? T.transpose(a3, [0, 2, 1]) : a3;
        const b = transposeB ? T.transpose(m2) : m2;
        const c = matmul(a, b, { transposeA, transposeB });
        expect(c.shape).toEqual([2, 3, 5]);
        const stacked = T.stack([m2, m2]);
        expectAllClose(c, matmul(a3, stacked), { atol: 1e-12 });
      }
    }
    const left = rand([3, 4]);
    const b3 = rand([2, 4, 6]);
    const c = matmul(left, b3);
    expect(c.shape).toEqual([2, 3, 6]);
    expectAllClose(c, matmul(T.stack([left, left]), b3), { atol: 1e-12 });
  });

  test("inputs are not written and the result is fresh", () => {
    const a = rand([4, 4]);
    const b = rand([4, 4]);
    const copyA = a.data.slice();
    const copyB = b.data.slice();
    const c = matmul(a, b);
    expect(c.data).not.toBe(a.data);
    expect(Array.from(a.data)).toEqual(Array.from(copyA));
    expect(Array.from(b.data)).toEqual(Array.from(copyB));
  });

  test("errors: inner dimensions, batch sizes, ranks and dtypes", () => {
    expect(() => matmul(T.zeros([2, 3]), T.zeros([4, 5]))).toThrow(
      "matmul: shape mismatch: expected equal inner dimensions for [2, 3] x [4, 5], found 3 != 4",
    );
    expect(() => matmul(T.zeros([2, 3]), T.zeros([2, 5]), { transposeA: true, transposeB: true })).toThrow(
      "matmul: shape mismatch: expected equal inner dimensions for [2, 3]ᵀ x [2, 5]ᵀ, found 2 != 5",
    );
    expect(() => matmul(T.zeros([2, 3, 4]), T.zeros([3, 4, 5]))).toThrow(
      "matmul: shape mismatch: expected equal batch sizes for [2, 3, 4] x [3, 4, 5], found 2 != 3",
    );
    expect(() => matmul(T.zeros([3]), T.zeros([3, 2]))).toThrow(
      "matmul: invalid argument: expected operands of rank 2 or 3, found ranks 1 and 2 (shapes [3] and [3, 2])",
    );
    expect(() => matmul(T.zeros([1, 1, 2, 3]), T.zeros([3, 2]))).toThrow("expected operands of rank 2 or 3, found ranks 4 and 2");
    const a32: T.AnyTensor = T.zeros([2, 2], "float32");
    const b64: T.AnyTensor = T.zeros([2, 2]);
    expect(() => matmul(a32, b64)).toThrow("matmul: dtype mismatch: expected float32, found float64");
  });
});

describe("gemm routes (docs/kernels.md)", () => {
  const args = (m: number, n: number, k: number, out: FloatArray, kernel: GemmKernel = "auto") => ({
    m, n, k, a: { data: new Float64Array(m * k) }, b: { data: new Float64Array(k * n) }, out, kernel,
  });
  test("each shape takes the route the table names, and the route computes the product", () => {
    const f64 = new Float64Array(64 * 64);
    const f32 = new Float32Array(64 * 64);
    expect(gemmRoute(args(0, 5, 5, f64))).toBe("empty");
    expect(gemmRoute(args(5, 5, 0, f64))).toBe("empty");
    expect(gemmRoute(args(1, 64, 64, f64, "wasm"))).toBe("thinRows");
    expect(gemmRoute(args(3, 2, 64, f64, "wasm"))).toBe("thinRows");
    expect(gemmRoute(args(64, 3, 64, f64, "wasm"))).toBe("thinCols");
    expect(gemmRoute(args(4, 4, 1, f64, "wasm"))).toBe("blockedWasm");
    expect(gemmRoute(args(64, 64, 64, f32, "wasm"))).toBe("blockedWasm");
    expect(gemmRoute(args(64, 64, 64, f64, "js"))).toBe("blockedJs");
    expect(gemmRoute(args(1, 64, 64, f64, "js"))).toBe("thinRows");
  });
  test("with native kernels installed, every non-empty product whose arrays share a type takes them; mixed types do not", () => {
    const f64 = new Float64Array(64 * 64);
    const f32 = new Float32Array(64 * 64);
    const saved = nativeKernels();
    const calls: string[] = [];
    // A stand-in that records its calls: the route, not the addon, is under test here (packages/native/test runs the addon).
    installNativeKernels({ name: "recording", gemm: (_a, _b, _out, dims) => void calls.push(Array.from(dims).join(",")) });
    try {
      expect(gemmRoute(args(0, 5, 5, f64))).toBe("empty");
      for (const [m, n, k] of [[1, 64, 64], [64, 3, 64], [4, 4, 1], [64, 64, 64]] as const) expect(gemmRoute(args(m, n, k, f64))).toBe("native");
      expect(gemmRoute(args(64, 64, 64, f64, "native"))).toBe("native");
      expect(gemmRoute(args(64, 64, 64, f64, "wasm"))).toBe("blockedWasm");
      expect(gemmRoute(args(64, 64, 64, f64, "js"))).toBe("blockedJs");
      // float64 operands into a float32 out: not one type, so not native; asking for native anyway is a bug.
      expect(gemmRoute(args(64, 64, 64, f32))).toBe("blockedWasm");
      expect(() => gemmRoute(args(64, 64, 64, f32, "native"))).toThrow('kernel "native" asked for, but a, b and out differ in element type');
      gemm({ m: 3, n: 5, k: 7, a: { data: new Float64Array(30), offset: 2, transpose: true }, b: { data: new Float64Array(40), offset: 4 }, out: f64, outOffset: 6, accumulate: true });
      // The 8th entry names B for the native packed-B cache: 0 for a thin product (nothing packed) or a scratch B,
      // else B's identity, the same for the same array and another for another.
      expect(calls).toEqual(["3,5,7,2,4,6,5,0"]);
      const b = new Float64Array(16);
      const product = (data: Float64Array, lifetime?: "scratch") => gemm({ m: 4, n: 4, k: 4, a: { data: new Float64Array(16) }, b: { data, ...(lifetime ? { lifetime } : {}) }, out: new Float64Array(16) });
      product(b);
      product(b);
      product(b, "scratch");
      product(new Float64Array(16));
      const ids = calls.slice(1).map((c) => Number(c.split(",")[7]));
      expect(ids[0]).toBeGreaterThan(0);
      expect([ids[1], ids[2]]).toEqual([ids[0], 0]);
      expect(ids[3]).not.toBe(ids[0]);
      installNativeKernels(undefined);
      expect(() => gemmRoute(args(64, 64, 64, f64, "native"))).toThrow('kernel "native" asked for, but no native kernels are installed');
    } finally {
      installNativeKernels(saved);
    }
  });
});
