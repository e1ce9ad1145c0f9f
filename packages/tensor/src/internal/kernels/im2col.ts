/**
 * im2col and its adjoint col2im: the unfolding that turns a 2-D convolution into one matrix product
 * (Chellapilla, Puri & Simard, "High performance convolutional neural networks for document processing", 2006).
 *
 * For one image x (C×H×W) the column matrix is (C·KH·KW) × (OH·OW):
 *
 *   cols[(c·KH + i)·KW + j, u·OW + v] = x[c, u·sh − ph + i, v·sw − pw + j]   (0 outside the image: zero padding)
 *
 * and col2im is its transpose, dx[c, y, z] = dx[c, y, z]! + Σ cols[…] over the entries that read x[c, y, z].
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import type { Conv2dGeometry } from "./conv2d.ts";

/** The first output index u ≥ 0 whose input index u·s − p + i is ≥ 0. */
export const firstValid = (s: number, p: number, i: number): number => Math.max(0, Math.ceil((p - i) / s));

/** One past the last output index u < out whose input index u·s − p + i is < size (may be ≤ firstValid). */
export const endValid = (out: number, size: number, s: number, p: number, i: number): number =>
  Math.min(out, Math.floor((size - 1 + p - i) / s) + 1);

/** Unfolds image `x[xOff …]` (C×H×W) into `cols` ((C·KH·KW) × (OH·OW)), overwriting it (each entry written once). */
export const im2col = (x: FloatArray, xOff: number, g: Conv2dGeometry, cols: Float64Array): void => {
  const { c: C, h: H, w: W, kh: KH, kw: KW, sh, sw, ph, pw, oh: OH, ow: OW } = g;
  const plane = OH * OW;
  for (let i = 0; i < KH; i++) {
    // Output rows [uLo, uHi) read inside the image; the rest read the zero padding.
    const uLo = firstValid(sh, ph, i);
    const uHi = Math.max(uLo, endValid(OH, H, sh, ph, i));
    for (let j = 0; j < KW; j++) {
      const vLo = Math.min(OW, firstValid(sw, pw, j));
      const vHi = Math.max(vLo, endValid(OW, W, sw, pw, j));
      for (let c = 0; c < C; c++) {
        const row = ((c * KH + i) * KW + j) * plane;
        const xc = xOff + c * H * W;
        cols.fill(0, row, row + Math.min(uLo, OH) * OW);
        for (let u = uLo; u < uHi; u++) {
          const xr = xc + (u * sh - ph + i) * W - pw + j;
          const cr = row + u * OW;
          if (vLo > 0) cols.fill(0, cr, cr + vLo);
          if (sw === 1) for (let v = vLo; v < vHi; v++) cols[cr + v] = x[xr + v]!;
          else for (let v = vLo; v < vHi; v++) cols[cr + v] = x[xr + v * sw]!;
          if (vHi < OW) cols.fill(0, cr + vHi, cr + OW);
        }
        cols.fill(0, row + uHi * OW, row + plane);
      }
    }
  }
};

/** The adjoint of {@link im2col}: dx[dxOff …] (C×H×W) += the columns folded back onto the image. */
export const col2im = (cols: FloatArray, g: Conv2dGeometry, dx: FloatArray, dxOff: number): void => {
  if (cols instanceof Float32Array && dx instanceof Float32Array) fold32(cols, g, dx, dxOff);
  else fold(cols, g, dx, dxOff);
};

/**
 * The loops of {@link col2im}; fold32 is the same code for float32 columns and image. Two copies keep the loads
 * and stores monomorphic in a process that convolves in both dtypes (measured on net C's second convolution:
 * one shared loop then runs ~50% slower on float32 columns).
 */
const fold = (cols: FloatArray, g: Conv2dGeometry, dx: FloatArray, dxOff: number): void => {
  const { c: C, h: H, w: W, kh: KH, kw: KW, sh, sw, ph, pw, oh: OH, ow: OW } = g;
  const plane = OH * OW;
  for (let i = 0; i < KH; i++) {
    const uLo = firstValid(sh, ph, i);
    const uHi = endValid(OH, H, sh, ph, i);
    for (let j = 0; j < KW; j++) {
      const vLo = firstValid(sw, pw, j);
      const vHi = endValid(OW, W, sw, pw, j);
      for (let c = 0; c < C; c++) {
        const row = ((c * KH + i) * KW + j) * plane;
        const xc = dxOff + c * H * W;
        for (let u = uLo; u < uHi; u++) {
          const xr = xc + (u * sh - ph + i) * W - pw + j;
          const cr = row + u * OW;
          for (let v = vLo; v < vHi; v++) dx[xr + v * sw] = dx[xr + v * sw]! + cols[cr + v]!;
        }
      }
    }
  }
};

/** {@link fold} for float32 columns and image. */
const fold32 = (cols: Float32Array, g: Conv2dGeometry, dx: Float32Array, dxOff: number): void => {
  const { c: C, h: H, w: W, kh: KH, kw: KW, sh, sw, ph, pw, oh: OH, ow: OW } = g;
  const plane = OH * OW;
  for (let i = 0; i < KH; i++) {
    const uLo = firstValid(sh, ph, i);
    const uHi = endValid(OH, H, sh, ph, i);
    for (let j = 0; j < KW; j++) {
      const vLo = firstValid(sw, pw, j);
      const vHi = endValid(OW, W, sw, pw, j);
      for (let c = 0; c < C; c++) {
        const row = ((c * KH + i) * KW + j) * plane;
        const xc = dxOff + c * H * W;
        for (let u = uLo; u < uHi; u++) {
          const xr = xc + (u * sh - ph + i) * W - pw + j;
          const cr = row + u * OW;
          for (let v = vLo; v < vHi; v++) dx[xr + v * sw] = dx[xr + v * sw]! + cols[cr + v]!;
        }
      }
    }
  }
};

/**
 * {@link im2col} restricted to rows [p0, p0 + kb) and columns [j0, j0 + nb) of the unfolded image, written in
 * gemm's packed-B layout (gemm.ts `PackB`): bp[(q >> 2)·4kb + (p − p0)·4 + (q & 3)] = cols[p, j0 + q], j0 a
 * multiple of 4, rounded to float32 when `bp` is a Float32Array. Every entry of the nb columns (rounded up to
 * 4) is written, zero padding included.
 */
export const im2colPanels = (
  x: FloatArray,
  xOff: number,
  g: Conv2dGeometry,
  p0: number,
  kb: number,
  j0: number,
  nb: number,
  bp: FloatArray,
): void => {
  // Entries that read the zero padding, and the padding lanes of the last micro-panel, are zeros.
  if (g.ph > 0 || g.pw > 0 || (nb & 3) !== 0) bp.fill(0, 0, ((nb + 3) >> 2) * 4 * kb);
  if (bp instanceof Float32Array) panels32(x, xOff, g, p0, kb, j0, nb, bp);
  else panels64(x, xOff, g, p0, kb, j0, nb, bp);
};

/**
 * The loops of {@link im2colPanels} for a float32 panel; panels64 is the same code for a float64 one. Two copies
 * keep each store monomorphic in a process that convolves in both dtypes (measured on net C's second
 * convolution: one shared loop then runs ~15–20% slower).
 */
const panels32 = (x: FloatArray, xOff: number, g: Conv2dGeometry, p0: number, kb: number, j0: number, nb: number, bp: Float32Array): void => {
  const { h: H, w: W, kh: KH, kw: KW, sh, sw, ph, pw, oh: OH, ow: OW } = g;
  const kb4 = 4 * kb;
  const end = j0 + nb;
  for (let p = p0; p < p0 + kb; p++) {
    const j = p % KW;
    const i = Math.floor(p / KW) % KH;
    const c = Math.floor(p / (KW * KH));
    const uLo = Math.max(firstValid(sh, ph, i), Math.floor(j0 / OW));
    const uHi = Math.min(endValid(OH, H, sh, ph, i), Math.ceil(end / OW));
    const vLo = Math.min(OW, firstValid(sw, pw, j));
    const vHi = endValid(OW, W, sw, pw, j);
    const xc = xOff + c * H * W;
    const pr = (p - p0) * 4;
    for (let u = uLo; u < uHi; u++) {
      const xr = xc + (u * sh - ph + i) * W - pw + j;
      const q0 = u * OW - j0; // q of column v = q0 + v
      const vs = Math.max(vLo, -q0);
      const ve = Math.min(vHi, end - u * OW);
      for (let v = vs; v < ve; v++) {
        const q = q0 + v;
        bp[(q >> 2) * kb4 + pr + (q & 3)] = x[xr + v * sw]!;
      }
    }
  }
};

/** {@link panels32} for a float64 panel. */
const panels64 = (x: FloatArray, xOff: number, g: Conv2dGeometry, p0: number, kb: number, j0: number, nb: number, bp: Float64Array): void => {
  const { h: H, w: W, kh: KH, kw: KW, sh, sw, ph, pw, oh: OH, ow: OW } = g;
  const kb4 = 4 * kb;
  const end = j0 + nb;
  for (let p = p0; p < p0 + kb; p++) {
    const j = p % KW;
    const i = Math.floor(p / KW) % KH;
    const c = Math.floor(p / (KW * KH));
    const uLo = Math.max(firstValid(sh, ph, i), Math.floor(j0 / OW));
    const uHi = Math.min(endValid(OH, H, sh, ph, i), Math.ceil(end / OW));
    const vLo = Math.min(OW, firstValid(sw, pw, j));
    const vHi = endValid(OW, W, sw, pw, j);
    const xc = xOff + c * H * W;
    const pr = (p - p0) * 4;
    for (let u = uLo; u < uHi; u++) {
      const xr = xc + (u * sh - ph + i) * W - pw + j;
      const q0 = u * OW - j0; // q of column v = q0 + v
      const vs = Math.max(vLo, -q0);
      const ve = Math.min(vHi, end - u * OW);
      for (let v = vs; v < ve; v++) {
        const q = q0 + v;
        bp[(q >> 2) * kb4 + pr + (q & 3)] = x[xr + v * sw]!;
      }
    }
  }
};
