/**
 * The primitives of the autodiff: every differentiable function is a composition of these. Each primitive has
 * typed parameters (`Params[P]`), one forward implementation and one VJP rule, both in tables keyed by
 * primitive and typed `{ [P in Primitive]: ... }`, so that a primitive without a rule is a compile error
 * (the design of JAX's rule tables and jax-js's `vjpRules`).
 * @module
 */
import type { Shape, Tensor } from "@dtd/tensor";
import type { Var } from "./Var.ts";

/** Stride and zero padding of a 2-D convolution, `[rows, columns]`. */
export interface ConvParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** Window and stride of a 2-D pooling, `[rows, columns]`. */
export interface PoolParams {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
}

/** Parameters of each primitive. `{}` means none. */
export interface Params {
  identity: Record<string, never>;
  add: Record<string, never>;
  sub: Record<string, never>;
  mul: Record<string, never>;
  div: Record<string, never>;
  pow: Record<string, never>;
  maximum: Record<string, never>;
  minimum: Record<string, never>;
  neg: Record<string, never>;
  exp: Record<string, never>;
  log: Record<string, never>;
  sqrt: Record<string, never>;
  abs: Record<string, never>;
  positivePart: Record<string, never>;
  negativePart: Record<string, never>;
  /** `cond ≠ 0 ? a : b`; `cond` is a constant (selection is piecewise constant). */
  where: { readonly cond: Tensor };
  sum: { readonly axes: readonly number[]; readonly keepDims: boolean };
  broadcastTo: { readonly shape: Shape.Shape };
  reshape: { readonly shape: Shape.Shape };
  transpose: { readonly perm: readonly number[] };
  slice: { readonly begin: readonly number[]; readonly size: readonly number[] };
  pad: { readonly before: readonly number[]; readonly after: readonly number[] };
  concat: { readonly axis: number };
  matmul: { readonly transposeA: boolean; readonly transposeB: boolean };
  conv2d: ConvParams;
  /** conv2d plus a bias per output channel, fused; inputs (x, w, b). */
  conv2dBias: ConvParams;
  /** The transposed convolution `J_xᵀ dy` of conv2d; inputs (dy, w). */
  conv2dBackpropInput: ConvParams & { readonly xShape: Shape.Shape };
  /** `J_wᵀ dy` of conv2d; inputs (x, dy). */
  conv2dBackpropFilter: ConvParams & { readonly wShape: Shape.Shape };
  /** Depthwise convolution: w [C, M, KH, KW], output channel c·M + m from input channel c; inputs (x, w). */
  depthwiseConv2d: ConvParams;
  /** `J_xᵀ dy` of depthwiseConv2d; inputs (dy, w). */
  depthwiseConv2dBackpropInput: ConvParams & { readonly xShape: Shape.Shape };
  /** `J_wᵀ dy` of depthwiseConv2d; inputs (x, dy). */
  depthwiseConv2dBackpropFilter: ConvParams & { readonly wShape: Shape.Shape };
  sumPool2d: PoolParams;
  /** The adjoint of sumPool2d. */
  sumPool2dTranspose: PoolParams & { readonly xShape: Shape.Shape };
  /** `out[i] = x[indices[i]]` (max pooling selects its winners this way); output shape `shape`. */
  gather: { readonly indices: Int32Array; readonly shape: Shape.Shape };
  /** `out[indices[i]] += x[i]`, the adjoint of gather; output shape `shape`. */
  scatterAdd: { readonly indices: Int32Array; readonly shape: Shape.Shape };
  /** A user-supplied forward/backward pair (see `customVjp`). */
  custom: { readonly name: string; readonly bwd: (ct: Var) => readonly (Var | undefined)[] };
}

/** The name of a primitive. */
export type Primitive = keyof Params;

const all: { readonly [P in Primitive]: true } = {
  identity: true, add: true, sub: true, mul: true, div: true, pow: true, maximum: true, minimum: true,
  neg: true, exp: true, log: true, sqrt: true, abs: true, positivePart: true, negativePart: true, where: true,
  sum: true, broadcastTo: true, reshape: true, transpose: true, slice: true, pad: true, concat: true,
  matmul: true, conv2d: true, conv2dBias: true, conv2dBackpropInput: true, conv2dBackpropFilter: true,
  depthwiseConv2d: true, depthwiseConv2dBackpropInput: true, depthwiseConv2dBackpropFilter: true, sumPool2d: true,
  sumPool2dTranspose: true, gather: true, scatterAdd: true, custom: true,
};

/** Every primitive, for iteration (e.g. the property test that checks each rule against finite differences). */
export const primitives = Object.keys(all) as readonly Primitive[];
