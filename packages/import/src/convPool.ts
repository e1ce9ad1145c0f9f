/**
 * A convolution followed directly by an average pool is one convolution: both are linear, so
 *
 *   y[o, i, j] = 1/(a_h a_w) Σ_{u < a_h, v < a_w} z[o, i·t_h + u, j·t_w + v],
 *   z[o, p, q] = b_o + Σ_c Σ_{m, n} W[o, c, m, n] x̄[c, p·s_h + m, q·s_w + n]
 *
 * (x̄ the zero-padded input, s the convolution's strides, a and t the pool's window and strides) is the
 * convolution of x̄ with stride s·t, the same bias, and the kernel of (a_h − 1)·s_h + k_h rows (likewise columns)
 *
 *   W'[o, c, u·s_h + m, v·s_w + n] += W[o, c, m, n] / (a_h a_w).
 *
 * The output sizes agree: ⌊(⌊A/s⌋ + 1 − a)/t⌋ + 1 = ⌊(A − (a − 1)s)/(s t)⌋ + 1 for A = H + pads − k. DenseNet's
 * transitions (1×1 conv, 2×2 average pool) export this way; as one layer the pool's signed inputs need no rule
 * of their own (deep Taylor decomposition's neurons are affine maps followed by a ReLU, Montavon et al. 2017).
 * @module
 */
import type { IrNodeOf } from "./Ir.ts";
import { f32 } from "./layout.ts";

/** The kernel of a convolution (W [O, I, kh, kw], strides s) followed by an average pool of window a. */
const pooledKernel = (W: IrNodeOf<"conv2d">["W"], stride: readonly [number, number], window: readonly [number, number]): IrNodeOf<"conv2d">["W"] => {
  const [o, i, kh, kw] = W.shape as [number, number, number, number];
  const [sh, sw] = stride;
  const [ah, aw] = window;
  const KH = (ah - 1) * sh + kh;
  const KW = (aw - 1) * sw + kw;
  const out = new Float32Array(o * i * KH * KW);
  const scale = 1 / (ah * aw);
  for (let oc = 0; oc < o * i; oc++)
    for (let u = 0; u < ah; u++)
      for (let v = 0; v < aw; v++)
        for (let m = 0; m < kh; m++)
          for (let n = 0; n < kw; n++) out[(oc * KH + u * sh + m) * KW + v * sw + n]! += W.data[(oc * kh + m) * kw + n]! * scale;
  return f32([o, i, KH, KW], out);
};

/** The convolution `a` followed by the average pool `p` as one convolution. */
export const convThenAvgPool = (a: IrNodeOf<"conv2d"> | IrNodeOf<"depthwiseConv2d">, p: IrNodeOf<"avgPool2d">): IrNodeOf<"conv2d"> | IrNodeOf<"depthwiseConv2d"> => {
  const W = pooledKernel(a.W, a.stride, p.kernel);
  const stride = [a.stride[0] * p.stride[0], a.stride[1] * p.stride[1]] as const;
  return a.op === "conv2d" ? { ...a, W, stride } : { ...a, W, stride };
};
