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

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0): boolean => magic.every((b, i) => bytes[at + i] === b);
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** Files people mistake for ONNX models, by their magic numbers, and what to do instead. */
const otherKinds: readonly { readonly magic: readonly number[]; readonly at?: number; readonly what: string }[] = [
  { magic: [0x89, ...ascii("PNG")], what: "a PNG image" },
  { magic: [0xff, 0xd8, 0xff], what: "a JPEG image" },
  { magic: ascii("GIF8"), what: "a GIF image" },
  { magic: [0x89, ...ascii("HDF")], what: "an HDF5 file (a Keras .h5 model: convert it with tensorflowjs_converter, or export it to ONNX)" },
  { magic: [...ascii("PK"), 3, 4], what: "a zip archive (a PyTorch .pt/.pth checkpoint? export the model with torch.onnx.export)" },
  { magic: [0x1f, 0x8b], what: "gzip-compressed data (decompress it first)" },
  { magic: ascii("TFL3"), at: 4, what: "a TensorFlow Lite flatbuffer (.tflite), which dtd does not read" },
  { magic: [0x80], what: "a Python pickle (a PyTorch checkpoint? export the model with torch.onnx.export)" },
];

/** A human form of protobufjs's decoding errors. */
const decodeFailure = (e: unknown, size: number): string => {
  const m = e instanceof Error ? e.message : String(e);
  const end = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(m);
  if (end !== null) return `bytes that end inside a field (a field at offset ${end[1]} needs ${end[2]} more bytes, but the file has ${end[3]}): a truncated file?`;
  return `bytes that do not decode (${m}; ${size} bytes)`;
};

/** The model in `bytes`; refuses bytes that are not an ONNX model (naming the file and what they look like). */
export const decodeModel = (bytes: Uint8Array, file: string): ModelProto => {
  const expected = "an ONNX model (a protobuf ModelProto)";
  if (bytes.length === 0) return fail(invalidFile(file, "", expected, "an empty file"));
  const other = otherKinds.find((k) => startsWith(bytes, k.magic, k.at));
  if (other !== undefined) return fail(invalidFile(file, "", expected, other.what));
  let model: ModelProto;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail(invalidFile(file, "", expected, decodeFailure(e, bytes.length)));
  }
  if (model.graph === null || model.graph === undefined || (model.graph.node ?? []).length === 0) {
    const anything = model.irVersion !== null && model.irVersion !== undefined;
    return fail(invalidFile(file, "graph", "an ONNX model with a graph of nodes", anything ? "no graph (a truncated file?)" : "bytes that decode to no ONNX field (not an ONNX file?)"));
  }
  return model;
};

/** The attribute `name` of a node, or undefined. */
export const attribute = (node: NodeProto, name: string): AttributeProto | undefined => (node.attribute ?? []).find((a) => a.name === name);
