/**
 * Training for @dtd/layers: losses, optimizers, seeded initialisation and shuffling, parameter constraints and
 * the `fit` loop.
 * @module
 */
export * from "./Loss.ts";
export * from "./Optimizer.ts";
export * from "./Init.ts";
export * from "./Shuffle.ts";
export * from "./Constraint.ts";
export * from "./fit.ts";
export * as ParamTree from "./ParamTree.ts";
export type { ParamTree as ParamTreeT } from "./ParamTree.ts";
