import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import { gemm, type GemmKernel } from "../src/internal/kernels/gemm.ts";
import { axpy, dots } from "../src/internal/kernels/thinLoops.ts";
import { wasmThinLoops } from "../src/internal/kernels/wasmThin.ts";
import { filled, gemmRef, tol, transposes } from "./gemmFixtures.ts";

describe("thin loops (axpy, dots) against the definition", () => {
  // Every remainder of the 8-, 4- and 2-way unrolling, both element types called alternately (as in a process
  // that runs float32 and float64 models), the matrix read from an offset.
  test("every k, n in 0..19, Float32Array and Float64Array interleaved", () => {
    const rng = T.Random.make(41);
    for (let k = 0; k <= 19; k++) {
      for (let n = 0; n <= 19; n++) {
        for (const dtype of T.dtypes) {
          const v = filled("float64", k, rng) as Float64Array;
          const off = 3;
          const mat = filled(dtype, off + k * n + 2, rng);
          const acc = new Float64Array(n + 1).fill(Number.NaN);
          axpy(k, n, v, mat, off, acc);
          const wantAxpy = new Float64Array(n);
          for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) wantAxpy[j]! += v[p]! * mat[off + p * n + j]!;
          expectAllClose(acc.subarray(0, n), wantAxpy, { atol: 1e-12 });
          expect(Number.isNaN(acc[n])).toBe(true);
          acc.fill(Number.NaN);
          dots(k, n, v, mat, off, acc);
          const wantDots = new Float64Array(n);
          for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) wantDots[j]! += v[p]! * mat[off + j * k + p]!;
          expectAllClose(acc.subarray(0, n), wantDots, { atol: 1e-12 });
          expect(Number.isNaN(acc[n])).toBe(true);
        }
      }
    }
  });
});

describe("wasm thin loops against the definition and the JavaScript loops", () => {
  test("every k, n in 0..19, then a matrix that grows the memory, then a small one again; both dtypes, scratch and resident", () => {
    const rng = T.Random.make(44);
    const shapes: [number, number][] = [];
    for (let k = 0; k <= 19; k++) for (let n = 0; n <= 19; n++) shapes.push([k, n]);
    shapes.push([1100, 1030], [3, 5]);
    for (const [k, n] of shapes) {
      for (const dtype of T.dtypes) {
        const mat = filled(dtype, 3 + k * n, rng);
        const v = filled("float64", k, rng) as Float64Array;
        // First use: a float32 matrix is copied into the scratch, a float64 one is left to JavaScript; second
        // use: both resident. (Each call's loops are valid until the next call.)
        for (const use of [1, 2]) {
          const w = wasmThinLoops(mat, 3, k * n, k, n);
          if (use === 1 && dtype === "float64") {
            expect(w).toBeUndefined();
            continue;
          }
          if (w === undefined) throw new Error("expected WebAssembly SIMD under Node, found none");
          expect(w.resident).toBe(use === 2);
          w.v.set(v);
          w.acc.fill(Number.NaN);
          w.axpy(k, n);
          const wantAxpy = new Float64Array(n);
          for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) wantAxpy[j]! += v[p]! * mat[3 + p * n + j]!;
          expectAllClose(w.acc, wantAxpy, { atol: 1e-12 * Math.max(1, k) });
          // The JavaScript loops associate the same way: the two agree to the bit.
          const jsAcc = new Float64Array(n);
          axpy(k, n, v, mat, 3, jsAcc);
          expect(Array.from(w.acc)).toEqual(Array.from(jsAcc));
          w.acc.fill(Number.NaN);
          w.dots(k, n);
          const wantDots = new Float64Array(n);
          for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) wantDots[j]! += v[p]! * mat[3 + j * k + p]!;
          expectAllClose(w.acc, wantDots, { atol: 1e-12 * Math.max(1, k) });
          dots(k, n, v, mat, 3, jsAcc);
          expect(Array.from(w.acc)).toEqual(Array.from(jsAcc));
        }
      }
    }
  });
});

describe("gemm thin paths (m < 4 or n < 4)", () => {
  const kernels: readonly GemmKernel[] = ["auto", "js"];
  test("every transpose, both dtypes interleaved, both kernels, offsets, accumulate, nothing outside the block written", () => {
    const rng = T.Random.make(42);
    const shapes: [number, number, number][] = [
      [1, 400, 157],
      [1, 9, 1],
      [2, 37, 21],
      [3, 17, 9],
      [1, 1, 29],
      [45, 1, 23],
      [13, 2, 8],
      [70, 3, 31],
      [3, 3, 3],
    ];
    for (const [m, n, k] of shapes) {
      for (const [tA, tB] of transposes) {
        for (const [dtype, kernel] of T.dtypes.flatMap((d) => kernels.map((kn) => [d, kn] as const))) {
          for (const accumulate of [false, true]) {
            const a = filled(dtype, 2 + m * k, rng);
            const b = filled(dtype, 5 + k * n, rng);
            const before = filled(dtype, 4 + m * n + 3, rng);
            const out = before.slice();
            gemm({ m, n, k, a: { data: a, offset: 2, transpose: tA }, b: { data: b, offset: 5, transpose: tB }, out, outOffset: 4, accumulate, kernel });
            const prod = gemmRef(m, n, k, a.subarray(2), tA, b.subarray(5), tB);
            const expected = new Float64Array(before);
            for (let i = 0; i < m * n; i++) expected[4 + i] = (accumulate ? before[4 + i]! : 0) + prod[i]!;
            expectAllClose(out, expected, tol(dtype, k));
            const outside = [0, 1, 2, 3, 4 + m * n, 5 + m * n, 6 + m * n];
            expect(outside.map((i) => out[i])).toEqual(outside.map((i) => before[i]));
          }
        }
      }
    }
  });

  test("a float32 product, then float64, then float32 again give the float64 reference each time", () => {
    const rng = T.Random.make(43);
    const [m, n, k] = [1, 64, 96];
    for (const dtype of ["float32", "float64", "float32"] as const) {
      for (const [tA, tB] of transposes) {
        const a = filled(dtype, m * k, rng);
        const b = filled(dtype, k * n, rng);
        const out = T.alloc(dtype, m * n);
        gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out });
        expectAllClose(out, gemmRef(m, n, k, a, tA, b, tB), tol(dtype, k));
      }
    }
  });

  test("non-finite values propagate through every thin path, JavaScript and wasm (0·∞ is NaN; ∞ stays ∞)", () => {
    for (const [tA, tB, F] of transposes.flatMap(([tA, tB]) => [[tA, tB, Float64Array] as const, [tA, tB, Float32Array] as const])) {
      // m = 1 (rows path): op(A) = [0, 1, 0, …], op(B) has ∞ in row 0 of column 0 and in row 1 of column 1.
      const k = 9;
      const n = 10;
      const a = new F(k);
      a[1] = 1;
      const b = new F(k * n);
      const setB = (p: number, j: number, x: number): void => void (b[tB ? j * k + p : p * n + j] = x);
      setB(0, 0, Infinity);
      setB(1, 1, Infinity);
      const out = new F(n);
      gemm({ m: 1, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out });
      expect(Number.isNaN(out[0])).toBe(true);
      expect(out[1]).toBe(Infinity);
      expect(out[2]).toBe(0);
      // n = 1 (columns path): the same with the roles of A and B swapped.
      const col = new F(k);
      col[1] = 1;
      const mat = new F(n * k);
      const setA = (i: number, p: number, x: number): void => void (mat[tA ? p * n + i : i * k + p] = x);
      setA(0, 0, Infinity);
      setA(1, 1, Infinity);
      const out2 = new F(n);
      gemm({ m: n, n: 1, k, a: { data: mat, transpose: tA }, b: { data: col, transpose: tB }, out: out2 });
      expect(Number.isNaN(out2[0])).toBe(true);
      expect(out2[1]).toBe(Infinity);
      expect(out2[2]).toBe(0);
    }
  });
});
