/**
 * A model as it travels to workers: its input shape and its nodes, layers being plain data (tensors and
 * numbers). Where SharedArrayBuffer is available (Node; browsers when the page is cross-origin isolated) every
 * parameter tensor is copied once into shared memory, and each worker's copy of the model reads those same
 * bytes: N workers cost one copy of the weights, not N. Elsewhere each worker receives its own copy, once, when
 * it starts. A worker rebuilds the model with `L.build`, which checks it like every other model.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";

/** What a worker needs to rebuild a model. */
export interface ModelData {
  readonly inputShape: readonly number[];
  readonly nodes: readonly L.Node[];
}

/** Whether this platform can share memory between threads. */
export const canShareMemory = (): boolean => typeof SharedArrayBuffer !== "undefined" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

const isShared = (a: ArrayLike<number> & { readonly buffer: ArrayBufferLike }): boolean => typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;

/** The tensor with its data in a SharedArrayBuffer (the same tensor when it is there already). */
export const shareTensor = <S extends T.Shape.Shape, D extends T.DType>(t: T.Tensor<S, D>): T.Tensor<S, D> => {
  if (isShared(t.data)) return t;
  const data = t.dtype === "float32" ? new Float32Array(new SharedArrayBuffer(t.data.byteLength)) : new Float64Array(new SharedArrayBuffer(t.data.byteLength));
  data.set(t.data);
  return unsafeMake(t.shape, data as T.ArrayOf<D>);
};

/** The model's data for workers; with `share`, its parameters in shared memory. */
export const toModelData = (model: L.Model, opts: { readonly share: boolean }): ModelData => ({
  inputShape: model.inputShape,
  nodes: model.nodes.map((n) => {
    if (!opts.share) return n;
    const params = L.paramsOf(n.layer);
    return { ...n, layer: L.withParams(n.layer, Object.fromEntries(Object.entries(params).map(([k, t]) => [k, shareTensor(t)]))) };
  }),
});

/** The model again, built and checked (`L.build`). */
export const fromModelData = (d: ModelData): E.Either<L.LayerError, L.Model> =>
  L.build(
    d.inputShape,
    d.nodes.map((n) => ({ name: n.name, layer: n.layer, inputs: n.inputs })),
  );
