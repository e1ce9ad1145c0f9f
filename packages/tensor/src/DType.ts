/**
 * Element types. `float64` is the default: deep Taylor consistency checks are exact to float64 rounding.
 * @module
 */

/** The element types a tensor can hold. */
export type DType = "float32" | "float64";

/** The typed array behind a tensor of dtype `D`. */
export type ArrayOf<D extends DType> = D extends "float32" ? Float32Array : Float64Array;

/** Either typed array, for kernels that serve both dtypes. */
export type FloatArray = Float32Array | Float64Array;

/** All dtypes, for iteration and validation. */
export const dtypes = ["float32", "float64"] as const satisfies readonly DType[];

/**
 * A zero-filled typed array of `length` elements of dtype `dtype` (over a recycled one's memory when {@link recycle}
 * kept one). A recycled buffer comes back in a new array object: the kernels' caches are keyed by the array's
 * identity (IdentityMemo.idOf: gemm's packed A, the resident matrices, the native packed-B cache), and tensor data
 * never changes under one identity, so new contents must not wear the old array's.
 */
export const alloc = <D extends DType>(dtype: D, length: number): ArrayOf<D> => {
  const kept = length >= recycleFrom ? take(dtype, length) : undefined;
  if (kept !== undefined) return (kept.fill(0) instanceof Float32Array ? new Float32Array(kept.buffer) : new Float64Array(kept.buffer)) as ArrayOf<D>;
  return (dtype === "float32" ? new Float32Array(length) : new Float64Array(length)) as ArrayOf<D>;
};

/** Arrays shorter than this are never kept ({@link recycle} ignores them): V8 allocates them cheaply in its own heap. */
export const recycleFrom = 65536;
/** At most this many bytes are kept for reuse. */
const keptBytesMax = 64 * 1024 * 1024;
const keptArrays: FloatArray[] = [];
let keptBytes = 0;

const take = (dtype: DType, length: number): FloatArray | undefined => {
  for (let i = keptArrays.length - 1; i >= 0; i--) {
    const a = keptArrays[i]!;
    if (a.length === length && (dtype === "float32") === a instanceof Float32Array) {
      keptArrays.splice(i, 1);
      keptBytes -= a.byteLength;
      return a;
    }
  }
  return undefined;
};

/**
 * Hands a typed array back for reuse by a later {@link alloc} of the same length and dtype (zero-filled again
 * then). Only for an array that nothing else references or ever reads again — a temporary whose owner is provably
 * dead (e.g. eq. (4)'s quotients once the transposed product has read them): a later tensor will own its memory.
 * Whole arrays only (no views). Keeps at most 64 MB, the most recent first.
 */
export const recycle = (a: FloatArray): void => {
  if (a.length < recycleFrom || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength || keptArrays.some((k) => k.buffer === a.buffer)) return;
  keptArrays.push(a);
  keptBytes += a.byteLength;
  while (keptBytes > keptBytesMax) keptBytes -= keptArrays.shift()!.byteLength;
};

/** The dtype of a typed array. */
export const dtypeOf = (data: FloatArray): DType => (data instanceof Float32Array ? "float32" : "float64");

/** True when `u` is one of the dtype names. */
export const isDType = (u: unknown): u is DType => u === "float32" || u === "float64";

/**
 * The unit roundoff u of a dtype: half the distance from 1 to the next representable number, the largest
 * relative error of one correctly rounded operation (2⁻²⁴ for float32, 2⁻⁵³ for float64).
 */
export const unitRoundoff = (dtype: DType): number => (dtype === "float32" ? 2 ** -24 : 2 ** -53);

/** The largest finite value of a dtype (3.4028234663852886e38 for float32, Number.MAX_VALUE for float64). */
export const maxFinite = (dtype: DType): number => (dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE);

/** The smallest positive (subnormal) value of a dtype, the granularity of absolute rounding near 0. */
export const smallestSubnormal = (dtype: DType): number => (dtype === "float32" ? 2 ** -149 : Number.MIN_VALUE);

/** True when `v` is finite and stays finite once stored in `dtype` (float32 rounds |v| beyond its range to ∞). */
export const fitsDType = (v: number, dtype: DType): boolean => Number.isFinite(dtype === "float32" ? Math.fround(v) : v);
