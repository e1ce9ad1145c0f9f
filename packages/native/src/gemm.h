/*
 * @dtd/native: the kernels' shared declarations.
 *
 * A product is described by strides, so that one set of loops covers both transposes of both operands and the
 * transposed problem the thin-column case is turned into:
 *
 *   C[i·crs + j·ccs] (+)= Σ_p op(A)[i, p] · op(B)[p, j],  op(A)[i, p] = a[i·ars + p·acs],  op(B)[p, j] = b[p·brs + j·bcs]
 *
 * for i < m, j < n, p < k. Exactly one stride of each operand is 1 (a matrix stored row-major, or its transpose).
 * `add` = 0 stores the sums into C (C's previous contents, NaN included, are never read), 1 adds them to C.
 */
#ifndef DTD_GEMM_H
#define DTD_GEMM_H

#include <stddef.h>

typedef struct dtd_problem {
  long m, n, k;
  const void *a;
  long ars, acs;
  const void *b;
  long brs, bcs;
  void *c;
  long crs, ccs;
  int add;
  /* B's identity for the packed-B cache (gemmCache.c): a number naming the caller's array for as long as it lives,
   * never reused, given only when that array never changes (tensor data); 0: B may change, nothing is kept. */
  double bid;
} dtd_problem;

/* Scratch owned by one Node environment (the main thread or one worker): packed panels and thin-loop rows, grown
 * on demand, 64-byte aligned, freed with the environment. Nothing in it outlives a call. */
typedef struct dtd_packed_cache dtd_packed_cache;
typedef struct dtd_scratch {
  void *pa;
  size_t na;
  void *pb;
  size_t nb;
  void *pt;
  size_t nt;
  dtd_packed_cache *packed; /* gemmCache.c; NULL until first used */
} dtd_scratch;

/*
 * The packed-B cache (gemmCache.c): a blocked product whose B is unchanging (dtd_problem.bid ≠ 0) and met for the
 * second time keeps the whole of B packed, in the blocked loops' layout, and later products with the same B read
 * it instead of packing it again (a weight matrix multiplied by every batch: packing it was a pass over the whole
 * matrix per product, ~15 % of net A's products at batch 128). The key is what the packing depends on: B's
 * identity, its first element and strides, k, n and the layout (instruction set and element type). Bounded by a
 * byte budget, least recently used first out, so entries of arrays that died leave in time; ids are never reused,
 * so an entry never answers for another array.
 */
typedef struct dtd_packed_key {
  double id;
  const void *b;
  long brs, bcs, k, n;
  const void *layout;
} dtd_packed_key;

/* The packed B of `key` (bytes long), or NULL when it is not cached. */
void *dtd_packed_find(dtd_scratch *s, const dtd_packed_key *key, size_t bytes);
/*
 * Room for the packed B of `key` (bytes long), to be filled by the caller, when this B was met before and fits the
 * budget; NULL otherwise (B met for the first time is only remembered: a product's operand that is fresh every
 * call, such as a cotangent, never costs a cached copy).
 */
void *dtd_packed_insert(dtd_scratch *s, const dtd_packed_key *key, size_t bytes);
/* Frees the cache (with the environment's scratch). */
void dtd_packed_free(dtd_scratch *s);

/* Returns a 64-byte aligned buffer of at least `bytes` in *slot (grown, contents not kept), or NULL when out of memory. */
void *dtd_grow(void **slot, size_t *cap, size_t bytes);

/* The kernels of one instruction set. Each returns 0, or -1 when scratch memory could not be allocated. */
typedef struct dtd_isa {
  const char *name;
  int (*gemm_f32)(const dtd_problem *p, dtd_scratch *s);
  int (*gemm_f64)(const dtd_problem *p, dtd_scratch *s);
} dtd_isa;

/* Compiled from gemm.c once per instruction set (scripts/build.mjs): portable vectors (SSE2 on x86-64, NEON on
 * arm64), AVX2 + FMA, AVX-512. Only the first exists where the compiler does not target x86-64. */
extern const dtd_isa dtd_isa_generic;
#if defined(__x86_64__)
extern const dtd_isa dtd_isa_avx2;
extern const dtd_isa dtd_isa_avx512;
#endif

#endif
