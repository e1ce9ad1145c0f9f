/*
 * The WebAssembly SIMD thin-product loops (../thinLoops.ts has the JavaScript ones), compiled by build.sh into
 * gemmThinWasm.ts. M is a float32 (…32) or float64 (…64) matrix, v and acc float64 vectors:
 *
 *   thin_axpy32/64:  acc[j] = Σ_{p<k} v[p] · M[p·n + j]   for j < n   (8 rows of M per pass, f64x2 over j)
 *   thin_dots32/64:  acc[j] = Σ_{p<k} v[p] · M[j·k + p]   for j < n   (4 rows at once, f64x2 over p)
 *
 * Products and sums are float64 (each float32 entry is widened exactly). thin_axpy* associates exactly as the
 * JavaScript axpy does, so the two agree to the bit; thin_dots* sums even and odd p separately, then adds the two.
 * Each pair is one macro expansion: the two element types differ only in how two entries are loaded.
 */
#include <wasm_simd128.h>

/* Two consecutive entries of M as an f64x2: widened from float32, or loaded as they are. */
#define LOAD32(q) wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(q))
#define LOAD64(q) wasm_v128_load(q)

#define THIN_AXPY(NAME, T, W)                                                                                        \
  void NAME(int k, int n, const double* v, const T* m, double* acc) {                                              \
    for (int j = 0; j < n; j++) acc[j] = 0.0;                                                                      \
    int p = 0;                                                                                                     \
    for (; p + 8 <= k; p += 8) {                                                                                   \
      const T* r = m + p * n;                                                                                      \
      const v128_t v0 = wasm_f64x2_splat(v[p]), v1 = wasm_f64x2_splat(v[p + 1]);                                 \
      const v128_t v2 = wasm_f64x2_splat(v[p + 2]), v3 = wasm_f64x2_splat(v[p + 3]);                             \
      const v128_t v4 = wasm_f64x2_splat(v[p + 4]), v5 = wasm_f64x2_splat(v[p + 5]);                             \
      const v128_t v6 = wasm_f64x2_splat(v[p + 6]), v7 = wasm_f64x2_splat(v[p + 7]);                             \
      int j = 0;                                                                                                   \
      for (; j + 2 <= n; j += 2) {                                                                                 \
        const T* q = r + j;                                                                                        \
        const v128_t lo = wasm_f64x2_add(                                                                          \
            wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(v0, W(q)), wasm_f64x2_mul(v1, W(q + n))),                 \
                           wasm_f64x2_mul(v2, W(q + 2 * n))),                                                      \
            wasm_f64x2_mul(v3, W(q + 3 * n)));                                                                     \
        const v128_t hi = wasm_f64x2_add(                                                                          \
            wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(v4, W(q + 4 * n)), wasm_f64x2_mul(v5, W(q + 5 * n))),     \
                           wasm_f64x2_mul(v6, W(q + 6 * n))),                                                      \
            wasm_f64x2_mul(v7, W(q + 7 * n)));                                                                     \
        wasm_v128_store(acc + j, wasm_f64x2_add(wasm_f64x2_add(wasm_v128_load(acc + j), lo), hi));                 \
      }                                                                                                            \
      for (; j < n; j++) {                                                                                         \
        const T* q = r + j;                                                                                        \
        const double* x = v + p;                                                                                   \
        acc[j] = acc[j] + (x[0] * q[0] + x[1] * q[n] + x[2] * q[2 * n] + x[3] * q[3 * n]) +                        \
                 (x[4] * q[4 * n] + x[5] * q[5 * n] + x[6] * q[6 * n] + x[7] * q[7 * n]);                          \
      }                                                                                                            \
    }                                                                                                              \
    for (; p < k; p++) {                                                                                           \
      const double x = v[p];                                                                                       \
      const T* r = m + p * n;                                                                                      \
      for (int j = 0; j < n; j++) acc[j] = acc[j] + x * r[j];                                                      \
    }                                                                                                              \
  }

#define THIN_DOTS(NAME, T, W)                                                                                        \
  void NAME(int k, int n, const double* v, const T* m, double* acc) {                                              \
    int j = 0;                                                                                                     \
    for (; j + 4 <= n; j += 4) {                                                                                   \
      const T* r0 = m + j * k;                                                                                     \
      const T *r1 = r0 + k, *r2 = r1 + k, *r3 = r2 + k;                                                            \
      v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, s2 = s0, s3 = s0;                                                \
      int p = 0;                                                                                                   \
      for (; p + 2 <= k; p += 2) {                                                                                 \
        const v128_t x = wasm_v128_load(v + p);                                                                    \
        s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(x, W(r0 + p)));                                                     \
        s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(x, W(r1 + p)));                                                     \
        s2 = wasm_f64x2_add(s2, wasm_f64x2_mul(x, W(r2 + p)));                                                     \
        s3 = wasm_f64x2_add(s3, wasm_f64x2_mul(x, W(r3 + p)));                                                     \
      }                                                                                                            \
      double t0 = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);                                 \
      double t1 = wasm_f64x2_extract_lane(s1, 0) + wasm_f64x2_extract_lane(s1, 1);                                 \
      double t2 = wasm_f64x2_extract_lane(s2, 0) + wasm_f64x2_extract_lane(s2, 1);                                 \
      double t3 = wasm_f64x2_extract_lane(s3, 0) + wasm_f64x2_extract_lane(s3, 1);                                 \
      if (p < k) {                                                                                                 \
        t0 += v[p] * r0[p];                                                                                        \
        t1 += v[p] * r1[p];                                                                                        \
        t2 += v[p] * r2[p];                                                                                        \
        t3 += v[p] * r3[p];                                                                                        \
      }                                                                                                            \
      acc[j] = t0;                                                                                                 \
      acc[j + 1] = t1;                                                                                             \
      acc[j + 2] = t2;                                                                                             \
      acc[j + 3] = t3;                                                                                             \
    }                                                                                                              \
    for (; j < n; j++) {                                                                                           \
      const T* r = m + j * k;                                                                                      \
      double t = 0.0;                                                                                              \
      for (int p = 0; p < k; p++) t += v[p] * r[p];                                                                \
      acc[j] = t;                                                                                                  \
    }                                                                                                              \
  }

THIN_AXPY(thin_axpy32, float, LOAD32)
THIN_DOTS(thin_dots32, float, LOAD32)
THIN_AXPY(thin_axpy64, double, LOAD64)
THIN_DOTS(thin_dots64, double, LOAD64)
