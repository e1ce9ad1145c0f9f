/*
 * @dtd/native's Node-API binding (Node-API version 8: Node ≥ 12.22; this project needs Node 20).
 *
 * Exports
 *   isas: the instruction sets this CPU runs, widest first (e.g. ["avx512", "avx2", "generic"]);
 *   gemm: { [isa]: (a, b, out, dims) => undefined } for each of them, where a, b and out are Float32Arrays or
 *         Float64Arrays of one type and dims a Float64Array [m, n, k, aOffset, bOffset, outOffset, flags, bId?]
 *         (flags: 1 op(A) = Aᵀ, 2 op(B) = Bᵀ, 4 accumulate; bId, optional: a positive integer naming b for as
 *         long as it lives and never reused, given only when b never changes, so that its packing may be kept:
 *         gemm.h's packed-B cache; 0 or absent: none), computing
 *         out[outOffset + i·n + j] (+)= Σ_p op(A)[i, p] · op(B)[p, j]   (A stored m×k, or k×m when transposed).
 *   conv2d, conv2dBackpropInput, conv2dBackpropInputQuotient: { [isa]: … } the convolutions of each of them
 *         (convAddon.c; the last one the input gradient of eq. (4)'s quotient r / (den + k), formed while packing);
 *   maxPool2d: (x, out, argmax, dims) => undefined, max pooling with its winners (pool.c);
 *   quotient: (a, b, c, out) => undefined, eq. (4)'s quotient a / (b + c), 0 where b + c = 0 (quotient.c);
 *   positivePart: (x, out) => undefined, x⁺ (ReLU's forward op, positivePart.c);
 *   rowSums: (x, sum, abs) => undefined, per row Σ x and Σ |x| (rowSums.c).
 * The typed arrays are read and written in place (napi_get_typedarray_info gives their memory): nothing is
 * copied. Arguments that would read or write outside an array, mixed element types, or an `out` overlapping
 * an operand throw (a caller's bug: @dtd/tensor checks shapes before it gets here).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "convAddon.h"
#include "gemm.h"
#include "napiView.h"
#include "pool.h"
#include "positivePart.h"
#include "quotient.h"
#include "rowSums.h"

void *dtd_grow(void **slot, size_t *cap, size_t bytes) {
  if (*cap >= bytes && *slot != NULL) return *slot;
  free(*slot);
  *cap = 0;
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
  *slot = aligned_alloc(64, rounded);
  if (*slot != NULL) *cap = rounded;
  return *slot;
}

/* The instruction sets, widest first, and whether this CPU runs each. */
static const dtd_isa *const all_isas[] = {
#if defined(__x86_64__)
    &dtd_isa_avx512,
    &dtd_isa_avx2,
#endif
    &dtd_isa_generic,
};

static int cpu_runs(const dtd_isa *isa) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (isa == &dtd_isa_avx512)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("fma");
  if (isa == &dtd_isa_avx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return isa == &dtd_isa_generic;
}

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  dtd_scratch *s = data;
  free(s->pa);
  free(s->pb);
  free(s->pt);
  dtd_packed_free(s);
  free(s);
}

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, NULL, "@dtd/native: " #call " failed"); \
      return NULL;                                                   \
    }                                                                \
  } while (0)

static int is_count(double x) { return x >= 0 && x <= 9007199254740991.0 && x == (double)(int64_t)x; }

/* The gemm of the instruction set in the function's data. */
static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *fdata;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, &fdata));
  const dtd_isa *isa = fdata;
  view a, b, out, dims;
  if (argc < 4 || !get_view(env, argv[0], &a) || !get_view(env, argv[1], &b) || !get_view(env, argv[2], &out) ||
      !get_view(env, argv[3], &dims)) {
    napi_throw_type_error(env, NULL, "@dtd/native gemm: expected (a, b, out, dims), four typed arrays");
    return NULL;
  }
  if (dims.type != napi_float64_array || dims.length < 7) {
    napi_throw_type_error(env, NULL, "@dtd/native gemm: expected dims to be a Float64Array of 7 entries");
    return NULL;
  }
  const int f32 = out.type == napi_float32_array;
  if ((out.type != napi_float32_array && out.type != napi_float64_array) || a.type != out.type || b.type != out.type) {
    napi_throw_type_error(env, NULL, "@dtd/native gemm: expected a, b and out all Float32Array or all Float64Array");
    return NULL;
  }
  const double *d = dims.data;
  for (int i = 0; i < 7; i++)
    if (!is_count(d[i])) {
      napi_throw_range_error(env, NULL, "@dtd/native gemm: expected dims to be non-negative integers");
      return NULL;
    }
  const long m = (long)d[0], n = (long)d[1], k = (long)d[2], ao = (long)d[3], bo = (long)d[4], oo = (long)d[5];
  const int flags = (int)d[6];
  const int ta = flags & 1, tb = (flags & 2) != 0, acc = (flags & 4) != 0;
  /* Overflow-safe extents: each product is checked against the array's length before it is used. */
  const long a_len = (long)a.length, b_len = (long)b.length, o_len = (long)out.length;
  if ((m != 0 && k > a_len / m) || (k != 0 && n > b_len / k) || (m != 0 && n > o_len / m) || ao > a_len - m * k ||
      bo > b_len - k * n || oo > o_len - m * n) {
    napi_throw_range_error(env, NULL, "@dtd/native gemm: an operand or out is shorter than m, n, k and the offsets need");
    return NULL;
  }
  const size_t es = f32 ? 4 : 8;
  const char *o0 = (const char *)out.data + oo * es, *o1 = o0 + m * n * es;
  const char *a0 = (const char *)a.data + ao * es, *a1 = a0 + m * k * es;
  const char *b0 = (const char *)b.data + bo * es, *b1 = b0 + k * n * es;
  if (m * n > 0 && ((m * k > 0 && o0 < a1 && a0 < o1) || (k * n > 0 && o0 < b1 && b0 < o1))) {
    napi_throw_range_error(env, NULL, "@dtd/native gemm: out overlaps an operand");
    return NULL;
  }
  dtd_scratch *s;
  CHECK(napi_get_instance_data(env, (void **)&s));
  /* dims[7], when given: B's identity for the packed-B cache (gemm.h), 0 for none. */
  const double bid = dims.length >= 8 && is_count(d[7]) ? d[7] : 0;
  const dtd_problem p = {m, n, k, a0, ta ? 1 : k, ta ? m : 1, b0, tb ? 1 : n, tb ? k : 1, (void *)o0, n, 1, acc, bid};
  if ((f32 ? isa->gemm_f32 : isa->gemm_f64)(&p, s) != 0) {
    napi_throw_error(env, NULL, "@dtd/native gemm: out of memory for the packing buffers");
    return NULL;
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  dtd_scratch *s = calloc(1, sizeof *s);
  if (s == NULL || napi_set_instance_data(env, s, free_scratch, NULL) != napi_ok) {
    free(s);
    napi_throw_error(env, NULL, "@dtd/native: could not allocate its per-environment scratch");
    return NULL;
  }
  napi_value isas, gemms, conv2ds, backprops, quotients;
  CHECK(napi_create_array(env, &isas));
  CHECK(napi_create_object(env, &gemms));
  CHECK(napi_create_object(env, &conv2ds));
  CHECK(napi_create_object(env, &backprops));
  CHECK(napi_create_object(env, &quotients));
  uint32_t count = 0;
  for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
    const dtd_isa *isa = all_isas[i];
    if (!cpu_runs(isa)) continue;
    napi_value name, fn;
    CHECK(napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &name));
    CHECK(napi_set_element(env, isas, count++, name));
    CHECK(napi_create_function(env, isa->name, NAPI_AUTO_LENGTH, gemm, (void *)isa, &fn));
    CHECK(napi_set_named_property(env, gemms, isa->name, fn));
    CHECK(dtd_conv_export(env, isa->name, conv2ds, backprops, quotients));
  }
  CHECK(napi_set_named_property(env, exports, "isas", isas));
  CHECK(napi_set_named_property(env, exports, "gemm", gemms));
  CHECK(napi_set_named_property(env, exports, "conv2d", conv2ds));
  CHECK(napi_set_named_property(env, exports, "conv2dBackpropInput", backprops));
  CHECK(napi_set_named_property(env, exports, "conv2dBackpropInputQuotient", quotients));
  if (dtd_register_pool(env, exports) != 0) return NULL;
  if (dtd_register_quotient(env, exports) != 0) return NULL;
  if (dtd_register_positive_part(env, exports) != 0) return NULL;
  if (dtd_register_row_sums(env, exports) != 0) return NULL;
  return exports;
}
