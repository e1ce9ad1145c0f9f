/**
 * Tagged errors of the layer algebra. Each names the node (by index, name and kind) and says what was expected
 * and what was found.
 * @module
 */
import type { TensorError } from "@dtd/tensor";
import * as T from "@dtd/tensor";

/** What is wrong with a node's place in the graph. `input` is the index in the node's `inputs`. */
export type GraphProblem =
  | { readonly _tag: "DuplicateName"; readonly first: number }
  | { readonly _tag: "ReservedName" }
  | { readonly _tag: "EmptyName" }
  | { readonly _tag: "UnknownInput"; readonly input: number; readonly ref: string }
  /** A reference to this node or a later one: the nodes are not in topological order, or they form a cycle. */
  | { readonly _tag: "LaterInput"; readonly input: number; readonly ref: string; readonly at: number }
  /** The wrong number of inputs; `defaulted` when the node gave none and took the previous node's output. */
  | { readonly _tag: "Arity"; readonly expected: string; readonly found: number; readonly defaulted: boolean }
  /** No later node reads this node's output, and it is not the model's output. */
  | { readonly _tag: "Unused" };

/** Every way building or running a model can be refused. */
export type LayerError =
  | {
      readonly _tag: "IncompatibleLayers";
      readonly index: number;
      readonly name: string;
      readonly kind: string;
      /** The shape of the node's first input. */
      readonly inputShape: readonly number[];
      /** The shapes of all its inputs. */
      readonly inputShapes: readonly (readonly number[])[];
      readonly reason: string;
    }
  | { readonly _tag: "InvalidGraph"; readonly index: number; readonly name: string; readonly kind: string; readonly problem: GraphProblem }
  | { readonly _tag: "InvalidLayer"; readonly index: number; readonly kind: string; readonly reason: string }
  | { readonly _tag: "InputShape"; readonly expected: readonly number[]; readonly found: readonly number[] }
  | { readonly _tag: "InputDType"; readonly expected: T.DType; readonly found: T.DType }
  | { readonly _tag: "Tensor"; readonly error: TensorError };

/**
 * How messages name node `index`: `layer 2 (dense)` when it has its default name (`dense_2`), `layer 2 "proj"
 * (conv2d)` when it was named.
 */
export const nodeLabel = (index: number, name: string, kind: string): string =>
  name === `${kind}_${index}` ? `layer ${index} (${kind})` : `layer ${index} "${name}" (${kind})`;

/** What a graph problem says after the node's label. */
export const graphProblemMessage = (p: GraphProblem): string => {
  switch (p._tag) {
    case "DuplicateName":
      return `has the name of layer ${p.first}: expected unique names`;
    case "ReservedName":
      return `is named "input": expected another name ("input" is the model input)`;
    case "EmptyName":
      return "has an empty name: expected a non-empty name";
    case "UnknownInput":
      return `takes input ${p.input} "${p.ref}": expected the name of an earlier layer or "input", found no layer of that name`;
    case "LaterInput":
      return `takes input ${p.input} "${p.ref}" from layer ${p.at}: expected only earlier layers (layers in topological order, no cycle)`;
    case "Arity":
      return `has ${p.found} input${p.found === 1 ? "" : "s"}${p.defaulted ? " (the previous layer's output, by default)" : ""}: expected ${p.expected}`;
    case "Unused":
      return "is used by no later layer and is not the output: expected every layer to feed the output (a dead branch)";
  }
};

/** A one-line human message. */
export const message = (e: LayerError): string => {
  switch (e._tag) {
    case "IncompatibleLayers":
      return e.inputShapes.length <= 1
        ? `${nodeLabel(e.index, e.name, e.kind)} cannot take an input of shape ${T.showShape(e.inputShape)}: ${e.reason}`
        : `${nodeLabel(e.index, e.name, e.kind)} cannot take inputs of shapes ${e.inputShapes.map(T.showShape).join(", ")}: ${e.reason}`;
    case "InvalidGraph":
      return `${nodeLabel(e.index, e.name, e.kind)} ${graphProblemMessage(e.problem)}`;
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
