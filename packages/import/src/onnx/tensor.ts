/**
 * ONNX tensors (initializers, Constant values) → {@link WeightTensor}: FLOAT, FLOAT16 and DOUBLE as float32,
 * the integer types (shapes, axes, pads) as float64. Values come from `raw_data` (little-endian) or from the
 * typed fields; external data is refused.
 * @module
 */
import { fail } from "../internal/fail.ts";
import { float16ToNumber } from "../internal/float16.ts";
import { badShape, sizeOf, type WeightTensor } from "../WeightTensor.ts";
import { num, type TensorProto } from "./proto.ts";

/** ONNX TensorProto.DataType codes dtd reads. */
const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13 } as const;

const rawReaders: Readonly<Record<number, { readonly bytes: number; readonly read: (v: DataView, o: number) => number }>> = {
  [DataType.FLOAT]: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  [DataType.DOUBLE]: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  [DataType.FLOAT16]: { bytes: 2, read: (v, o) => float16ToNumber(v.getUint16(o, true)) },
  [DataType.UINT8]: { bytes: 1, read: (v, o) => v.getUint8(o) },
  [DataType.INT8]: { bytes: 1, read: (v, o) => v.getInt8(o) },
  [DataType.BOOL]: { bytes: 1, read: (v, o) => v.getUint8(o) },
  [DataType.UINT16]: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  [DataType.INT16]: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  [DataType.INT32]: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  [DataType.UINT32]: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  [DataType.INT64]: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  [DataType.UINT64]: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

const isFloat = (t: number): boolean => t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16;

/** The values of a tensor proto, in its own order; `where` names it in errors. */
export const readTensor = (t: TensorProto, where: string): WeightTensor => {
  const name = t.name ?? where;
  const shape = (t.dims ?? []).map(num);
  const type = t.dataType ?? 0;
  const reader = rawReaders[type];
  const refuse = (reason: string): never => fail({ _tag: "Weight", format: "onnx", node: where, weight: name, reason });
  if (reader === undefined) return refuse(`has data type ${type}: dtd reads float, float16, double, bool and integer tensors`);
  if (t.dataLocation === 1) return refuse("is stored in an external file: save the model with every tensor inside the .onnx file");
  const bad = badShape(shape);
  if (bad !== undefined) return refuse(`has an impossible shape: ${bad}`);
  const n = sizeOf(shape);
  const raw = t.rawData;
  const values: readonly (number | { toNumber(): number })[] =
    type === DataType.FLOAT ? (t.floatData ?? []) : type === DataType.DOUBLE ? (t.doubleData ?? []) : type === DataType.INT64 ? (t.int64Data ?? []) : type === DataType.UINT32 || type === DataType.UINT64 ? (t.uint64Data ?? []) : (t.int32Data ?? []);
  // Checked before allocating: a corrupt file may declare any shape.
  if (raw !== null && raw !== undefined && raw.length > 0) {
    if (raw.length !== n * reader.bytes) refuse(`holds ${raw.length} bytes of raw data: expected ${n * reader.bytes} (${n} × ${reader.bytes}) for shape [${shape.join(", ")}]`);
  } else if (values.length !== n) {
    refuse(`holds ${values.length} values: expected ${n} for shape [${shape.join(", ")}]`);
  }
  const data = isFloat(type) ? new Float32Array(n) : new Float64Array(n);
  if (raw !== null && raw !== undefined && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) data[i] = reader.read(view, i * reader.bytes);
    return { name, shape, data };
  }
  // Typed fields: float_data (FLOAT), double_data (DOUBLE), int64_data (INT64), uint64_data (UINT32/UINT64),
  // int32_data (the other integer types, BOOL, and FLOAT16 as its 16 bits).
  for (let i = 0; i < n; i++) {
    const v = num(values[i]);
    data[i] = type === DataType.FLOAT16 ? float16ToNumber(v) : v;
  }
  return { name, shape, data };
};
