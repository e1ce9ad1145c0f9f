/**
 * The baselines deep Taylor decomposition is measured against (Montavon et al. 2017, Sec. 2; the deck's
 * "Taylor Expansion" and "Sensitivity Analysis" slides), for a model whose output is one score per sample:
 *
 * - sensitivity analysis, R_p = (∂f/∂x_p)²: positive, but not conservative — it measures a local effect;
 * - gradient × input, R_p = x_p · ∂f/∂x_p: conservative only where f is positively homogeneous (bias-free ReLU
 *   networks, by Euler's theorem), and not positive;
 * - simple Taylor decomposition at a nearest root ξ found numerically (min ‖ξ − x‖² s.t. f(ξ) = 0):
 *     f(x) = f(ξ) + Σ_p ∂f/∂x_p|_ξ · (x_p − ξ_p) + ε,   R_p = ∂f/∂x_p|_ξ · (x_p − ξ_p),
 *   with the residual ε = f(x) − Σ_p R_p reported per sample: exact for a function that is linear between ξ and
 *   x (a single affine-ReLU unit: there it equals the w²-rule), approximate in general.
 * Every gradient comes from @dtd/layers' VJP (autodiff); none is written by hand.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import type * as L from "@dtd/layers";
import type { DtdError } from "./DtdError.ts";
import { nearestRoot, type NearestRootOptions, type RootStatus } from "./internal/nearestRoot.ts";
import { checkScoreModel, finiteHeatmap, scoreAndGradient } from "./internal/score.ts";
import { locateNonFinite } from "./nonFinite.ts";

export type { NearestRootOptions, RootStatus } from "./internal/nearestRoot.ts";

/** The name of a baseline. */
export type BaselineMethod = "sensitivity" | "gradientXInput" | "simpleTaylor";

/** A baseline heatmap, shaped like `Explanation`'s f and R. */
export interface BaselineExplanation {
  readonly method: BaselineMethod;
  /** The scores f(x), one per sample [N]. */
  readonly f: T.Tensor;
  /** The heatmap R_p [N, ...inputShape]. */
  readonly R: T.Tensor;
  /** The gradient used: ∂f/∂x at x (sensitivity, gradient × input) or at the root ξ (simple Taylor). */
  readonly gradient: T.Tensor;
}

/** Sensitivity analysis: R_p = (∂f/∂x_p)² (the deck's ξ = x − δ∂f/∂x with δ = 1). */
export const sensitivity = (model: L.Model, x: T.Tensor): E.Either<DtdError, BaselineExplanation> =>
  E.flatMap(checkScoreModel(model, x), () => {
    const { f, gradient } = scoreAndGradient(model, x);
    return finiteHeatmap("sensitivity", { method: "sensitivity" as const, f, R: T.square(gradient), gradient });
  });

/** Gradient × input: R_p = x_p · ∂f/∂x_p. */
export const gradientXInput = (model: L.Model, x: T.Tensor): E.Either<DtdError, BaselineExplanation> =>
  E.flatMap(checkScoreModel(model, x), () => {
    const { f, gradient } = scoreAndGradient(model, x);
    return finiteHeatmap("gradient × input", { method: "gradientXInput" as const, f, R: T.mul(x, gradient), gradient });
  });

/** A simple Taylor decomposition, with its root points and how their search went. */
export interface SimpleTaylorExplanation extends BaselineExplanation {
  readonly method: "simpleTaylor";
  /** The root points ξ [N, ...inputShape]. */
  readonly xi: T.Tensor;
  /** f(ξ) [N]: within the tolerance of 0 when a root was found. */
  readonly fRoot: T.Tensor;
  /** The Taylor residual ε = f(x) − Σ_p R_p [N] (it contains f(ξ) and the higher-order terms). */
  readonly epsilon: T.Tensor;
  /** ‖ξ − x‖ [N]. */
  readonly distance: T.Tensor;
  /** |f(ξ)| ≤ tol, per sample. */
  readonly isRoot: readonly boolean[];
  /** How each sample's search ended; anything but "converged" is a failure to report, not an exception. */
  readonly status: readonly RootStatus[];
  readonly iterations: readonly number[];
}

/**
 * Simple Taylor decomposition (Montavon et al. 2017, eq. in Sec. 2): each sample's nearest root ξ by a damped
 * Newton–projection on the constraint f(ξ) = 0 (see `internal/nearestRoot`), then R_p = ∂f/∂x_p|_ξ (x_p − ξ_p)
 * with the gradient at ξ taken from the side of x. Non-convergence is reported per sample in `status`.
 */
export const simpleTaylor = (model: L.Model, x: T.Tensor, opts: NearestRootOptions = {}): E.Either<DtdError, SimpleTaylorExplanation> =>
  E.flatMap(checkScoreModel(model, x), () => {
    const N = x.shape[0]!;
    const d = T.Shape.size(model.inputShape);
    const xi = new Float64Array(N * d);
    const R = new Float64Array(N * d);
    const gradient = new Float64Array(N * d);
    const f = new Float64Array(N);
    const fRoot = new Float64Array(N);
    const epsilon = new Float64Array(N);
    const dist = new Float64Array(N);
    const isRoot: boolean[] = [];
    const status: RootStatus[] = [];
    const iterations: number[] = [];
    const { f: fx } = scoreAndGradient(model, x);
    for (let n = 0; n < N; n++) {
      const xn = Float64Array.from(x.data.subarray(n * d, (n + 1) * d));
      const root = nearestRoot(model, xn, x.dtype, opts);
      let sum = 0;
      let sq = 0;
      for (let p = 0; p < d; p++) {
        const r = root.gradient[p]! * (xn[p]! - root.xi[p]!);
        R[n * d + p] = r;
        sum += r;
        sq += (xn[p]! - root.xi[p]!) ** 2;
      }
      xi.set(root.xi, n * d);
      gradient.set(root.gradient, n * d);
      f[n] = fx.data[n]!;
      fRoot[n] = root.fRoot;
      epsilon[n] = fx.data[n]! - sum;
      dist[n] = Math.sqrt(sq);
      isRoot.push(root.isRoot);
      status.push(root.status);
      iterations.push(root.iterations);
    }
    const sampleShape = [N, ...model.inputShape];
    // A search step can overflow (a root far away, a gradient that blows up): refuse the heatmap then.
    const perSample = [R, gradient, xi].map((data) => ({ shape: sampleShape, data }));
    const scalars = [fRoot, epsilon, dist].map((data) => ({ shape: [N], data }));
    const bad = [...perSample, ...scalars].map(locateNonFinite).find((at) => at !== undefined);
    if (bad !== undefined) return E.left<DtdError>({ _tag: "NonFinite", stage: "heatmap", layer: -1, name: "", kind: "simple Taylor", rule: "", ...bad });
    const asX = (data: Float64Array, shape: readonly number[]): T.Tensor => T.astype(unsafeMake([...shape], data), x.dtype);
    return E.right({
      method: "simpleTaylor" as const,
      f: asX(f, [N]),
      R: asX(R, sampleShape),
      gradient: asX(gradient, sampleShape),
      xi: asX(xi, sampleShape),
      fRoot: asX(fRoot, [N]),
      epsilon: unsafeMake([N], epsilon),
      distance: unsafeMake([N], dist),
      isRoot,
      status,
      iterations,
    });
  });
