/*
 * @dtd/native: 2-D convolutions, the forward one (bias fused) and its input gradient, over NCHW images and OIHW
 * filters with zero padding and strides, float32 and float64, one thread. The definitions of
 * packages/tensor/src/internal/kernels/conv2d.ts:
 *
 *   y[n, o, u, v] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]   (+ b[o])
 *   dx = J_xᵀ·dy,  dx[n, c, r, s] = Σ w[o, c, i, j] · dy[n, o, u, v] over u·sh − ph + i = r, v·sw − pw + j = s
 */
#ifndef DTD_CONV_H
#define DTD_CONV_H

#include "gemm.h"

/* The sizes of one convolution, as Conv2dGeometry in conv2d.ts: oh = ⌊(h + 2ph − kh)/sh⌋ + 1, likewise ow. */
typedef struct dtd_conv_geom {
  long n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow;
} dtd_conv_geom;

/* The convolutions of one instruction set. Each overwrites its output and returns 0, or −1 when scratch memory
 * could not be allocated. forward: out (N×O×OH×OW) ← conv(x, w) (+ bias[o] unless bias is NULL);
 * backprop_input: dx (N×C×H×W) ← J_xᵀ·dy, or, when den is not NULL, J_xᵀ·c with eq. (4)'s quotients
 * c = dy / (den + k) (0 where den + k = 0; den N×O×OH×OW, k one image's O×OH×OW or NULL for none), formed while
 * packing: the same bits as the quotient (quotient.c) followed by the plain product. */
typedef struct dtd_conv_isa {
  const char *name;
  int (*forward_f32)(const float *x, const float *w, const float *bias, const dtd_conv_geom *g, float *out, dtd_scratch *s);
  int (*forward_f64)(const double *x, const double *w, const double *bias, const dtd_conv_geom *g, double *out, dtd_scratch *s);
  int (*backprop_input_f32)(const float *dy, const float *den, const float *k, const float *w, const dtd_conv_geom *g, float *dx, dtd_scratch *s);
  int (*backprop_input_f64)(const double *dy, const double *den, const double *k, const double *w, const dtd_conv_geom *g, double *dx, dtd_scratch *s);
} dtd_conv_isa;

/* Compiled from conv.c once per instruction set, as gemm.c (scripts/build.mjs). */
extern const dtd_conv_isa dtd_conv_generic;
#if defined(__x86_64__)
extern const dtd_conv_isa dtd_conv_avx2;
extern const dtd_conv_isa dtd_conv_avx512;
#endif

#endif
