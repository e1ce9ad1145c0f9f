/**
 * Shared fixtures of the gemm tests: random operands, the product from its definition, tolerances and the
 * transpose combinations.
 */
import * as T from "@dtd/tensor";

export type FloatArray = Float32Array | Float64Array;

/** `length` values uniform in [−1, 1) of `dtype`. */
export const filled = <D extends T.DType>(dtype: D, length: number, rng: T.Random.Rng): T.ArrayOf<D> => {
  const d = T.alloc(dtype, length);
  for (let i = 0; i < length; i++) d[i] = T.Random.uniform(rng, -1, 1);
  return d;
};

/**
 * op(A)·op(B) and Σ_p |op(A)_ip·op(B)_pj| straight from the definition, in float64, from the stored layouts
 * (op(A) m×k, op(B) k×n).
 */
export const gemmRefAbs = (m: number, n: number, k: number, a: FloatArray, transA: boolean, b: FloatArray, transB: boolean) => {
  const opA = (i: number, p: number): number => (transA ? a[p * m + i]! : a[i * k + p]!);
  const opB = (p: number, j: number): number => (transB ? b[j * k + p]! : b[p * n + j]!);
  const c = new Float64Array(m * n);
  const abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = opA(i, p) * opB(p, j);
        s += x;
        t += Math.abs(x);
      }
      c[i * n + j] = s;
      abs[i * n + j] = t;
    }
  }
  return { c, abs };
};

/** op(A)·op(B) straight from the definition, in float64. */
export const gemmRef = (m: number, n: number, k: number, a: FloatArray, transA: boolean, b: FloatArray, transB: boolean): Float64Array =>
  gemmRefAbs(m, n, k, a, transA, b, transB).c;

/** Float tolerances: float64 rounding, or float32 inputs summed in float64 and rounded once per k block. */
export const tol = (dtype: T.DType, k: number) =>
  dtype === "float64" ? { atol: 1e-12 * Math.max(1, k), rtol: 1e-12 } : { atol: 2e-6 * Math.sqrt(Math.max(1, k)), rtol: 1e-6 };

/** The four combinations of transposeA and transposeB. */
export const transposes = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** "NN", "TN", "NT", "TT". */
export const label = (tA: boolean, tB: boolean) => `${tA ? "T" : "N"}${tB ? "T" : "N"}`;
