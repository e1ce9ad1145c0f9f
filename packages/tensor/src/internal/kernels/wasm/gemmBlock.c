/*
 * The WebAssembly SIMD block kernels of gemm (../gemm.ts), compiled by build.sh into gemmBlockWasm.ts:
 * gemm_block for float64 panels (below) and gemm_block_f32 for float32 panels (at the end). Both compute
 *
 *   c[i·ldc + j] = Σ_{p<kb} A[i, p] · B[p, j]   for i < roundUp(mb, 4), j < roundUp(nb, 4), ldc = roundUp(nb, 4)
 *
 * over A packed in 4-row micro-panels (ap[ir·kb + 4p + ii] = A[ir + ii, p]) and B in 4-column micro-panels
 * (bp[jr·kb + 4p + jj] = B[p, jr + jj]), exactly as gemm.ts packs them. A 4×4 tile of C lives in eight f64x2
 * registers; every step p loads one 4-wide row of the B panel (two f64x2) and broadcasts the four A values.
 * Sums are float64 in the order p = 0, 1, …, kb − 1, as in the JavaScript micro-kernel; there is no fused
 * multiply-add in SIMD128, so each product is rounded before it is added, as in JavaScript.
 * Rows and columns past mb and nb read the panels' padding lanes; they only reach the padding of c.
 */
#include <wasm_simd128.h>

void gemm_block(int mb, int nb, int kb, const double* ap, const double* bp, double* c) {
  const int ldc = (nb + 3) & ~3;
  for (int jr = 0; jr < nb; jr += 4) {
    for (int ir = 0; ir < mb; ir += 4) {
      const double* a = ap + ir * kb;
      const double* b = bp + jr * kb;
      v128_t c00 = wasm_f64x2_splat(0.0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (int p = 0; p < kb; p++, a += 4, b += 4) {
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
        v128_t av = wasm_f64x2_splat(a[0]);
        c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(av, b0));
        c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(av, b1));
        av = wasm_f64x2_splat(a[1]);
        c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(av, b0));
        c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(av, b1));
        av = wasm_f64x2_splat(a[2]);
        c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(av, b0));
        c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(av, b1));
        av = wasm_f64x2_splat(a[3]);
        c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(av, b0));
        c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(av, b1));
      }
      double* o = c + ir * ldc + jr;
      wasm_v128_store(o, c00);
      wasm_v128_store(o + 2, c01);
      o += ldc;
      wasm_v128_store(o, c10);
      wasm_v128_store(o + 2, c11);
      o += ldc;
      wasm_v128_store(o, c20);
      wasm_v128_store(o + 2, c21);
      o += ldc;
      wasm_v128_store(o, c30);
      wasm_v128_store(o + 2, c31);
    }
  }
}

/*
 * The float32 block kernel: the same c = A·B over the same micro-panel layouts, with float elements.
 *
 *   c[i·ldc + j] = Σ_{p<kb} A[i, p] · B[p, j]   summed in float32 in the order p = 0, 1, …, kb − 1
 *
 * A 4×8 tile of C (two adjacent B micro-panels) lives in eight f32x4 registers: every step p loads one 4-wide row
 * of each B panel and broadcasts the four A values, so 6 loads feed 8 multiply-adds (a 4×4 tile would need 5 for
 * 4). When roundUp(nb, 4) is not a multiple of 8, the last B micro-panel takes a 4×4 tile.
 */
void gemm_block_f32(int mb, int nb, int kb, const float* ap, const float* bp, float* c) {
  const int ldc = (nb + 3) & ~3;
  int jr = 0;
  for (; jr + 8 <= ldc; jr += 8) {
    for (int ir = 0; ir < mb; ir += 4) {
      const float* a = ap + ir * kb;
      const float* b = bp + jr * kb;
      const float* b2 = b + 4 * kb;
      v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (int p = 0; p < kb; p++, a += 4, b += 4, b2 += 4) {
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b2);
        v128_t av = wasm_v128_load32_splat(a);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(av, b0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(av, b1));
        av = wasm_v128_load32_splat(a + 1);
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(av, b0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(av, b1));
        av = wasm_v128_load32_splat(a + 2);
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(av, b0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(av, b1));
        av = wasm_v128_load32_splat(a + 3);
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(av, b0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(av, b1));
      }
      float* o = c + ir * ldc + jr;
      wasm_v128_store(o, c00);
      wasm_v128_store(o + 4, c01);
      o += ldc;
      wasm_v128_store(o, c10);
      wasm_v128_store(o + 4, c11);
      o += ldc;
      wasm_v128_store(o, c20);
      wasm_v128_store(o + 4, c21);
      o += ldc;
      wasm_v128_store(o, c30);
      wasm_v128_store(o + 4, c31);
    }
  }
  if (jr < ldc) {
    for (int ir = 0; ir < mb; ir += 4) {
      const float* a = ap + ir * kb;
      const float* b = bp + jr * kb;
      v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0, c2 = c0, c3 = c0;
      for (int p = 0; p < kb; p++, a += 4, b += 4) {
        const v128_t b0 = wasm_v128_load(b);
        c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(a), b0));
        c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_v128_load32_splat(a + 1), b0));
        c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_v128_load32_splat(a + 2), b0));
        c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_v128_load32_splat(a + 3), b0));
      }
      float* o = c + ir * ldc + jr;
      wasm_v128_store(o, c0);
      wasm_v128_store(o + ldc, c1);
      wasm_v128_store(o + 2 * ldc, c2);
      wasm_v128_store(o + 3 * ldc, c3);
    }
  }
}
