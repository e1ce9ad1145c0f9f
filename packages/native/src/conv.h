/*
 * Native 2-D convolutions for @dtd/native: the forward convolution (bias fused) and its input gradient, over
 * NCHW images and OIHW filters with zero padding and strides, float32 and float64, one thread. The same
 * definitions as packages/tensor/src/internal/kernels/conv2d.ts:
 *
 *   y[n, o, u, v] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]   (+ b[o])
 *   dx = J_xᵀ·dy:  dx[n, c, y, z] = Σ over (o, u, v, i, j) with u·sh − ph + i = y, v·sw − pw + j = z of w[o, c, i, j]·dy[n, o, u, v]
 */
#ifndef DTD_NATIVE_CONV_H
#define DTD_NATIVE_CONV_H

/* The sizes of one convolution, as Conv2dGeometry in conv2d.ts (oh = ⌊(h + 2ph − kh)/sh⌋ + 1, same for ow). */
typedef struct {
  long n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow;
} dtd_conv_geom;

/* out (N×O×OH×OW) ← conv(x, w) (+ bias[o] when bias is not NULL). Overwrites out. Returns 0, or −1 when out of memory. */
int dtd_conv2d_forward_f32(const float *x, const float *w, const float *bias, const dtd_conv_geom *g, float *out);
int dtd_conv2d_forward_f64(const double *x, const double *w, const double *bias, const dtd_conv_geom *g, double *out);

/* dx (N×C×H×W) ← J_xᵀ·dy, dy N×O×OH×OW. Overwrites dx. Returns 0, or −1 when out of memory. */
int dtd_conv2d_backprop_input_f32(const float *dy, const float *w, const dtd_conv_geom *g, float *dx);
int dtd_conv2d_backprop_input_f64(const double *dy, const double *w, const dtd_conv_geom *g, double *dx);

/* Which instruction set the convolutions use on this machine: "avx512", "avx2" or "portable". */
const char *dtd_conv_isa(void);

#endif
