/*
 * The GEMM loops for one element type, included by gemm.c with T (float or double), V (a vector of T), S (the
 * name suffix: f32, f64), MR (rows of a register tile), KC, MC and NC (block sizes). See gemm.c for the scheme.
 */
#define FN(name) CAT(name, S)
#define VL ((long)(sizeof(V) / sizeof(T)))
#define NR (2 * VL)

static inline V FN(loadu_)(const T *p) {
  V v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void FN(storeu_)(T *p, V v) { memcpy(p, &v, sizeof v); }
static inline V FN(splat_)(T x) { return (V){0} + x; }
static inline T FN(hsum_)(V v) {
  T s = 0;
  for (long l = 0; l < VL; l++) s += v[l];
  return s;
}

/*
 * The register tile: c[r·ldc + j] (+)= Σ_p ap[p·MR + r] · bp[p·NR + j] for r < rows, j < NR, from one packed
 * micro-panel of A (MR rows, of which the first `rows` are used) and one of B (NR columns). `rows` is a constant
 * at each call site (MR, or MR/2 for a bottom-edge panel of at most MR/2 rows), so the loops over it unroll and
 * the accumulators stay in registers.
 */
static inline __attribute__((always_inline)) void FN(micro_rows_)(long kc, const T *restrict ap, const T *restrict bp, T *restrict c, long ldc, int add, const int rows) {
  V acc[MR][2];
#pragma GCC unroll 16
  for (int r = 0; r < rows; r++) acc[r][0] = acc[r][1] = (V){0};
  for (long p = 0; p < kc; p++) {
    const V b0 = FN(loadu_)(bp);
    const V b1 = FN(loadu_)(bp + VL);
#pragma GCC unroll 16
    for (int r = 0; r < rows; r++) {
      const V a = FN(splat_)(ap[r]);
      acc[r][0] += a * b0;
      acc[r][1] += a * b1;
    }
    ap += MR;
    bp += NR;
  }
#pragma GCC unroll 16
  for (int r = 0; r < rows; r++) {
    T *cr = c + r * ldc;
    if (add) {
      FN(storeu_)(cr, FN(loadu_)(cr) + acc[r][0]);
      FN(storeu_)(cr + VL, FN(loadu_)(cr + VL) + acc[r][1]);
    } else {
      FN(storeu_)(cr, acc[r][0]);
      FN(storeu_)(cr + VL, acc[r][1]);
    }
  }
}

static void FN(micro_)(long kc, const T *restrict ap, const T *restrict bp, T *restrict c, long ldc, int add) {
  FN(micro_rows_)(kc, ap, bp, c, ldc, add, MR);
}
static void FN(micro_half_)(long kc, const T *restrict ap, const T *restrict bp, T *restrict c, long ldc, int add) {
  FN(micro_rows_)(kc, ap, bp, c, ldc, add, MR / 2);
}

/* ap[ir·kb + q·MR + ii] = op(A)[i0+ir+ii, p0+q], rows past mb zero (they only reach tile rows never copied out). */
static void FN(pack_a_)(const dtd_problem *pr, long i0, long mb, long p0, long kb, T *restrict ap) {
  const T *a = pr->a;
  const long ars = pr->ars, acs = pr->acs;
  for (long ir = 0; ir < mb; ir += MR) {
    const long mr = min_l(MR, mb - ir);
    T *dst = ap + ir * kb;
    const T *src = a + (i0 + ir) * ars + p0 * acs;
    if (mr == MR) {
      for (long q = 0; q < kb; q++)
        for (long ii = 0; ii < MR; ii++) dst[q * MR + ii] = src[ii * ars + q * acs];
    } else {
      for (long q = 0; q < kb; q++)
        for (long ii = 0; ii < MR; ii++) dst[q * MR + ii] = ii < mr ? src[ii * ars + q * acs] : 0;
    }
  }
}

/* bp[jr·kb + q·NR + jj] = op(B)[p0+q, j0+jr+jj], columns past nb zero. */
static void FN(pack_b_)(const dtd_problem *pr, long p0, long kb, long j0, long nb, T *restrict bp) {
  const T *b = pr->b;
  const long brs = pr->brs, bcs = pr->bcs;
  for (long jr = 0; jr < nb; jr += NR) {
    const long nr = min_l(NR, nb - jr);
    T *dst = bp + jr * kb;
    const T *src = b + p0 * brs + (j0 + jr) * bcs;
    if (nr == NR && bcs == 1) {
      for (long q = 0; q < kb; q++) memcpy(dst + q * NR, src + q * brs, NR * sizeof(T));
    } else if (nr == NR) {
      for (long q = 0; q < kb; q++)
        for (long jj = 0; jj < NR; jj++) dst[q * NR + jj] = src[q * brs + jj * bcs];
    } else {
      for (long q = 0; q < kb; q++)
        for (long jj = 0; jj < NR; jj++) dst[q * NR + jj] = jj < nr ? src[q * brs + jj * bcs] : 0;
    }
  }
}

/* What names this file's packed layout (instruction set, element type) in the packed-B cache's keys. */
static const char FN(layout_) = 0;

/*
 * The whole of op(B) packed as the blocked loops read it — for each NC block of columns, each KC block of rows:
 * kb × round_up(nb, NR) entries, one block after the other — from the packed-B cache (gemm.h), or packed into it
 * now; NULL when B is not cached (it may change, was met for the first time, or does not fit).
 */
static const T *FN(cached_b_)(const dtd_problem *pr, dtd_scratch *s) {
  if (pr->bid == 0) return NULL;
  const long n = pr->n, k = pr->k;
  const size_t bytes = (size_t)(k * (n / NC * NC + round_up(n % NC, NR))) * sizeof(T);
  const dtd_packed_key key = {pr->bid, pr->b, pr->brs, pr->bcs, k, n, &FN(layout_)};
  T *whole = dtd_packed_find(s, &key, bytes);
  if (whole != NULL) return whole;
  whole = dtd_packed_insert(s, &key, bytes);
  if (whole == NULL) return NULL;
  T *at = whole;
  for (long j0 = 0; j0 < n; j0 += NC) {
    const long nb = min_l(NC, n - j0);
    for (long p0 = 0; p0 < k; p0 += KC) {
      const long kb = min_l(KC, k - p0);
      FN(pack_b_)(pr, p0, kb, j0, nb, at);
      at += kb * round_up(nb, NR);
    }
  }
  return whole;
}

/* The blocked product (needs ccs = 1: C's rows contiguous). */
static int FN(blocked_)(const dtd_problem *pr, dtd_scratch *s) {
  const long m = pr->m, n = pr->n, k = pr->k, crs = pr->crs;
  T *c = pr->c;
  const long kc_max = min_l(KC, k);
  const T *cached = FN(cached_b_)(pr, s);
  T *bp = cached != NULL ? NULL : dtd_grow(&s->pb, &s->nb, (size_t)(kc_max * round_up(min_l(NC, n), NR)) * sizeof(T));
  T *ap = dtd_grow(&s->pa, &s->na, (size_t)(kc_max * round_up(min_l(MC, m), MR)) * sizeof(T));
  if ((cached == NULL && bp == NULL) || ap == NULL) return -1;
  T tile[MR * 2 * (sizeof(V) / sizeof(T))];
  for (long j0 = 0; j0 < n; j0 += NC) {
    const long nb = min_l(NC, n - j0);
    for (long p0 = 0; p0 < k; p0 += KC) {
      const long kb = min_l(KC, k - p0);
      const int add = pr->add || p0 > 0;
      if (cached != NULL) {
        bp = (T *)cached;
        cached += kb * round_up(nb, NR);
      } else
        FN(pack_b_)(pr, p0, kb, j0, nb, bp);
      for (long i0 = 0; i0 < m; i0 += MC) {
        const long mb = min_l(MC, m - i0);
        FN(pack_a_)(pr, i0, mb, p0, kb, ap);
        for (long jr = 0; jr < nb; jr += NR) {
          const long nr = min_l(NR, nb - jr);
          for (long ir = 0; ir < mb; ir += MR) {
            const long mr = min_l(MR, mb - ir);
            T *co = c + (i0 + ir) * crs + j0 + jr;
            if (mr == MR && nr == NR) {
              FN(micro_)(kb, ap + ir * kb, bp + jr * kb, co, crs, add);
            } else {
              /* An edge tile, through `tile`; a bottom panel of at most MR/2 rows with the half-height kernel. */
              if (mr <= MR / 2) FN(micro_half_)(kb, ap + ir * kb, bp + jr * kb, tile, NR, 0);
              else FN(micro_)(kb, ap + ir * kb, bp + jr * kb, tile, NR, 0);
              for (long r = 0; r < mr; r++)
                for (long j = 0; j < nr; j++) co[r * crs + j] = add ? co[r * crs + j] + tile[r * NR + j] : tile[r * NR + j];
            }
          }
        }
      }
    }
  }
  return 0;
}

/* Columns of C per pass of the axpy loop: MROWS rows of this many sums stay in L1 while B streams past. */
#define JC 1024

/*
 * Thin rows, op(B)'s rows contiguous (bcs = 1): acc_i[j] = Σ_p op(A)[i, p] · op(B)[p, j] for `rows` (1 to 3) rows
 * at once, so B is read once; four rows of B per pass over the sums. `rows` is a constant at each call site.
 */
static inline __attribute__((always_inline)) void FN(axpy_rows_)(const dtd_problem *pr, int rows, T *restrict acc) {
  const long n = pr->n, k = pr->k, ars = pr->ars, acs = pr->acs, brs = pr->brs, crs = pr->crs, ccs = pr->ccs;
  const T *a = pr->a;
  const T *b = pr->b;
  T *c = pr->c;
  for (long j0 = 0; j0 < n; j0 += JC) {
    const long nb = min_l(JC, n - j0);
    const long nv = nb / VL * VL;
    memset(acc, 0, (size_t)(rows * JC) * sizeof(T));
    long p = 0;
    for (; p + 4 <= k; p += 4) {
      const T *b0 = b + p * brs + j0, *b1 = b0 + brs, *b2 = b1 + brs, *b3 = b2 + brs;
      for (int i = 0; i < rows; i++) {
        const T *ai = a + i * ars + p * acs;
        const V x0 = FN(splat_)(ai[0]), x1 = FN(splat_)(ai[acs]), x2 = FN(splat_)(ai[2 * acs]), x3 = FN(splat_)(ai[3 * acs]);
        T *ac = acc + i * JC;
        for (long j = 0; j < nv; j += VL) {
          V v = FN(loadu_)(ac + j);
          v += x0 * FN(loadu_)(b0 + j);
          v += x1 * FN(loadu_)(b1 + j);
          v += x2 * FN(loadu_)(b2 + j);
          v += x3 * FN(loadu_)(b3 + j);
          FN(storeu_)(ac + j, v);
        }
        for (long j = nv; j < nb; j++) {
          T v = ac[j];
          v += ai[0] * b0[j];
          v += ai[acs] * b1[j];
          v += ai[2 * acs] * b2[j];
          v += ai[3 * acs] * b3[j];
          ac[j] = v;
        }
      }
    }
    for (; p < k; p++) {
      const T *b0 = b + p * brs + j0;
      for (int i = 0; i < rows; i++) {
        const T ai = a[i * ars + p * acs];
        const V x0 = FN(splat_)(ai);
        T *ac = acc + i * JC;
        for (long j = 0; j < nv; j += VL) FN(storeu_)(ac + j, FN(loadu_)(ac + j) + x0 * FN(loadu_)(b0 + j));
        for (long j = nv; j < nb; j++) ac[j] += ai * b0[j];
      }
    }
    for (int i = 0; i < rows; i++) {
      T *ci = c + i * crs + j0 * ccs;
      const T *ac = acc + i * JC;
      if (pr->add)
        for (long j = 0; j < nb; j++) ci[j * ccs] += ac[j];
      else
        for (long j = 0; j < nb; j++) ci[j * ccs] = ac[j];
    }
  }
}

/*
 * Thin rows, op(B)'s columns contiguous (brs = 1): C[i, j] = arow_i · bcol_j, the rows of op(A) contiguous in
 * `arows` (stride k). All `rows` dot products of a column share its loads; two accumulators per row hide the
 * latency of the adds.
 */
static inline __attribute__((always_inline)) void FN(dot_rows_)(const dtd_problem *pr, const int rows, const T *restrict arows) {
  const long n = pr->n, k = pr->k, bcs = pr->bcs, crs = pr->crs, ccs = pr->ccs;
  const long kv = k / (2 * VL) * (2 * VL);
  const T *b = pr->b;
  T *c = pr->c;
  for (long j = 0; j < n; j++) {
    const T *bc = b + j * bcs;
    V s0[3], s1[3];
#pragma GCC unroll 3
    for (int i = 0; i < rows; i++) s0[i] = s1[i] = (V){0};
    for (long q = 0; q < kv; q += 2 * VL) {
      const V b0 = FN(loadu_)(bc + q), b1 = FN(loadu_)(bc + q + VL);
#pragma GCC unroll 3
      for (int i = 0; i < rows; i++) {
        s0[i] += FN(loadu_)(arows + i * k + q) * b0;
        s1[i] += FN(loadu_)(arows + i * k + q + VL) * b1;
      }
    }
#pragma GCC unroll 3
    for (int i = 0; i < rows; i++) {
      const T *ar = arows + i * k;
      T sum = FN(hsum_)(s0[i] + s1[i]);
      for (long q = kv; q < k; q++) sum += ar[q] * bc[q];
      T *cij = c + i * crs + j * ccs;
      *cij = pr->add ? *cij + sum : sum;
    }
  }
}

/* m < 4 (1 to 3 rows), any strides. */
static int FN(thin_rows_)(const dtd_problem *pr, dtd_scratch *s) {
  const int rows = (int)pr->m;
  if (pr->bcs == 1) {
    T *acc = dtd_grow(&s->pt, &s->nt, (size_t)(3 * JC) * sizeof(T));
    if (acc == NULL) return -1;
    if (rows == 1) FN(axpy_rows_)(pr, 1, acc);
    else if (rows == 2) FN(axpy_rows_)(pr, 2, acc);
    else FN(axpy_rows_)(pr, 3, acc);
    return 0;
  }
  const T *arows = pr->a;
  if (pr->acs != 1 || (rows > 1 && pr->ars != pr->k)) {
    T *copy = dtd_grow(&s->pt, &s->nt, (size_t)(rows * pr->k) * sizeof(T));
    if (copy == NULL) return -1;
    const T *a = pr->a;
    for (long i = 0; i < rows; i++)
      for (long q = 0; q < pr->k; q++) copy[i * pr->k + q] = a[i * pr->ars + q * pr->acs];
    arows = copy;
  }
  if (rows == 1) FN(dot_rows_)(pr, 1, arows);
  else if (rows == 2) FN(dot_rows_)(pr, 2, arows);
  else FN(dot_rows_)(pr, 3, arows);
  return 0;
}

static int FN(gemm_)(const dtd_problem *pr, dtd_scratch *s) {
  if (pr->m == 0 || pr->n == 0) return 0;
  if (pr->k == 0) {
    if (!pr->add) {
      T *c = pr->c;
      for (long i = 0; i < pr->m; i++)
        for (long j = 0; j < pr->n; j++) c[i * pr->crs + j * pr->ccs] = 0;
    }
    return 0;
  }
  if (pr->m < 4) return FN(thin_rows_)(pr, s);
  if (pr->n < 4) {
    /* Cᵀ = op(B)ᵀ · op(A)ᵀ: n < 4 rows. */
    const dtd_problem t = {pr->n, pr->m, pr->k, pr->b, pr->bcs, pr->brs, pr->a, pr->acs, pr->ars, pr->c, pr->ccs, pr->crs, pr->add, 0};
    return FN(thin_rows_)(&t, s);
  }
  return FN(blocked_)(pr, s);
}

#undef FN
#undef VL
#undef NR
