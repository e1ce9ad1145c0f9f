/**
 * @dtd/tensor — the tiny typed tensor core: immutable Float32/Float64 tensors and the ops that deep Taylor
 * decomposition needs. Import as a namespace: `import * as T from "@dtd/tensor"`.
 * @module
 */
export * from "./Tensor.ts";
export * from "./TensorError.ts";
export * from "./DType.ts";
export * as Shape from "./Shape.ts";
export type { Shape as ShapeT, MatMulShape, Transposed } from "./Shape.ts";
export * as Random from "./Random.ts";
export * from "./ops/elementwise.ts";
export * from "./ops/fused.ts";
export * from "./ops/shape.ts";
export * from "./ops/reduce.ts";
export * from "./ops/linalg.ts";
export * from "./ops/conv.ts";
export * from "./ops/depthwise.ts";
export * from "./ops/pool.ts";
export { kernels, type Kernels } from "./kernels.ts";
export * as IdentityMemo from "./IdentityMemo.ts";
