/**
 * Why a model file was refused, as a tagged union, and {@link formatError}, its human message: one line per
 * problem, each naming the JSON path, what was expected and what was found.
 * @module
 */
import * as T from "@dtd/tensor";

/** One thing wrong at one place of a model file. `path` is `""` for the file itself. */
export interface Problem {
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}

/** Every way reading or writing a model file can fail. */
export type ModelFileError =
  /** The text is not JSON: where the syntax breaks (0-based `position`, 1-based `line` and `column`). */
  | {
      readonly _tag: "InvalidJson";
      readonly position: number;
      readonly line: number;
      readonly column: number;
      readonly expected: string;
      readonly found: string;
      /** The line of the text that holds the error (clipped around it when long) and the error's column in it. */
      readonly excerpt: { readonly text: string; readonly column: number };
    }
  /** JSON, but not a valid model file: every problem found. */
  | { readonly _tag: "InvalidModel"; readonly problems: readonly Problem[] }
  /** A model file of a version this dtd cannot read. */
  | { readonly _tag: "UnsupportedVersion"; readonly found: number; readonly supported: readonly number[] }
  /**
   * Valid layers that do not fit together: layer `index` cannot take the output of the layer before it (or the
   * input), or — in a graph — the outputs of the layers it names in `inputs`.
   */
  | {
      readonly _tag: "IncompatibleLayers";
      readonly index: number;
      readonly kind: string;
      /** The layer's name, when the file gives one. */
      readonly name?: string;
      /** The kind of layer `index - 1`, or undefined for the first layer (its input is the model's input). */
      readonly previous: string | undefined;
      readonly inputShape: readonly number[];
      /** Where each input comes from and its shape, when the layer names its inputs (version 2). */
      readonly inputs?: readonly { readonly from: string; readonly shape: readonly number[] }[];
      readonly reason: string;
    }
  /** The file could not be read or written. */
  | { readonly _tag: "FileError"; readonly path: string; readonly operation: "read" | "write"; readonly code: string | undefined; readonly reason: string };

/** How many problems {@link formatError} lists before "… and N more". */
export const MAX_LISTED_PROBLEMS = 10;

/** `layers[2].weight: expected …, found …`. */
export const formatProblem = (p: Problem): string => `${p.path === "" ? "(top level)" : p.path}: expected ${p.expected}, found ${p.found}`;

/** The human message: one line per problem (at most {@link MAX_LISTED_PROBLEMS}, then "… and N more"). */
export const formatError = (e: ModelFileError): string => {
  switch (e._tag) {
    case "InvalidJson":
      return [
        `not JSON: line ${e.line}, column ${e.column} (character ${e.position}): expected ${e.expected}, found ${e.found}`,
        `  ${e.excerpt.text}`,
        `  ${" ".repeat(e.excerpt.column - 1)}^`,
      ].join("\n");
    case "InvalidModel": {
      const listed = e.problems.slice(0, MAX_LISTED_PROBLEMS).map(formatProblem);
      const more = e.problems.length - listed.length;
      return [...listed, ...(more > 0 ? [`… and ${more} more problem${more === 1 ? "" : "s"}`] : [])].join("\n");
    }
    case "UnsupportedVersion":
      return `version: expected ${e.supported.join(" or ")}, found ${e.found} (this dtd reads model files of version ${e.supported.join(" or ")})`;
    case "IncompatibleLayers": {
      const label = `layers[${e.index}]${e.name === undefined ? "" : ` "${e.name}"`} (${e.kind})`;
      const sources =
        e.inputs === undefined
          ? `${e.previous === undefined ? "the model input" : `the output of layers[${e.index - 1}] (${e.previous})`}, of shape ${T.showShape(e.inputShape)}`
          : e.inputs.map((i) => `${i.from}, of shape ${T.showShape(i.shape)}`).join(" and ");
      return `${label} cannot take ${sources}: ${e.reason}`;
    }
    case "FileError":
      return `cannot ${e.operation} model file ${e.path}: ${e.reason}${e.code === undefined ? "" : ` (${e.code})`}`;
  }
};
