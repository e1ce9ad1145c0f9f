/*
 * The WebAssembly SIMD block kernels of gemm (../gemm.ts), compiled by build.sh into gemmBlockWasm.ts:
 * gemm_block for float64 panels and gemm_block_f32 for float32 panels. Both compute
 *
 *   c[i·ldc + j] (+)= Σ_{p<kb} A[i, p] · B[p, j]   for i < roundUp(mb, 4), j < roundUp(nb, 4), ldc = roundUp(nb, 4)
 *
 * adding into c when `add` is nonzero, else overwriting it, over A packed in 4-row micro-panels
 * (ap[ir·kb + 4p + ii] = A[ir + ii, p]) and B in 4-column micro-panels (bp[jr·kb + 4p + jj] = B[p, jr + jj]),
 * exactly as gemm.ts packs them. Each tile's sum starts at 0 and runs over p = 0, 1, …, kb − 1, each product
 * rounded before it is added (SIMD128 has no fused multiply-add); only then is it added to c. So a float64
 * product summed over k blocks into c is, to the bit, what the JavaScript micro-kernel computes.
 * Rows and columns past mb and nb read the panels' padding lanes; they only reach the padding of c.
 *
 * How the loops are written is measured, not taste (V8 12, x64; see docs/performance.md):
 * - a tile keeps 8 accumulators: V8 loads every operand of a loop iteration first, so 8 accumulators, 2 B rows
 *   and 4 A values fill the 15 registers it allocates; a 5×8 or 4×12 tile spills and runs at half the rate, and
 *   unrolling the p loop spills the same way;
 * - the p loop runs on one pointer compared with its end, and the second B panel is addressed from the first
 *   (b + d), so that an iteration costs 4 integer instructions besides its 6 loads and 16 SIMD operations;
 * - build.sh compiles with loop strength reduction off, so that the constant offsets of the loads (a + 1, …)
 *   stay in the load instructions instead of becoming additions.
 */
#include <wasm_simd128.h>

/* One step p of a 4-row tile: broadcast A[ir + ii, p] (a[ii]) against the B row in b0 (and b1). */
#define STEP64(a, b0, b1)                                                              \
  {                                                                                    \
    v128_t av = wasm_v128_load64_splat(a);                                             \
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(av, b0));                                 \
    c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(av, b1));                                 \
    av = wasm_v128_load64_splat((a) + 1);                                              \
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(av, b0));                                 \
    c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(av, b1));                                 \
    av = wasm_v128_load64_splat((a) + 2);                                              \
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(av, b0));                                 \
    c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(av, b1));                                 \
    av = wasm_v128_load64_splat((a) + 3);                                              \
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(av, b0));                                 \
    c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(av, b1));                                 \
  }
#define STEP32(a, b0, b1)                                                              \
  {                                                                                    \
    v128_t av = wasm_v128_load32_splat(a);                                             \
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(av, b0));                                 \
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(av, b1));                                 \
    av = wasm_v128_load32_splat((a) + 1);                                              \
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(av, b0));                                 \
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(av, b1));                                 \
    av = wasm_v128_load32_splat((a) + 2);                                              \
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(av, b0));                                 \
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(av, b1));                                 \
    av = wasm_v128_load32_splat((a) + 3);                                              \
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(av, b0));                                 \
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(av, b1));                                 \
  }
#define STEP32x4(a, b0)                                                                \
  {                                                                                    \
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(wasm_v128_load32_splat(a), b0));            \
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(wasm_v128_load32_splat((a) + 1), b0));      \
    c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(wasm_v128_load32_splat((a) + 2), b0));      \
    c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(wasm_v128_load32_splat((a) + 3), b0));      \
  }
/* The tile's 4 rows (w lanes apart: 2 for f64x2, 4 for f32x4) stored at o, stride ldc; first added to when add. */
#define STORE8(ADD, o, ldc, w)                                                          \
  {                                                                                    \
    if (add) {                                                                         \
      c00 = ADD(wasm_v128_load(o), c00);                                               \
      c01 = ADD(wasm_v128_load((o) + (w)), c01);                                       \
      c10 = ADD(wasm_v128_load((o) + (ldc)), c10);                                     \
      c11 = ADD(wasm_v128_load((o) + (ldc) + (w)), c11);                               \
      c20 = ADD(wasm_v128_load((o) + 2 * (ldc)), c20);                                 \
      c21 = ADD(wasm_v128_load((o) + 2 * (ldc) + (w)), c21);                           \
      c30 = ADD(wasm_v128_load((o) + 3 * (ldc)), c30);                                 \
      c31 = ADD(wasm_v128_load((o) + 3 * (ldc) + (w)), c31);                           \
    }                                                                                  \
    wasm_v128_store(o, c00);                                                           \
    wasm_v128_store((o) + (w), c01);                                                   \
    wasm_v128_store((o) + (ldc), c10);                                                 \
    wasm_v128_store((o) + (ldc) + (w), c11);                                           \
    wasm_v128_store((o) + 2 * (ldc), c20);                                             \
    wasm_v128_store((o) + 2 * (ldc) + (w), c21);                                       \
    wasm_v128_store((o) + 3 * (ldc), c30);                                             \
    wasm_v128_store((o) + 3 * (ldc) + (w), c31);                                       \
  }
#define STORE4(o, ldc)                                                                 \
  {                                                                                    \
    if (add) {                                                                         \
      c0 = wasm_f32x4_add(wasm_v128_load(o), c0);                                      \
      c1 = wasm_f32x4_add(wasm_v128_load((o) + (ldc)), c1);                            \
      c2 = wasm_f32x4_add(wasm_v128_load((o) + 2 * (ldc)), c2);                        \
      c3 = wasm_f32x4_add(wasm_v128_load((o) + 3 * (ldc)), c3);                        \
    }                                                                                  \
    wasm_v128_store(o, c0);                                                            \
    wasm_v128_store((o) + (ldc), c1);                                                  \
    wasm_v128_store((o) + 2 * (ldc), c2);                                              \
    wasm_v128_store((o) + 3 * (ldc), c3);                                              \
  }

void gemm_block(int mb, int nb, int kb, const double* ap, const double* bp, double* c, int add) {
  const int ldc = (nb + 3) & ~3;
  for (int jr = 0; jr < nb; jr += 4) {
    for (int ir = 0; ir < mb; ir += 4) {
      const double* a = ap + ir * kb;
      const double* b = bp + jr * kb;
      const double* const bEnd = b + 4 * kb;
      v128_t c00 = wasm_f64x2_splat(0.0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      do {
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
        STEP64(a, b0, b1);
        a += 4;
        b += 4;
      } while (b != bEnd);
      double* o = c + ir * ldc + jr;
      STORE8(wasm_f64x2_add, o, ldc, 2);
    }
  }
}

/*
 * The float32 block kernel: the same c (+)= A·B over the same micro-panel layouts, with float elements, summed in
 * float32 in the order p = 0, 1, …, kb − 1.
 *
 * A 4×8 tile of C (two adjacent B micro-panels, the second d = 4·kb floats after the first) lives in eight f32x4
 * registers: every step p loads one 4-wide row of each B panel and broadcasts the four A values, so 6 loads
 * feed 8 multiply-adds. When roundUp(nb, 4) is not a multiple of 8, the last B micro-panel takes a 4×4 tile.
 */
void gemm_block_f32(int mb, int nb, int kb, const float* ap, const float* bp, float* c, int add) {
  const int ldc = (nb + 3) & ~3;
  const int d = 4 * kb;
  int jr = 0;
  for (; jr + 8 <= ldc; jr += 8) {
    for (int ir = 0; ir < mb; ir += 4) {
      const float* a = ap + ir * kb;
      const float* b = bp + jr * kb;
      const float* const bEnd = b + d;
      v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      do {
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + d);
        STEP32(a, b0, b1);
        a += 4;
        b += 4;
      } while (b != bEnd);
      float* o = c + ir * ldc + jr;
      STORE8(wasm_f32x4_add, o, ldc, 4);
    }
  }
  if (jr < ldc) {
    for (int ir = 0; ir < mb; ir += 4) {
      const float* a = ap + ir * kb;
      const float* b = bp + jr * kb;
      const float* const bEnd = b + d;
      v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0, c2 = c0, c3 = c0;
      do {
        const v128_t b0 = wasm_v128_load(b);
        STEP32x4(a, b0);
        a += 4;
        b += 4;
      } while (b != bEnd);
      float* o = c + ir * ldc + jr;
      STORE4(o, ldc);
    }
  }
}

/*
 * The convolution kernels: the same c (+)= A·B, with B never packed. Row p of B, at column j, is img[offs[p] + j]:
 * a stride-1 convolution computed on the "full-width" grid of output positions j = u·W + v (v < W, the columns
 * v ≥ OW being discarded by the caller) reads, for the filter tap p = (ch·KH + i)·KW + kj, the image at
 * ch·H·W + i·W + kj + j — the same offset for every j, so a row of B is a contiguous (unaligned) slice of the
 * image. A is the filters packed as gemm packs A, and the sums run over p in the same order, so c is, to the bit,
 * what gemm_block / gemm_block_f32 compute on the unfolded image (im2col), without unfolding it.
 * img must hold 8 more readable elements past the last one a valid output reads (columns past nb read them).
 */
void conv_block(int mb, int nb, int kb, const double* ap, const double* img, const int* offs, double* c, int add) {
  const int ldc = (nb + 3) & ~3;
  const int* const oEnd = offs + kb;
  for (int jr = 0; jr < nb; jr += 4) {
    for (int ir = 0; ir < mb; ir += 4) {
      const double* a = ap + ir * kb;
      const double* x = img + jr;
      const int* off = offs;
      v128_t c00 = wasm_f64x2_splat(0.0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      do {
        const double* b = x + *off;
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
        STEP64(a, b0, b1);
        a += 4;
        off++;
      } while (off != oEnd);
      double* o = c + ir * ldc + jr;
      STORE8(wasm_f64x2_add, o, ldc, 2);
    }
  }
}

void conv_block_f32(int mb, int nb, int kb, const float* ap, const float* img, const int* offs, float* c, int add) {
  const int ldc = (nb + 3) & ~3;
  const int* const oEnd = offs + kb;
  int jr = 0;
  for (; jr + 8 <= ldc; jr += 8) {
    for (int ir = 0; ir < mb; ir += 4) {
      const float* a = ap + ir * kb;
      const float* x = img + jr;
      const int* off = offs;
      v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      do {
        const float* b = x + *off;
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        STEP32(a, b0, b1);
        a += 4;
        off++;
      } while (off != oEnd);
      float* o = c + ir * ldc + jr;
      STORE8(wasm_f32x4_add, o, ldc, 4);
    }
  }
  if (jr < ldc) {
    for (int ir = 0; ir < mb; ir += 4) {
      const float* a = ap + ir * kb;
      const float* x = img + jr;
      const int* off = offs;
      v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0, c2 = c0, c3 = c0;
      do {
        const v128_t b0 = wasm_v128_load(x + *off);
        STEP32x4(a, b0);
        a += 4;
        off++;
      } while (off != oEnd);
      float* o = c + ir * ldc + jr;
      STORE4(o, ldc);
    }
  }
}
