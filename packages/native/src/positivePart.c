/*
 * @dtd/native: x⁺ = (x > 0 ? x : 0), ReLU's forward op — the native twin of @dtd/tensor's positivePartBits
 * (internal/kernels/positivePart.ts), bit for bit: +0 for −0, negatives and NaN (of either sign); +∞ and positive
 * values unchanged. The comparison compiles to a vector maximum with 0 as its second operand (which it returns
 * for NaN and for ±0), no branch per element. Compiled once with the baseline flags: bound by memory.
 *
 * JavaScript: positivePart(x, out) with x and out both Float32Array or both Float64Array, of one length, out
 * overlapping x nowhere or exactly. Other arguments throw (a caller's bug: @dtd/tensor checks first).
 */
#include "positivePart.h"
#include "napiView.h"

#include <stddef.h>

#define POSITIVE_PART(T, NAME)                                                 \
  static void NAME(const T *x, T *out, size_t n) {                            \
    for (size_t i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : (T)0;           \
  }

POSITIVE_PART(float, positive_part_f32)
POSITIVE_PART(double, positive_part_f64)

static napi_value positive_part(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  view x, out;
  if (argc < 2 || !get_view(env, argv[0], &x) || !get_view(env, argv[1], &out)) {
    napi_throw_type_error(env, NULL, "@dtd/native positivePart: expected (x, out), two typed arrays");
    return NULL;
  }
  if ((x.type != napi_float32_array && x.type != napi_float64_array) || out.type != x.type) {
    napi_throw_type_error(env, NULL, "@dtd/native positivePart: expected x and out both Float32Array or both Float64Array");
    return NULL;
  }
  const size_t es = x.type == napi_float32_array ? sizeof(float) : sizeof(double);
  const char *x0 = x.data, *o0 = out.data;
  const int partial = x.length > 0 && x0 != o0 && x0 < o0 + x.length * es && o0 < x0 + x.length * es;
  if (out.length != x.length || partial) {
    napi_throw_range_error(env, NULL, "@dtd/native positivePart: expected x and out of one length, out overlapping x nowhere or exactly");
    return NULL;
  }
  if (x.type == napi_float32_array)
    positive_part_f32(x.data, out.data, x.length);
  else
    positive_part_f64(x.data, out.data, x.length);
  return NULL;
}

int dtd_register_positive_part(napi_env env, napi_value exports) { return dtd_export_function(env, exports, "positivePart", positive_part); }
