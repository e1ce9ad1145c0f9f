/**
 * The WebAssembly SIMD loops of the thin products over float32 matrices (source: wasm/gemmThin32.c; bytes:
 * wasm/gemmThin32Wasm.ts, rebuilt by wasm/build.sh): the same axpy and dots as thinLoops.ts, two lanes at a time.
 *
 * Unlike the blocked gemm, a thin product reads its matrix only once, so the matrix must be copied into the
 * module's memory on every call. Measured with Node 20 on a 1568×400 matrix: for float32, copy + wasm takes
 * 0.34 ms against 0.50–0.58 ms for the JavaScript loop (1.4–2× faster on the benchmark shapes); for float64 the
 * copy alone takes 0.36 ms against 0.39–0.45 ms for the whole JavaScript product, so float64 matrices stay in
 * JavaScript.
 *
 * The memory grows on demand, up to {@link MAX_MATRIX} float32 entries (larger matrices use JavaScript): a
 * WebAssembly memory never shrinks, and this bounds what it keeps.
 * @module
 */
import { wasmBase64 } from "./wasm/gemmThin32Wasm.ts";
import { BASE, instantiate, PAGE, type WasmMemory } from "./wasmRuntime.ts";

/** The largest matrix (float32 entries) copied into wasm memory: 64 MB. */
export const MAX_MATRIX = 1 << 24;

/** A call's views into the module's memory and its two loops; valid until the next {@link wasmThin32} call. */
export interface WasmThin {
  /** The matrix, float32, to be filled by the caller. */
  readonly m: Float32Array;
  /** The vector v (k doubles). */
  readonly v: Float64Array;
  /** The result (n doubles). */
  readonly acc: Float64Array;
  /** acc[j] = Σ_{p<k} v[p] · m[p·n + j]. */
  readonly axpy: (k: number, n: number) => void;
  /** acc[j] = Σ_{p<k} v[p] · m[j·k + p]. */
  readonly dots: (k: number, n: number) => void;
}

interface Module {
  readonly memory: WasmMemory;
  readonly axpy: (k: number, n: number, v: number, m: number, acc: number) => void;
  readonly dots: (k: number, n: number, v: number, m: number, acc: number) => void;
}

let state: Module | undefined | null = null;

const load = (): Module | undefined => {
  const wasm = instantiate(wasmBase64, 16, Math.ceil((BASE + 8 * 2 * MAX_MATRIX + 4 * MAX_MATRIX) / PAGE) + 1, [
    "thin_axpy32",
    "thin_dots32",
  ]);
  return wasm && { memory: wasm.memory, axpy: wasm.exports.thin_axpy32, dots: wasm.exports.thin_dots32 };
};

/**
 * Views for a product with a k-vector, an n-result and a float32 matrix of `length` entries, growing the memory
 * if needed; undefined where WebAssembly SIMD cannot run or the matrix exceeds {@link MAX_MATRIX}.
 */
export const wasmThin32 = (k: number, n: number, length: number): WasmThin | undefined => {
  if (length > MAX_MATRIX || k > MAX_MATRIX || n > MAX_MATRIX) return undefined;
  if (state === null) state = load();
  if (state === undefined) return undefined;
  const { memory, axpy, dots } = state;
  const vAt = BASE;
  const accAt = vAt + 8 * k;
  const mAt = accAt + 8 * n;
  const end = mAt + 4 * length;
  if (end > memory.buffer.byteLength) {
    try {
      memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    } catch {
      return undefined; // the engine refused the memory (RangeError): JavaScript instead
    }
  }
  const buffer = memory.buffer;
  return {
    m: new Float32Array(buffer, mAt, length),
    v: new Float64Array(buffer, vAt, k),
    acc: new Float64Array(buffer, accAt, n),
    axpy: (kk, nn) => axpy(kk, nn, vAt, mAt, accAt),
    dots: (kk, nn) => dots(kk, nn, vAt, mAt, accAt),
  };
};
