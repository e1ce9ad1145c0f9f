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

/** A zero-filled typed array of `length` elements of dtype `dtype`. */
export const alloc = <D extends DType>(dtype: D, length: number): ArrayOf<D> =>
  (dtype === "float32" ? new Float32Array(length) : new Float64Array(length)) as ArrayOf<D>;

/** The dtype of a typed array. */
export const dtypeOf = (data: FloatArray): DType => (data instanceof Float32Array ? "float32" : "float64");

/** True when `u` is one of the dtype names. */
export const isDType = (u: unknown): u is DType => u === "float32" || u === "float64";
