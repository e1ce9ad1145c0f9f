/**
 * A nearest root of the score, found numerically for one sample (Montavon et al. 2017, Sec. 2; the deck's
 * "the challenge of finding a root point"):
 *
 *   min_ξ ‖ξ − x‖²  subject to  f(ξ) = 0.
 *
 * Its optimality conditions are f(ξ) = 0 and x − ξ = λ∇f(ξ). Each iteration linearises f at the current point
 * ξ_k, h_k(ξ) = f(ξ_k) + g_k·(ξ − ξ_k) with g_k = ∇f(ξ_k), and projects x onto the linearised constraint:
 *
 * - smooth scores (Newton–projection): ξ_{k+1} = x − λg_k, λ = (f(ξ_k) + g_k·(x − ξ_k)) / ‖g_k‖², so that
 *   h_k(ξ_{k+1}) = 0. The step p = ξ_{k+1} − ξ_k is damped (ξ_k + αp, α = ½, ¼, …) until it decreases the exact
 *   penalty φ(ξ) = ½‖ξ − x‖² + μ|f(ξ)|, for which p is a descent direction whenever μ ≥ |λ| (its directional
 *   derivative is −‖p‖² + λf − μ|f|); μ is the largest 2|λ| seen.
 * - piecewise-linear scores (ReLU networks): one linearisation describes f exactly on a whole linear piece, and
 *   the nearest root of a network is typically a vertex where several pieces meet, around which single
 *   projections cycle. So the linearisations are kept as cuts, h_i(ξ) ≤ 0 (for f ≥ 0 the root set is
 *   {f ≤ 0}), and x is projected onto all of them (`cutProjection`): Kelley's cutting-plane method, exact for a
 *   convex f (one detection layer) after finitely many pieces. A cut that overestimates f at the current point
 *   (non-convexity, deeper networks) is dropped. A step that lands where f and its gradient both vanish (ReLU
 *   networks are 0 on whole regions, where the Taylor expansion would carry nothing) is pulled back by
 *   bisection to the first root on the step.
 *
 * Both make f non-negative at x by a sign (roots of −f are roots of f) and take gradients at ξ ≠ x at
 * ξ + η(x − ξ), i.e. from the side of x: autodiff's ReLU derivative at a kink is 0, and the first-order term of
 * f(x) − f(ξ) = ∫₀¹ ∇f(ξ + t(x − ξ))·(x − ξ) dt is the gradient at the start of that path.
 * It stops when |f(ξ)| ≤ tol and the step has become negligible, and reports a failure (the iteration cap, a
 * vanishing gradient away from a root, no step that decreases φ) instead of throwing. The root is a local
 * solution, the one reached from x: a local minimum of f above 0 between x and the roots stops the search.
 * @module
 */
import type * as T from "@dtd/tensor";
import type * as L from "@dtd/layers";
import { type Cut, projectOntoCuts } from "./cutProjection.ts";
import { scoreAndGradientAt, scoreAt } from "./score.ts";

/** Options of the root search. */
export interface NearestRootOptions {
  /** |f(ξ)| ≤ tol counts as a root (default 1e-9 · max(1, |f(x)|)). */
  readonly tol?: number;
  /** Iterations at most (default 100). */
  readonly maxIterations?: number;
  /** Halvings of a Newton–projection step that does not decrease φ (default 30). */
  readonly maxBacktracks?: number;
  /** Converged when a step is shorter than stepTol · max(1, ‖x − ξ‖) (default 1e-10). */
  readonly stepTol?: number;
  /** η: gradients at ξ ≠ x are taken at ξ + η(x − ξ) (default 1e-7). */
  readonly gradientOffset?: number;
  /** Cuts kept by the cutting-plane method (default 64). */
  readonly maxCuts?: number;
}

/** How the search ended. */
export type RootStatus =
  /** |f(ξ)| ≤ tol and the iteration is stationary (or the gradient vanishes at the root). */
  | "converged"
  /** The iteration cap was reached (ξ may still be a root: see `isRoot`). */
  | "maxIterations"
  /** ∇f = 0 at a point that is not a root: no direction to search. */
  | "zeroGradient"
  /** No damped step decreased φ at a point that is not a root. */
  | "stalled";

/** The root of one sample. */
export interface NearestRoot {
  readonly xi: Float64Array;
  readonly fRoot: number;
  readonly isRoot: boolean;
  readonly status: RootStatus;
  readonly iterations: number;
  /** ∇f at the root, taken from the side of x. */
  readonly gradient: Float64Array;
}

/** Kinds whose forward pass is piecewise linear in the input (p-norm pooling only for p = 1). */
export const isPiecewiseLinear = (model: L.Model): boolean =>
  model.layers.every((l) => (l.kind === "pNormPool" ? l.p === 1 : true));

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const distance = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
};

/** a + α(b − a) */
const lerp = (a: Float64Array, b: Float64Array, alpha: number): Float64Array => {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + alpha * (b[i]! - a[i]!);
  return out;
};

const allFinite = (a: Float64Array): boolean => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
};

/** The nearest root of the model's score from one sample `x` (flat data of the per-sample shape). */
export const nearestRoot = (model: L.Model, x: Float64Array, dtype: T.DType, opts: NearestRootOptions = {}): NearestRoot => {
  const fx = scoreAt(model, x, dtype);
  const sign = fx < 0 ? -1 : 1;
  /** s·f, NaN for a point that overflowed. */
  const F = (p: Float64Array): number => (allFinite(p) ? sign * scoreAt(model, p, dtype) : Number.NaN);
  /** |f|, with NaN ranked worst. */
  const size = (v: number): number => (Number.isNaN(v) ? Infinity : Math.abs(v));
  const eta = opts.gradientOffset ?? 1e-7;
  const gradientAt = (p: Float64Array): Float64Array => {
    const g = scoreAndGradientAt(model, p === x ? p : lerp(p, x, eta), dtype).g;
    if (sign < 0) for (let i = 0; i < g.length; i++) g[i] = -g[i]!;
    return g;
  };
  const tol = opts.tol ?? 1e-9 * Math.max(1, Math.abs(fx));
  const maxIterations = opts.maxIterations ?? 100;
  const maxBacktracks = opts.maxBacktracks ?? 30;
  const stepTol = opts.stepTol ?? 1e-10;
  const maxCuts = opts.maxCuts ?? 64;
  const piecewiseLinear = isPiecewiseLinear(model);
  const done = (xi: Float64Array, fs: number, status: RootStatus, iterations: number): NearestRoot => {
    const g = gradientAt(xi);
    if (sign < 0) for (let i = 0; i < g.length; i++) g[i] = -g[i]!;
    return { xi, fRoot: sign * fs, isRoot: size(fs) <= tol, status, iterations, gradient: g };
  };
  /** Landed in a region where f and ∇f vanish: the first root on [from, to] by bisection. */
  const pullBack = (from: Float64Array, to: Float64Array): Float64Array => {
    let lo = 0;
    let hi = 1;
    for (let b = 0; b < 60 && hi - lo > 1e-15; b++) {
      const mid = (lo + hi) / 2;
      if (size(F(lerp(from, to, mid))) <= tol) hi = mid;
      else lo = mid;
    }
    return lerp(from, to, hi);
  };
  const entersFlatRoot = (fFrom: number, to: Float64Array, fTo: number): boolean => {
    if (!(size(fTo) <= tol && size(fFrom) > tol)) return false;
    const g = gradientAt(to);
    return !(dot(g, g) > 0);
  };

  let xi = x;
  let fxi = sign * fx;
  let mu = 0;
  let cuts: Cut[] = [];
  if (size(fxi) <= tol) return done(x, fxi, "converged", 0);
  for (let it = 1; it <= maxIterations; it++) {
    const g = gradientAt(xi);
    if (!(dot(g, g) > 0)) return done(xi, fxi, size(fxi) <= tol ? "converged" : "zeroGradient", it - 1);
    let next: Float64Array;
    let fnext: number;
    if (piecewiseLinear) {
      // Cutting planes: keep the cuts that still underestimate f here, add this one, project x onto all.
      const slack = 1e-9 * (1 + Math.abs(fx));
      const here = fxi - dot(g, xi);
      cuts = [...cuts.filter((cut) => cut.c + dot(cut.g, xi) <= fxi + slack), { g, c: here }].slice(-maxCuts);
      next = projectOntoCuts(x, cuts).xi;
      fnext = F(next);
      if (entersFlatRoot(fxi, next, fnext)) {
        next = pullBack(xi, next);
        fnext = F(next);
      }
    } else {
      let lambdaNum = fxi;
      for (let i = 0; i < x.length; i++) lambdaNum += g[i]! * (x[i]! - xi[i]!);
      const lambda = lambdaNum / dot(g, g);
      const full = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) full[i] = x[i]! - lambda * g[i]!;
      mu = Math.max(mu, 2 * Math.abs(lambda));
      const merit = (p: Float64Array, fp: number): number => 0.5 * distance(p, x) ** 2 + mu * size(fp);
      const merit0 = merit(xi, fxi);
      next = full;
      fnext = F(full);
      if (!(merit(full, fnext) < merit0)) {
        let alpha = 1;
        let found = false;
        for (let b = 0; b < maxBacktracks && !found; b++) {
          alpha /= 2;
          next = lerp(xi, full, alpha);
          fnext = F(next);
          found = merit(next, fnext) < merit0;
        }
        // No decrease: at a root this is stationarity to rounding; elsewhere the search is stuck.
        if (!found) return done(xi, fxi, size(fxi) <= tol ? "converged" : "stalled", it);
      }
    }
    const step = distance(next, xi);
    xi = next;
    fxi = fnext;
    if (size(fxi) <= tol && step <= stepTol * Math.max(1, distance(x, xi))) return done(xi, fxi, "converged", it);
  }
  return done(xi, fxi, "maxIterations", maxIterations);
};
