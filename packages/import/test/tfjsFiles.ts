/**
 * TF.js files made in-process: a tfjs layers model saved through a custom IOHandler, then written as the
 * files a converter would write — model.json and its shards — with the variations the importer must read
 * (quantized weights, several groups and shards, a shuffled manifest, Keras 3 topology, model_config
 * wrapping, no `format`). The oracle model is tfjs loading the same weights.
 */
import * as tf from "@tensorflow/tfjs";
import * as T from "@dtd/tensor";
import { concatBytes } from "../src/internal/bytes.ts";

export type Quantization = "none" | "uint8" | "uint16" | "float16";

export interface FileOptions {
  readonly quantize?: Quantization;
  /** Shard files per weight group (two groups when > 1). */
  readonly shards?: number;
  /** Shuffle the order of the weights in the manifest (seed). */
  readonly shuffleSeed?: number;
  readonly keras3?: boolean;
  readonly modelConfigWrap?: boolean;
  readonly dropFormat?: boolean;
}

/** A model.json (bytes) and the files beside it. */
export interface Files {
  readonly modelJson: Uint8Array;
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The same weights as tfjs would load them, in the bytes' order: for the oracle. */
  readonly oracle: () => Promise<tf.LayersModel>;
}

/** The model with every weight drawn from a seeded generator (variances positive), so tests replay exactly. */
export const seedWeights = (model: tf.LayersModel, seed: number): tf.LayersModel => {
  const rng = T.Random.make(seed);
  model.setWeights(
    model.weights.map((w) => {
      const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const positive = /variance|gamma/.test(w.name);
      return tf.tensor(Float32Array.from({ length: n }, () => (positive ? 0.5 + T.Random.uniform(rng) : 0.4 * T.Random.normal(rng))), w.shape as number[]);
    }),
  );
  return model;
};

export const saveArtifacts = async (model: tf.LayersModel): Promise<tf.io.ModelArtifacts> => {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved!;
};

/** float → IEEE half bits, rounding to nearest even. */
export const toFloat16 = (v: number): number => {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && (half & 1)) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (half + (rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? 1 : 0));
};

interface Encoded {
  readonly spec: tf.io.WeightsManifestEntry;
  readonly bytes: Uint8Array;
}

const encode = (spec: tf.io.WeightsManifestEntry, values: Float32Array, q: Quantization): Encoded => {
  if (q === "none") return { spec, bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
  if (q === "float16") {
    const h = Uint16Array.from(values, toFloat16);
    return { spec: { ...spec, quantization: { dtype: "float16" } }, bytes: new Uint8Array(h.buffer) };
  }
  const levels = q === "uint8" ? 255 : 65535;
  let min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) min = max - 1;
  const scale = (max - min) / levels;
  const qs = q === "uint8" ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) qs[i] = Math.round((values[i]! - min) / scale);
  return { spec: { ...spec, quantization: { dtype: q, scale, min } }, bytes: new Uint8Array(qs.buffer) };
};

type Json = Record<string, unknown>;

/** Keras 2 → Keras 3 topology: `__keras_tensor__` inbound nodes, `batch_shape`, one-triple input/output layers. */
const toKeras3 = (topology: Json): Json => {
  const config = topology["config"] as Json;
  const tensor = (ref: unknown[]): Json => ({ class_name: "__keras_tensor__", config: { shape: null, dtype: "float32", keras_history: [ref[0], ref[1], ref[2]] } });
  const layers = (config["layers"] as Json[]).map((l) => {
    const c = { ...(l["config"] as Json) };
    if ("batch_input_shape" in c) {
      c["batch_shape"] = c["batch_input_shape"];
      delete c["batch_input_shape"];
    }
    const nodes = (l["inbound_nodes"] as unknown[][][] | undefined) ?? [];
    const inbound = nodes.map((refs) => ({ args: refs.length === 1 ? [tensor(refs[0]!)] : [refs.map(tensor)], kwargs: {} }));
    return { module: "keras.layers", class_name: l["class_name"], config: c, registered_name: null, name: l["name"], inbound_nodes: inbound };
  });
  const first = (x: unknown): unknown => (x as unknown[][])[0];
  return { class_name: "Functional", config: { ...config, layers, input_layers: first(config["input_layers"]), output_layers: first(config["output_layers"]) } };
};

/** The files of a saved model, with the requested variations. */
export const writeFiles = (artifacts: tf.io.ModelArtifacts, opts: FileOptions = {}): Files => {
  const specs = artifacts.weightSpecs!;
  const wd = artifacts.weightData!;
  const data = Array.isArray(wd) ? concatBytes(wd.map((b) => new Uint8Array(b))) : new Uint8Array(wd);
  let offset = 0;
  const encoded: Encoded[] = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.buffer.slice(offset, offset + 4 * n));
    offset += 4 * n;
    return encode(s, values, opts.quantize ?? "none");
  });
  // Keras 3 names weights under the model's name (functional/conv2d/kernel): matched by suffix.
  const named = opts.keras3 === true ? encoded.map((e) => ({ ...e, spec: { ...e.spec, name: `functional/${e.spec.name}` } })) : encoded;
  const order = opts.shuffleSeed === undefined ? encoded.map((_, i) => i) : Array.from(T.Random.permutation(T.Random.make(opts.shuffleSeed), encoded.length));
  const ordered = order.map((i) => named[i]!);
  const shards = opts.shards ?? 1;
  const groups = shards > 1 && ordered.length > 1 ? [ordered.slice(0, Math.ceil(ordered.length / 2)), ordered.slice(Math.ceil(ordered.length / 2))] : [ordered];
  const files = new Map<string, Uint8Array>();
  const manifest = groups.map((g, gi) => {
    const bytes = concatBytes(g.map((e) => e.bytes));
    const size = Math.ceil(bytes.length / shards);
    const paths = Array.from({ length: shards }, (_, k) => {
      const path = `group${gi + 1}-shard${k + 1}of${shards}.bin`;
      files.set(path, bytes.slice(k * size, (k + 1) * size));
      return path;
    });
    return { paths, weights: g.map((e) => e.spec) };
  });
  let topology = artifacts.modelTopology as Json;
  if (opts.keras3 === true) topology = toKeras3(topology);
  if (opts.modelConfigWrap === true) topology = { keras_version: "2.1.6", backend: "tensorflow", model_config: topology };
  const json: Json = { modelTopology: topology, weightsManifest: manifest, ...(opts.dropFormat === true ? {} : { format: "layers-model", generatedBy: "test" }) };
  const oracleSpecs = order.map((i) => encoded[i]!.spec);
  const oracleData = concatBytes(ordered.map((e) => e.bytes));
  return {
    modelJson: new TextEncoder().encode(JSON.stringify(json)),
    files,
    oracle: () =>
      tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: artifacts.modelTopology!, weightSpecs: oracleSpecs, weightData: oracleData.buffer.slice(oracleData.byteOffset, oracleData.byteOffset + oracleData.byteLength) }),
      ),
  };
};

/** NHWC sample → CHW (dtd's layout). */
export const nhwcToChw = (x: ArrayLike<number>, h: number, w: number, c: number): Float32Array => {
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) for (let k = 0; k < c; k++) out[(k * h + y) * w + q] = x[(y * w + q) * c + k]!;
  return out;
};

/** Softmax and sigmoid of logits, for comparing with a model that applies them. */
export const softmax = (z: ArrayLike<number>): number[] => {
  const m = Math.max(...Array.from(z));
  const e = Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
export const sigmoid = (z: ArrayLike<number>): number[] => Array.from(z, (v) => 1 / (1 + Math.exp(-v)));
