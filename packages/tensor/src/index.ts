/**
 * @dtd/tensor — the tiny typed tensor core: immutable Float32/Float64 tensors and the ops that deep Taylor
 * decomposition needs. Import as a namespace: `import * as T from "@dtd/tensor"`.
 *
 * Every name here checks its arguments (a Left from the validating constructors, a `TensorException` from an op
 * given a wrong shape). The building blocks below that — constructors that take ownership of a typed array
 * without a check, fused ops, the adjoints and winner indices the VJPs are made of — are in
 * `@dtd/tensor/unsafe`, for packages that implement ops.
 * @module
 */

// The tensor, its dtype and its shape.
export type { Tensor, AnyTensor, Nested, NestedProblem } from "./Tensor.ts";
export type { DType, ArrayOf, FloatArray } from "./DType.ts";
export { dtypes, isDType, dtypeOf, alloc, unitRoundoff, maxFinite, smallestSubnormal, fitsDType } from "./DType.ts";
export * as Shape from "./Shape.ts";
export type { Shape as ShapeT, MatMulShape, Transposed } from "./Shape.ts";
export * as Random from "./Random.ts";

// Constructors (validated ones return an Either) and accessors.
export { fromArray, fromNested, flattenNested, nestedShape, of, full, zeros, ones, scalar, zerosLike, onesLike } from "./Tensor.ts";
export { size, rank, toNested, get, item, astype, sameDType, checkFinite, isFinite, firstNonFinite } from "./Tensor.ts";

// Errors: a tagged union, the exception that carries it out of validated code, and the way back to an Either.
export { type TensorError, TensorException, message, showShape, fail, attempt } from "./TensorError.ts";

// Elementwise ops, broadcasting like NumPy.
export type { Operand } from "./ops/elementwise.ts";
export { map, neg, abs, square, sqrt, exp, log, sign, positivePart, negativePart, step, clamp } from "./ops/elementwise.ts";
export { add, sub, mul, div, divNoNan, pow, maximum, minimum, greater, greaterEqual, less, lessEqual, equal, where } from "./ops/elementwise.ts";

// Shapes, reductions, products, convolutions, pooling.
export { reshape, transpose, slice, pad, concat, stack, broadcastTo, expandDims, flattenBatch } from "./ops/shape.ts";
export { type ReduceOptions, sum, mean, max, min, argmax, sumTo } from "./ops/reduce.ts";
export { type MatMulOptions, matmul } from "./ops/linalg.ts";
export { type Conv2dOptions, type Conv2dShape, conv2dOutputShape, conv2d } from "./ops/conv.ts";
export { depthwiseConv2d } from "./ops/depthwise.ts";
export { type Pool2dShape, type Pool2dOptions, type MaxPool2dResult, pool2dOutputShape, maxPool2d, sumPool2d, avgPool2d } from "./ops/pool.ts";

// Which loops run the products on this platform.
export { kernels, type Kernels } from "./kernels.ts";
