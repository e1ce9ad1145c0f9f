/*
 * Native 2-D convolutions (conv.h): the kernels of convImpl.h compiled for AVX-512F, AVX2 + FMA and portable C
 * (GCC/Clang vector extensions), float32 and float64 each; the widest one the processor supports is chosen at
 * the first call.
 */
#include "conv.h"

#include <stdlib.h>
#include <string.h>

/* Scratch aligned to a cache line, its size rounded up as aligned_alloc requires; NULL when out of memory. */
static void *dtd_conv_alloc(size_t bytes) {
  return aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
}

#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL _Pragma("GCC unroll 16")
#endif

/* ---- portable: 16-byte vectors, separate multiply and add ---- */
typedef float dtd_v4f __attribute__((vector_size(16)));
typedef double dtd_v2d __attribute__((vector_size(16)));

static inline dtd_v4f dtd_load4f(const float *p) { dtd_v4f v; memcpy(&v, p, sizeof v); return v; }
static inline void dtd_store4f(float *p, dtd_v4f v) { memcpy(p, &v, sizeof v); }
static inline dtd_v2d dtd_load2d(const double *p) { dtd_v2d v; memcpy(&v, p, sizeof v); return v; }
static inline void dtd_store2d(double *p, dtd_v2d v) { memcpy(p, &v, sizeof v); }

#define MR 6
#define VZERO ((VEC){0})
#define VSET1(s) ((VEC){0} + (s))
#define VFMA(a, b, c) ((a) * (b) + (c))

#define T float
#define SFX f32_portable
#define VEC dtd_v4f
#define VL 4
#define VLOAD(p) dtd_load4f(p)
#define VSTORE(p, v) dtd_store4f(p, v)
#include "convImpl.h"
#undef T
#undef SFX
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE

#define T double
#define SFX f64_portable
#define VEC dtd_v2d
#define VL 2
#define VLOAD(p) dtd_load2d(p)
#define VSTORE(p, v) dtd_store2d(p, v)
#include "convImpl.h"
#undef T
#undef SFX
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VZERO
#undef VSET1
#undef VFMA

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DTD_CONV_X86 1

/* ---- AVX2 + FMA: 32-byte vectors ---- */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#define T float
#define SFX f32_avx2
#define VEC __m256
#define VL 8
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSET1(s) _mm256_set1_ps(s)
#define VZERO _mm256_setzero_ps()
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#include "convImpl.h"
#undef T
#undef SFX
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VZERO
#undef VFMA

#define T double
#define SFX f64_avx2
#define VEC __m256d
#define VL 4
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd(p, v)
#define VSET1(s) _mm256_set1_pd(s)
#define VZERO _mm256_setzero_pd()
#define VFMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#include "convImpl.h"
#undef T
#undef SFX
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VZERO
#undef VFMA

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/* ---- AVX-512F: 64-byte vectors ---- */
#undef MR
#define MR 8
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif

#define T float
#define SFX f32_avx512
#define VEC __m512
#define VL 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(s) _mm512_set1_ps(s)
#define VZERO _mm512_setzero_ps()
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#include "convImpl.h"
#undef T
#undef SFX
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VZERO
#undef VFMA

#define T double
#define SFX f64_avx512
#define VEC __m512d
#define VL 8
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd(p, v)
#define VSET1(s) _mm512_set1_pd(s)
#define VZERO _mm512_setzero_pd()
#define VFMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#include "convImpl.h"
#undef T
#undef SFX
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VZERO
#undef VFMA

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

/* 2 = AVX-512F, 1 = AVX2 + FMA, 0 = portable; −1 until the first call asks the processor (DTD_NATIVE_ISA = avx2 or
 * portable caps it, for tests of the narrower paths). */
static int dtd_conv_level = -1;

static int dtd_conv_isa_level(void) {
  if (dtd_conv_level >= 0) return dtd_conv_level;
  int level = 0;
#ifdef DTD_CONV_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) level = 2;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
#endif
  const char *cap = getenv("DTD_NATIVE_ISA");
  if (cap != NULL && strcmp(cap, "portable") == 0) level = 0;
  else if (cap != NULL && strcmp(cap, "avx2") == 0 && level > 1) level = 1;
  dtd_conv_level = level;
  return level;
}

const char *dtd_conv_isa(void) {
  static const char *const names[] = {"portable", "avx2", "avx512"};
  return names[dtd_conv_isa_level()];
}

#ifdef DTD_CONV_X86
#define DISPATCH(name, sfx, args)                               \
  switch (dtd_conv_isa_level()) {                               \
    case 2: return name##_##sfx##_avx512 args;                  \
    case 1: return name##_##sfx##_avx2 args;                    \
    default: return name##_##sfx##_portable args;               \
  }
#else
#define DISPATCH(name, sfx, args) return name##_##sfx##_portable args;
#endif

int dtd_conv2d_forward_f32(const float *x, const float *w, const float *bias, const dtd_conv_geom *g, float *out) {
  DISPATCH(forward, f32, (x, w, bias, g, out))
}
int dtd_conv2d_forward_f64(const double *x, const double *w, const double *bias, const dtd_conv_geom *g, double *out) {
  DISPATCH(forward, f64, (x, w, bias, g, out))
}
int dtd_conv2d_backprop_input_f32(const float *dy, const float *w, const dtd_conv_geom *g, float *dx) {
  DISPATCH(backprop_input, f32, (dy, w, g, dx))
}
int dtd_conv2d_backprop_input_f64(const double *dy, const double *w, const dtd_conv_geom *g, double *dx) {
  DISPATCH(backprop_input, f64, (dy, w, g, dx))
}
