/**
 * The input of `dtd explain` and `dtd check`: ONE sample, in the model's input layout (CHW for images), read
 * from a JSON file (a flat array of numbers, or a rectangular nested array flattened row-major) or from a PNG
 * for image models (input shape [C, H, W] with C = 1 or 3; pixels scaled to [0, 1]; gray by BT.601 luma for
 * C = 1). The file's content decides: a PNG signature means a picture, anything else must be JSON.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { Png, VizError } from "@dtd/viz";
import { type CliError, failure } from "./CliError.ts";
import { flattenNumbers, parseJson, readBytes } from "./jsonNumbers.ts";

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10] as const;

/** True when the bytes start with the PNG signature. */
export const isPng = (bytes: Uint8Array): boolean => PNG_SIGNATURE.every((b, i) => bytes[i] === b);

/** The dtype of a model's parameters (float64 when it has none). */
export const modelDType = (model: L.Model): T.DType => {
  for (const layer of model.layers) if (L.isAffine(layer)) return layer.W.dtype;
  return "float64";
};

/** The sample as a batch of one, [1, ...inputShape], in the model's dtype. */
const asBatch = (model: L.Model, data: Float64Array): T.Tensor => T.astype(T.of(data, [1, ...model.inputShape]), modelDType(model));

const fromPng = (path: string, bytes: Uint8Array, model: L.Model): E.Either<CliError, T.Tensor> => {
  const shape = model.inputShape;
  const [C, H, W] = shape;
  if (shape.length !== 3 || (C !== 1 && C !== 3) || H === undefined || W === undefined) {
    return E.left(failure(`${path}: a PNG input needs an image model (input shape [C, H, W] with C = 1 or 3), found input shape ${T.showShape(shape)}; give the input as a JSON array of numbers instead`));
  }
  const decoded = Png.decodePng(bytes, path);
  if (E.isLeft(decoded)) return E.left(failure(VizError.message(decoded.left)));
  const img = decoded.right;
  if (img.width !== W || img.height !== H) {
    return E.left(failure(`${path}: expected a ${W}×${H} image (width × height, input shape ${T.showShape(shape)}), found ${img.width}×${img.height}`));
  }
  const x = Png.imageToInput(img, { channels: C, range: [0, 1] });
  return E.right(asBatch(model, Float64Array.from(x.data)));
};

const fromJson = (path: string, bytes: Uint8Array, model: L.Model): E.Either<CliError, T.Tensor> => {
  const numbers = E.flatMap(parseJson(new TextDecoder().decode(bytes)), flattenNumbers);
  if (E.isLeft(numbers)) return E.left(failure(`${path}: ${numbers.left}`));
  const data = numbers.right;
  const d = T.Shape.size(model.inputShape);
  if (data.length !== d) {
    return E.left(failure(`${path}: expected ${d} numbers (input shape ${T.showShape(model.inputShape)}), found ${data.length}; give one sample, flat or nested`));
  }
  return E.right(asBatch(model, data));
};

/** Reads one sample for `model` from a JSON or PNG file, as a batch [1, ...inputShape]. */
export const readInput = (path: string, model: L.Model): E.Either<CliError, T.Tensor> => {
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return E.left(failure(`input: ${bytes.left}`));
  return isPng(bytes.right) ? fromPng(path, bytes.right, model) : fromJson(path, bytes.right, model);
};
