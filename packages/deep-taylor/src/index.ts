/**
 * @dtd/deep-taylor — deep Taylor decomposition (Montavon et al., "Explaining NonLinear Classification Decisions
 * with Deep Taylor Decomposition", Pattern Recognition 65, 2017). Rules are derived from root-point search
 * strategies through eq. (4); roots are verified; consistency is measured.
 * @module
 */

// Strategies: a domain and a search direction, as data; the deck's three.
export type { DirectionContext, InputModifier, WeightSelector, DirectionTerm, NeuronRow, Direction, Strategy } from "./Strategy.ts";
export { input, constantInput, customInput, signMask, everyWeight, weightItself, weightFn, modifiedWeight, term, split, materialized, perNeuron } from "./Strategy.ts";
export { selectorAt, modifiedWeightAt } from "./Strategy.ts";
export { w2, zPlus, zB } from "./strategies.ts";

// Rules: eq. (4) derived from a strategy (planned, or step by step), or written out neuron by neuron.
export type { PropagateOptions, Rule } from "./Rule.ts";
export { deriveRule, referenceRule } from "./deriveRule.ts";
export { naiveRule, materialize } from "./naive.ts";

// Composites: which rule or redistribution each node of a model takes.
export type { MaxPoolMode, Redistribution, Assignment, Matcher, Entry, Composite, LayerwiseOptions } from "./Composite.ts";
export { proportional, winnerTakeAll, passThrough, byName, byKind, firstAffine, affine, range, anyNode, composite } from "./Composite.ts";
export { firstAffineNodes, assign, ruleFor, layerwise, uniform, trainingFree, maxPoolModeOf } from "./Composite.ts";

// Explaining, and checking: errors, preconditions, roots, consistency, where relevance went.
export { type DtdError, message } from "./DtdError.ts";
export { type Target, type ExplainOptions, type Explanation, type Heatmap, explain, explainHeatmap } from "./explain.ts";
export { violations } from "./preconditions.ts";
export type { RootViolation, RootVerification, VerifyRootsOptions, LeftDomain, RootProblem, SegmentBound } from "./verifyRoots.ts";
export { violationCount, verifyRoots, explainViolation, describeViolation } from "./verifyRoots.ts";
export * as Consistency from "./consistency.ts";
export { accumulatedTerms } from "./accumulatedTerms.ts";
export * as Diagnostics from "./diagnostics.ts";

// Beyond the training-free rules: the baselines deep Taylor is compared with, and the min-max relevance model.
export * as Baselines from "./baselines.ts";
export * as MinMax from "./minMax.ts";
