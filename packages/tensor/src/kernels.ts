/**
 * Which loops run the products (matmul, conv2d) on this platform: native kernels where an application installed
 * them (`@dtd/native` under Node, see `installNativeKernels` in `@dtd/tensor/unsafe`), else the WebAssembly SIMD
 * kernels, or the JavaScript ones where WebAssembly or its SIMD128 proposal is missing, or where a
 * Content-Security-Policy without `'wasm-unsafe-eval'` forbids compiling WebAssembly. Float64 results of the
 * WebAssembly and JavaScript kernels are the same bits (except the input gradient of a stride-1 convolution of a
 * large image, computed in WebAssembly as a convolution with the flipped filters); the native ones fuse multiply
 * and add (docs/kernels.md).
 * An application may want to say which is in use (the explorer page, the bench).
 * @module
 */
import { wasmBlockSizes } from "./internal/kernels/gemm.ts";
import { nativeKernels } from "./internal/kernels/native.ts";
import { wasmBlock } from "./internal/kernels/wasmBlock.ts";

/** The kernels in use: installed native ones, WebAssembly SIMD, or JavaScript. */
export type Kernels = "native" | "wasm-simd" | "js";

/** The kernels this platform runs (instantiates the WebAssembly module on the first call, as a product would). */
export const kernels = (): Kernels => (nativeKernels() !== undefined ? "native" : wasmBlock(...wasmBlockSizes) === undefined ? "js" : "wasm-simd");
