/**
 * @dtd/native — optional native kernels for @dtd/tensor under Node: an N-API addon (C, no BLAS) with
 * single-threaded float32/float64 GEMM, AVX-512 or AVX2 + FMA chosen from the CPU's features at run time, with
 * a portable fallback. `useNativeKernels()` installs them (every later matmul, dense layer and GEMM-based
 * convolution runs there); `loadNative()` only loads them. The build runs on install (scripts/build.mjs).
 * @module
 */
export { type NativeError, message } from "./NativeError.ts";
export { defaultAddonPath, type LoadedKernels, type LoadOptions, loadNative } from "./load.ts";
export { describeInstalled, envKernelChoice, type Installed, type KernelChoice, kernelChoices, parseKernelChoice, type UseOptions, useNativeKernels } from "./install.ts";
