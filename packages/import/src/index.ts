/**
 * @dtd/import — TF.js layers and graph models and ONNX models, read from bytes, as dtd models. Browser-safe:
 * file access (weight shards) goes through a callback.
 * @module
 */
export * from "./importModel.ts";
export * from "./ImportError.ts";
export type * from "./Ir.ts";
export { toDtd, type ToDtdOptions } from "./toDtd.ts";
