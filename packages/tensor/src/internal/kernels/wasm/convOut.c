/*
 * The copy-out of the implicit-GEMM convolution (../convImplicit.ts), compiled by build.sh into convOutWasm.ts; a
 * module of its own (the 4 KB limit of synchronous compilation) that shares gemmBlock's memory.
 */
#include <wasm_simd128.h>

/*
 * The copy-out of a convolution block with its bias (convImplicit.ts): c holds `channels` rows of stride ldc, each
 * `rows` output rows of wp positions of which the first ow are valid. They are compacted in place, the bias added:
 *
 *   c[(o·rows + r)·ow + v] = c[o·ldc + r·wp + v] + bias[o]   for o < channels, r < rows, v < ow
 *
 * Every destination lies at or before its source, and each chunk of lanes is loaded before it is stored, so the
 * forward copy never overwrites a value it has yet to read. The addition is the one conv2d makes after the
 * product (in the element type), so the result is the same to the bit.
 */
void conv_out(int channels, int rows, int wp, int ow, int ldc, double* c, const double* bias) {
  double* dst = c;
  for (int o = 0; o < channels; o++) {
    const double bo = bias[o];
    const v128_t b = wasm_f64x2_splat(bo);
    for (int r = 0; r < rows; r++, dst += ow) {
      const double* src = c + o * ldc + r * wp;
      int v = 0;
      _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v + 2 <= ow; v += 2) wasm_v128_store(dst + v, wasm_f64x2_add(wasm_v128_load(src + v), b));
      if (v < ow) dst[v] = src[v] + bo;
    }
  }
}

void conv_out_f32(int channels, int rows, int wp, int ow, int ldc, float* c, const float* bias) {
  float* dst = c;
  for (int o = 0; o < channels; o++) {
    const float bo = bias[o];
    const v128_t b = wasm_f32x4_splat(bo);
    for (int r = 0; r < rows; r++, dst += ow) {
      const float* src = c + o * ldc + r * wp;
      int v = 0;
      _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v + 4 <= ow; v += 4) wasm_v128_store(dst + v, wasm_f32x4_add(wasm_v128_load(src + v), b));
      _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v < ow; v++) dst[v] = src[v] + bo;
    }
  }
}

/*
 * The same compaction without a bias, for either element type: sizes in elements of `size` bytes (8 or 4), the
 * values copied bit for bit (a −0 stays −0, as a plain copy keeps it).
 */
void conv_copy(int channels, int rows, int wp, int ow, int ldc, char* c, int size) {
  char* dst = c;
  const int n = ow * size;
  for (int o = 0; o < channels; o++) {
    for (int r = 0; r < rows; r++, dst += n) {
      const char* src = c + (o * ldc + r * wp) * size;
      int v = 0;
      _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v + 16 <= n; v += 16) wasm_v128_store(dst + v, wasm_v128_load(src + v));
      _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v < n; v += 4) *(int*)(dst + v) = *(const int*)(src + v);
    }
  }
}

/*
 * col2im for a stride-1 convolution (../conv2d.ts conv2dBackpropInput): dx (C×H×W, zeroed by the caller)
 * receives, for every tap p = (ch·KH + i)·KW + j and output position (u, v), cols[p·ldc + u·OW + v] at
 * dx[ch, u + i − ph, v + j − pw] when that lies inside the image. Each element of dx receives its taps in (i, j) order, as the
 * JavaScript col2im adds them (../im2col.ts), so the sums are the same to the bit.
 */
#define COL2IM(T, LANES, ADD)                                                                                  \
  for (int ch = 0; ch < C; ch++)                                                                               \
    for (int i = 0; i < KH; i++)                                                                               \
      for (int j = 0; j < KW; j++) {                                                                           \
        const T* row = cols + ((ch * KH + i) * KW + j) * ldc;                                                  \
        const int uLo = ph - i > 0 ? ph - i : 0, uHi = H + ph - i < OH ? H + ph - i : OH;                      \
        const int vLo = pw - j > 0 ? pw - j : 0, vHi = W + pw - j < OW ? W + pw - j : OW;                      \
        for (int u = uLo; u < uHi; u++) {                                                                      \
          T* d = dx + (ch * H + u + i - ph) * W + j - pw;                                                      \
          const T* s = row + u * OW;                                                                           \
          int v = vLo;                                                                                         \
          _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v + LANES <= vHi; v += LANES)       \
            wasm_v128_store(d + v, ADD(wasm_v128_load(d + v), wasm_v128_load(s + v)));                         \
          _Pragma("clang loop unroll(disable) vectorize(disable)") for (; v < vHi; v++) d[v] = d[v] + s[v];    \
        }                                                                                                      \
      }

void col2im(int C, int H, int W, int KH, int KW, int ph, int pw, int OH, int OW, int ldc, const double* cols, double* dx) {
  COL2IM(double, 2, wasm_f64x2_add)
}

void col2im_f32(int C, int H, int W, int KH, int KW, int ph, int pw, int OH, int OW, int ldc, const float* cols, float* dx) {
  COL2IM(float, 4, wasm_f32x4_add)
}
