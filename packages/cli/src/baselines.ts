/**
 * The baselines of `--method` (Montavon et al. 2017, Sec. 2), from @dtd/deep-taylor/baselines: sensitivity
 * analysis R_p = (∂f/∂x_p)², gradient × input R_p = x_p ∂f/∂x_p, and simple Taylor decomposition at a nearest
 * root ξ, R_p = ∂f/∂x_p|_ξ (x_p − ξ_p). A nearest-root search that does not converge is not an error: its
 * heatmap is still produced, and a note says so.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as T from "@dtd/tensor";
import type * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Baselines as B } from "@dtd/deep-taylor";
import { type CliError, failure } from "./CliError.ts";
import type { Method } from "./spec.ts";

/** A baseline heatmap with notes for stderr. */
export interface BaselineHeatmap {
  readonly f: T.Tensor;
  readonly R: T.Tensor;
  readonly notes: readonly string[];
}

/** Runs a baseline on a batch of one. */
export const baselineHeatmap = (method: Exclude<Method, "deep-taylor">, model: L.Model, x: T.Tensor): E.Either<CliError, BaselineHeatmap> => {
  const refused = (e: DT.DtdError): CliError => failure(DT.message(e));
  switch (method) {
    case "sensitivity":
      return E.bimap(refused, (b: B.BaselineExplanation) => ({ f: b.f, R: b.R, notes: [] }))(B.sensitivity(model, x));
    case "gradxinput":
      return E.bimap(refused, (b: B.BaselineExplanation) => ({ f: b.f, R: b.R, notes: [] }))(B.gradientXInput(model, x));
    case "taylor":
      return E.bimap(refused, (b: B.SimpleTaylorExplanation) => ({
        f: b.f,
        R: b.R,
        notes: [
          `simple Taylor: root point ξ at distance ${b.distance.data[0]} from x, f(ξ) = ${b.fRoot.data[0]}, residual ε = f(x) − Σ R = ${b.epsilon.data[0]}`,
          ...(b.status[0] === "converged" ? [] : [`simple Taylor: the nearest-root search ended with "${b.status[0]}" after ${b.iterations[0]} iterations: ξ may not be a root`]),
        ],
      }))(B.simpleTaylor(model, x));
  }
};
