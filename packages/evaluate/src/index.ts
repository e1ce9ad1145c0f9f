/**
 * @dtd/evaluate — measuring explanations by region perturbation ("pixel-flipping") and the area over the
 * perturbation curve, AOPC (Samek, Binder, Montavon, Bach, Müller, "Evaluating the visualization of what a deep
 * neural network has learned", IEEE TNNLS 2017). Model-agnostic (a batched score function and relevance maps),
 * batched, seeded, browser-safe (no Node API).
 * @module
 */
export { type EvaluateError, message } from "./EvaluateError.ts";
export { type Regions, patches, regionRelevance } from "./Regions.ts";
export { type PerUnit, type Replacement, uniformNoise, constantValue } from "./Replacement.ts";
export { type Ordering, ORDERINGS, orderingNames } from "./ordering.ts";
export { type AopcSummary, aopc, pairedDifference } from "./aopc.ts";
export { type ScoreFunction, type RelevanceFunction, type PerturbationOptions, type Curve, type PerturbationResult, regionPerturbation } from "./perturbation.ts";
export * as Dtd from "./dtd.ts";
