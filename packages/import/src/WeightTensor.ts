/**
 * A named weight or constant as read from a file, before any layout conversion: its shape in the file's own
 * layout (HWIO kernels for TF.js, OIHW for ONNX) and its values: float32 weights, or integers (shapes, axes,
 * paddings) as int32 or, for ONNX's int64, as float64 (exact below 2⁵³).
 * @module
 */

/** A decoded weight. */
export interface WeightTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Float64Array;
}

/** The number of elements of a shape. */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Index of the first NaN or ±Infinity, or -1. */
export const firstNonFinite = (data: ArrayLike<number>): number => {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
};

/** The most elements a constant may hold (2²⁸ = 1 GiB of float32): a larger declared shape is refused before anything is allocated. */
export const MAX_ELEMENTS = 2 ** 28;

/** Why `shape` cannot be a tensor's (a dimension that is not a non-negative integer, or too many elements), or undefined. */
export const badShape = (shape: readonly number[]): string | undefined => {
  const bad = shape.findIndex((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad >= 0) return `dimension ${bad} is ${shape[bad]}: expected a non-negative integer`;
  const n = sizeOf(shape);
  return n > MAX_ELEMENTS ? `shape [${shape.join(", ")}] holds ${n} elements: expected at most 2^28` : undefined;
};
