/**
 * The projection of a point onto an intersection of half-spaces, min ‖ξ − x‖² s.t. g_i·ξ + c_i ≤ 0 (a small
 * quadratic programme: a handful of cuts in d dimensions). Solved in the dual, ξ = x − Σ_i λ_i g_i with λ ≥ 0, by
 * Hildreth's coordinate ascent, then polished: the constraints found tight are solved exactly as equalities
 * (Gauss–Jordan on their Gram matrix, dropping linearly dependent rows), and the polished point is kept when
 * its multipliers are non-negative and it satisfies every cut.
 * @module
 */

/** A cut g·ξ + c ≤ 0. */
export interface Cut {
  readonly g: Float64Array;
  readonly c: number;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const axpy = (y: Float64Array, alpha: number, x: Float64Array): void => {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + alpha * x[i]!;
};

/** Solves M λ = r (M symmetric positive semi-definite, k×k row-major); dependent rows get λ = 0. */
const solveGram = (M: Float64Array, r: Float64Array, k: number): Float64Array => {
  const A = Float64Array.from(M);
  const b = Float64Array.from(r);
  const scale = Math.max(...Array.from({ length: k }, (_, i) => Math.abs(M[i * k + i]!)), 0);
  const used = new Array<boolean>(k).fill(false);
  const pivotOf = new Int32Array(k).fill(-1);
  for (let col = 0; col < k; col++) {
    let best = -1;
    for (let row = 0; row < k; row++) if (!used[row] && (best < 0 || Math.abs(A[row * k + col]!) > Math.abs(A[best * k + col]!))) best = row;
    if (best < 0 || !(Math.abs(A[best * k + col]!) > 1e-12 * scale)) continue;
    used[best] = true;
    pivotOf[col] = best;
    const p = A[best * k + col]!;
    for (let row = 0; row < k; row++) {
      if (row === best) continue;
      const factor = A[row * k + col]! / p;
      if (factor === 0) continue;
      for (let j = 0; j < k; j++) A[row * k + j] = A[row * k + j]! - factor * A[best * k + j]!;
      b[row] = b[row]! - factor * b[best]!;
    }
  }
  const lambda = new Float64Array(k);
  for (let col = 0; col < k; col++) {
    const row = pivotOf[col]!;
    if (row >= 0) lambda[col] = b[row]! / A[row * k + col]!;
  }
  return lambda;
};

/** The projection of x onto { ξ : g_i·ξ + c_i ≤ 0 for every cut }, and Σ λ_i. */
export const projectOntoCuts = (x: Float64Array, cuts: readonly Cut[], sweeps = 500): { readonly xi: Float64Array; readonly lambdaSum: number } => {
  const k = cuts.length;
  const norms = cuts.map((cut) => dot(cut.g, cut.g));
  const lambda = new Float64Array(k);
  const xi = Float64Array.from(x);
  const size = Math.sqrt(dot(x, x));
  for (let s = 0; s < sweeps; s++) {
    let change = 0;
    for (let i = 0; i < k; i++) {
      const cut = cuts[i]!;
      if (!(norms[i]! > 0)) continue;
      const next = Math.max(0, lambda[i]! + (dot(cut.g, xi) + cut.c) / norms[i]!);
      const delta = next - lambda[i]!;
      if (delta !== 0) {
        axpy(xi, -delta, cut.g);
        lambda[i] = next;
        change = Math.max(change, Math.abs(delta) * Math.sqrt(norms[i]!));
      }
    }
    if (change <= 1e-15 * (1 + size)) break;
  }
  const hildreth = { xi, lambdaSum: lambda.reduce((a, v) => a + v, 0) };

  // Polish: the tight cuts as equalities, solved exactly.
  const active = cuts.map((_, i) => i).filter((i) => dot(cuts[i]!.g, xi) + cuts[i]!.c >= -1e-9 * (1 + Math.abs(cuts[i]!.c)));
  const m = active.length;
  if (m === 0) return hildreth;
  const M = new Float64Array(m * m);
  const r = new Float64Array(m);
  active.forEach((i, a) => {
    r[a] = dot(cuts[i]!.g, x) + cuts[i]!.c;
    active.forEach((j, b) => (M[a * m + b] = dot(cuts[i]!.g, cuts[j]!.g)));
  });
  const mu = solveGram(M, r, m);
  if (mu.some((v) => v < -1e-12)) return hildreth;
  const polished = Float64Array.from(x);
  active.forEach((i, a) => axpy(polished, -mu[a]!, cuts[i]!.g));
  const feasible = cuts.every((cut) => dot(cut.g, polished) + cut.c <= 1e-12 * (1 + Math.abs(cut.c)));
  return feasible ? { xi: polished, lambdaSum: mu.reduce((a, v) => a + v, 0) } : hildreth;
};
