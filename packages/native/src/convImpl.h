/*
 * The convolution kernels for one element type: included by conv.c once per element type, with
 *   T            the element type (float, double)
 *   S            the suffix of every name defined here (f32, f64)
 *   VEC, VL      the vector type and its number of lanes
 *   VLOAD(p), VSTORE(p, v), VSET1(s), VZERO, VFMA(a, b, c) (= a·b + c)
 *   MR           rows of a register tile (output channels forward, taps backward)
 *
 * Both convolutions are matrix products computed by one register-tiled kernel (Goto & van de Geijn, "Anatomy of
 * high-performance matrix multiplication", ACM TOMS 34(3), 2008): an MR × NR tile of the product, NR = 2·VL, in
 * MR·2 vector accumulators, over packed A (MR rows interleaved along k) and packed B (NR columns interleaved along
 * k). The forward convolution packs B straight from the image (im2col restricted to one block, never a whole
 * column matrix); the input gradient computes one block of columns Wᵀ·dy_n in a cache-sized scratch and folds it
 * onto dx at once (col2im of that block), so no column matrix of the image exists either way.
 *
 * Each output sums its products in k order, one fused multiply–add at a time: the result does not depend on the
 * vector width, only on whether VFMA rounds once.
 */

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(x) CAT(x, S)
#define NR (2 * VL)
/* A B micro-panel (KC × NR) of 16 KB stays in L1 while the A panels stream past it. */
#define KC (16384 / (long)(NR * sizeof(T)))
/* Columns of the image per block: a packed B block (KC × NC) of 256 KB, in L2. */
#define NC (16 * NR)

/* c[r·ldc + q] ← (acc ? c[r·ldc + q] : 0) + Σ_{p<kb} a[p·MR + r]·b[p·NR + q] (+ bias[r]), r < MR, q < NR. */
static void FN(tile)(long kb, const T *restrict a, const T *restrict b, T *restrict c, long ldc, int acc, const T *bias) {
  VEC c0[MR], c1[MR];
  UNROLL
  for (int r = 0; r < MR; r++) {
    c0[r] = acc ? VLOAD(c + r * ldc) : VZERO;
    c1[r] = acc ? VLOAD(c + r * ldc + VL) : VZERO;
  }
  for (long p = 0; p < kb; p++) {
    const VEC b0 = VLOAD(b), b1 = VLOAD(b + VL);
    UNROLL
    for (int r = 0; r < MR; r++) {
      const VEC ar = VSET1(a[r]);
      c0[r] = VFMA(ar, b0, c0[r]);
      c1[r] = VFMA(ar, b1, c1[r]);
    }
    a += MR;
    b += NR;
  }
  UNROLL
  for (int r = 0; r < MR; r++) {
    if (bias != NULL) {
      const VEC br = VSET1(bias[r]);
      c0[r] = c0[r] + br;
      c1[r] = c1[r] + br;
    }
    VSTORE(c + r * ldc, c0[r]);
    VSTORE(c + r * ldc + VL, c1[r]);
  }
}

/* {tile} for the rows × cols corner of a tile at the product's edge, through a full tile on the stack. */
static void FN(edge)(long kb, const T *a, const T *b, T *c, long ldc, int rows, int cols, int acc, const T *bias) {
  T tmp[MR * NR] __attribute__((aligned(64)));
  if (acc)
    for (int r = 0; r < MR; r++)
      for (int q = 0; q < NR; q++) tmp[r * NR + q] = r < rows && q < cols ? c[r * ldc + q] : 0;
  FN(tile)(kb, a, b, tmp, NR, acc, bias);
  for (int r = 0; r < rows; r++)
    for (int q = 0; q < cols; q++) c[r * ldc + q] = tmp[r * NR + q];
}

/* Packs the m × k matrix A[i][p] = src[i·rs + p·cs] as panels of MR rows: ap[(i / MR)·MR·k + p·MR + i % MR], rows
 * past m zero. */
static void FN(pack_a)(const T *src, long m, long k, long rs, long cs, T *ap) {
  for (long i0 = 0; i0 < m; i0 += MR, ap += MR * k)
    for (long p = 0; p < k; p++)
      for (int r = 0; r < MR; r++) ap[p * MR + r] = i0 + r < m ? src[(i0 + r) * rs + p * cs] : 0;
}

/* The indices k of a run of len output columns starting at input column col0 (step s) that land inside [0, W). */
static inline void FN(inside)(long col0, long s, long len, long W, long *lo, long *hi) {
  *lo = col0 >= 0 ? 0 : (-col0 + s - 1) / s;
  *hi = col0 > W - 1 ? 0 : (W - 1 - col0) / s + 1;
  if (*hi > len) *hi = len;
  if (*lo > *hi) *lo = *hi;
}

/* Rows [pc, pc + kb) and columns [j0, j0 + nb) of the unfolded image x (C×H×W), packed as B panels:
 * bp[(q / NR)·kb·NR + (p − pc)·NR + q % NR] = x[c, u·sh − ph + i, v·sw − pw + j] for tap p = (c·KH + i)·KW + j and
 * output position j0 + q = u·OW + v; zero outside the image and past column nb. Tap by tap, one output row at a
 * time: the part of the row inside the image is found once, then copied in runs that end at panel boundaries. */
static void FN(pack_im2col)(const T *x, const dtd_conv_geom *g, long pc, long kb, long j0, long nb, T *bp) {
  const long H = g->h, W = g->w, OW = g->ow, sh = g->sh, sw = g->sw, khw = g->kh * g->kw, kbnr = kb * NR;
  const long u0 = j0 / OW, v0 = j0 % OW, end = (nb + NR - 1) / NR * NR;
  for (long pp = 0; pp < kb; pp++) {
    const long p = pc + pp, c = p / khw, i = (p / g->kw) % g->kh, j = p % g->kw;
    const T *xc = x + c * H * W;
    T *d = bp + pp * NR;
    long u = u0, v = v0;
    for (long q = 0; q < nb; u++, v = 0) {
      const long len = nb - q < OW - v ? nb - q : OW - v;
      const long row = u * sh - g->ph + i, col0 = v * sw - g->pw + j;
      long lo = 0, hi = 0;
      if (row >= 0 && row < H) FN(inside)(col0, sw, len, W, &lo, &hi);
      const T *xr = xc + row * W + col0;
      /* Runs [k, k + run) of the row within one panel. */
      for (long k = 0; k < len;) {
        const long at = q + k, off = at % NR, run = len - k < NR - off ? len - k : NR - off;
        T *dst = d + at / NR * kbnr + off;
        long a = lo - k, b = hi - k;
        a = a < 0 ? 0 : a > run ? run : a;
        b = b < a ? a : b > run ? run : b;
        for (long t = 0; t < a; t++) dst[t] = 0;
        if (sw == 1)
          for (long t = a; t < b; t++) dst[t] = xr[k + t];
        else
          for (long t = a; t < b; t++) dst[t] = xr[(k + t) * sw];
        for (long t = b; t < run; t++) dst[t] = 0;
        k += run;
      }
      q += len;
    }
    for (long q = nb; q < end; q++) d[q / NR * kbnr + q % NR] = 0;
  }
}

/* Rows [pc, pc + kb) and columns [j0, j0 + nb) of the row-major matrix src (ld columns a row) as B panels, zero
 * past column nb. */
static void FN(pack_rows)(const T *src, long ld, long pc, long kb, long j0, long nb, T *bp) {
  for (long s = 0; s * NR < nb; s++, bp += kb * NR) {
    const long wq = nb - s * NR < NR ? nb - s * NR : NR;
    for (long pp = 0; pp < kb; pp++) {
      const T *r = src + (pc + pp) * ld + j0 + s * NR;
      T *d = bp + pp * NR;
      if (wq == NR)
        for (long q = 0; q < NR; q++) d[q] = r[q];
      else {
        for (long q = 0; q < wq; q++) d[q] = r[q];
        for (long q = wq; q < NR; q++) d[q] = 0;
      }
    }
  }
}

/* {pack_rows} of eq. (4)'s quotients instead of a stored matrix: the entry at row-major index e of the O × plane
 * image is r[e] / (s[e] + k[e]) (s[e] alone when k is NULL), 0 where that denominator is 0 — divNoNanSum's contract
 * (quotient.c), the same bits: the sum is rounded in T before the division. */
static void FN(pack_quotient)(const T *r, const T *s, const T *k, long ld, long pc, long kb, long j0, long nb, T *bp) {
  for (long b = 0; b * NR < nb; b++, bp += kb * NR) {
    const long wq = nb - b * NR < NR ? nb - b * NR : NR;
    for (long pp = 0; pp < kb; pp++) {
      const long e = (pc + pp) * ld + j0 + b * NR;
      T *d = bp + pp * NR;
      if (k == NULL)
        for (long q = 0; q < wq; q++) {
          const T den = s[e + q];
          d[q] = den == 0 ? (T)0 : r[e + q] / den;
        }
      else
        for (long q = 0; q < wq; q++) {
          const T den = s[e + q] + k[e + q];
          d[q] = den == 0 ? (T)0 : r[e + q] / den;
        }
      for (long q = wq; q < NR; q++) d[q] = 0;
    }
  }
}

/* col2im of one block: dx[c, u·sh − ph + i, v·sw − pw + j] += cols[p·ldc + q] for every tap p = (c·KH + i)·KW + j
 * and output position j0 + q = u·OW + v, q < nb, that reads inside the image. */
static void FN(fold)(const T *cols, long ldc, const dtd_conv_geom *g, long j0, long nb, T *dx) {
  const long H = g->h, W = g->w, OW = g->ow, sh = g->sh, sw = g->sw, khw = g->kh * g->kw, ckk = g->c * khw;
  const long u0 = j0 / OW, v0 = j0 % OW;
  for (long p = 0; p < ckk; p++) {
    const long c = p / khw, i = (p / g->kw) % g->kh, j = p % g->kw;
    const T *src = cols + p * ldc;
    T *dc = dx + c * H * W;
    long u = u0, v = v0;
    for (long q = 0; q < nb; u++, v = 0) {
      const long len = nb - q < OW - v ? nb - q : OW - v;
      const long row = u * sh - g->ph + i;
      const T *sq = src + q;
      q += len;
      if (row < 0 || row >= H) continue;
      T *dr = dc + row * W;
      const long col0 = v * sw - g->pw + j;
      long lo, hi;
      FN(inside)(col0, sw, len, W, &lo, &hi);
      if (sw == 1)
        for (long k = lo; k < hi; k++) dr[col0 + k] += sq[k];
      else
        for (long k = lo; k < hi; k++) dr[col0 + k * sw] += sq[k];
    }
  }
}

/* out (N×O×OH×OW) ← conv(x, w) (+ bias): per image the product W (O × CKK) · X̂_n (CKK × OH·OW), B packed from the
 * image block by block. */
static int FN(forward)(const T *x, const T *w, const T *bias, const dtd_conv_geom *g, T *out, dtd_scratch *scratch) {
  const long M = g->o, K = g->c * g->kh * g->kw, plane = g->oh * g->ow, image = g->c * g->h * g->w;
  const long Mp = (M + MR - 1) / MR * MR;
  if (M == 0 || plane == 0) return 0;
  if (K == 0) {
    for (long n = 0; n < g->n; n++)
      for (long o = 0; o < M; o++)
        for (long q = 0; q < plane; q++) out[(n * M + o) * plane + q] = bias != NULL ? bias[o] : 0;
    return 0;
  }
  T *ap = dtd_grow(&scratch->pa, &scratch->na, Mp * K * sizeof(T));
  T *bp = dtd_grow(&scratch->pb, &scratch->nb, KC * NC * sizeof(T));
  T *bpad = dtd_grow(&scratch->pt, &scratch->nt, Mp * sizeof(T));
  if (ap == NULL || bp == NULL || bpad == NULL) return -1;
  FN(pack_a)(w, M, K, K, 1, ap);
  for (long r = 0; r < Mp; r++) bpad[r] = bias != NULL && r < M ? bias[r] : 0;
  for (long n = 0; n < g->n; n++) {
    const T *xn = x + n * image;
    T *yn = out + n * M * plane;
    for (long j0 = 0; j0 < plane; j0 += NC) {
      const long nb = plane - j0 < NC ? plane - j0 : NC;
      for (long pc = 0; pc < K; pc += KC) {
        const long kb = K - pc < KC ? K - pc : KC;
        const int acc = pc > 0;
        const T *bb = pc + kb == K && bias != NULL ? bpad : NULL;
        FN(pack_im2col)(xn, g, pc, kb, j0, nb, bp);
        for (long s = 0; s * NR < nb; s++) {
          const int cols = nb - s * NR < NR ? (int)(nb - s * NR) : NR;
          const T *b = bp + s * kb * NR;
          for (long t = 0; t < M; t += MR) {
            const int rows = M - t < MR ? (int)(M - t) : MR;
            const T *a = ap + t * K + pc * MR;
            T *c = yn + t * plane + j0 + s * NR;
            if (rows == MR && cols == NR) FN(tile)(kb, a, b, c, plane, acc, bb == NULL ? NULL : bb + t);
            else FN(edge)(kb, a, b, c, plane, rows, cols, acc, bb == NULL ? NULL : bb + t);
          }
        }
      }
    }
  }
  return 0;
}

/* dx (N×C×H×W) ← J_xᵀ·dy: per image and block of output positions, cols = Wᵀ (CKK × O) · dy_n (O × block) in a
 * scratch of cache size, folded onto dx at once. With den (N×O×OH×OW) given, dy is replaced by eq. (4)'s quotient
 * dy / (den + k) (k: one image's O×OH×OW, or NULL), formed while packing: no quotient matrix exists. */
static int FN(backprop_input)(const T *dy, const T *den, const T *k, const T *w, const dtd_conv_geom *g, T *dx, dtd_scratch *scratch) {
  const long M = g->c * g->kh * g->kw, K = g->o, plane = g->oh * g->ow, image = g->c * g->h * g->w;
  const long Mp = (M + MR - 1) / MR * MR;
  for (long e = 0; e < g->n * image; e++) dx[e] = 0;
  if (K == 0 || M == 0 || plane == 0) return 0;
  /* The column block: Mp × ncb in ~192 KB, at least one panel, at most NC columns. */
  long ncb = 196608 / (long)(Mp * sizeof(T)) / NR * NR;
  if (ncb < NR) ncb = NR;
  if (ncb > NC) ncb = NC;
  T *ap = dtd_grow(&scratch->pa, &scratch->na, Mp * K * sizeof(T));
  T *bp = dtd_grow(&scratch->pb, &scratch->nb, KC * ncb * sizeof(T));
  T *cols = dtd_grow(&scratch->pt, &scratch->nt, Mp * ncb * sizeof(T));
  if (ap == NULL || bp == NULL || cols == NULL) return -1;
  FN(pack_a)(w, M, K, 1, M, ap);
  for (long n = 0; n < g->n; n++) {
    const T *dyn = dy + n * K * plane;
    for (long j0 = 0; j0 < plane; j0 += ncb) {
      const long nb = plane - j0 < ncb ? plane - j0 : ncb;
      for (long pc = 0; pc < K; pc += KC) {
        const long kb = K - pc < KC ? K - pc : KC;
        if (den == NULL) FN(pack_rows)(dyn, plane, pc, kb, j0, nb, bp);
        else FN(pack_quotient)(dyn, den + n * K * plane, k, plane, pc, kb, j0, nb, bp);
        for (long s = 0; s * NR < nb; s++)
          for (long t = 0; t < M; t += MR) FN(tile)(kb, ap + t * K + pc * MR, bp + s * kb * NR, cols + t * ncb + s * NR, ncb, pc > 0, NULL);
      }
      FN(fold)(cols, ncb, g, j0, nb, dx + n * image);
    }
  }
  return 0;
}

#undef CAT_
#undef CAT
#undef FN
#undef NR
#undef KC
#undef NC
#undef T
#undef S
#undef VEC
#undef VL
#undef VLOAD
#undef VSTORE
#undef VSET1
#undef VZERO
#undef VFMA
