/**
 * Decoding `.onnx` bytes with onnx-proto (the ONNX schema compiled by protobufjs), and reading its int64
 * fields, which protobufjs gives as `Long` objects.
 * @module
 */
import onnxProto from "onnx-proto";
import type { onnx } from "onnx-proto";
import { invalidFile } from "../ImportError.ts";
import { fail } from "../internal/fail.ts";

export type ModelProto = onnx.IModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;
export type AttributeProto = onnx.IAttributeProto;
export type ValueInfoProto = onnx.IValueInfoProto;

/** An int64 as protobufjs decodes it. */
export type Int64 = number | { toNumber(): number } | null | undefined;

/** An int64 as a number (exact below 2⁵³; 0 when absent). */
export const num = (v: Int64): number => (v === null || v === undefined ? 0 : typeof v === "number" ? v : v.toNumber());

/** The model in `bytes`; refuses bytes that are not an ONNX model (naming the file). */
export const decodeModel = (bytes: Uint8Array, file: string): ModelProto => {
  let model: ModelProto;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(invalidFile(file, "", "an ONNX model (a protobuf ModelProto)", `bytes that do not decode (${e instanceof Error ? e.message : String(e)})`));
  }
  if (model.graph === null || model.graph === undefined || (model.graph.node ?? []).length === 0) {
    return fail(invalidFile(file, "graph", "an ONNX model with a graph of nodes", "no graph"));
  }
  return model;
};

/** The attribute `name` of a node, or undefined. */
export const attribute = (node: NodeProto, name: string): AttributeProto | undefined => (node.attribute ?? []).find((a) => a.name === name);
