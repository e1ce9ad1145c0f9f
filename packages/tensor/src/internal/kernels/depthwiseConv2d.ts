/**
 * Depthwise 2-D convolution and its two adjoints, over NCHW images and [C, M, KH, KW] filters (M filters per input
 * channel, the depth multiplier), with zero padding and strides, no bias:
 *
 *   y[n, c·M + m, u, v] = Σ_{i,j} w[c, m, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]
 *
 * Every output channel reads one input channel, so there is no reduction over channels to hand to a matrix
 * product: direct loops over each (image, channel, filter) plane, the kernel taps outermost so that the inner
 * loop runs along a row of the input. Sums run in float64 and are rounded once into the output.
 * All three kernels overwrite their output.
 * @module
 */
import type { FloatArray } from "../../DType.ts";

/** The sizes of one depthwise convolution: as a convolution's, with m filters per channel (o = c·m). */
export interface DepthwiseGeometry {
  readonly n: number;
  readonly c: number;
  readonly m: number;
  readonly h: number;
  readonly w: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly oh: number;
  readonly ow: number;
}

/** The range of output positions u whose tap i reads inside the input: 0 ≤ u·s − p + i < size. */
const validRange = (i: number, s: number, p: number, size: number, outSize: number): readonly [number, number] => {
  const lo = Math.max(0, Math.ceil((p - i) / s));
  const hi = Math.min(outSize, Math.floor((size - 1 + p - i) / s) + 1);
  return [lo, hi];
};

/** out (N×CM×OH×OW) ← depthwise(x (N×C×H×W), w (C×M×KH×KW)). */
export const depthwiseForward = (x: FloatArray, w: FloatArray, g: DepthwiseGeometry, out: FloatArray): void => {
  const plane = g.oh * g.ow;
  const acc = new Float64Array(plane);
  for (let n = 0; n < g.n; n++) {
    for (let c = 0; c < g.c; c++) {
      const xOff = (n * g.c + c) * g.h * g.w;
      for (let m = 0; m < g.m; m++) {
        acc.fill(0);
        const wOff = (c * g.m + m) * g.kh * g.kw;
        for (let i = 0; i < g.kh; i++) {
          const [u0, u1] = validRange(i, g.sh, g.ph, g.h, g.oh);
          for (let j = 0; j < g.kw; j++) {
            const [v0, v1] = validRange(j, g.sw, g.pw, g.w, g.ow);
            const wij = w[wOff + i * g.kw + j]!;
            for (let u = u0; u < u1; u++) {
              const row = xOff + (u * g.sh - g.ph + i) * g.w - g.pw + j;
              const a = u * g.ow;
              for (let v = v0; v < v1; v++) acc[a + v] = acc[a + v]! + wij * x[row + v * g.sw]!;
            }
          }
        }
        const oOff = (n * g.c * g.m + c * g.m + m) * plane;
        for (let p = 0; p < plane; p++) out[oOff + p] = acc[p]!;
      }
    }
  }
};

/** dx (N×C×H×W) ← J_xᵀ·dy: every product term of the forward pass sends w·dy back to the input it read. */
export const depthwiseBackpropInput = (dy: FloatArray, w: FloatArray, g: DepthwiseGeometry, dx: FloatArray): void => {
  const plane = g.oh * g.ow;
  const image = g.h * g.w;
  const acc = new Float64Array(image);
  for (let n = 0; n < g.n; n++) {
    for (let c = 0; c < g.c; c++) {
      acc.fill(0);
      for (let m = 0; m < g.m; m++) {
        const wOff = (c * g.m + m) * g.kh * g.kw;
        const dyOff = (n * g.c * g.m + c * g.m + m) * plane;
        for (let i = 0; i < g.kh; i++) {
          const [u0, u1] = validRange(i, g.sh, g.ph, g.h, g.oh);
          for (let j = 0; j < g.kw; j++) {
            const [v0, v1] = validRange(j, g.sw, g.pw, g.w, g.ow);
            const wij = w[wOff + i * g.kw + j]!;
            for (let u = u0; u < u1; u++) {
              const row = (u * g.sh - g.ph + i) * g.w - g.pw + j;
              const a = dyOff + u * g.ow;
              for (let v = v0; v < v1; v++) acc[row + v * g.sw] = acc[row + v * g.sw]! + wij * dy[a + v]!;
            }
          }
        }
      }
      const xOff = (n * g.c + c) * image;
      for (let p = 0; p < image; p++) dx[xOff + p] = acc[p]!;
    }
  }
};

/** dw (C×M×KH×KW) ← J_wᵀ·dy = Σ_{n,u,v} dy[n, c·M + m, u, v] · x[n, c, u·sh − ph + i, v·sw − pw + j]. */
export const depthwiseBackpropFilter = (x: FloatArray, dy: FloatArray, g: DepthwiseGeometry, dw: FloatArray): void => {
  const plane = g.oh * g.ow;
  for (let c = 0; c < g.c; c++) {
    for (let m = 0; m < g.m; m++) {
      for (let i = 0; i < g.kh; i++) {
        const [u0, u1] = validRange(i, g.sh, g.ph, g.h, g.oh);
        for (let j = 0; j < g.kw; j++) {
          const [v0, v1] = validRange(j, g.sw, g.pw, g.w, g.ow);
          let s = 0;
          for (let n = 0; n < g.n; n++) {
            const xOff = (n * g.c + c) * g.h * g.w;
            const dyOff = (n * g.c * g.m + c * g.m + m) * plane;
            for (let u = u0; u < u1; u++) {
              const row = xOff + (u * g.sh - g.ph + i) * g.w - g.pw + j;
              const a = dyOff + u * g.ow;
              for (let v = v0; v < v1; v++) s += x[row + v * g.sw]! * dy[a + v]!;
            }
          }
          dw[((c * g.m + m) * g.kh + i) * g.kw + j] = s;
        }
      }
    }
  }
};
