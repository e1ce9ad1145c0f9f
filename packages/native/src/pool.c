/*
 * @dtd/native: max pooling over NCHW planes without padding, float32 and float64, with the winners' indices —
 * the native twin of maxPool2dForward in @dtd/tensor's internal/kernels/pool2d.ts, bit for bit:
 *
 *   out[p, u, v] = max_{i<kh, j<kw} x[p, u·sh + i, v·sw + j],  argmax[p, u, v] = the flat x index of that maximum,
 *
 * scanning each window in row-major order and taking a value when it is greater than the best so far, or when it
 * is NaN and the best is not (the first maximum wins ties; the first NaN is selected and propagates, as IEEE max).
 * Only comparisons and copies: exact, so the same bits as the JavaScript loop (a NaN's payload aside, which
 * JavaScript does not keep). Compiled once, with the baseline flags. 2×2 windows (the common case) take a
 * branch-free tournament with the same outcome, in SSE2 vectors at stride 2: on ReLU outputs, whose winners no
 * branch predictor guesses, 3.6 → 0.26 ms for 64 planes of 126×126 float32.
 *
 * JavaScript: maxPool2d(x, out, argmax, dims) with x and out both Float32Array or both Float64Array, argmax an
 * Int32Array and dims a Float64Array [planes, h, w, kh, kw, sh, sw, oh, ow]. Arguments that would read or write
 * outside an array throw (a caller's bug: @dtd/tensor checks shapes first).
 */
#include "pool.h"
#include "napiView.h"

#include <stdint.h>
#include <string.h>

/* Takes val at q when it beats the best so far (greater, or a NaN over a number), as selects, not branches: the
 * winners of real data are unpredictable. */
#define TAKE(val, q)                                     \
  do {                                                   \
    const int t_ = (val > bv) | ((val != val) & (bv == bv)); \
    bv = t_ ? val : bv;                                  \
    best = t_ ? (q) : best;                              \
  } while (0)


/* One output row of 2×2 windows at stride 2 (the common case), four float32 or two float64 windows per step
 * (SSE2 vectors: this file is compiled once, for the baseline). A tournament with the sequential scan's
 * outcome: in each row pair the second beats the first when the first is a number and the second is not ≤ it
 * (greater, or NaN); then the lower pair's winner beats the upper's on the same terms. Masks and selects, not
 * branches: the winners of real data are unpredictable. Returns how many outputs it wrote (the rest: scalar). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2l __attribute__((vector_size(16)));

static long row2x2_f32(const float *r0, const float *r1, float *out, int32_t *argmax, long ow, int32_t s, int32_t w) {
  long v = 0;
  for (; v + 4 <= ow; v += 4) {
    v4f p0, p1, q0, q1;
    memcpy(&p0, r0 + 2 * v, 16);
    memcpy(&p1, r0 + 2 * v + 4, 16);
    memcpy(&q0, r1 + 2 * v, 16);
    memcpy(&q1, r1 + 2 * v + 4, 16);
    const v4f a = __builtin_shuffle(p0, p1, (v4i){0, 2, 4, 6}), b = __builtin_shuffle(p0, p1, (v4i){1, 3, 5, 7});
    const v4f c = __builtin_shuffle(q0, q1, (v4i){0, 2, 4, 6}), e = __builtin_shuffle(q0, q1, (v4i){1, 3, 5, 7});
    const v4i tb = (a == a) & ~(b <= a), te = (c == c) & ~(e <= c);
    const v4f ab = (v4f)(((v4i)b & tb) | ((v4i)a & ~tb)), ce = (v4f)(((v4i)e & te) | ((v4i)c & ~te));
    const v4i tl = (ab == ab) & ~(ce <= ab);
    const v4f m = (v4f)(((v4i)ce & tl) | ((v4i)ab & ~tl));
    const int32_t b0 = s + 2 * (int32_t)v;
    const v4i base = (v4i){b0, b0 + 2, b0 + 4, b0 + 6};
    const v4i idx = base + ((tl & ((v4i){w, w, w, w} - te)) | (~tl & -tb));
    memcpy(out + v, &m, 16);
    memcpy(argmax + v, &idx, 16);
  }
  return v;
}

static long row2x2_f64(const double *r0, const double *r1, double *out, int32_t *argmax, long ow, int32_t s, int32_t w) {
  long v = 0;
  for (; v + 2 <= ow; v += 2) {
    v2d p0, p1, q0, q1;
    memcpy(&p0, r0 + 2 * v, 16);
    memcpy(&p1, r0 + 2 * v + 2, 16);
    memcpy(&q0, r1 + 2 * v, 16);
    memcpy(&q1, r1 + 2 * v + 2, 16);
    const v2d a = __builtin_shuffle(p0, p1, (v2l){0, 2}), b = __builtin_shuffle(p0, p1, (v2l){1, 3});
    const v2d c = __builtin_shuffle(q0, q1, (v2l){0, 2}), e = __builtin_shuffle(q0, q1, (v2l){1, 3});
    const v2l tb = (a == a) & ~(b <= a), te = (c == c) & ~(e <= c);
    const v2d ab = (v2d)(((v2l)b & tb) | ((v2l)a & ~tb)), ce = (v2d)(((v2l)e & te) | ((v2l)c & ~te));
    const v2l tl = (ab == ab) & ~(ce <= ab);
    const v2d m = (v2d)(((v2l)ce & tl) | ((v2l)ab & ~tl));
    const v2l off = (tl & ((v2l){w, w} - te)) | (~tl & -tb);
    memcpy(out + v, &m, 16);
    argmax[v] = s + 2 * (int32_t)v + (int32_t)off[0];
    argmax[v + 1] = s + 2 * (int32_t)v + 2 + (int32_t)off[1];
  }
  return v;
}

#define POOL(T, VROW, NAME)                                                                                         \
  static void NAME(const T *x, T *out, int32_t *argmax, long planes, long h, long w, long kh, long kw, long sh, \
                   long sw, long oh, long ow) {                                                               \
    long o = 0;                                                                                               \
    for (long p = 0; p < planes; p++) {                                                                       \
      const long xp = p * h * w;                                                                              \
      for (long u = 0; u < oh; u++) {                                                                         \
        long s = xp + u * sh * w;                                                                             \
        if (kh == 2 && kw == 2) {                                                                             \
          /* The tournament of row2x2_f32 (scalar where no vector row runs). */                               \
          const T *r0 = x + s, *r1 = x + s + w;                                                               \
          if (sw == 2)                                                                                        \
            for (long v = VROW(r0, r1, out + o, argmax + o, ow, (int32_t)s, (int32_t)w); v < ow; v++) {                                                                   \
              const T a = r0[2 * v], b = r0[2 * v + 1], c = r1[2 * v], e = r1[2 * v + 1];                    \
              /* b beats a when a is a number and b is not ≤ a (greater, or NaN). */                          \
              const int tb = (a == a) & !(b <= a), te = (c == c) & !(e <= c);                                 \
              const T ab = tb ? b : a, ce = te ? e : c;                                                       \
              const int tl = (ab == ab) & !(ce <= ab);                                                        \
              out[o + v] = tl ? ce : ab;                                                                      \
              argmax[o + v] = (int32_t)s + 2 * (int32_t)v + (tl ? (int32_t)w + te : tb);                      \
            }                                                                                                 \
          else                                                                                                \
            for (long v = 0; v < ow; v++) {                                                                   \
              const T a = r0[v * sw], b = r0[v * sw + 1], c = r1[v * sw], e = r1[v * sw + 1];                \
              const int tb = (a == a) & !(b <= a), te = (c == c) & !(e <= c);                                 \
              const T ab = tb ? b : a, ce = te ? e : c;                                                       \
              const int tl = (ab == ab) & !(ce <= ab);                                                        \
              out[o + v] = tl ? ce : ab;                                                                      \
              argmax[o + v] = (int32_t)(s + v * sw + (tl ? w + te : tb));                                     \
            }                                                                                                 \
          o += ow;                                                                                            \
          continue;                                                                                           \
        }                                                                                                     \
        for (long v = 0; v < ow; v++, o++, s += sw) {                                                         \
          long best = s;                                                                                      \
          T bv = x[s];                                                                                        \
          for (long i = 0; i < kh; i++)                                                                       \
            for (long j = 0, q = s + i * w; j < kw; j++, q++) {                                               \
              const T val = x[q];                                                                             \
              TAKE(val, q);                                   \
            }                                                                                                 \
          out[o] = bv;                                                                                        \
          argmax[o] = (int32_t)best;                                                                          \
        }                                                                                                     \
      }                                                                                                       \
    }                                                                                                         \
  }

POOL(float, row2x2_f32, pool_f32)
POOL(double, row2x2_f64, pool_f64)

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

int dtd_register_pool(napi_env env, napi_value exports) { return dtd_export_function(env, exports, "maxPool2d", max_pool2d); }
