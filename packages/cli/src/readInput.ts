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
import { Png, VizError } from "@dtd/viz";
import { type CliError, failure } from "./CliError.ts";
import { flattenNumbers, parseJson, readBytes } from "./jsonNumbers.ts";

/** The sample as a batch of one, [1, ...inputShape], in the model's dtype (flattenNumbers checked that it fits). */
const asBatch = (model: L.Model, data: Float64Array, dtype: T.DType): T.Tensor => T.astype(T.of(data, [1, ...model.inputShape]), dtype);

const fromPng = (path: string, bytes: Uint8Array, model: L.Model, dtype: T.DType): E.Either<CliError, T.Tensor> => {
  const shape = model.inputShape;
  const [C, H, W] = shape;
  if (shape.length !== 3 || (C !== 1 && C !== 3) || H === undefined || W === undefined) {
    return E.left(failure(`${path}: a PNG input needs an image model (input shape [C, H, W] with C = 1 or 3), found input shape ${T.showShape(shape)}; give the input as a JSON array of numbers instead`));
  }
  // The size in the header is checked against the model before a pixel is decoded.
  const decoded = Png.decodePng(bytes, path, { width: W, height: H });
  if (E.isLeft(decoded)) {
    const e = decoded.left;
    return E.left(failure(e._tag === "ImageSize" ? `${path}: expected a ${W}×${H} image (width × height, input shape ${T.showShape(shape)}), found ${e.found}` : VizError.message(e)));
  }
  const x = Png.imageToInput(decoded.right, { channels: C, range: [0, 1] });
  return E.right(asBatch(model, Float64Array.from(x.data), dtype));
};

const fromJson = (path: string, bytes: Uint8Array, model: L.Model, dtype: T.DType): E.Either<CliError, T.Tensor> => {
  const numbers = E.flatMap(parseJson(new TextDecoder().decode(bytes)), (v) => flattenNumbers(v, { dtype }));
  if (E.isLeft(numbers)) return E.left(failure(`${path}: ${numbers.left}`));
  const data = numbers.right;
  const d = T.Shape.size(model.inputShape);
  if (data.length !== d) {
    return E.left(failure(`${path}: expected ${d} numbers (input shape ${T.showShape(model.inputShape)}), found ${data.length}; give one sample, flat or nested`));
  }
  return E.right(asBatch(model, data, dtype));
};

/** Reads one sample for `model` (built in `dtype`) from a JSON or PNG file, as a batch [1, ...inputShape]. */
export const readInput = (path: string, model: L.Model, dtype: T.DType): E.Either<CliError, T.Tensor> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return E.left(failure(`input: ${bytes.left}`));
  return Png.isPng(bytes.right) ? fromPng(path, bytes.right, model, dtype) : fromJson(path, bytes.right, model, dtype);
};
