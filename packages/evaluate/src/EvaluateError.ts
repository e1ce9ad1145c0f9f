/**
 * Tagged errors of region perturbation: every message says what was expected, what was found, and where (the
 * option, the sample and flat index, the perturbation step).
 * @module
 */

/** Every way an evaluation can be refused. */
export type EvaluateError =
  /** An option out of range (a patch size of 0, more regions per step than there are regions, …). */
  | { readonly _tag: "InvalidOption"; readonly option: string; readonly expected: string; readonly found: string }
  /** Inputs, relevance maps, bounds or scores whose shapes do not fit together. */
  | { readonly _tag: "ShapeMismatch"; readonly what: string; readonly expected: string; readonly found: string }
  /** NaN or ±Infinity in the inputs, the relevance maps or the scores. */
  | { readonly _tag: "NonFinite"; readonly what: string; readonly sample: number; readonly index: number; readonly value: number }
  /** The score function refused a batch (its own message), at perturbation step `step` (0: the unperturbed inputs). */
  | { readonly _tag: "ScoreFailed"; readonly step: number; readonly message: string }
  /** The relevance function refused the inputs (its own message). */
  | { readonly _tag: "ExplainFailed"; readonly message: string };

/** A one-line human message. */
export const message = (e: EvaluateError): string => {
  switch (e._tag) {
    case "InvalidOption":
      return `region perturbation: option ${e.option}: expected ${e.expected}, found ${e.found}`;
    case "ShapeMismatch":
      return `region perturbation: ${e.what}: expected ${e.expected}, found ${e.found}`;
    case "NonFinite":
      return `region perturbation: expected finite ${e.what}, found ${e.value} at sample ${e.sample}, flat index ${e.index}`;
    case "ScoreFailed":
      return `region perturbation: the score function failed at step ${e.step}: ${e.message}`;
    case "ExplainFailed":
      return `region perturbation: the relevance function failed: ${e.message}`;
  }
};
