/**
 * Tagged errors of the layer algebra. Each names the layer (by index and kind) and says what was expected and
 * what was found.
 * @module
 */
import type { TensorError } from "@dtd/tensor";
import * as T from "@dtd/tensor";

/** Every way building or running a model can be refused. */
export type LayerError =
  | {
      readonly _tag: "IncompatibleLayers";
      readonly index: number;
      readonly kind: string;
      readonly inputShape: readonly number[];
      readonly reason: string;
    }
  | { readonly _tag: "InvalidLayer"; readonly index: number; readonly kind: string; readonly reason: string }
  | { readonly _tag: "InputShape"; readonly expected: readonly number[]; readonly found: readonly number[] }
  | { readonly _tag: "InputDType"; readonly expected: T.DType; readonly found: T.DType }
  | { readonly _tag: "Tensor"; readonly error: TensorError };

/** A one-line human message. */
export const message = (e: LayerError): string => {
  switch (e._tag) {
    case "IncompatibleLayers":
      return `layer ${e.index} (${e.kind}) cannot take an input of shape ${T.showShape(e.inputShape)}: ${e.reason}`;
    case "InvalidLayer":
      return `layer ${e.index} (${e.kind}) is invalid: ${e.reason}`;
    case "InputShape":
      return `input shape mismatch: expected a batch of samples of shape ${T.showShape(e.expected)}, found ${T.showShape(e.found)}`;
    case "InputDType":
      return `input dtype mismatch: the model's parameters are ${e.expected}, found a ${e.found} batch (convert it with T.astype(x, "${e.expected}"))`;
    case "Tensor":
      return T.message(e.error);
  }
};

/** An exception carrying a LayerError, for programmer errors inside already validated models. */
export class LayerException extends Error {
  readonly error: LayerError;
  constructor(error: LayerError) {
    super(message(error));
    this.name = "LayerException";
    this.error = error;
  }
}
