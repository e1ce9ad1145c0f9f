/** dtd's own forward pass on one sample (flat, CHW), float32 as the original runtimes compute. */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { importModel, message, type ImportOptions } from "@dtd/import";

/** The imported dtd model of a file's bytes (a test failure naming the refusal otherwise). */
export const dtdModel = (bytes: Uint8Array, opts: ImportOptions = {}): L.Model => {
  const r = importModel(bytes, { dtype: "float32", ...opts });
  if (E.isLeft(r)) throw new Error(message(r.left));
  return r.right.model;
};

/** The model's output (logits) for one sample. */
export const dtdLogits = (model: L.Model, x: ArrayLike<number>): Float32Array =>
  L.forward(model, T.of(Float32Array.from(x), [1, ...model.inputShape], "float32")).output.data as Float32Array;
