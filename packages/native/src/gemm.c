/*
 * @dtd/native: single-threaded GEMM for one instruction set, C (+)= op(A)·op(B) (gemm.h), float32 and float64.
 *
 * Compiled once per instruction set by scripts/build.mjs: plain (the compiler's baseline, SSE2 on x86-64),
 * with -DDTD_ISA_AVX2 -mavx2 -mfma, and with -DDTD_ISA_AVX512 -mavx512f … . The loops are written once with GCC
 * vector extensions (`vector_size`), so the same source becomes SSE2, AVX2 + FMA or AVX-512 code; `c += a * b`
 * on vectors becomes one fused multiply-add where the target has FMA (-ffp-contract=fast). addon.c picks the
 * widest set the CPU supports at run time (__builtin_cpu_supports), so no instruction of a wider set ever runs
 * on a CPU without it.
 *
 * Products with 4 rows or more and 4 columns or more take the GotoBLAS/BLIS scheme (Goto & van de Geijn,
 * "Anatomy of high-performance matrix multiplication", ACM TOMS 2008): B packed KC×NC into NR-column
 * micro-panels, A packed MC×KC into MR-row micro-panels, and an MR×NR register tile of C (MR·2 vector
 * accumulators) summed by broadcasting one entry of A against two vectors of B per step. The first k block
 * stores into C (unless accumulating), later ones add. Thin products (m < 4, or n < 4 turned into m < 4 by
 * transposing the whole problem: Cᵀ = op(B)ᵀ·op(A)ᵀ) read the large operand once, in place: axpy over its rows
 * when they are contiguous, dot products with its columns otherwise. Sums are in the operands' precision.
 */
#include <string.h>

#include "gemm.h"

/*
 * Per instruction set: the vector width VB (bytes), the rows of a register tile (MR32, MR64: MR·2 vector
 * accumulators, + 2 vectors of B + 1 broadcast must fit the register file: 16 registers below AVX-512, 32 with
 * it) and the k block depth (KC32, KC64: deeper blocks touch C less often; measured on Zen 4, matmul 1024²:
 * AVX-512 float32 with 12-row tiles 86 → 97 GFLOP/s going from KC 256 to 512).
 */
#if defined(DTD_ISA_AVX512)
#define VB 64
#define SUFFIX avx512
#define ISA_NAME "avx512"
#define MR32 12
#define MR64 12
#define KC32 512
#define KC64 384
#define MC32 96
#define MC64 96
#elif defined(DTD_ISA_AVX2)
#define VB 32
#define SUFFIX avx2
#define ISA_NAME "avx2"
#define MR32 6
#define MR64 6
#define KC32 384
#define KC64 256
#define MC32 120
#define MC64 96
#else
#define VB 16
#define SUFFIX generic
#define ISA_NAME "generic"
#define MR32 6
#define MR64 6
#define KC32 256
#define KC64 256
#define MC32 120
#define MC64 96
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

typedef float vf32 __attribute__((vector_size(VB)));
typedef double vf64 __attribute__((vector_size(VB)));

static inline long min_l(long a, long b) { return a < b ? a : b; }
static inline long round_up(long x, long q) { return (x + q - 1) / q * q; }

/* float32: MR32 rows × 2 vectors per tile. */
#define T float
#define V vf32
#define S f32
#define MR MR32
#define KC KC32
#define MC MC32
#define NC 3072
#include "gemmT.h"
#undef T
#undef V
#undef S
#undef MR
#undef KC
#undef MC
#undef NC

/* float64: MR64 rows × 2 vectors (half the lanes). */
#define T double
#define V vf64
#define S f64
#define MR MR64
#define KC KC64
#define MC MC64
#define NC 2048
#include "gemmT.h"

const dtd_isa CAT(dtd_isa_, SUFFIX) = {ISA_NAME, gemm_f32, gemm_f64};
