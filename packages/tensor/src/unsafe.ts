/**
 * @dtd/tensor/unsafe — the building blocks below the public ops, for packages that implement ops (autodiff's
 * VJP rules, layers' training loops, decoders): a constructor that takes ownership of a typed array without a
 * copy or a finiteness check, the broadcasting loop and named elementwise kernels,
 * fused ops, the adjoints (transposed convolutions and pooling, winner indices) that the VJPs are made of, and
 * the hook through which native kernels are installed.
 * Arguments are still checked where a mistake would be a silent wrong answer, but nothing here validates data:
 * a tensor made by `unsafeMake` must not be written to afterwards (tensors are immutable, and kernels cache by
 * identity).
 * @module
 */
export { unsafeMake } from "./Tensor.ts";
export { recycle, recycleFrom } from "./DType.ts";
export { zipWith, broadcastLoop } from "./ops/elementwise.ts";
export { divNoNanSum } from "./ops/fused.ts";
export { conv2dBias, conv2dBackpropInput, conv2dBackpropInputQuotient, conv2dBackpropFilter } from "./ops/conv.ts";
export { depthwiseConv2dBackpropInput, depthwiseConv2dBackpropFilter } from "./ops/depthwise.ts";
export { maxPool2dScatter, maxPool2dGather, sumPool2dTranspose, avgPool2dTranspose } from "./ops/pool.ts";
// The one identity-keyed cache scheme (docs/kernels.md): sound for owners that are never written.
export * as IdentityMemo from "./IdentityMemo.ts";
// Native kernels (e.g. @dtd/native under Node) that every later product runs on when installed.
export { installNativeKernels, nativeKernels, nativeFrom, nativeGemmFlags, type NativeKernels } from "./internal/kernels/native.ts";
