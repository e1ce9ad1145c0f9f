/**
 * @dtd/evaluate — measuring explanations by region perturbation ("pixel-flipping") and the area over the
 * perturbation curve, AOPC (Samek, Binder, Montavon, Bach, Müller, "Evaluating the visualization of what a deep
 * neural network has learned", IEEE TNNLS 2017). Model-agnostic (a batched score function and relevance maps),
 * batched, seeded, browser-safe (no Node API).
 * @module
 */
export * from "./EvaluateError.ts";
export * from "./Regions.ts";
export * from "./Replacement.ts";
export * from "./ordering.ts";
export * from "./aopc.ts";
export * from "./perturbation.ts";
export * as Dtd from "./dtd.ts";
