/**
 * The testing kit of @dtd/deep-taylor: arbitraries of networks and inputs that meet each rule's preconditions,
 * and ready-made properties (conservative, positive, consistent, rootsAreRoots, matchesNaiveEq4).
 * @module
 */
export * as Arb from "./arbitraries.ts";
export * as Props from "./properties.ts";
