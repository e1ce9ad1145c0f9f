/**
 * The addon's GEMM against the product's definition, on every instruction set this CPU runs (the portable
 * build included), both dtypes: random shapes across every edge of the tiles and blocks, thin products, all
 * transposes, offsets and accumulate; NaN/∞ as IEEE arithmetic gives them; the arguments it refuses.
 * The addon must be built: where it is not, these tests fail under DTD_REQUIRE_NATIVE=1 (.ci/run) and are
 * skipped otherwise, with the reason.
 */
import * as T from "@dtd/tensor";
import { installNativeKernels, nativeGemmFlags, nativeKernels, recycle, unsafeMake } from "@dtd/tensor/unsafe";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { type LoadedKernels, loadNative, message } from "../src/index.ts";
import { type Case, reference, worstRatio } from "./reference.ts";

const loaded = loadNative();
const required = process.env["DTD_REQUIRE_NATIVE"] === "1";
if (E.isLeft(loaded) && !required) console.warn(`packages/native/test skipped: ${message(loaded.left)}`);
const run = E.isRight(loaded) || required ? describe : describe.skip;

/** The kernels of the widest instruction set. */
const kernels0 = (): LoadedKernels => everyIsa()[0]!;

/** The kernels on each instruction set the CPU runs. */
const everyIsa = (): LoadedKernels[] => {
  if (E.isLeft(loaded)) throw new Error(message(loaded.left));
  return loaded.right.isas.map((isa) => {
    const k = loadNative({ isa });
    if (E.isLeft(k)) throw new Error(message(k.left));
    return k.right;
  });
};

const fill = (dtype: T.DType, length: number, rng: T.Random.Rng): T.FloatArray => {
  const d = T.alloc(dtype, length);
  for (let i = 0; i < length; i++) d[i] = T.Random.uniform(rng, -1, 1);
  return d;
};

interface Offsets {
  readonly aOff: number;
  readonly bOff: number;
  readonly oOff: number;
  readonly accumulate: boolean;
}

/** Runs one product on `kernels` and returns how far it is from the definition (≤ 1 passes); checks out's guard cells. */
const check = (kernels: LoadedKernels, dtype: T.DType, c: Case, o: Offsets, rng: T.Random.Rng): number => {
  const a = fill(dtype, o.aOff + c.m * c.k + 3, rng);
  const b = fill(dtype, o.bOff + c.k * c.n + 3, rng);
  const before = fill(dtype, o.oOff + c.m * c.n + 3, rng);
  // Without accumulate out's block is written, never read: NaN there must not leak.
  const out = before.slice();
  if (!o.accumulate) out.fill(Number.NaN, o.oOff, o.oOff + c.m * c.n);
  const flags = (c.tA ? nativeGemmFlags.transposeA : 0) | (c.tB ? nativeGemmFlags.transposeB : 0) | (o.accumulate ? nativeGemmFlags.accumulate : 0);
  kernels.gemm(a, b, out, new Float64Array([c.m, c.n, c.k, o.aOff, o.bOff, o.oOff, flags]));
  for (const i of [...Array(o.oOff).keys(), o.oOff + c.m * c.n, o.oOff + c.m * c.n + 2]) expect(Object.is(out[i], before[i]), `guard cell ${i}`).toBe(true);
  return worstRatio(out, o.oOff, reference(c, a, o.aOff, b, o.bOff), c.k, o.accumulate ? before : undefined);
};

const caseArb = (max: number) =>
  fc.record({ m: fc.integer({ min: 1, max }), n: fc.integer({ min: 1, max }), k: fc.integer({ min: 1, max }), tA: fc.boolean(), tB: fc.boolean() });
const offsetsArb = fc.record({ aOff: fc.nat(5), bOff: fc.nat(5), oOff: fc.nat(5), accumulate: fc.boolean() });

run("@dtd/native gemm against the definition", () => {
  test("the addon loads and runs the widest instruction set the CPU has", () => {
    if (E.isLeft(loaded)) throw new Error(message(loaded.left));
    expect(loaded.right.isas).toContain("generic");
    expect(loaded.right.isa).toBe(process.env["DTD_NATIVE_ISA"] || loaded.right.isas[0]);
    expect(loaded.right.name).toBe(`native ${loaded.right.isa}`);
  });

  for (const dtype of T.dtypes)
    test(`${dtype}: random m, n, k in 1..70, transposes, offsets, accumulate, every instruction set`, () => {
      const isas = everyIsa();
      const rng = T.Random.make(1801);
      fc.assert(
        fc.property(caseArb(70), offsetsArb, (c, o) => {
          for (const kernels of isas) expect(check(kernels, dtype, c, o, rng), `${kernels.isa} ${JSON.stringify(c)} ${JSON.stringify(o)}`).toBeLessThanOrEqual(1);
        }),
      );
    });

  for (const dtype of T.dtypes)
    test(`${dtype}: thin products (m or n below 4) and shapes across the blocks (k > 512, n > 3072, m > 96)`, () => {
      const isas = everyIsa();
      const rng = T.Random.make(1802);
      const shapes: [number, number, number][] = [
        [1, 400, 1568], // a batch-1 dense layer, x·W
        [1, 1568, 400], // and its transpose (the backward pass)
        [2, 37, 21],
        [3, 1030, 5],
        [400, 1, 1568],
        [70, 3, 31],
        [5, 2, 300],
        [4, 4, 1],
        [7, 3100, 9],
        [130, 50, 600],
      ];
      for (const [m, n, k] of shapes)
        for (const tA of [false, true])
          for (const tB of [false, true])
            for (const kernels of isas) {
              const o = { aOff: 1, bOff: 2, oOff: 3, accumulate: (m + n + k) % 2 === 0 };
              expect(check(kernels, dtype, { m, n, k, tA, tB }, o, rng), `${kernels.isa} ${m}×${n}×${k} ${tA} ${tB}`).toBeLessThanOrEqual(1);
            }
    });

  test("k = 0 stores zeros, or leaves out as it was when accumulating", () => {
    for (const kernels of everyIsa())
      for (const dtype of T.dtypes) {
        const out = T.alloc(dtype, 6).fill(5);
        kernels.gemm(T.alloc(dtype, 0), T.alloc(dtype, 0), out, new Float64Array([2, 3, 0, 0, 0, 0, nativeGemmFlags.accumulate]));
        expect(Array.from(out)).toEqual([5, 5, 5, 5, 5, 5]);
        kernels.gemm(T.alloc(dtype, 0), T.alloc(dtype, 0), out, new Float64Array([2, 3, 0, 0, 0, 0, 0]));
        expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
      }
  });

  test("NaN and ±∞ propagate as IEEE arithmetic gives them: into the rows and columns they touch, nowhere else", () => {
    for (const kernels of everyIsa())
      for (const dtype of T.dtypes)
        for (const [m, n, k] of [
          [1, 9, 5],
          [9, 2, 5],
          [13, 21, 300],
        ] as const)
          for (const tA of [false, true]) {
            const rng = T.Random.make(1803);
            const a = fill(dtype, m * k, rng);
            const b = fill(dtype, k * n, rng);
            // op(A)[m−1, 0] = NaN; op(B)[k−1, 0] = +∞, op(B)[k−1, n−1] = −∞ (with n > 1).
            a[tA ? m - 1 : (m - 1) * k] = Number.NaN;
            b[(k - 1) * n] = Number.POSITIVE_INFINITY;
            b[(k - 1) * n + n - 1] = Number.NEGATIVE_INFINITY;
            const out = T.alloc(dtype, m * n);
            kernels.gemm(a, b, out, new Float64Array([m, n, k, 0, 0, 0, tA ? nativeGemmFlags.transposeA : 0]));
            const want = reference({ m, n, k, tA, tB: false }, a, 0, b, 0).c;
            for (let i = 0; i < m * n; i++) {
              const w = want[i]!;
              if (Number.isFinite(w)) expect(Number.isFinite(out[i]!), `${kernels.isa} ${dtype} ${m}×${n}×${k} entry ${i}`).toBe(true);
              else expect(out[i], `${kernels.isa} ${dtype} ${m}×${n}×${k} entry ${i}`).toBe(w);
            }
          }
  });

  test("the same call gives the same bits every time (no state leaks between calls)", () => {
    const rng = T.Random.make(1804);
    for (const kernels of everyIsa())
      for (const dtype of T.dtypes) {
        const a = fill(dtype, 77 * 301, rng);
        const b = fill(dtype, 301 * 45, rng);
        const dims = new Float64Array([77, 45, 301, 0, 0, 0, 0]);
        const first = T.alloc(dtype, 77 * 45);
        kernels.gemm(a, b, first, dims);
        kernels.gemm(fill(dtype, 300 * 300, rng), fill(dtype, 300 * 300, rng), T.alloc(dtype, 300 * 300), new Float64Array([300, 300, 300, 0, 0, 0, 0]));
        const again = T.alloc(dtype, 77 * 45);
        kernels.gemm(a, b, again, dims);
        expect(Array.from(again)).toEqual(Array.from(first));
      }
  });

  test("the packed-B cache: a B named by an id gives the bits of an unnamed one on every call, across blocks and instruction sets, and never answers for another array", () => {
    const rng = T.Random.make(1805);
    let id = 1e9; // ids of this test only (the tensor package counts from 1)
    for (const kernels of everyIsa())
      for (const dtype of T.dtypes)
        for (const [m, n, k, tB] of [
          [40, 200, 1100, false], // a forward product x·W, k over several KC blocks
          [40, 1100, 200, true], // its transposed product c·Wᵀ
          [5, 3100, 9, false], // n over two NC blocks (float32 3072, float64 2048)
          [13, 21, 300, true],
        ] as const) {
          const a = fill(dtype, m * k, rng);
          const b = fill(dtype, k * n + 2, rng);
          const flags = tB ? nativeGemmFlags.transposeB : 0;
          const want = T.alloc(dtype, m * n);
          kernels.gemm(a, b, want, new Float64Array([m, n, k, 0, 1, 0, flags]));
          const named = ++id;
          // Met once (remembered), twice (packed into the cache), then read from it.
          for (let call = 0; call < 4; call++) {
            const got = T.alloc(dtype, m * n);
            kernels.gemm(a, b, got, new Float64Array([m, n, k, 0, 1, 0, flags, named]));
            expect(Array.from(got), `${kernels.isa} ${dtype} ${m}×${n}×${k} call ${call}`).toEqual(Array.from(want));
          }
          // The same shape and offset from another array with another id: its own values, not the cached ones.
          const other = fill(dtype, k * n + 2, rng);
          const otherWant = T.alloc(dtype, m * n);
          kernels.gemm(a, other, otherWant, new Float64Array([m, n, k, 0, 1, 0, flags]));
          const otherId = ++id;
          for (let call = 0; call < 3; call++) {
            const got = T.alloc(dtype, m * n);
            kernels.gemm(a, other, got, new Float64Array([m, n, k, 0, 1, 0, flags, otherId]));
            expect(Array.from(got)).toEqual(Array.from(otherWant));
          }
          // Another offset into the named array is another packing.
          const shifted = T.alloc(dtype, m * n);
          kernels.gemm(a, b, shifted, new Float64Array([m, n, k, 0, 2, 0, flags]));
          const got = T.alloc(dtype, m * n);
          for (let call = 0; call < 2; call++) kernels.gemm(a, b, got, new Float64Array([m, n, k, 0, 2, 0, flags, named]));
          expect(Array.from(got)).toEqual(Array.from(shifted));
        }
  });

  test("the packed-B cache never answers for recycled memory: a recycled buffer is a new B (@dtd/tensor's alloc gives it a new array)", () => {
    const saved = nativeKernels();
    installNativeKernels(kernels0());
    try {
      const rng = T.Random.make(1807);
      const x = unsafeMake([8, 300], fill("float32", 8 * 300, rng));
      const product = (data: T.FloatArray) => T.matmul(x, unsafeMake([300, 300], data));
      const first = fill("float32", 300 * 300, rng);
      for (let i = 0; i < 3; i++) product(first); // cached from the second product on
      recycle(first);
      const again = T.alloc("float32", 300 * 300);
      expect(again.buffer).toBe(first.buffer);
      for (let i = 0; i < again.length; i++) again[i] = T.Random.uniform(rng, -1, 1);
      const want = T.alloc("float32", 8 * 300);
      kernels0().gemm(x.data, again, want, new Float64Array([8, 300, 300, 0, 0, 0, 0]));
      for (let i = 0; i < 3; i++) expect(Array.from(product(again).data)).toEqual(Array.from(want));
    } finally {
      installNativeKernels(saved);
    }
  });

  test("the packed-B cache under churn: more named matrices than it keeps, each product still its own", () => {
    const rng = T.Random.make(1806);
    const [m, n, k] = [8, 40, 30];
    const bs = Array.from({ length: 70 }, () => fill("float64", k * n, rng));
    const a = fill("float64", m * k, rng);
    const want = bs.map((b) => {
      const out = T.alloc("float64", m * n);
      kernels0().gemm(a, b, out, new Float64Array([m, n, k, 0, 0, 0, 0]));
      return Array.from(out);
    });
    for (let round = 0; round < 3; round++)
      bs.forEach((b, i) => {
        const out = T.alloc("float64", m * n);
        kernels0().gemm(a, b, out, new Float64Array([m, n, k, 0, 0, 0, 0, 2e9 + i]));
        expect(Array.from(out), `matrix ${i} round ${round}`).toEqual(want[i]);
      });
  });

  test("refuses arrays shorter than the shape needs, mixed element types, an out overlapping an operand, bad dims", () => {
    for (const kernels of everyIsa()) {
      const f64 = (n: number) => new Float64Array(n);
      expect(() => kernels.gemm(f64(5), f64(6), f64(6), new Float64Array([2, 3, 3, 0, 0, 0, 0]))).toThrow("shorter than m, n, k and the offsets need");
      expect(() => kernels.gemm(f64(6), f64(9), f64(6), new Float64Array([2, 3, 3, 0, 0, 1, 0]))).toThrow("shorter than m, n, k and the offsets need");
      expect(() => kernels.gemm(new Float32Array(6), f64(9), f64(6), new Float64Array([2, 3, 3, 0, 0, 0, 0]))).toThrow("all Float32Array or all Float64Array");
      const shared = f64(30);
      expect(() => kernels.gemm(shared, f64(9), shared.subarray(3), new Float64Array([2, 3, 3, 0, 0, 0, 0]))).toThrow("out overlaps an operand");
      expect(() => kernels.gemm(f64(6), f64(9), f64(6), new Float64Array([2, 3, -3, 0, 0, 0, 0]))).toThrow("non-negative integers");
      expect(() => kernels.gemm(f64(6), f64(9), f64(6), new Float64Array([2, 3, 3]))).toThrow("Float64Array of 7 entries");
    }
  });
});
