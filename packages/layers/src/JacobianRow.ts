/**
 * One row of an affine layer's Jacobian, ∂z_j/∂x, held sparsely: the input units neuron j reads and their
 * weights, and its bias b_j. A Dense neuron reads every input (w_ij = W[i][j]); a Conv2d neuron reads only its
 * kernel window (C·kh·kw units at most, fewer at a padded border). Filling a row costs its length, so a caller
 * can walk every neuron of a large convolution with memory for one row — where `affineRows` (one VJP with the
 * identity as cotangents) would materialise neurons × inputs values.
 * @module
 */
import type { Affine } from "./Layer.ts";

/** A reusable sparse row: `length` entries of `index` (flat, in the input's layout) and `weight`. */
export interface SparseRow {
  readonly index: Int32Array;
  readonly weight: Float64Array;
  length: number;
  bias: number;
}

/** The most entries a row of `layer` can have: its fan-in (in for Dense, C·kh·kw for Conv2d, kh·kw for DepthwiseConv2d). */
export const rowCapacity = (layer: Affine): number =>
  layer.kind === "dense" ? layer.W.shape[0]! : (layer.kind === "conv2d" ? layer.W.shape[1]! : 1) * layer.W.shape[2]! * layer.W.shape[3]!;

/** A row buffer for `layer`. */
export const sparseRow = (layer: Affine): SparseRow => {
  const n = rowCapacity(layer);
  return { index: new Int32Array(n), weight: new Float64Array(n), length: 0, bias: 0 };
};

/**
 * Fills `row` with neuron j's Jacobian row (j flat in the layer's output layout) for per-sample inputs of
 * `inputShape` ([in] for Dense, [C, H, W] for the convolutions, as `build` checked). A depthwise neuron of output
 * channel c·M + m reads input channel c only, through W[c, m].
 */
export const fillRow = (layer: Affine, inputShape: readonly number[], j: number, row: SparseRow): void => {
  const W = layer.W.data;
  if (layer.kind === "dense") {
    const [nIn, nOut] = layer.W.shape as [number, number];
    for (let i = 0; i < nIn; i++) {
      row.index[i] = i;
      row.weight[i] = W[i * nOut + j]!;
    }
    row.length = nIn;
    row.bias = layer.b.data[j]!;
    return;
  }
  const [, d1, kh, kw] = layer.W.shape as [number, number, number, number];
  const depthwise = layer.kind === "depthwiseConv2d";
  const [, H, Wd] = inputShape as [number, number, number];
  const [sh, sw] = layer.stride;
  const [ph, pw] = layer.padding;
  const OH = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const OW = Math.floor((Wd + 2 * pw - kw) / sw) + 1;
  const o = Math.floor(j / (OH * OW));
  const oy = Math.floor((j % (OH * OW)) / OW);
  const ox = j % OW;
  // Conv2d: every channel c through filter o (W [O, C, kh, kw]); depthwise: channel ⌊o/M⌋ through W[⌊o/M⌋, o mod M].
  const [c0, c1] = depthwise ? [Math.floor(o / d1), Math.floor(o / d1) + 1] : [0, d1];
  let n = 0;
  for (let c = c0; c < c1; c++) {
    const filter = depthwise ? o : o * d1 + c;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - ph + ky;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw - pw + kx;
        if (ix < 0 || ix >= Wd) continue;
        row.index[n] = (c * H + iy) * Wd + ix;
        row.weight[n] = W[(filter * kh + ky) * kw + kx]!;
        n++;
      }
    }
  }
  row.length = n;
  row.bias = layer.b.data[o]!;
};
