/**
 * Layout conversions, done once at import: TF's HWIO kernels → OIHW, depthwise [kh, kw, C, m] → [C·m, 1, kh, kw],
 * "same" padding → explicit pads, and the permutation between an NHWC flatten and dtd's CHW flatten.
 * @module
 */
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import type { Pads } from "./Ir.ts";

/** A float32 tensor over `data` (copied into a Float32Array when it is not one). */
export const f32 = (shape: readonly number[], data: ArrayLike<number>): T.Tensor => unsafeMake([...shape], data instanceof Float32Array ? data : Float32Array.from(data));

/** [kh, kw, I, O] (TF's HWIO) → [O, I, kh, kw]. */
export const hwioToOihw = (shape: readonly number[], w: ArrayLike<number>): T.Tensor => {
  const [kh, kw, ci, co] = shape as [number, number, number, number];
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = w[((y * kw + x) * ci + i) * co + o]!;
  return f32([co, ci, kh, kw], out);
};

/** [kh, kw, C, m] (TF's depthwise kernel) → [C·m, 1, kh, kw]: output channel c·m + k, as TF orders them. */
export const depthwiseToOihw = (shape: readonly number[], w: ArrayLike<number>): T.Tensor => {
  const [kh, kw, c, m] = shape as [number, number, number, number];
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++)
        for (let k = 0; k < m; k++) out[((ch * m + k) * kh + y) * kw + x] = w[((y * kw + x) * c + ch) * m + k]!;
  return f32([c * m, 1, kh, kw], out);
};

/**
 * TF's "same" padding along one axis (also ONNX's SAME_UPPER): the output has ⌈n/stride⌉ positions and the
 * padding the windows need is split with the odd one at the end (`lowerFirst` puts it first: SAME_LOWER).
 */
export const samePads = (n: number, kernel: number, stride: number, lowerFirst = false): readonly [number, number] => {
  const total = Math.max((Math.ceil(n / stride) - 1) * stride + kernel - n, 0);
  const small = Math.floor(total / 2);
  return lowerFirst ? [total - small, small] : [small, total - small];
};

/** "same" pads `[top, bottom, left, right]` of a CHW input. */
export const samePads2d = (input: readonly number[], kernel: readonly [number, number], stride: readonly [number, number], lowerFirst = false): Pads => {
  // A vector [C] here is a global pooling's output that the original holds as a 1×1 map (Keras's MobileNet head).
  const [h, w] = input.length === 1 ? [1, 1] : [input[1]!, input[2]!];
  const [t, b] = samePads(h, kernel[0], stride[0], lowerFirst);
  const [l, r] = samePads(w, kernel[1], stride[1], lowerFirst);
  return [t, b, l, r];
};

/**
 * For a [C, H, W] activation: `perm[d]` is the index that dtd's flatten position d (c·H·W + y·W + x) has in a
 * flatten of the same activation stored NHWC ((y·W + x)·C + c). Identity when H·W = 1 or C = 1.
 */
export const nhwcFlattenPermutation = (shape: readonly number[]): Int32Array => {
  const [c, h, w] = shape as [number, number, number];
  const perm = new Int32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) perm[(ch * h + y) * w + x] = (y * w + x) * c + ch;
  return perm;
};

/** True when `perm` is undefined or the identity. */
export const isIdentity = (perm: Int32Array | undefined): boolean => perm === undefined || perm.every((p, i) => p === i);

/** Rows of W [in, out] reordered: row d of the result is row perm[d] of W. */
export const permuteRows = (W: T.Tensor, perm: Int32Array): T.Tensor => {
  const [nIn, nOut] = W.shape as [number, number];
  const out = new Float32Array(nIn * nOut);
  for (let d = 0; d < nIn; d++) out.set(W.data.subarray(perm[d]! * nOut, (perm[d]! + 1) * nOut), d * nOut);
  return f32(W.shape, out);
};

/** A vector reordered: element d of the result is element perm[d]. */
export const permute = (v: ArrayLike<number>, perm: Int32Array): Float32Array => Float32Array.from(perm, (p) => v[p]!);
