/**
 * @dtd/deep-taylor — deep Taylor decomposition (Montavon et al., "Explaining NonLinear Classification Decisions
 * with Deep Taylor Decomposition", Pattern Recognition 65, 2017). Rules are derived from root-point search
 * strategies through eq. (4); roots are verified; consistency is measured.
 * @module
 */
export * from "./Strategy.ts";
export * from "./strategies.ts";
export * from "./Rule.ts";
export { deriveRule, referenceRule } from "./deriveRule.ts";
export { naiveEq4, naiveRule, materialize } from "./naive.ts";
export * from "./Composite.ts";
export * from "./DtdError.ts";
export * from "./explain.ts";
export * from "./verifyRoots.ts";
export * as Consistency from "./consistency.ts";
export * as Diagnostics from "./diagnostics.ts";
export { propagateNonAffine, redistributesProportionally } from "./poolingRules.ts";
export { violations, boundaryTolerance } from "./preconditions.ts";
export { accumulatedTerms } from "./accumulatedTerms.ts";
export * as Baselines from "./baselines.ts";
export * as MinMax from "./minMax.ts";
