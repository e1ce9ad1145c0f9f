/**
 * IEEE 754 half precision → number (exact: every float16 is a float32). TF.js writes float16-quantized weights
 * and ONNX has FLOAT16 tensors.
 * @module
 */

/** The value of the float16 with bits `h` (sign 1, exponent 5, mantissa 10). */
export const float16ToNumber = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal (and ±0)
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
};
