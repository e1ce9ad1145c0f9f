/**
 * One batch, as a worker explains it. The inputs are read and checked one by one (length, finite values, the
 * decoder's verdict): an unreadable input is that input's error. The readable ones are explained together with
 * `DT.explainHeatmap` — one batched pass, as a single thread would do it, hence the same bits as `DT.explain`
 * (explainHeatmap keeps only the heatmap and the per-node sums, and hands each layer's activation and relevance
 * back to the allocator once the sweep is past it: a worker's next batch reuses that memory instead of faulting
 * in fresh pages, which the two workers of one process pay for together). When it
 * refuses the batch (a violated precondition, a non-finite value: it refuses the whole batch for one sample),
 * each input is explained alone, so that every input gets its own heatmap or its own error and no input is lost
 * for another's sake.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Consistency } from "@dtd/deep-taylor";
import type { Encoded, Sample } from "../Outcome.ts";
import type { BatchTarget, ExplainSettings, Item } from "./protocol.ts";

/**
 * Reads an encoded sample into numbers in the model's input layout (flat), or says why it cannot. `options` is
 * what the pool was started with (`PoolOptions.workerOptions`).
 */
export type Decoder = (sample: Encoded, ctx: { readonly inputShape: readonly number[]; readonly dtype: T.DType; readonly options: unknown }) => E.Either<string, ArrayLike<number>>;

/** What a worker holds after its Init. */
export interface WorkerModel {
  readonly model: L.Model;
  readonly composite: DT.Composite;
  readonly settings: ExplainSettings;
  readonly dtype: T.DType;
  /** Values per input. */
  readonly d: number;
  /** `PoolOptions.workerOptions`, for the hooks. */
  readonly options: unknown;
}

/** A batch to explain. */
export interface Batch {
  readonly start: number;
  readonly count: number;
  readonly values: Float64Array | Float32Array | undefined;
  readonly samples: readonly Sample[] | undefined;
  readonly target: BatchTarget;
}

/** The batch's heatmaps (count × d values, zeros for failed inputs) and each input's result. */
export interface BatchResult {
  readonly R: Float64Array | Float32Array;
  readonly items: readonly Item[];
  /** The values of each input (undefined where unreadable), for an encoder that draws them. */
  readonly inputs: readonly (ArrayLike<number> | undefined)[];
}

/** The input of a deep Taylor error, when it concerns one (a bias violation concerns the model, not a sample). */
const sampleOf = (e: DT.DtdError): number | undefined =>
  (e._tag === "PreconditionViolated" && e.what !== "bias") || e._tag === "NonFinite" ? e.sample : undefined;

/** The error with its sample renamed to the input's index in the whole run. */
const renumber = (e: DT.DtdError, index: number): DT.DtdError => (sampleOf(e) === undefined ? e : ({ ...e, sample: index } as DT.DtdError));

/** Reads input k of the batch: its values, or why they cannot be used. */
const readInput = (w: WorkerModel, b: Batch, k: number, decode: Decoder | undefined): E.Either<string, ArrayLike<number>> => {
  if (b.values !== undefined) return E.right(b.values.subarray(k * w.d, (k + 1) * w.d));
  const s = b.samples![k]!;
  let values: ArrayLike<number>;
  if (s instanceof Float64Array || s instanceof Float32Array) values = s;
  else if (decode === undefined) return E.left("an encoded sample, but this worker has no decoder (serve({ decode }))");
  else {
    const decoded = decode(s, { inputShape: w.model.inputShape, dtype: w.dtype, options: w.options });
    if (E.isLeft(decoded)) return decoded;
    values = decoded.right;
  }
  if (values.length !== w.d) return E.left(`expected ${w.d} values (input shape ${T.showShape(w.model.inputShape)}), found ${values.length}`);
  return E.right(values);
};

/** Checks finiteness in the model's dtype (a float64 value beyond float32's range becomes ±Infinity there). */
const firstNonFinite = (values: ArrayLike<number>, dtype: T.DType): number => {
  const limit = dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Math.abs(v) <= limit)) return i;
  }
  return -1;
};

/** Per-input results of a batch explanation: f, the absorbed relevance, consistency and warnings of each sample. */
const itemsOf = (w: WorkerModel, e: DT.Heatmap, indices: readonly number[]): Item[] => {
  const n = indices.length;
  // What bias sinks absorbed (affine nodes); an unfolded batch norm's shift is not a bias sink (as `dtd explain`).
  const absorbed = new Float64Array(n);
  e.absorbed.forEach((a, i) => {
    if (a !== undefined && L.isAffine(w.model.layers[i]!)) for (let k = 0; k < n; k++) absorbed[k] = absorbed[k]! + a[k]!;
  });
  const reaching = unsafeMake([n], Float64Array.from({ length: n }, (_, k) => e.f.data[k]! - absorbed[k]!));
  const rows = Consistency.perSample(reaching, e.R, e.tolerance);
  return indices.map((index, k) => ({
    _tag: "Ok",
    f: e.f.data[k]!,
    biasRelevance: absorbed[k]!,
    consistency: { ...rows[k]!, f: e.f.data[k]! },
    warnings: e.warnings.filter((x) => sampleOf(x) === undefined || sampleOf(x) === k).map((x) => renumber(x, index)),
  }));
};

const targetOf = (t: BatchTarget, ks: readonly number[]): DT.Target | undefined =>
  t === undefined || t._tag === "argmax" ? t : { _tag: "classes", classes: ks.map((k) => t.classes[k]!) };

/** The values in the model's dtype, as a new array (float32 rounds to nearest, as `T.astype`). */
const inDtype = (values: ArrayLike<number>, dtype: T.DType): Float64Array | Float32Array => {
  const out = T.alloc(dtype, values.length);
  out.set(values);
  return out;
};

/** Why input k cannot be explained, or its values. */
const checkedInput = (w: WorkerModel, b: Batch, k: number, decode: Decoder | undefined): E.Either<string, ArrayLike<number>> =>
  E.flatMap((values: ArrayLike<number>) => {
    const i = firstNonFinite(values, w.dtype);
    return i < 0 ? E.right(values) : E.left(`value ${i} is ${values[i]}: expected finite numbers (${w.dtype})`);
  })(readInput(w, b, k, decode));

/** Explains a batch; never throws for bad inputs (programmer errors inside the library still throw). */
export const explainBatch = (w: WorkerModel, b: Batch, decode: Decoder | undefined): BatchResult => {
  const { d, dtype, model } = w;
  const items: Item[] = new Array<Item>(b.count);
  const inputs: (ArrayLike<number> | undefined)[] = new Array<ArrayLike<number> | undefined>(b.count).fill(undefined);
  const ok: number[] = [];
  for (let k = 0; k < b.count; k++) {
    const r = checkedInput(w, b, k, decode);
    if (E.isLeft(r)) items[k] = { _tag: "Failed", error: { _tag: "InvalidInput", index: b.start + k, reason: r.left } };
    else {
      inputs[k] = r.right;
      ok.push(k);
    }
  }
  const opts = (ks: readonly number[]): DT.ExplainOptions => {
    const target = targetOf(b.target, ks);
    return { lenient: w.settings.lenient, biasSink: w.settings.biasSink, ...(target === undefined ? {} : { target }) };
  };
  const indices = (ks: readonly number[]): number[] => ks.map((k) => b.start + k);
  // The batch as one tensor: the transferred buffer itself when every input is readable, else the readable ones.
  const packed = b.values !== undefined && ok.length === b.count && (dtype === "float32" ? b.values instanceof Float32Array : b.values instanceof Float64Array);
  const x = packed ? b.values! : T.alloc(dtype, ok.length * d);
  if (!packed) ok.forEach((k, j) => x.set(inputs[k]!, j * d));
  const explained = ok.length === 0 ? undefined : DT.explainHeatmap(model, unsafeMake([ok.length, ...model.inputShape], x), w.composite, opts(ok));
  if (explained !== undefined && E.isRight(explained)) {
    itemsOf(w, explained.right, indices(ok)).forEach((item, j) => (items[ok[j]!] = item));
    if (ok.length === b.count) return { R: explained.right.R.data, items, inputs };
    const R = T.alloc(dtype, b.count * d);
    ok.forEach((k, j) => R.set(explained.right.R.data.subarray(j * d, (j + 1) * d), k * d));
    return { R, items, inputs };
  }
  // Refused as a batch (explain refuses a batch for one sample): each readable input alone.
  const R = T.alloc(dtype, b.count * d);
  for (const k of ok) {
    const index = b.start + k;
    const one = DT.explainHeatmap(model, unsafeMake([1, ...model.inputShape], inDtype(inputs[k]!, dtype)), w.composite, opts([k]));
    if (E.isLeft(one)) items[k] = { _tag: "Failed", error: { _tag: "Refused", index, error: renumber(one.left, index) } };
    else {
      items[k] = itemsOf(w, one.right, [index])[0]!;
      R.set(one.right.R.data, k * d);
    }
  }
  return { R, items, inputs };
};
