/**
 * 2-D pooling over NCHW images without padding: windows of kh×kw taken every sh×sw, output
 * oh = ⌊(h − kh)/sh⌋ + 1 (same for ow). Max pooling records, for every output, the flat index into x of the
 * window's maximum; its derivative then needs no comparison: the backward pass scatters dy to those indices, and
 * the forward pass of the same routing (gather) reads x at them. Sum pooling is linear, with adjoint
 * {@link sumPool2dTranspose}.
 *
 * Kernels overwrite `out`/`argmax`/`dx` except {@link scatterAdd}, which adds into a caller-zeroed dx.
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import { nativeKernels } from "./native.ts";

/** Batch n, channels c, input h×w, window kh×kw, stride sh×sw, output oh×ow. */
export interface Pool2dGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly oh: number;
  readonly ow: number;
}

/**
 * out[n, c, u, v] = max_{i<kh, j<kw} x[n, c, u·sh + i, v·sw + j]; argmax holds the flat x index of that
 * maximum (the first in row-major window order on ties). A NaN in a window is selected (the first one), so it
 * propagates as in IEEE `max` instead of being hidden. Runs on the installed native kernels' `maxPool2d` when x
 * and out share an element type (the same bits: only comparisons and copies), else on {@link maxPool2dForwardJs}.
 */
export const maxPool2dForward = (x: FloatArray, g: Pool2dGeometry, out: FloatArray, argmax: Int32Array): void => {
  const native = nativeKernels()?.maxPool2d;
  if (native !== undefined && (x instanceof Float32Array ? out instanceof Float32Array : out instanceof Float64Array)) {
    poolDims[0] = g.n * g.c;
    poolDims[1] = g.h;
    poolDims[2] = g.w;
    poolDims[3] = g.kh;
    poolDims[4] = g.kw;
    poolDims[5] = g.sh;
    poolDims[6] = g.sw;
    poolDims[7] = g.oh;
    poolDims[8] = g.ow;
    native(x, out, argmax, poolDims);
    return;
  }
  maxPool2dForwardJs(x, g, out, argmax);
};

/** [planes, h, w, kh, kw, sh, sw, oh, ow], reused by every native call (NativeKernels.maxPool2d). */
const poolDims = new Float64Array(9);

/** {@link maxPool2dForward}'s JavaScript loop (the fallback without native kernels, and their reference). */
export const maxPool2dForwardJs = (x: FloatArray, g: Pool2dGeometry, out: FloatArray, argmax: Int32Array): void => {
  const { h: H, w: W, kh: KH, kw: KW, sh, sw, oh: OH, ow: OW } = g;
  const planes = g.n * g.c;
  if (KH === 2 && KW === 2) {
    maxPool2x2(x, g, out, argmax);
    return;
  }
  for (let p = 0; p < planes; p++) {
    const xp = p * H * W;
    const yp = p * OH * OW;
    for (let u = 0; u < OH; u++) {
      for (let v = 0; v < OW; v++) {
        const start = xp + u * sh * W + v * sw;
        let best = start;
        let bestVal = x[start]!;
        for (let i = 0; i < KH; i++) {
          const row = start + i * W;
          for (let j = 0; j < KW; j++) {
            const val = x[row + j]!;
            if (val > bestVal || (val !== val && bestVal === bestVal)) {
              bestVal = val;
              best = row + j;
            }
          }
        }
        out[yp + u * OW + v] = bestVal;
        argmax[yp + u * OW + v] = best;
      }
    }
  }
};

/**
 * {@link maxPool2dForward} for 2×2 windows (the common case), unrolled: the same comparisons in the same order,
 * 1.6× faster than the general loop. Written twice, once per element type (as thinLoops.ts explains: a load site
 * that sees both Float32Array and Float64Array runs ~35% slower here once a process has pooled both types);
 * keep the copies identical but for the type.
 */
const maxPool2x2 = (x: FloatArray, g: Pool2dGeometry, out: FloatArray, argmax: Int32Array): void => {
  if (x instanceof Float64Array && out instanceof Float64Array) maxPool2x2f64(x, g, out, argmax);
  else if (x instanceof Float32Array && out instanceof Float32Array) maxPool2x2f32(x, g, out, argmax);
  else {
    // Mixed element types (the ops pool within one dtype): through float64, where every value is exact.
    const tmp = new Float64Array(g.n * g.c * g.oh * g.ow);
    maxPool2x2f64(x instanceof Float64Array ? x : Float64Array.from(x), g, tmp, argmax);
    out.set(tmp);
  }
};

const maxPool2x2f64 = (x: Float64Array, g: Pool2dGeometry, out: Float64Array, argmax: Int32Array): void => {
  const { h: H, w: W, sh, sw, oh: OH, ow: OW } = g;
  const planes = g.n * g.c;
  for (let p = 0, o = 0; p < planes; p++) {
    const xp = p * H * W;
    for (let u = 0; u < OH; u++) {
      for (let v = 0, s = xp + u * sh * W; v < OW; v++, o++, s += sw) {
        let best = s;
        let bestVal = x[s]!;
        let q = s + 1;
        let val = x[q]!;
        if (val > bestVal || (val !== val && bestVal === bestVal)) {
          bestVal = val;
          best = q;
        }
        q = s + W;
        val = x[q]!;
        if (val > bestVal || (val !== val && bestVal === bestVal)) {
          bestVal = val;
          best = q;
        }
        q++;
        val = x[q]!;
        if (val > bestVal || (val !== val && bestVal === bestVal)) {
          bestVal = val;
          best = q;
        }
        out[o] = bestVal;
        argmax[o] = best;
      }
    }
  }
};

// The Float32Array copy of the above.
const maxPool2x2f32 = (x: Float32Array, g: Pool2dGeometry, out: Float32Array, argmax: Int32Array): void => {
  const { h: H, w: W, sh, sw, oh: OH, ow: OW } = g;
  const planes = g.n * g.c;
  for (let p = 0, o = 0; p < planes; p++) {
    const xp = p * H * W;
    for (let u = 0; u < OH; u++) {
      for (let v = 0, s = xp + u * sh * W; v < OW; v++, o++, s += sw) {
        let best = s;
        let bestVal = x[s]!;
        let q = s + 1;
        let val = x[q]!;
        if (val > bestVal || (val !== val && bestVal === bestVal)) {
          bestVal = val;
          best = q;
        }
        q = s + W;
        val = x[q]!;
        if (val > bestVal || (val !== val && bestVal === bestVal)) {
          bestVal = val;
          best = q;
        }
        q++;
        val = x[q]!;
        if (val > bestVal || (val !== val && bestVal === bestVal)) {
          bestVal = val;
          best = q;
        }
        out[o] = bestVal;
        argmax[o] = best;
      }
    }
  }
};

/** A max pooling's geometry with padding: windows start `pt` rows above and `pl` columns left of the input. */
export interface PaddedPool2dGeometry extends Pool2dGeometry {
  readonly pt: number;
  readonly pl: number;
}

/**
 * Max pooling whose windows may overhang the input (padding that acts as −∞, as in TF's and ONNX's padded max
 * pools): out[n, c, u, v] = max over the part of the window at (u·sh − pt, v·sw − pl) inside the input, and argmax
 * the flat x index of that maximum (first in row-major window order on ties; a NaN is selected, as above). Every
 * window must keep at least one input element (the caller checks: each pad is smaller than the window).
 */
export const maxPool2dPaddedForward = (x: FloatArray, g: PaddedPool2dGeometry, out: FloatArray, argmax: Int32Array): void => {
  const { h: H, w: W, kh: KH, kw: KW, sh, sw, oh: OH, ow: OW, pt, pl } = g;
  const planes = g.n * g.c;
  for (let p = 0, o = 0; p < planes; p++) {
    const xp = p * H * W;
    for (let u = 0; u < OH; u++) {
      const y0 = u * sh - pt;
      const i0 = y0 < 0 ? 0 : y0;
      const i1 = y0 + KH > H ? H : y0 + KH;
      for (let v = 0; v < OW; v++, o++) {
        const x0 = v * sw - pl;
        const j0 = x0 < 0 ? 0 : x0;
        const j1 = x0 + KW > W ? W : x0 + KW;
        let best = xp + i0 * W + j0;
        let bestVal = x[best]!;
        for (let i = i0; i < i1; i++) {
          const row = xp + i * W;
          for (let j = j0; j < j1; j++) {
            const val = x[row + j]!;
            if (val > bestVal || (val !== val && bestVal === bestVal)) {
              bestVal = val;
              best = row + j;
            }
          }
        }
        out[o] = bestVal;
        argmax[o] = best;
      }
    }
  }
};

/**
 * dx[argmax[i]] += dy[i] for every i: the adjoint of {@link gather}. dx must be zeroed by the caller. Each index is
 * range-checked in the loop that uses it (one unsigned comparison, always predicted): the index of the first
 * argmax entry outside [0, dx.length), with nothing added from it on, or −1. One loop per element type.
 */
export const scatterAdd = (dy: FloatArray, argmax: Int32Array, dx: FloatArray): number =>
  dy instanceof Float32Array && dx instanceof Float32Array ? scatterAdd32(dy, argmax, dx) : scatterAddAny(dy, argmax, dx);

const scatterAddAny = (dy: FloatArray, argmax: Int32Array, dx: FloatArray): number => {
  const limit = dx.length;
  for (let i = 0; i < argmax.length; i++) {
    const j = argmax[i]!;
    if (j >>> 0 >= limit) return i;
    dx[j] = dx[j]! + dy[i]!;
  }
  return -1;
};

// The Float32Array copy of scatterAddAny (float64 operands take that one).
const scatterAdd32 = (dy: Float32Array, argmax: Int32Array, dx: Float32Array): number => {
  const limit = dx.length;
  for (let i = 0; i < argmax.length; i++) {
    const j = argmax[i]!;
    if (j >>> 0 >= limit) return i;
    dx[j] = dx[j]! + dy[i]!;
  }
  return -1;
};

/**
 * out[i] = x[argmax[i]]: max pooling's routing applied to another input (linear in x). Range-checked in the loop
 * as {@link scatterAdd}: the index of the first argmax entry outside [0, x.length), or −1.
 */
export const gather = (x: FloatArray, argmax: Int32Array, out: FloatArray): number => {
  const limit = x.length;
  for (let i = 0; i < argmax.length; i++) {
    const j = argmax[i]!;
    if (j >>> 0 >= limit) return i;
    out[i] = x[j]!;
  }
  return -1;
};

/** out[n, c, u, v] = Σ_{i<kh, j<kw} x[n, c, u·sh + i, v·sw + j]. */
export const sumPool2dForward = (x: FloatArray, g: Pool2dGeometry, out: FloatArray): void => {
  const { h: H, w: W, kh: KH, kw: KW, sh, sw, oh: OH, ow: OW } = g;
  const planes = g.n * g.c;
  for (let p = 0; p < planes; p++) {
    const xp = p * H * W;
    const yp = p * OH * OW;
    for (let u = 0; u < OH; u++) {
      for (let v = 0; v < OW; v++) {
        const start = xp + u * sh * W + v * sw;
        let s = 0;
        for (let i = 0; i < KH; i++) {
          const row = start + i * W;
          for (let j = 0; j < KW; j++) s += x[row + j]!;
        }
        out[yp + u * OW + v] = s;
      }
    }
  }
};

/**
 * The adjoint of {@link sumPool2dForward}: dx[n, c, y, z] = Σ over windows (u, v) containing (y, z) of
 * dy[n, c, u, v]. Overwrites dx (zero where no window reaches, e.g. the rows cut off by the stride).
 */
export const sumPool2dTranspose = (dy: FloatArray, g: Pool2dGeometry, dx: FloatArray): void => {
  const { h: H, w: W, kh: KH, kw: KW, sh, sw, oh: OH, ow: OW } = g;
  const planes = g.n * g.c;
  dx.fill(0, 0, planes * H * W);
  for (let p = 0; p < planes; p++) {
    const xp = p * H * W;
    const yp = p * OH * OW;
    for (let u = 0; u < OH; u++) {
      for (let v = 0; v < OW; v++) {
        const start = xp + u * sh * W + v * sw;
        const d = dy[yp + u * OW + v]!;
        for (let i = 0; i < KH; i++) {
          const row = start + i * W;
          for (let j = 0; j < KW; j++) dx[row + j] = dx[row + j]! + d;
        }
      }
    }
  }
};
