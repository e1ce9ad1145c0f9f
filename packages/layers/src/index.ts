/**
 * @dtd/layers — the layer algebra: layers with forward, gradient and root-point search; graph models (a
 * sequence of layers is a chain) with shape inference; canonization; training.
 * @module
 */
export * from "./Layer.ts";
export * from "./Sequential.ts";
export * from "./Model.ts";
export * from "./kinds.ts";
export * as Domain from "./Domain.ts";
export type { Domain as DomainT, Bound } from "./Domain.ts";
export * from "./LayerError.ts";
export * from "./RootSearch.ts";
export * from "./JacobianRow.ts";
export { linearPart } from "./linearPart.ts";
export * from "./train/index.ts";
export * from "./canonize.ts";
export { modelDType, paramsProblem } from "./validate.ts";
