/**
 * The product from its definition, in float64, and the error bound a product summed in its own precision must
 * meet: |got − want| ≤ (k + 2)·u·(Σ_p |op(A)_ip·op(B)_pj| + |before|) with u the dtype's unit roundoff — k
 * roundings of a sum of k terms (γ_k, Higham, "Accuracy and Stability of Numerical Algorithms", §3.1), one for
 * the block's addition into out, one spare for the k blocks restarting the sum.
 */
import type { FloatArray } from "@dtd/tensor";

export interface Case {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly tA: boolean;
  readonly tB: boolean;
}

/** op(A)·op(B) and Σ_p |op(A)_ip·op(B)_pj|, from the stored layouts (A m×k or k×m, B k×n or n×k) at offsets. */
export const reference = (c: Case, a: FloatArray, aOff: number, b: FloatArray, bOff: number): { readonly c: Float64Array; readonly abs: Float64Array } => {
  const { m, n, k, tA, tB } = c;
  const out = new Float64Array(m * n);
  const abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const x = (tA ? a[aOff + p * m + i]! : a[aOff + i * k + p]!) * (tB ? b[bOff + j * k + p]! : b[bOff + p * n + j]!);
        s += x;
        t += Math.abs(x);
      }
      out[i * n + j] = s;
      abs[i * n + j] = t;
    }
  return { c: out, abs };
};

/** The largest |got − (before + want)| / bound over the block (≤ 1 passes; NaN where either is NaN and the other not). */
export const worstRatio = (got: FloatArray, gotOff: number, want: { readonly c: Float64Array; readonly abs: Float64Array }, k: number, before: FloatArray | undefined): number => {
  const u = got instanceof Float32Array ? 2 ** -24 : 2 ** -53;
  let worst = 0;
  for (let i = 0; i < want.c.length; i++) {
    const prior = before === undefined ? 0 : before[gotOff + i]!;
    const bound = (k + 2) * u * (want.abs[i]! + Math.abs(prior)) + Number.MIN_VALUE;
    const r = Math.abs(got[gotOff + i]! - (prior + want.c[i]!)) / bound;
    if (!(r <= worst)) worst = r;
  }
  return worst;
};
