/*
 * @dtd/native: max pooling over NCHW planes without padding, float32 and float64, with the winners' indices —
 * the native twin of maxPool2dForward in @dtd/tensor's internal/kernels/pool2d.ts, bit for bit:
 *
 *   out[p, u, v] = max_{i<kh, j<kw} x[p, u·sh + i, v·sw + j],  argmax[p, u, v] = the flat x index of that maximum,
 *
 * scanning each window in row-major order and taking a value when it is greater than the best so far, or when it
 * is NaN and the best is not (the first maximum wins ties; the first NaN is selected and propagates, as IEEE max).
 * Only comparisons and copies: exact, so the same bits as the JavaScript loop (a NaN's payload aside, which
 * JavaScript does not keep). Compiled once, with the baseline flags: the loop is bound by its loads and compares,
 * and 2×2 windows (the common case) have their own unrolled loop.
 *
 * JavaScript: maxPool2d(x, out, argmax, dims) with x and out both Float32Array or both Float64Array, argmax an
 * Int32Array and dims a Float64Array [planes, h, w, kh, kw, sh, sw, oh, ow]. Arguments that would read or write
 * outside an array throw (a caller's bug: @dtd/tensor checks shapes first).
 */
#include "pool.h"

#include <stdint.h>

#define POOL(T, NAME)                                                                                         \
  static void NAME(const T *x, T *out, int32_t *argmax, long planes, long h, long w, long kh, long kw, long sh, \
                   long sw, long oh, long ow) {                                                               \
    long o = 0;                                                                                               \
    for (long p = 0; p < planes; p++) {                                                                       \
      const long xp = p * h * w;                                                                              \
      for (long u = 0; u < oh; u++) {                                                                         \
        long s = xp + u * sh * w;                                                                             \
        if (kh == 2 && kw == 2) {                                                                             \
          for (long v = 0; v < ow; v++, o++, s += sw) {                                                       \
            long best = s;                                                                                    \
            T bv = x[s];                                                                                      \
            T val = x[s + 1];                                                                                 \
            if (val > bv || (val != val && bv == bv)) bv = val, best = s + 1;                                 \
            val = x[s + w];                                                                                   \
            if (val > bv || (val != val && bv == bv)) bv = val, best = s + w;                                 \
            val = x[s + w + 1];                                                                               \
            if (val > bv || (val != val && bv == bv)) bv = val, best = s + w + 1;                             \
            out[o] = bv;                                                                                      \
            argmax[o] = (int32_t)best;                                                                        \
          }                                                                                                   \
          continue;                                                                                           \
        }                                                                                                     \
        for (long v = 0; v < ow; v++, o++, s += sw) {                                                         \
          long best = s;                                                                                      \
          T bv = x[s];                                                                                        \
          for (long i = 0; i < kh; i++)                                                                       \
            for (long j = 0, q = s + i * w; j < kw; j++, q++) {                                               \
              const T val = x[q];                                                                             \
              if (val > bv || (val != val && bv == bv)) bv = val, best = q;                                   \
            }                                                                                                 \
          out[o] = bv;                                                                                        \
          argmax[o] = (int32_t)best;                                                                          \
        }                                                                                                     \
      }                                                                                                       \
    }                                                                                                         \
  }

POOL(float, pool_f32)
POOL(double, pool_f64)

typedef struct view {
  napi_typedarray_type type;
  size_t length;
  void *data;
} view;

static int get_view(napi_env env, napi_value v, view *out) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_value ab;
  size_t byte_offset;
  return napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, &ab, &byte_offset) == napi_ok;
}

/* A non-negative integer below 2³¹ (every extent and index here fits an Int32Array's entries). */
static int is_small_count(double x) { return x >= 0 && x < 2147483648.0 && x == (double)(long)x; }

static napi_value max_pool2d(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  view x, out, am, dims;
  if (argc < 4 || !get_view(env, argv[0], &x) || !get_view(env, argv[1], &out) || !get_view(env, argv[2], &am) ||
      !get_view(env, argv[3], &dims)) {
    napi_throw_type_error(env, NULL, "@dtd/native maxPool2d: expected (x, out, argmax, dims), four typed arrays");
    return NULL;
  }
  if ((x.type != napi_float32_array && x.type != napi_float64_array) || out.type != x.type ||
      am.type != napi_int32_array || dims.type != napi_float64_array || dims.length < 9) {
    napi_throw_type_error(env, NULL,
                          "@dtd/native maxPool2d: expected x and out both Float32Array or both Float64Array, argmax an "
                          "Int32Array and dims a Float64Array of 9 entries");
    return NULL;
  }
  const double *d = dims.data;
  for (int i = 0; i < 9; i++)
    if (!is_small_count(d[i])) {
      napi_throw_range_error(env, NULL, "@dtd/native maxPool2d: expected dims to be integers in [0, 2³¹)");
      return NULL;
    }
  const long planes = (long)d[0], h = (long)d[1], w = (long)d[2], kh = (long)d[3], kw = (long)d[4], sh = (long)d[5],
             sw = (long)d[6], oh = (long)d[7], ow = (long)d[8];
  /* Every window inside its plane, every plane inside x, every output inside out and argmax; x's flat indices
   * must fit an Int32Array entry. Products of values below 2³¹ fit a long (64 bits on Linux and macOS). */
  const long outs = oh * ow, ins = h * w;
  if (outs > 0 && planes > 0 &&
      (kh < 1 || kw < 1 || (oh - 1) * sh + kh > h || (ow - 1) * sw + kw > w || ins > 2147483647L / planes ||
       planes * ins > (long)x.length || outs > 2147483647L / planes || planes * outs > (long)out.length ||
       planes * outs > (long)am.length)) {
    napi_throw_range_error(env, NULL, "@dtd/native maxPool2d: a window, x, out or argmax is outside what dims describe");
    return NULL;
  }
  if (outs == 0 || planes == 0) return NULL;
  if (x.type == napi_float32_array)
    pool_f32(x.data, out.data, am.data, planes, h, w, kh, kw, sh, sw, oh, ow);
  else
    pool_f64(x.data, out.data, am.data, planes, h, w, kh, kw, sh, sw, oh, ow);
  return NULL;
}

int dtd_register_pool(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "maxPool2d", NAPI_AUTO_LENGTH, max_pool2d, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "maxPool2d", fn) != napi_ok) {
    napi_throw_error(env, NULL, "@dtd/native: could not register maxPool2d");
    return -1;
  }
  return 0;
}
