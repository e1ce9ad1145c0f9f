/**
 * @dtd/import — TF.js layers and graph models and ONNX models, read from bytes, as dtd models. Browser-safe:
 * file access (weight shards) goes through a callback.
 * @module
 */
export { type ImportOptions, type ImportedModel, importIr, importModel } from "./importModel.ts";
export { type SourceFormat, type ImportError, message } from "./ImportError.ts";
export type { Pads, Pair, IrOps, IrOp, IrNode, IrNodeOf, Preprocessing, OutputActivation, IrModel } from "./Ir.ts";
export { toDtd, type ToDtdOptions } from "./toDtd.ts";
