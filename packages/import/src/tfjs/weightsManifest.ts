/**
 * TF.js weights: a manifest of groups, each with its shard files (`paths`, read in order and concatenated) and
 * the weights laid out one after another in them. Stored as float32 or int32, or quantized: float16, or
 * uint8/uint16 with value = q·scale + min (TF.js's `decodeWeights`, computed the same way so that the values
 * are bit-identical). Weights are looked up by name, never by position.
 * @module
 */
import type { ImportError } from "../ImportError.ts";
import { concatBytes } from "../internal/bytes.ts";
import { fail } from "../internal/fail.ts";
import { float16ToNumber } from "../internal/float16.ts";
import * as J from "../internal/json.ts";
import { firstNonFinite, sizeOf, type WeightTensor } from "../WeightTensor.ts";

/** Reads a shard by its path as written in the manifest (relative to model.json); undefined when it cannot. */
export type ShardReader = (path: string) => Uint8Array | undefined;

type Stored = "float32" | "int32" | "uint8" | "uint16" | "float16";
const bytesPer: { readonly [K in Stored]: number } = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

interface Spec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: "float32" | "int32";
  readonly stored: Stored;
  readonly scale: number;
  readonly min: number;
  readonly at: J.Cursor;
}

/** Weights of these dtypes hold no numbers dtd uses (a graph's string or boolean constants): skipped, their bytes counted. */
const NON_NUMERIC: Readonly<Record<string, number | "string">> = { bool: 1, complex64: 8, string: "string" };

/**
 * The bytes a non-numeric weight takes: fixed per element, or — for strings — each a 4-byte little-endian length
 * then its bytes (TF.js's encoding), read from the shards; undefined when it does not fit them.
 */
const skippedLength = (dtype: string, n: number, view: DataView, offset: number): number | undefined => {
  const per = NON_NUMERIC[dtype]!;
  if (per !== "string") return n * per;
  let o = offset;
  for (let i = 0; i < n; i++) {
    if (o + 4 > view.byteLength) return undefined;
    o += 4 + view.getUint32(o, true);
  }
  return o - offset;
};

const readSpec = (c: J.Cursor): Spec => {
  const name = J.string(J.at(c, "name"));
  const shape = J.array(J.at(c, "shape")).map((d) => {
    const n = J.integerLike(d);
    return n >= 0 ? n : J.refuse(d, "a non-negative dimension");
  });
  const dtypeAt = J.at(c, "dtype");
  const dtype = J.string(dtypeAt);
  if (dtype !== "float32" && dtype !== "int32") return J.refuse(dtypeAt, `"float32" or "int32" (dtd reads numeric weights only)`);
  const q = J.at(c, "quantization");
  if (J.isNil(q)) return { name, shape, dtype, stored: dtype, scale: 1, min: 0, at: c };
  const qd = J.at(q, "dtype");
  const stored = J.string(qd);
  if (stored === "float16") {
    if (dtype !== "float32") return J.refuse(qd, "float16 quantization of a float32 weight only");
    return { name, shape, dtype, stored, scale: 1, min: 0, at: c };
  }
  if (stored !== "uint8" && stored !== "uint16") return J.refuse(qd, `"uint8", "uint16" or "float16"`);
  return { name, shape, dtype, stored, scale: J.number(J.at(q, "scale")), min: J.number(J.at(q, "min")), at: c };
};

const decode = (s: Spec, bytes: DataView, offset: number): WeightTensor => {
  const n = sizeOf(s.shape);
  const out = s.dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
  const dequantize = s.dtype === "int32" ? (v: number) => Math.round(v * s.scale + s.min) : (v: number) => v * s.scale + s.min;
  for (let i = 0; i < n; i++) {
    switch (s.stored) {
      case "float32":
        out[i] = bytes.getFloat32(offset + 4 * i, true);
        break;
      case "int32":
        out[i] = bytes.getInt32(offset + 4 * i, true);
        break;
      case "float16":
        out[i] = float16ToNumber(bytes.getUint16(offset + 2 * i, true));
        break;
      case "uint8":
        out[i] = dequantize(bytes.getUint8(offset + i));
        break;
      case "uint16":
        out[i] = dequantize(bytes.getUint16(offset + 2 * i, true));
        break;
    }
  }
  return { name: s.name, shape: s.shape, data: out };
};

const weightError = (file: string, reason: string): ImportError => ({ _tag: "WeightFile", file, reason });

/**
 * Every weight of a `weightsManifest` (a JSON array of `{ paths, weights }`), by name. Refuses a missing or
 * short shard, a duplicate name, an unknown dtype and non-finite values, each with its place.
 */
export const readWeightsManifest = (manifest: J.Cursor, readShard: ShardReader): ReadonlyMap<string, WeightTensor> => {
  const out = new Map<string, WeightTensor>();
  for (const group of J.array(manifest)) {
    const paths = J.array(J.at(group, "paths")).map(J.string);
    const shards = paths.map((p) => readShard(p) ?? fail(weightError(p, `cannot be read (listed in ${group.path}.paths)`)));
    const buffer = concatBytes(shards);
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let offset = 0;
    for (const c of J.array(J.at(group, "weights"))) {
      const dtype = J.at(c, "dtype").value;
      if (typeof dtype === "string" && dtype in NON_NUMERIC && J.isNil(J.at(c, "quantization"))) {
        const n = sizeOf(J.array(J.at(c, "shape")).map(J.integerLike));
        const length = skippedLength(dtype, n, view, offset);
        if (length === undefined || offset + length > buffer.length) fail(weightError(paths.join(" + ") || "(no shard)", `holds ${buffer.length} bytes, too few for ${dtype} weight "${J.string(J.at(c, "name"))}" (${c.path}) from byte ${offset}`));
        offset += length!;
        continue;
      }
      const spec = readSpec(c);
      const length = sizeOf(spec.shape) * bytesPer[spec.stored];
      if (offset + length > buffer.length) {
        fail(weightError(paths.join(" + ") || "(no shard)", `holds ${buffer.length} bytes, but weight "${spec.name}" (${c.path}) ends at byte ${offset + length}`));
      }
      if (out.has(spec.name)) J.refuse(J.at(c, "name"), `a weight name not used before in the manifest`);
      const w = decode(spec, view, offset);
      const bad = firstNonFinite(w.data);
      if (bad >= 0) fail(weightError(paths.join(" + "), `weight "${spec.name}" holds ${w.data[bad]} at flat index ${bad}: expected finite values`));
      out.set(spec.name, w);
      offset += length;
    }
  }
  return out;
};
