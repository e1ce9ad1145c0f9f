/**
 * The input of `dtd explain` and `dtd check`: ONE sample, in the model's input layout (CHW for images), read
 * from a JSON file (a flat array of numbers, or a rectangular nested array flattened row-major) or from a PNG
 * for image models (input shape [C, H, W] with C = 1 or 3; pixels scaled to [0, 1]; gray by BT.601 luma for
 * C = 1). The file's content decides: a PNG signature means a picture, anything else must be JSON. A PNG's
 * declared size is checked against the model's input before any pixel is decoded; JSON numbers must fit the
 * model's dtype.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { imageToInput, VizError } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import { type CliError, failure } from "./CliError.ts";
import { flattenNumbers, parseJson, readBytes } from "./jsonNumbers.ts";

const fromPng = (path: string, bytes: Uint8Array, shape: readonly number[]): E.Either<string, Float64Array> => {
  const [C, H, W] = shape;
  if (shape.length !== 3 || (C !== 1 && C !== 3) || H === undefined || W === undefined) {
    return E.left(`${path}: a PNG input needs an image model (input shape [C, H, W] with C = 1 or 3), found input shape ${T.showShape(shape)}; give the input as a JSON array of numbers instead`);
  }
  // The size in the header is checked against the model before a pixel is decoded.
  const decoded = Png.decodePng(bytes, path, { width: W, height: H });
  if (E.isLeft(decoded)) {
    const e = decoded.left;
    return E.left(e._tag === "ImageSize" ? `${path}: expected a ${W}×${H} image (width × height, input shape ${T.showShape(shape)}), found ${e.found}` : VizError.message(e));
  }
  return E.right(Float64Array.from(imageToInput(decoded.right, { channels: C, range: [0, 1] }).data));
};

const fromJson = (path: string, bytes: Uint8Array, shape: readonly number[], dtype: T.DType): E.Either<string, Float64Array> => {
  const numbers = E.flatMap(parseJson(new TextDecoder().decode(bytes)), (v) => flattenNumbers(v, { dtype }));
  if (E.isLeft(numbers)) return E.left(`${path}: ${numbers.left}`);
  const data = numbers.right;
  const d = T.Shape.size(shape);
  if (data.length !== d) return E.left(`${path}: expected ${d} numbers (input shape ${T.showShape(shape)}), found ${data.length}; give one sample, flat or nested`);
  return E.right(data);
};

/**
 * One sample's values (flat, in the input layout) from the bytes of a JSON or PNG file, for a model of input
 * `shape` built in `dtype`; the message of a refusal names `path`. The workers of `dtd explain` over many inputs
 * read their inputs with it too.
 */
export const decodeSample = (path: string, bytes: Uint8Array, shape: readonly number[], dtype: T.DType): E.Either<string, Float64Array> =>
  Png.isPng(bytes) ? fromPng(path, bytes, shape) : fromJson(path, bytes, shape, dtype);

/** Reads one sample for `model` (built in `dtype`) from a JSON or PNG file, as a batch [1, ...inputShape]. */
export const readInput = (path: string, model: L.Model, dtype: T.DType): E.Either<CliError, T.Tensor> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return E.left(failure(`input: ${bytes.left}`));
  // flattenNumbers checked that every value fits the dtype.
  return E.bimap(failure, (x: Float64Array) => T.astype(T.of(x, [1, ...model.inputShape]), dtype))(decodeSample(path, bytes.right, model.inputShape, dtype));
};
