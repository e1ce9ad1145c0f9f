/**
 * The testing kit of @dtd/deep-taylor: arbitraries of networks and inputs that meet each rule's preconditions,
 * ready-made properties (conservative, positive, consistent, rootsAreRoots, matchesNaiveEq4), and `Kit.checkRule`,
 * which runs them all and reports each with its smallest counterexample.
 * @module
 */
export * as Arb from "./arbitraries.ts";
export * as Props from "./properties.ts";
export * as Kit from "./kit.ts";
