/**
 * Which loops run the products (matmul, conv2d) on this platform: the WebAssembly SIMD kernels, or the
 * JavaScript ones where WebAssembly or its SIMD128 proposal is missing, or where a Content-Security-Policy
 * without `'wasm-unsafe-eval'` forbids compiling WebAssembly. Float64 results are the same bits either way;
 * an application may still want to say which is in use (the explorer page does).
 * @module
 */
import { wasmBlockSizes } from "./internal/kernels/gemm.ts";
import { wasmBlock } from "./internal/kernels/wasmBlock.ts";

/** The kernels in use: WebAssembly SIMD, or JavaScript. */
export type Kernels = "wasm-simd" | "js";

/** The kernels this platform runs (instantiates the WebAssembly module on the first call, as a product would). */
export const kernels = (): Kernels => (wasmBlock(...wasmBlockSizes) === undefined ? "js" : "wasm-simd");
