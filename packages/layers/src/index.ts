/**
 * @dtd/layers — the layer algebra: layers with forward, gradient and root-point search; graph models (a
 * sequence of layers is a chain) with shape inference; canonization; training.
 * @module
 */

// Layers: one data type per kind, its builder, and the kind table (forward, shape, arity per kind).
export type { Dense, Conv2d, DepthwiseConv2d, ReLU, ClippedReLU, SumPool, PNormPool, MaxPool2d, AvgPool2d, GlobalAvgPool, GlobalMaxPool } from "./Layer.ts";
export type { Flatten, Select, ScaleShift, BatchNorm, Pad2d, Add, Concat, Identity, Layer, Kind, LayerOf, Affine } from "./Layer.ts";
export { dense, conv2d, depthwiseConv2d, relu, clippedRelu, sumPool, pNormPool, maxPool2d, avgPool2d, globalAvgPool, globalMaxPool } from "./Layer.ts";
export { flatten, select, scaleShift, batchNorm, pad2d, add, concat, identityLayer, detection, affineKinds, isAffine } from "./Layer.ts";
export { type LayerParams, type ParamInputs, type Arity, type KindOps, kinds, paramsOf, withParams, arityOf, inferShape, applyLayer } from "./kinds.ts";
export { linearPart } from "./linearPart.ts";

// Models: graphs of named nodes (a sequence of layers is a chain), built with shape inference.
export { type Sequential, identity, compose, sequential } from "./Sequential.ts";
export { INPUT, type Node, type NodeSpec, node, defaultName, type Model, build, positionOf, nameAt, consumersOf, outputShapeOf } from "./Model.ts";
export { checkInput, applyModel, type ForwardPass, forward, modelVjp, paramTree, withParamTree, withLayers } from "./Model.ts";
export { modelDType, paramsProblem } from "./validate.ts";

// Errors.
export { type GraphProblem, type LayerError, nodeLabel, message, LayerException } from "./LayerError.ts";

// Root points (eq. 3) and the rows of an affine layer's Jacobian.
export * as Domain from "./Domain.ts";
export type { Domain as DomainT, Bound } from "./Domain.ts";
export { type NeuronRoot, type RootSearchOptions, affineRows, rootSearch } from "./RootSearch.ts";
export { type SparseRow, rowCapacity, sparseRow, fillRow } from "./JacobianRow.ts";

// Canonization: batch norm and scale/shift folded into the affine layers next to them.
export { type Fold, type Kept, type Canonized, featureAffine, foldScaleShift, canonizeReport, canonize, type CanonizeCheckOptions, canonizeChecked } from "./canonize.ts";

// Training: losses, optimizers, initialisation, batches, constraints, the loop.
export { type Loss, meanSquaredError, softmaxCrossEntropy, softplus, binaryCrossEntropyWithLogits, detectionHinge } from "./train/Loss.ts";
export { type Optimizer, type SgdOptions, type SgdState, sgd, type AdamOptions, type AdamState, adam } from "./train/Optimizer.ts";
export { type Scheme, type Fans, fans, heNormal, glorotUniform, type InitOptions, initialize, initModel, zeroDense, zeroConv2d } from "./train/Init.ts";
export { type Dataset, type Batch, type EpochBatch, datasetSize, takeRows, type BatchOptions, batchesPerEpoch, batches } from "./train/Shuffle.ts";
export { type LayerSelector, allLayers, atLayers, ofKind, selects, type Constraint, nonPositiveBias, frozen, clampParam } from "./train/Constraint.ts";
export { checkConstraints, applyConstraints } from "./train/Constraint.ts";
export { type Sampler, type TrainingData, type Progress, type AbortSignalLike, type FitOptions, type StopReason, type FitResult } from "./train/fit.ts";
export { type TrainError, trainErrorMessage, fit, evaluate } from "./train/fit.ts";
export * as ParamTree from "./train/ParamTree.ts";
export type { ParamTree as ParamTreeT } from "./train/ParamTree.ts";
