/**
 * The WebAssembly SIMD loops of the thin products (source: wasm/gemmThin.c; bytes: wasm/gemmThinWasm.ts, rebuilt
 * by wasm/build.sh): the same axpy and dots as thinLoops.ts, two f64 lanes at a time, over a float32 or float64
 * matrix in the module's memory.
 *
 * A thin product reads its matrix once, so where the matrix comes from decides the cost. The memory is laid out as
 *
 *   [0, BASE)                 the module's stack and data
 *   [BASE, BASE + budget)     resident matrices (residentCache.ts: a range seen twice is kept, LRU within a budget)
 *   [BASE + top, …)           this call's scratch: v (k doubles), acc (n doubles), and a copied float32 matrix
 *
 * Measured with Node 20 on a 1568×400 matrix: the wasm loop takes ~0.15 ms (float32) and ~0.20 ms (float64)
 * against 0.39–0.58 ms for the JavaScript loops; copying the matrix takes ~0.18 ms (float32) and ~0.36 ms
 * (float64). So a resident matrix of either type runs in wasm; a float32 one that is not (yet) resident is copied
 * into the scratch (copy + wasm still beats JavaScript), and a float64 one stays in JavaScript.
 *
 * The memory grows on demand and never shrinks: at most the budget ({@link MAX_BUDGET}) plus the scratch of the
 * largest product, whose matrix is at most {@link MAX_MATRIX} entries (larger ones use JavaScript).
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import { makeResidentCache, type ResidentStats } from "./residentCache.ts";
import { wasmBase64 } from "./wasm/gemmThinWasm.ts";
import { BASE, instantiate, PAGE, type WasmMemory } from "./wasmRuntime.ts";

/** The largest float32 matrix (entries) copied into the scratch, and the longest v or acc: 64 MB. */
export const MAX_MATRIX = 1 << 24;

/** The largest budget {@link setResidentBudget} accepts: 64 MB (the memory's declared maximum stays ≈ 400 MB). */
export const MAX_BUDGET = 1 << 26;

/** The two loops over one matrix in the module's memory; valid until the next {@link wasmThinLoops} call. */
export interface WasmLoops {
  /** The vector v (k doubles), to be filled by the caller. */
  readonly v: Float64Array;
  /** The result (n doubles). */
  readonly acc: Float64Array;
  /** acc[j] = Σ_{p<k} v[p] · M[p·n + j]. */
  readonly axpy: (k: number, n: number) => void;
  /** acc[j] = Σ_{p<k} v[p] · M[j·k + p]. */
  readonly dots: (k: number, n: number) => void;
  /** Whether M is a resident copy (else a scratch copy made by this call). */
  readonly resident: boolean;
}

/** "resident": the matrix is immutable tensor data and may be kept resident; "copy": it may be rewritten later. */
export type WasmUse = "resident" | "copy";

type Loop = (k: number, n: number, v: number, m: number, acc: number) => void;

interface Module {
  readonly memory: WasmMemory;
  readonly axpy32: Loop;
  readonly dots32: Loop;
  readonly axpy64: Loop;
  readonly dots64: Loop;
}

let state: Module | undefined | null = null;

const cache = makeResidentCache();

const load = (): Module | undefined => {
  const maxBytes = BASE + MAX_BUDGET + 8 * 2 * MAX_MATRIX + 4 * MAX_MATRIX;
  const wasm = instantiate(wasmBase64, 16, Math.ceil(maxBytes / PAGE) + 1, ["thin_axpy32", "thin_dots32", "thin_axpy64", "thin_dots64"]);
  if (wasm === undefined) return undefined;
  const e = wasm.exports;
  return { memory: wasm.memory, axpy32: e.thin_axpy32, dots32: e.thin_dots32, axpy64: e.thin_axpy64, dots64: e.thin_dots64 };
};

/** Grows `memory` to at least `end` bytes; false if the engine refuses (RangeError). */
const ensure = (memory: WasmMemory, end: number): boolean => {
  const have = memory.buffer.byteLength;
  if (end <= have) return true;
  try {
    memory.grow(Math.ceil((end - have) / PAGE));
    return true;
  } catch {
    return false;
  }
};

/**
 * The wasm loops over `mat[off .. off + length)` with k-vectors and n-results: over its resident copy, or over
 * a scratch copy for float32. Undefined where WebAssembly SIMD cannot run, for a float64 matrix not resident
 * (yet), or beyond the size limits: the caller then runs the JavaScript loops. With `use` "copy" the matrix is
 * never made resident (nor looked up): the caller may rewrite it after the call.
 */
export const wasmThinLoops = (
  mat: FloatArray,
  off: number,
  length: number,
  k: number,
  n: number,
  use: WasmUse = "resident",
): WasmLoops | undefined => {
  if (k > MAX_MATRIX || n > MAX_MATRIX) return undefined;
  if (state === null) state = load();
  if (state === undefined) return undefined;
  const mod = state;
  const { memory } = mod;
  const is64 = mat instanceof Float64Array;
  const src = mat.subarray(off, off + length);
  const residentAt =
    use === "copy"
      ? undefined
      : cache.lookup(
          mat,
          off,
          length,
          (end) => ensure(memory, BASE + end),
          (at) => (is64 ? new Float64Array(memory.buffer, BASE + at, length) : new Float32Array(memory.buffer, BASE + at, length)).set(src),
        );
  if (residentAt === undefined && (is64 || length > MAX_MATRIX)) return undefined;
  const vAt = BASE + cache.top();
  const accAt = vAt + 8 * k;
  const scratchAt = accAt + 8 * n;
  const end = residentAt === undefined ? scratchAt + 4 * length : scratchAt;
  if (!ensure(memory, end)) return undefined;
  const mAt = residentAt === undefined ? scratchAt : BASE + residentAt;
  if (residentAt === undefined) new Float32Array(memory.buffer, mAt, length).set(src);
  const axpy = is64 ? mod.axpy64 : mod.axpy32;
  const dots = is64 ? mod.dots64 : mod.dots32;
  return {
    v: new Float64Array(memory.buffer, vAt, k),
    acc: new Float64Array(memory.buffer, accAt, n),
    axpy: (kk, nn) => axpy(kk, nn, vAt, mAt, accAt),
    dots: (kk, nn) => dots(kk, nn, vAt, mAt, accAt),
    resident: residentAt !== undefined,
  };
};

/** Usage of the resident region (see residentCache.ts). */
export const residentStats = (): ResidentStats => cache.stats();

/** Sets the resident budget in bytes (at most {@link MAX_BUDGET}), evicting what lies beyond it. */
export const setResidentBudget = (bytes: number): void => {
  if (!(Number.isInteger(bytes) && bytes >= 0 && bytes <= MAX_BUDGET))
    throw new RangeError(`setResidentBudget: expected an integer number of bytes in [0, ${MAX_BUDGET}], found ${bytes}`);
  cache.setBudget(bytes);
};

/** Drops the resident copies of `mat` (needed only if `mat` is written after use: see residentCache.ts). */
export const forgetResident = (mat: FloatArray): void => cache.forget(mat);
