/**
 * Tagged errors of deep Taylor decomposition. A violated precondition names the node (index, name and kind), the
 * unit and the sample; nodes with their default name read as before graphs, `layer 3 (dense)`.
 * @module
 */
import * as L from "@dtd/layers";

/** Every way an explanation can be refused. */
export type DtdError =
  | {
      readonly _tag: "PreconditionViolated";
      readonly layer: number;
      readonly name: string;
      readonly kind: string;
      readonly rule: string;
      readonly sample: number;
      /** The input unit, or −1 for a constraint coupling the units (a simplex's Σ_i x_i = 1: `value` is then a·x). */
      readonly unit: number;
      readonly value: number;
      readonly expected: string;
      readonly what: "input" | "bias" | "output";
    }
  | { readonly _tag: "UnsupportedLayer"; readonly layer: number; readonly name: string; readonly kind: string; readonly reason: string }
  | {
      /**
       * The first NaN or ±Infinity of a computation: in the forward pass (`activation`: the output of layer
       * `layer`), in the relevances (`relevance`: the relevance of layer `layer`'s inputs; `layer` = the number
       * of layers for the top relevance) or in a baseline's heatmap (`heatmap`, layer −1).
       */
      readonly _tag: "NonFinite";
      readonly stage: "activation" | "relevance" | "heatmap";
      readonly layer: number;
      readonly name: string;
      readonly kind: string;
      /** The rule of an affine layer whose relevance is non-finite ("" otherwise). */
      readonly rule: string;
      readonly sample: number;
      readonly unit: number;
      readonly value: number;
    }
  | { readonly _tag: "RuleDoesNotFit"; readonly layer: number; readonly name: string; readonly kind: string; readonly rule: string; readonly reason: string }
  /** A composite that does not fit the model (a name it lacks, a choice a node cannot take). */
  | { readonly _tag: "InvalidComposite"; readonly reason: string }
  | { readonly _tag: "TooLarge"; readonly what: string; readonly expected: string; readonly found: string }
  | { readonly _tag: "NotAScore"; readonly outputShape: readonly number[] }
  | { readonly _tag: "InvalidTarget"; readonly expected: string; readonly found: string }
  | { readonly _tag: "Layer"; readonly error: L.LayerError };

/** `layer 3 (dense)`, or `layer 3 "proj" (conv2d)` for a named node. */
const label = (e: { readonly layer: number; readonly name: string; readonly kind: string }): string => L.nodeLabel(e.layer, e.name, e.kind);

/** A one-line human message. */
export const message = (e: DtdError): string => {
  switch (e._tag) {
    case "PreconditionViolated":
      return e.what === "output"
        ? `precondition of deep Taylor decomposition violated: expected f(x) ≥ 0, found f(x) = ${e.value} for sample ${e.sample}`
        : e.what === "bias"
          ? `precondition of rule ${e.rule} violated at ${label(e)}, unit ${e.unit}: expected a bias b ≤ 0, found ${e.value}`
          : e.unit < 0
            ? `precondition of rule ${e.rule} violated at ${label(e)}, the input of sample ${e.sample}: expected ${e.expected}, found ${e.value}`
            : `precondition of rule ${e.rule} violated at ${label(e)}, input unit ${e.unit} of sample ${e.sample}: expected ${e.expected}, found ${e.value}`;
    case "UnsupportedLayer":
      return `${label(e)} cannot be explained: ${e.reason}`;
    case "InvalidComposite":
      return `the composite does not fit the model: ${e.reason}`;
    case "NonFinite": {
      const where =
        e.stage === "activation"
          ? `at the output of ${label(e)}`
          : e.stage === "relevance"
            ? `in the relevance of the inputs of ${label(e).replace(/\)$/, "")}${e.rule === "" ? "" : `, rule ${e.rule}`})`
            : `in the ${e.kind} heatmap`;
      const why =
        e.stage === "activation"
          ? "the forward pass overflows or is undefined there"
          : e.stage === "relevance"
            ? "the relevance propagation overflows or divides an infinity there"
            : "the method's arithmetic overflows there";
      return `non-finite value ${e.value} ${where}, unit ${e.unit} of sample ${e.sample}: expected finite numbers (${why})`;
    }
    case "RuleDoesNotFit":
      return `rule ${e.rule} does not fit ${label(e)}: ${e.reason}`;
    case "TooLarge":
      return `${e.what} is too large: expected ${e.expected}, found ${e.found}`;
    case "NotAScore":
      return `expected a model whose output is one score per sample (shape [1], e.g. ending with select or sumPool, or a vector of scores with a target such as argmax), found output shape [${e.outputShape.join(", ")}]`;
    case "InvalidTarget":
      return `invalid explanation target: expected ${e.expected}, found ${e.found}`;
    case "Layer":
      return L.message(e.error);
  }
};
