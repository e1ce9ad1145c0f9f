/*
 * @dtd/native: the convolutions of conv.h for one instruction set, float32 and float64 (the loops are in
 * convImpl.h, included once per element type).
 *
 * Compiled once per instruction set by scripts/build.mjs, as gemm.c: plain (SSE2 on x86-64, NEON on arm64; GCC
 * vector extensions), with -DDTD_ISA_AVX2 -mavx2 -mfma, and with -DDTD_ISA_AVX512 -mavx512f … (intrinsics, so
 * that every multiply–add of the tiles is one fused instruction whatever the contraction flags).
 */
#include <string.h>

#include "conv.h"

#if defined(DTD_ISA_AVX512) || defined(DTD_ISA_AVX2)
#include <immintrin.h>
#endif

/* The k extent of a packed B panel and the rows of the register tile, per element type, come from convImpl.h. */
#define UNROLL _Pragma("GCC unroll 16")

#if defined(DTD_ISA_AVX512)
#define SUFFIX avx512
#define ISA_NAME "avx512"
#define MR 8

#define T float
#define S f32
#define VEC __m512
#define VL 16
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(s) _mm512_set1_ps(s)
#define VZERO _mm512_setzero_ps()
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#include "convImpl.h"

#define T double
#define S f64
#define VEC __m512d
#define VL 8
#define VLOAD(p) _mm512_loadu_pd(p)
#define VSTORE(p, v) _mm512_storeu_pd(p, v)
#define VSET1(s) _mm512_set1_pd(s)
#define VZERO _mm512_setzero_pd()
#define VFMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#include "convImpl.h"

#elif defined(DTD_ISA_AVX2)
#define SUFFIX avx2
#define ISA_NAME "avx2"
#define MR 6

#define T float
#define S f32
#define VEC __m256
#define VL 8
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VSET1(s) _mm256_set1_ps(s)
#define VZERO _mm256_setzero_ps()
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#include "convImpl.h"

#define T double
#define S f64
#define VEC __m256d
#define VL 4
#define VLOAD(p) _mm256_loadu_pd(p)
#define VSTORE(p, v) _mm256_storeu_pd(p, v)
#define VSET1(s) _mm256_set1_pd(s)
#define VZERO _mm256_setzero_pd()
#define VFMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#include "convImpl.h"

#else
#define SUFFIX generic
#define ISA_NAME "generic"
#define MR 6

typedef float v4f32 __attribute__((vector_size(16)));
typedef double v2f64 __attribute__((vector_size(16)));
static inline v4f32 load_v4f32(const float *p) { v4f32 v; memcpy(&v, p, sizeof v); return v; }
static inline void store_v4f32(float *p, v4f32 v) { memcpy(p, &v, sizeof v); }
static inline v4f32 set1_v4f32(float s) { return (v4f32){s, s, s, s}; }
static inline v2f64 load_v2f64(const double *p) { v2f64 v; memcpy(&v, p, sizeof v); return v; }
static inline void store_v2f64(double *p, v2f64 v) { memcpy(p, &v, sizeof v); }
static inline v2f64 set1_v2f64(double s) { return (v2f64){s, s}; }

#define T float
#define S f32
#define VEC v4f32
#define VL 4
#define VLOAD(p) load_v4f32(p)
#define VSTORE(p, v) store_v4f32(p, v)
#define VSET1(s) set1_v4f32(s)
#define VZERO ((v4f32){0, 0, 0, 0})
#define VFMA(a, b, c) ((a) * (b) + (c))
#include "convImpl.h"

#define T double
#define S f64
#define VEC v2f64
#define VL 2
#define VLOAD(p) load_v2f64(p)
#define VSTORE(p, v) store_v2f64(p, v)
#define VSET1(s) set1_v2f64(s)
#define VZERO ((v2f64){0, 0})
#define VFMA(a, b, c) ((a) * (b) + (c))
#include "convImpl.h"
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

const dtd_conv_isa CAT(dtd_conv_, SUFFIX) = {
    ISA_NAME, forward_f32, forward_f64, backprop_input_f32, backprop_input_f64,
};
