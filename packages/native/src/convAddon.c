/*
 * @dtd/native's Node-API binding of the convolutions (conv.h), registered by addon.c for each instruction set the
 * CPU runs:
 *
 *   conv2d[isa](x, w, bias, out, geometry)           out ← conv2d(x, w) (+ bias[o] unless bias is undefined)
 *   conv2dBackpropInput[isa](dy, w, dx, geometry)    dx ← J_xᵀ·dy
 *   conv2dBackpropInputQuotient[isa](r, den, k, w, dx, geometry)
 *                                                    dx ← J_xᵀ·c, c = r / (den + k) (eq. (4)'s quotient, 0 where
 *                                                    den + k = 0; k one image's O×OH×OW or undefined)
 *
 * x, w, bias, out (dy, w, dx) are Float32Arrays or Float64Arrays of one type, read and written in place; geometry
 * is a Float64Array [n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow] (Conv2dGeometry in conv2d.ts). A geometry
 * that is not a convolution's (oh, ow not its output size), arrays shorter than it says, mixed element types, or
 * an output overlapping an input throw: a caller's bug, @dtd/tensor validates shapes before it gets here.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"
#include "convAddon.h"
#include "napiView.h"

static int is_undefined(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_undefined;
}

/* The geometry from a Float64Array of 13 entries, checked: positive strides, non-negative integers below 2^31,
 * oh and ow the output sizes of the others, a kernel inside the padded image. 0 and a thrown error otherwise. */
static int conv_geometry(napi_env env, napi_value v, const char *op, dtd_conv_geom *g) {
  view d;
  if (!get_view(env, v, &d) || d.type != napi_float64_array || d.length < 13) {
    napi_throw_type_error(env, NULL, op);
    return 0;
  }
  const double *e = d.data;
  long f[13];
  for (int i = 0; i < 13; i++) {
    if (!(e[i] >= 0 && e[i] < 2147483648.0 && e[i] == (double)(int64_t)e[i])) {
      napi_throw_range_error(env, NULL, op);
      return 0;
    }
    f[i] = (long)e[i];
  }
  *g = (dtd_conv_geom){f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]};
  const long hp = g->h + 2 * g->ph, wp = g->w + 2 * g->pw;
  if (g->sh < 1 || g->sw < 1 || g->kh < 1 || g->kw < 1 || g->kh > hp || g->kw > wp || g->oh != (hp - g->kh) / g->sh + 1 ||
      g->ow != (wp - g->kw) / g->sw + 1) {
    napi_throw_range_error(env, NULL, op);
    return 0;
  }
  return 1;
}

/* Whether the array holds at least count elements (count = a·b·c·d, each < 2^31, computed without overflow). */
static int holds(const view *v, long a, long b, long c, long d) {
  const double count = (double)a * (double)b * (double)c * (double)d;
  return count <= (double)v->length;
}

static int overlaps(const view *a, const view *b, size_t es) {
  const char *a0 = a->data, *b0 = b->data;
  return a->length > 0 && b->length > 0 && a0 < b0 + b->length * es && b0 < a0 + a->length * es;
}

#define CONV_CHECK(call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error(env, NULL, "@dtd/native conv: " #call " failed"); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

static napi_value conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  void *fdata;
  CONV_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, &fdata));
  const dtd_conv_isa *isa = fdata;
  view x, w, b, out;
  const int has_bias = argc >= 5 && !is_undefined(env, argv[2]);
  if (argc < 5 || !get_view(env, argv[0], &x) || !get_view(env, argv[1], &w) || (has_bias && !get_view(env, argv[2], &b)) ||
      !get_view(env, argv[3], &out)) {
    napi_throw_type_error(env, NULL, "@dtd/native conv2d: expected (x, w, bias, out, geometry): typed arrays, bias possibly undefined");
    return NULL;
  }
  dtd_conv_geom g;
  if (!conv_geometry(env, argv[4], "@dtd/native conv2d: expected geometry to be a Float64Array [n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow] of a convolution", &g)) return NULL;
  const int f32 = out.type == napi_float32_array;
  if ((!f32 && out.type != napi_float64_array) || x.type != out.type || w.type != out.type || (has_bias && b.type != out.type)) {
    napi_throw_type_error(env, NULL, "@dtd/native conv2d: expected x, w, bias and out all Float32Array or all Float64Array");
    return NULL;
  }
  const size_t es = f32 ? 4 : 8;
  if (!holds(&x, g.n, g.c, g.h, g.w) || !holds(&w, g.o, g.c, g.kh, g.kw) || (has_bias && !holds(&b, g.o, 1, 1, 1)) || !holds(&out, g.n, g.o, g.oh, g.ow)) {
    napi_throw_range_error(env, NULL, "@dtd/native conv2d: an array is shorter than the geometry needs");
    return NULL;
  }
  if (overlaps(&out, &x, es) || overlaps(&out, &w, es) || (has_bias && overlaps(&out, &b, es))) {
    napi_throw_range_error(env, NULL, "@dtd/native conv2d: out overlaps an input");
    return NULL;
  }
  dtd_scratch *s;
  CONV_CHECK(napi_get_instance_data(env, (void **)&s));
  const int rc = f32 ? isa->forward_f32(x.data, w.data, has_bias ? b.data : NULL, &g, out.data, s)
                     : isa->forward_f64(x.data, w.data, has_bias ? b.data : NULL, &g, out.data, s);
  if (rc != 0) napi_throw_error(env, NULL, "@dtd/native conv2d: out of memory for the packing buffers");
  return NULL;
}

static napi_value conv2d_backprop_input(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *fdata;
  CONV_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, &fdata));
  const dtd_conv_isa *isa = fdata;
  view dy, w, dx;
  if (argc < 4 || !get_view(env, argv[0], &dy) || !get_view(env, argv[1], &w) || !get_view(env, argv[2], &dx)) {
    napi_throw_type_error(env, NULL, "@dtd/native conv2dBackpropInput: expected (dy, w, dx, geometry): typed arrays");
    return NULL;
  }
  dtd_conv_geom g;
  if (!conv_geometry(env, argv[3], "@dtd/native conv2dBackpropInput: expected geometry to be a Float64Array [n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow] of a convolution", &g))
    return NULL;
  const int f32 = dx.type == napi_float32_array;
  if ((!f32 && dx.type != napi_float64_array) || dy.type != dx.type || w.type != dx.type) {
    napi_throw_type_error(env, NULL, "@dtd/native conv2dBackpropInput: expected dy, w and dx all Float32Array or all Float64Array");
    return NULL;
  }
  const size_t es = f32 ? 4 : 8;
  if (!holds(&dy, g.n, g.o, g.oh, g.ow) || !holds(&w, g.o, g.c, g.kh, g.kw) || !holds(&dx, g.n, g.c, g.h, g.w)) {
    napi_throw_range_error(env, NULL, "@dtd/native conv2dBackpropInput: an array is shorter than the geometry needs");
    return NULL;
  }
  if (overlaps(&dx, &dy, es) || overlaps(&dx, &w, es)) {
    napi_throw_range_error(env, NULL, "@dtd/native conv2dBackpropInput: dx overlaps an input");
    return NULL;
  }
  dtd_scratch *s;
  CONV_CHECK(napi_get_instance_data(env, (void **)&s));
  const int rc = f32 ? isa->backprop_input_f32(dy.data, NULL, NULL, w.data, &g, dx.data, s) : isa->backprop_input_f64(dy.data, NULL, NULL, w.data, &g, dx.data, s);
  if (rc != 0) napi_throw_error(env, NULL, "@dtd/native conv2dBackpropInput: out of memory for the packing buffers");
  return NULL;
}

static napi_value conv2d_backprop_input_quotient(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  void *fdata;
  CONV_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, &fdata));
  const dtd_conv_isa *isa = fdata;
  view r, den, k, w, dx;
  const int has_k = argc >= 6 && !is_undefined(env, argv[2]);
  if (argc < 6 || !get_view(env, argv[0], &r) || !get_view(env, argv[1], &den) || (has_k && !get_view(env, argv[2], &k)) ||
      !get_view(env, argv[3], &w) || !get_view(env, argv[4], &dx)) {
    napi_throw_type_error(env, NULL, "@dtd/native conv2dBackpropInputQuotient: expected (r, den, k, w, dx, geometry): typed arrays, k possibly undefined");
    return NULL;
  }
  dtd_conv_geom g;
  if (!conv_geometry(env, argv[5], "@dtd/native conv2dBackpropInputQuotient: expected geometry to be a Float64Array [n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow] of a convolution", &g))
    return NULL;
  const int f32 = dx.type == napi_float32_array;
  if ((!f32 && dx.type != napi_float64_array) || r.type != dx.type || den.type != dx.type || (has_k && k.type != dx.type) || w.type != dx.type) {
    napi_throw_type_error(env, NULL, "@dtd/native conv2dBackpropInputQuotient: expected r, den, k, w and dx all Float32Array or all Float64Array");
    return NULL;
  }
  const size_t es = f32 ? 4 : 8;
  if (!holds(&r, g.n, g.o, g.oh, g.ow) || !holds(&den, g.n, g.o, g.oh, g.ow) || (has_k && !holds(&k, 1, g.o, g.oh, g.ow)) || !holds(&w, g.o, g.c, g.kh, g.kw) ||
      !holds(&dx, g.n, g.c, g.h, g.w)) {
    napi_throw_range_error(env, NULL, "@dtd/native conv2dBackpropInputQuotient: an array is shorter than the geometry needs");
    return NULL;
  }
  if (overlaps(&dx, &r, es) || overlaps(&dx, &den, es) || (has_k && overlaps(&dx, &k, es)) || overlaps(&dx, &w, es)) {
    napi_throw_range_error(env, NULL, "@dtd/native conv2dBackpropInputQuotient: dx overlaps an input");
    return NULL;
  }
  dtd_scratch *s;
  CONV_CHECK(napi_get_instance_data(env, (void **)&s));
  const int rc = f32 ? isa->backprop_input_f32(r.data, den.data, has_k ? k.data : NULL, w.data, &g, dx.data, s)
                     : isa->backprop_input_f64(r.data, den.data, has_k ? k.data : NULL, w.data, &g, dx.data, s);
  if (rc != 0) napi_throw_error(env, NULL, "@dtd/native conv2dBackpropInputQuotient: out of memory for the packing buffers");
  return NULL;
}

napi_status dtd_conv_export(napi_env env, const char *isa_name, napi_value conv2ds, napi_value backprops, napi_value quotients) {
  static const dtd_conv_isa *const all[] = {
#if defined(__x86_64__)
      &dtd_conv_avx512,
      &dtd_conv_avx2,
#endif
      &dtd_conv_generic,
  };
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    const dtd_conv_isa *isa = all[i];
    if (strcmp(isa->name, isa_name) != 0) continue;
    napi_value f, b, q;
    napi_status st;
    if ((st = napi_create_function(env, "conv2d", NAPI_AUTO_LENGTH, conv2d, (void *)isa, &f)) != napi_ok) return st;
    if ((st = napi_set_named_property(env, conv2ds, isa->name, f)) != napi_ok) return st;
    if ((st = napi_create_function(env, "conv2dBackpropInput", NAPI_AUTO_LENGTH, conv2d_backprop_input, (void *)isa, &b)) != napi_ok) return st;
    if ((st = napi_set_named_property(env, backprops, isa->name, b)) != napi_ok) return st;
    if ((st = napi_create_function(env, "conv2dBackpropInputQuotient", NAPI_AUTO_LENGTH, conv2d_backprop_input_quotient, (void *)isa, &q)) != napi_ok) return st;
    return napi_set_named_property(env, quotients, isa->name, q);
  }
  return napi_ok;
}
