/**
 * Native kernels installed from outside (`@dtd/native` under Node): @dtd/tensor uses no Node API and loads no
 * addon itself, it only calls what {@link installNativeKernels} was given. Without them (browsers, or Node
 * without the addon) the products run on WebAssembly SIMD or JavaScript, as before.
 * @module
 */
import type { FloatArray } from "../../DType.ts";

/** Bits of {@link NativeKernels.gemm}'s `dims[6]`. */
export const nativeGemmFlags = { transposeA: 1, transposeB: 2, accumulate: 4 } as const;

/**
 * Kernels compiled for the machine, e.g. by `@dtd/native` (an N-API addon with AVX2/AVX-512 FMA loops). Each
 * member reads and writes the typed arrays in place. Optional members (added later, e.g. convolutions) are
 * used when present; `gemm` is required.
 */
export interface NativeKernels {
  /** What runs, for reports: e.g. "native avx512". */
  readonly name: string;
  /**
   * out[outOffset + i·n + j] (+)= Σ_p op(A)[i, p] · op(B)[p, j] for i < m, j < n (the contract of gemm's
   * GemmArgs), where `dims` = [m, n, k, aOffset, bOffset, outOffset, flags, bId] ({@link nativeGemmFlags}); op(A)
   * is m×k, stored k×m when transposed, op(B) k×n, stored n×k when transposed. `a`, `b` and `out` have one element
   * type and `out` overlaps neither operand. k = 0 stores zeros (unless accumulating). Sums in the element type.
   * bId (optional, 0 for none) names `b` while it lives, never reused (IdentityMemo.idOf), and is given only for
   * data that never changes: the kernels may then keep B packed and skip packing it in a later product with the
   * same bId (the same results: the same packed values in the same order).
   */
  readonly gemm: (a: FloatArray, b: FloatArray, out: FloatArray, dims: Float64Array) => void;
  /**
   * out (N×O×OH×OW) ← conv2d(x (N×C×H×W), w (O×C×KH×KW)) (+ bias[o] on every output of channel o, unless bias is
   * undefined), the geometry `g` = [n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow] (conv2d.ts Conv2dGeometry; zero
   * padding, strides). One element type throughout; out overlaps no input and is overwritten.
   */
  readonly conv2d?: (x: FloatArray, w: FloatArray, bias: FloatArray | undefined, out: FloatArray, g: Float64Array) => void;
  /** dx (N×C×H×W) ← J_xᵀ·dy (dy N×O×OH×OW), the transposed convolution, for the same geometry as {@link conv2d}. */
  readonly conv2dBackpropInput?: (dy: FloatArray, w: FloatArray, dx: FloatArray, g: Float64Array) => void;
  /**
   * dx ← J_xᵀ·c for eq. (4)'s quotients c = r / (den + k), 0 where den + k = 0 (r, den N×O×OH×OW; k one image's
   * O×OH×OW, or undefined for none), formed while the product packs them: no quotient array exists. The bits of
   * {@link quotient} followed by {@link conv2dBackpropInput}. Same geometry; one element type; dx overlaps nothing.
   */
  readonly conv2dBackpropInputQuotient?: (r: FloatArray, den: FloatArray, k: FloatArray | undefined, w: FloatArray, dx: FloatArray, g: Float64Array) => void;
  /**
   * Max pooling without padding, the contract of pool2d.ts's maxPool2dForward bit for bit (first maximum on ties,
   * the first NaN selected), over `dims` = [planes, h, w, kh, kw, sh, sw, oh, ow]; `x` and `out` share one
   * element type. Optional: without it the JavaScript loop runs.
   */
  readonly maxPool2d?: (x: FloatArray, out: FloatArray, argmax: Int32Array, dims: Float64Array) => void;
  /**
   * Eq. (4)'s quotient, the contract of ops/fused.ts's divNoNanSum bit for bit: out[i] = q = 0 ? 0 : a[i] / q with
   * q = b[i] + c[i mod c.length] rounded in the element type (q = b[i] when c is undefined). a, b, out of one
   * length and element type, c's length dividing it; out overlaps no operand. Optional: without it the
   * JavaScript loop runs.
   */
  readonly quotient?: (a: FloatArray, b: FloatArray, c: FloatArray | undefined, out: FloatArray) => void;
  /**
   * x⁺, the contract of positivePart.ts's positivePartBits bit for bit: out[i] = x[i] > 0 ? x[i] : +0 (+0 for −0,
   * negatives and NaN). x and out of one length and element type. Optional: without it the JavaScript loop runs.
   */
  readonly positivePart?: (x: FloatArray, out: FloatArray) => void;
  /**
   * Per row n of x (sum.length rows of equal length): sum[n] = Σ x, abs[n] = Σ |x|, accumulated in float64 over
   * four interleaved partial sums (entry i in partial i mod 4, the tail in partial 0, then (p0 + p1) + (p2 + p3)):
   * the loops of @dtd/deep-taylor's sampleSums bit for bit. Optional: without it those loops run.
   */
  readonly rowSums?: (x: FloatArray, sum: Float64Array, abs: Float64Array) => void;
}

let installed: NativeKernels | undefined;

/**
 * Makes every later product whose operands and output share one element type run on `kernels` (undefined:
 * back to WebAssembly/JavaScript). Process-wide (and per worker thread: each worker installs its own).
 */
export const installNativeKernels = (kernels: NativeKernels | undefined): void => {
  installed = kernels;
};

/**
 * The length from which the one-pass native kernels (quotient, positivePart, rowSums) take an array: below it the
 * call's overhead outweighs the JavaScript loop.
 */
export const nativeFrom = 1024;

/** The installed native kernels, if any. */
export const nativeKernels = (): NativeKernels | undefined => installed;
