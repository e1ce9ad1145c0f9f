/**
 * The inputs of `dtd evaluate`: a batch of N samples in the model's input layout, from a JSON file whose numbers
 * (flat, or nested and flattened row-major) are N whole samples one after the other — e.g. `[[…sample 1…],
 * […sample 2…]]` — or from a PNG for image models (one sample, as `dtd explain` reads it).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import type * as L from "@dtd/layers";
import { type CliError, failure } from "./CliError.ts";
import * as Png from "@dtd/viz/png";
import { flattenNumbers, parseJson, readBytes } from "./jsonNumbers.ts";
import { readInput } from "./readInput.ts";

/** Reads N ≥ 1 samples for `model` (built in `dtype`) from a JSON or PNG file, as a batch [N, ...inputShape]. */
export const readBatch = (path: string, model: L.Model, dtype: T.DType): E.Either<CliError, T.Tensor> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return E.left(failure(`input: ${bytes.left}`));
  if (Png.isPng(bytes.right)) return readInput(path, model, dtype);
  const numbers = E.flatMap(parseJson(new TextDecoder().decode(bytes.right)), (v) => flattenNumbers(v, { dtype }));
  if (E.isLeft(numbers)) return E.left(failure(`${path}: ${numbers.left}`));
  const data = numbers.right;
  const d = T.Shape.size(model.inputShape);
  if (data.length === 0 || data.length % d !== 0) {
    return E.left(failure(`${path}: expected whole samples of ${d} numbers each (input shape ${T.showShape(model.inputShape)}), found ${data.length} numbers`));
  }
  return E.right(T.astype(T.of(data, [data.length / d, ...model.inputShape]), dtype));
};
