import { beforeEach, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { gemm } from "../src/internal/kernels/gemm.ts";
import { DEFAULT_BUDGET, makeResidentCache } from "../src/internal/kernels/residentCache.ts";
import { forgetResident, residentStats, setResidentBudget, wasmThinLoops } from "../src/internal/kernels/wasmThin.ts";
import { filled, type FloatArray } from "./gemmFixtures.ts";

/** Whether `mat` (k×n, from 0) is resident after one more use. */
const residentNow = (mat: FloatArray, k: number, n: number): boolean => wasmThinLoops(mat, 0, k * n, k, n)?.resident === true;

describe("resident cache bookkeeping (no wasm)", () => {
  const grant = (): boolean => true;
  const noFill = (): void => {};

  test("admits a range on its second use, at the first gap that fits; reuses the gap of an evicted range", () => {
    const c = makeResidentCache(100);
    const a = new Float32Array(10); // 40 bytes → 48 with alignment
    const b = new Float32Array(10);
    const d = new Float32Array(5); // 20 → 32
    const fills: number[] = [];
    const fill = (at: number): void => void fills.push(at);
    expect(c.lookup(a, 0, 10, grant, fill)).toBeUndefined();
    expect(c.stats().count).toBe(0);
    expect(c.lookup(a, 0, 10, grant, fill)).toBe(0);
    expect(c.lookup(a, 0, 10, grant, fill)).toBe(0); // already resident: no second fill
    expect(fills).toEqual([0]);
    c.lookup(b, 0, 10, grant, fill);
    expect(c.lookup(b, 0, 10, grant, fill)).toBe(48);
    expect(c.stats()).toEqual({ count: 2, bytes: 96, evictions: 0, collected: 0 });
    expect(c.top()).toBe(96);
    c.lookup(a, 0, 10, grant, fill); // a is now more recent than b
    c.lookup(d, 0, 5, grant, fill);
    // 4 bytes left: b, the least recently used, is evicted and d takes its place.
    expect(c.lookup(d, 0, 5, grant, fill)).toBe(48);
    expect(c.stats()).toEqual({ count: 2, bytes: 80, evictions: 1, collected: 0 });
    expect(c.lookup(a, 0, 10, grant, fill)).toBe(0);
    expect(fills).toEqual([0, 48, 48]);
  });

  test("a range larger than the budget, or refused memory, is not kept; ranges are told apart by offset and length", () => {
    const c = makeResidentCache(64);
    const big = new Float64Array(9); // 72 bytes
    c.lookup(big, 0, 9, grant, noFill);
    expect(c.lookup(big, 0, 9, grant, noFill)).toBeUndefined();
    const m = new Float32Array(20);
    c.lookup(m, 0, 4, () => false, noFill);
    expect(c.lookup(m, 0, 4, () => false, noFill)).toBeUndefined();
    expect(c.stats().count).toBe(0);
    expect(c.lookup(m, 0, 4, grant, noFill)).toBe(0);
    expect(c.lookup(m, 4, 4, grant, noFill)).toBeUndefined(); // another range of the same array: its first use
    expect(c.lookup(m, 4, 4, grant, noFill)).toBe(16);
    expect(c.lookup(m, 0, 8, grant, noFill)).toBeUndefined(); // same offset, another length: replaces the range
    expect(c.stats().count).toBe(1);
    c.forget(m);
    expect(c.stats().count).toBe(0);
    expect(c.top()).toBe(0);
  });

  test("lowering the budget evicts what lies beyond it", () => {
    const c = makeResidentCache(DEFAULT_BUDGET);
    const xs = [new Float32Array(8), new Float32Array(8), new Float32Array(8)];
    for (const x of xs) for (let use = 0; use < 2; use++) c.lookup(x, 0, 8, grant, noFill);
    expect(c.stats().count).toBe(3);
    c.setBudget(64);
    expect(c.stats()).toEqual({ count: 2, bytes: 64, evictions: 1, collected: 0 });
  });
});

describe("resident matrices in the wasm thin products", () => {
  // An empty region of the default size before each test.
  beforeEach(() => {
    setResidentBudget(0);
    setResidentBudget(DEFAULT_BUDGET);
  });

  test("results are bit-identical on first use (scratch copy or JavaScript), once resident, and with the JavaScript kernel", () => {
    const rng = T.Random.make(71);
    const shapes: [number, number, number][] = [
      [1, 400, 157],
      [2, 37, 21],
      [45, 1, 23],
      [70, 3, 31],
    ];
    for (const [m, n, k] of shapes) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        for (const dtype of T.dtypes) {
          const a = filled(dtype, m * k, rng);
          const b = filled(dtype, k * n, rng);
          const run = (kernel: "wasm" | "js"): FloatArray => {
            const out = T.alloc(dtype, m * n);
            gemm({ m, n, k, a: { data: a, transpose: tA }, b: { data: b, transpose: tB }, out, kernel });
            return out;
          };
          const before = residentStats().count;
          const first = run("wasm");
          expect(residentStats().count).toBe(before);
          const second = run("wasm");
          expect(residentStats().count).toBe(before + 1);
          const third = run("wasm");
          const js = run("js");
          for (const r of [second, third, js]) {
            let mismatches = 0;
            for (let i = 0; i < m * n; i++) if (!Object.is(r[i], first[i])) mismatches++;
            expect(mismatches).toBe(0);
          }
        }
      }
    }
  });

  test("the budget bounds the resident bytes; the least recently used matrix is evicted first", () => {
    const rng = T.Random.make(72);
    const [k, n] = [64, 100]; // 25 600 bytes in float32
    setResidentBudget(3 * 25600);
    const before = residentStats();
    expect(before.bytes).toBe(0);
    const ms = [0, 1, 2, 3].map(() => filled("float32", k * n, rng));
    const [m0, m1, m2, m3] = ms as [FloatArray, FloatArray, FloatArray, FloatArray];
    for (const x of [m0, m1, m2]) {
      expect(residentNow(x, k, n)).toBe(false);
      expect(residentNow(x, k, n)).toBe(true);
    }
    expect(residentStats().bytes).toBe(3 * 25600);
    expect(residentNow(m0, k, n)).toBe(true); // m1 is now the least recently used
    expect(residentNow(m3, k, n)).toBe(false);
    expect(residentNow(m3, k, n)).toBe(true);
    const after = residentStats();
    expect(after.bytes).toBe(3 * 25600);
    expect(after.evictions - before.evictions).toBe(1);
    // m0, m2 and m3 are still resident: using them evicts nothing.
    for (const x of [m0, m2, m3]) expect(residentNow(x, k, n)).toBe(true);
    expect(residentStats().evictions - before.evictions).toBe(1);
    // m1 was evicted; having been seen before, it comes back on its next use (evicting m0, now the oldest).
    expect(residentNow(m1, k, n)).toBe(true);
    expect(residentStats().evictions - before.evictions).toBe(2);
    expect(residentNow(m2, k, n)).toBe(true);
    expect(residentStats().evictions - before.evictions).toBe(2);
    expect(residentNow(m0, k, n)).toBe(true); // back again, evicting m3
    expect(residentStats().evictions - before.evictions).toBe(3);
    expect(residentStats().bytes).toBe(3 * 25600);
    // A matrix larger than the budget is never resident, and the float32 one still runs (scratch copy).
    const huge = filled("float32", 4 * k * n, rng);
    for (let use = 0; use < 3; use++) {
      const w = wasmThinLoops(huge, 0, 4 * k * n, 4 * k, n);
      expect(w?.resident).toBe(false);
    }
    expect(() => setResidentBudget(-1)).toThrow(/expected an integer number of bytes/);
  });

  test("matrices used once (per-call temporaries) never evict resident weights", () => {
    const rng = T.Random.make(73);
    const [k, n] = [64, 100];
    setResidentBudget(2 * 25600);
    const hot = [filled("float32", k * n, rng), filled("float32", k * n, rng)];
    for (const w of hot) for (let use = 0; use < 2; use++) residentNow(w, k, n);
    const evictions = residentStats().evictions;
    for (let i = 0; i < 20; i++) expect(residentNow(filled("float32", k * n, rng), k, n)).toBe(false);
    expect(residentStats().evictions).toBe(evictions);
    for (const w of hot) expect(residentNow(w, k, n)).toBe(true);
  });

  test("forgetResident releases a matrix's copy (the way to reuse a written array), and the next product reads the new values", () => {
    const rng = T.Random.make(74);
    const [k, n] = [8, 3];
    const b = filled("float64", k * n, rng);
    const a = filled("float64", k, rng);
    const product = (): Float64Array => {
      const out = new Float64Array(n);
      gemm({ m: 1, n, k, a: { data: a }, b: { data: b }, out, kernel: "wasm" });
      return out;
    };
    product();
    product();
    expect(residentNow(b, k, n)).toBe(true);
    const count = residentStats().count;
    b[0] = (b[0] ?? 0) + 1;
    forgetResident(b);
    expect(residentStats().count).toBe(count - 1);
    const js = new Float64Array(n);
    gemm({ m: 1, n, k, a: { data: a }, b: { data: b }, out: js, kernel: "js" });
    expect(Array.from(product())).toEqual(Array.from(js));
  });

  test('scratch operands (Lifetime "scratch") are never made resident: a buffer rewritten between products is read afresh each time', () => {
    const rng = T.Random.make(75);
    const [k, n] = [40, 30];
    for (const dtype of T.dtypes) {
      const a = filled(dtype, k, rng);
      const cols = T.alloc(dtype, k * n);
      const count = residentStats().count;
      for (let call = 0; call < 4; call++) {
        for (let i = 0; i < cols.length; i++) cols[i] = T.Random.uniform(rng, -1, 1);
        const out = T.alloc(dtype, n);
        gemm({ m: 1, n, k, a: { data: a }, b: { data: cols, lifetime: "scratch" }, out, kernel: "wasm" });
        const js = T.alloc(dtype, n);
        gemm({ m: 1, n, k, a: { data: a }, b: { data: cols }, out: js, kernel: "js" });
        expect(Array.from(out)).toEqual(Array.from(js));
      }
      expect(residentStats().count).toBe(count);
    }
  });
});
