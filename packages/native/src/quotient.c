/*
 * @dtd/native: eq. (4)'s quotient c = R / (s + K), 0 where the denominator is 0 — the native twin of
 * @dtd/tensor's divNoNanSum (ops/fused.ts) and of divNoNan, bit for bit:
 *
 *   out[i] = q == 0 ? 0 : a[i] / q,   q = b[i] + c[i mod period]   (q = b[i] when c has no entries)
 *
 * The sum is rounded in the element type before the division (as Math.fround does in the JavaScript loop), and a
 * float32 quotient of float32 operands is the correctly rounded one either way (double rounding is innocuous for
 * a division of floats: 53 ≥ 2·24 + 2 bits). One pass, compiled once with the baseline flags (the loop is bound
 * by memory: four streams of a conv layer's output size).
 *
 * JavaScript: quotient(a, b, c, out) with a, b, out (and c unless undefined) all Float32Array or all
 * Float64Array; a, b and out of one length, c's length dividing it; out overlapping none of them. Arguments that
 * break this throw (a caller's bug: @dtd/tensor checks shapes first).
 */
#include "quotient.h"
#include "napiView.h"

#include <stddef.h>

#define QUOTIENT(T, NAME)                                                                                     \
  static void NAME(const T *restrict a, const T *restrict b, const T *restrict c, size_t period, T *restrict out, \
                   size_t n) {                                                                                \
    if (period == 0) {                                                                                        \
      for (size_t i = 0; i < n; i++) {                                                                        \
        const T q = b[i];                                                                                     \
        out[i] = q == 0 ? (T)0 : a[i] / q;                                                                    \
      }                                                                                                       \
      return;                                                                                                 \
    }                                                                                                         \
    for (size_t i0 = 0; i0 < n; i0 += period)                                                                 \
      for (size_t t = 0; t < period; t++) {                                                                   \
        const T q = b[i0 + t] + c[t];                                                                         \
        out[i0 + t] = q == 0 ? (T)0 : a[i0 + t] / q;                                                          \
      }                                                                                                       \
  }

QUOTIENT(float, quotient_f32)
QUOTIENT(double, quotient_f64)

static int is_undefined(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_undefined;
}

static int overlaps(const view *x, const view *y, size_t es) {
  const char *x0 = x->data, *y0 = y->data;
  return x->length > 0 && y->length > 0 && x0 < y0 + y->length * es && y0 < x0 + x->length * es;
}

static napi_value quotient(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  view a, b, c = {napi_float64_array, 0, NULL}, out;
  const int has_c = argc >= 4 && !is_undefined(env, argv[2]);
  if (argc < 4 || !get_view(env, argv[0], &a) || !get_view(env, argv[1], &b) || (has_c && !get_view(env, argv[2], &c)) ||
      !get_view(env, argv[3], &out)) {
    napi_throw_type_error(env, NULL, "@dtd/native quotient: expected (a, b, c | undefined, out), typed arrays");
    return NULL;
  }
  if (!has_c) c.type = a.type;
  if ((a.type != napi_float32_array && a.type != napi_float64_array) || b.type != a.type || c.type != a.type ||
      out.type != a.type) {
    napi_throw_type_error(env, NULL, "@dtd/native quotient: expected a, b, c and out all Float32Array or all Float64Array");
    return NULL;
  }
  const size_t es = a.type == napi_float32_array ? sizeof(float) : sizeof(double);
  if (b.length != a.length || out.length != a.length || (has_c && (c.length == 0 || a.length % c.length != 0)) ||
      overlaps(&out, &a, es) || overlaps(&out, &b, es) || (has_c && overlaps(&out, &c, es))) {
    napi_throw_range_error(env, NULL,
                           "@dtd/native quotient: expected a, b and out of one length, c's length dividing it, out "
                           "overlapping no operand");
    return NULL;
  }
  const size_t period = has_c ? c.length : 0;
  if (a.type == napi_float32_array)
    quotient_f32(a.data, b.data, c.data, period, out.data, a.length);
  else
    quotient_f64(a.data, b.data, c.data, period, out.data, a.length);
  return NULL;
}

int dtd_register_quotient(napi_env env, napi_value exports) { return dtd_export_function(env, exports, "quotient", quotient); }
