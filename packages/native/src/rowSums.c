/*
 * @dtd/native: per row Σ x and Σ |x| in one pass, accumulated in double over four interleaved partial sums (entry
 * i of a row in partial i mod 4, the tail in partial 0, then (p0 + p1) + (p2 + p3)) — the native twin of
 * @dtd/deep-taylor's sampleSums loops (internal/sampleSums.ts), bit for bit: the same additions in the same order
 * (no reassociation is allowed here: no -ffast-math; the four partials may share one vector). What explain's
 * consistency report reads of every relevance tensor. Compiled once with the baseline flags: bound by memory.
 *
 * JavaScript: rowSums(x, sum, abs) with x a Float32Array or Float64Array of rows = sum.length rows of equal
 * length, sum and abs Float64Arrays of one length dividing x's (rows > 0). Other arguments throw.
 */
#include "rowSums.h"
#include "napiView.h"

#include <math.h>
#include <stddef.h>

#define ROW_SUMS(T, NAME)                                                                                    \
  static void NAME(const T *x, size_t rows, size_t size, double *sum, double *abs) {                        \
    for (size_t n = 0; n < rows; n++) {                                                                      \
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;                                 \
      const T *d = x + n * size;                                                                             \
      size_t i = 0;                                                                                          \
      for (const size_t end4 = size & ~(size_t)3; i < end4; i += 4) {                                        \
        const double v0 = d[i], v1 = d[i + 1], v2 = d[i + 2], v3 = d[i + 3];                                 \
        s0 += v0;                                                                                            \
        s1 += v1;                                                                                            \
        s2 += v2;                                                                                            \
        s3 += v3;                                                                                            \
        a0 += fabs(v0);                                                                                      \
        a1 += fabs(v1);                                                                                      \
        a2 += fabs(v2);                                                                                      \
        a3 += fabs(v3);                                                                                      \
      }                                                                                                      \
      for (; i < size; i++) {                                                                                \
        const double v = d[i];                                                                               \
        s0 += v;                                                                                             \
        a0 += fabs(v);                                                                                       \
      }                                                                                                      \
      sum[n] = s0 + s1 + (s2 + s3);                                                                          \
      abs[n] = a0 + a1 + (a2 + a3);                                                                          \
    }                                                                                                        \
  }

ROW_SUMS(float, row_sums_f32)
ROW_SUMS(double, row_sums_f64)

static napi_value row_sums(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  view x, sum, abs;
  if (argc < 3 || !get_view(env, argv[0], &x) || !get_view(env, argv[1], &sum) || !get_view(env, argv[2], &abs)) {
    napi_throw_type_error(env, NULL, "@dtd/native rowSums: expected (x, sum, abs), three typed arrays");
    return NULL;
  }
  if ((x.type != napi_float32_array && x.type != napi_float64_array) || sum.type != napi_float64_array ||
      abs.type != napi_float64_array) {
    napi_throw_type_error(env, NULL, "@dtd/native rowSums: expected x a Float32Array or Float64Array, sum and abs Float64Arrays");
    return NULL;
  }
  if (sum.length == 0 || abs.length != sum.length || x.length % sum.length != 0) {
    napi_throw_range_error(env, NULL, "@dtd/native rowSums: expected sum and abs of one positive length dividing x's");
    return NULL;
  }
  const size_t rows = sum.length, size = x.length / rows;
  if (x.type == napi_float32_array)
    row_sums_f32(x.data, rows, size, sum.data, abs.data);
  else
    row_sums_f64(x.data, rows, size, sum.data, abs.data);
  return NULL;
}

int dtd_register_row_sums(napi_env env, napi_value exports) { return dtd_export_function(env, exports, "rowSums", row_sums); }
