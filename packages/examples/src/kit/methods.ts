/**
 * The explanation methods the MNIST example compares (Montavon et al. 2017, Sec. 2–3 and Fig. 2): the three
 * deep Taylor rules, each derived from its root-point strategy, and two baselines.
 *
 * - w²: v_ij = w_ij, 𝒳 = ℝᵈ;  z⁺: v_ij = x_i 1[w_ij ≥ 0], 𝒳 = ℝ₊ᵈ;  zᵇ: the pixel box 𝓑 = [0, 1]ᵈ (l = 0, h = 1).
 *   On the detection-pooling network the sum pooling passes R_j = x_j (the deck's step 3) and the rule
 *   redistributes each R_j to the pixels by eq. (4).
 * - sensitivity analysis, R_p = (∂f/∂x_p)²;  simple Taylor decomposition at a nearest root ξ of f,
 *   R_p = ∂f/∂x_p|_ξ · (x_p − ξ_p).
 * - gradient × input, R_p = x_p ∂f/∂x_p (used by the deep-network experiment).
 * Methods are data: a name, a short label for pictures, and how to explain a batch.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as T from "@dtd/tensor";
import type * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

/** Scores and heatmaps of a batch: f [N] and R [N, ...inputShape]. */
export interface Heatmaps {
  readonly f: T.Tensor;
  readonly R: T.Tensor;
  /** For methods that search a root numerically: how many searches converged to a root. */
  readonly roots?: { readonly found: number; readonly searched: number };
  /** For relevance models: the modelled top relevance R̂ [N] that the heatmap conserves (Σ_p R_p = R̂). */
  readonly modelled?: T.Tensor;
}

/** An explanation method. */
export interface Method {
  /** A stable id for files and tables: "w2", "zplus", "zb", "sensitivity", "simpleTaylor". */
  readonly id: string;
  /** The label in pictures (ASCII plus the bitmap font's ²). */
  readonly label: string;
  /** The name in reports (Markdown). */
  readonly title: string;
  /** True for the deep Taylor rules (the deck claims them consistent). */
  readonly deepTaylor: boolean;
  readonly explain: (model: L.Model, x: T.Tensor) => E.Either<string, Heatmaps>;
}

/**
 * A deep Taylor method: the rule in the first Dense layer and, as the deck's training-free relevance model
 * prescribes, z⁺ in any layer above it, sum pooling proportional (R_j = x_j / Σ_j' x_j' · R_k = x_j).
 * On a one-layer detection-pooling network this is exactly the rule alone.
 */
export const trainingFreeMethod = (id: string, label: string, title: string, strategy: DT.Strategy): Method => {
  const composite = DT.trainingFree(DT.deriveRule(strategy));
  return {
    id,
    label,
    title,
    deepTaylor: true,
    explain: (model, x) => E.bimap(DT.message, (e: DT.Explanation): Heatmaps => ({ f: e.f, R: e.R }))(DT.explain(model, x, composite)),
  };
};

/** The zᵇ strategy for a box [low, high] on every input (l ≤ 0 ≤ h). */
export const zBox = (low: number, high: number): DT.Strategy =>
  E.getOrElse((reason: string): DT.Strategy => {
    throw new Error(`zb box [${low}, ${high}]: ${reason}`);
  })(DT.zB(low, high));

/** The three deep Taylor rules with the input box [low, high] for zᵇ. */
export const deepTaylorMethods = (box: readonly [number, number]): readonly Method[] => [
  trainingFreeMethod("w2", "w²", "w²-rule", DT.w2),
  trainingFreeMethod("zplus", "z+", "z⁺-rule", DT.zPlus),
  trainingFreeMethod("zb", "zb", `zᵇ-rule (box [${box[0]}, ${box[1]}])`, zBox(box[0], box[1])),
];

/** Options of the simple Taylor baseline's root search (its defaults when absent). */
export interface TaylorOptions {
  readonly maxIterations?: number;
}

/** A baseline's result as heatmaps. */
const asHeatmaps = (b: { readonly f: T.Tensor; readonly R: T.Tensor }): Heatmaps => ({ f: b.f, R: b.R });

/** Sensitivity analysis, R_p = (∂f/∂x_p)². */
export const sensitivityMethod: Method = {
  id: "sensitivity",
  label: "sensitivity",
  title: "sensitivity analysis",
  deepTaylor: false,
  explain: (model, x) => E.bimap(DT.message, asHeatmaps)(DT.Baselines.sensitivity(model, x)),
};

/** Gradient × input, R_p = x_p ∂f/∂x_p. */
export const gradientXInputMethod: Method = {
  id: "gradxinput",
  label: "grad×input",
  title: "gradient × input",
  deepTaylor: false,
  explain: (model, x) => E.bimap(DT.message, asHeatmaps)(DT.Baselines.gradientXInput(model, x)),
};

/** Simple Taylor decomposition at a nearest root ξ (numerical search, `taylor.maxIterations` at most). */
export const simpleTaylorMethod = (taylor: TaylorOptions = {}): Method => ({
  id: "simpleTaylor",
  label: "simple Taylor",
  title: "simple Taylor decomposition",
  deepTaylor: false,
  explain: (model, x) =>
    E.bimap(DT.message, (b: DT.Baselines.SimpleTaylorExplanation): Heatmaps => ({ f: b.f, R: b.R, roots: { found: b.isRoot.filter((r) => r).length, searched: b.isRoot.length } }))(
      DT.Baselines.simpleTaylor(model, x, taylor.maxIterations === undefined ? {} : { maxIterations: taylor.maxIterations }),
    ),
});

/** Sensitivity analysis and simple Taylor decomposition. */
export const baselineMethods = (taylor: TaylorOptions = {}): readonly Method[] => [sensitivityMethod, simpleTaylorMethod(taylor)];

/** Every method of the MNIST example, pixel box [0, 1]. */
export const mnistMethods = (taylor: TaylorOptions = {}): readonly Method[] => [...deepTaylorMethods([0, 1]), ...baselineMethods(taylor)];
