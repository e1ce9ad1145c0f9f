/**
 * One row of an affine layer's Jacobian, ∂z_j/∂x, held sparsely: the input units neuron j reads and their
 * weights, and its bias b_j. A Dense neuron reads every input (w_ij = W[i][j]); a Conv2d neuron reads only its
 * kernel window (C·kh·kw units at most, fewer at a padded border). Filling a row costs its length, so a caller
 * can walk every neuron of a large convolution with memory for one row — where `affineRows` (one VJP with the
 * identity as cotangents) would materialise neurons × inputs values. A DepthwiseConv2d neuron reads its window of
 * one input channel (kh·kw units).
 * @module
 */
import type { Affine } from "./Layer.ts";

/** A reusable sparse row of neuron `j`: `length` entries of `index` (flat, in the input's layout) and `weight`. */
export interface SparseRow {
  j: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
  length: number;
  bias: number;
}

/** The most entries a row of `layer` can have: its fan-in (in for Dense, C·kh·kw for Conv2d, kh·kw for DepthwiseConv2d). */
export const rowCapacity = (layer: Affine): number => {
  const [a, b, kh, kw] = layer.W.shape as [number, number, number, number];
  return layer.kind === "dense" ? a : layer.kind === "conv2d" ? b * kh * kw : kh * kw;
};

/** A row buffer for `layer`. */
export const sparseRow = (layer: Affine): SparseRow => {
  const n = rowCapacity(layer);
  return { j: -1, index: new Int32Array(n), weight: new Float64Array(n), length: 0, bias: 0 };
};

/** Where one output of a convolution reads: its position (oy, ox) and the geometry of the layer and its input. */
interface WindowAt {
  readonly W: ArrayLike<number>;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly H: number;
  readonly Wd: number;
  readonly kh: number;
  readonly kw: number;
  readonly oy: number;
  readonly ox: number;
}

/**
 * Appends to `row` the window of `at` over input channel c, with the kh·kw weights of W from `wOffset` (row-major).
 * Positions in the zero padding are left out.
 */
const appendWindow = (at: WindowAt, c: number, wOffset: number, row: SparseRow): void => {
  let n = row.length;
  for (let ky = 0; ky < at.kh; ky++) {
    const iy = at.oy * at.stride[0] - at.padding[0] + ky;
    if (iy < 0 || iy >= at.H) continue;
    for (let kx = 0; kx < at.kw; kx++) {
      const ix = at.ox * at.stride[1] - at.padding[1] + kx;
      if (ix < 0 || ix >= at.Wd) continue;
      row.index[n] = (c * at.H + iy) * at.Wd + ix;
      row.weight[n] = at.W[wOffset + ky * at.kw + kx]!;
      n++;
    }
  }
  row.length = n;
};

/**
 * Fills `row` with neuron j's Jacobian row (j flat in the layer's output layout) for per-sample inputs of
 * `inputShape` ([in] for Dense, [C, H, W] for the convolutions, as `build` checked).
 */
export const fillRow = (layer: Affine, inputShape: readonly number[], j: number, row: SparseRow): void => {
  row.j = j;
  if (layer.kind === "dense") {
    const W = layer.W.data;
    const [nIn, nOut] = layer.W.shape as [number, number];
    for (let i = 0; i < nIn; i++) {
      row.index[i] = i;
      row.weight[i] = W[i * nOut + j]!;
    }
    row.length = nIn;
    row.bias = layer.b.data[j]!;
    return;
  }
  const [, b, kh, kw] = layer.W.shape as [number, number, number, number];
  const [, H, Wd] = inputShape as [number, number, number];
  const OH = Math.floor((H + 2 * layer.padding[0] - kh) / layer.stride[0]) + 1;
  const OW = Math.floor((Wd + 2 * layer.padding[1] - kw) / layer.stride[1]) + 1;
  const o = Math.floor(j / (OH * OW));
  const at: WindowAt = { W: layer.W.data, stride: layer.stride, padding: layer.padding, H, Wd, kh, kw, oy: Math.floor((j % (OH * OW)) / OW), ox: j % OW };
  row.length = 0;
  if (layer.kind === "conv2d") {
    // OIHW: output channel o reads every input channel c through W[o, c].
    for (let c = 0; c < b; c++) appendWindow(at, c, (o * b + c) * kh * kw, row);
  } else {
    // [C, M, kh, kw]: output channel o = c·M + m reads input channel c only, through W[c, m].
    appendWindow(at, Math.floor(o / b), o * kh * kw, row);
  }
  row.bias = layer.b.data[o]!;
};
