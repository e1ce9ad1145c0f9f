/**
 * Tagged errors of the data readers (CSV, ARFF, MNIST, Titanic). Each says where (file line, column), what was expected
 * and what was found; {@link message} renders one line for a human.
 * @module
 */

/** Every way reading a data set can be refused. Lines are 1-based physical lines of the input text. */
export type DataError =
  | {
      readonly _tag: "ParseError";
      readonly format: "csv" | "arff";
      readonly line: number;
      readonly expected: string;
      readonly found: string;
    }
  | {
      readonly _tag: "BadValue";
      readonly source: string;
      readonly line: number;
      readonly column: string;
      readonly expected: string;
      readonly found: string;
    }
  | {
      readonly _tag: "BadJson";
      readonly source: string;
      /** Where in the document: "$", "$.data", "$.data[17]". */
      readonly path: string;
      readonly expected: string;
      readonly found: string;
    }
  | { readonly _tag: "MissingColumn"; readonly source: string; readonly column: string; readonly found: readonly string[] }
  | { readonly _tag: "NotFound"; readonly what: string; readonly tried: readonly string[]; readonly hint: string }
  | { readonly _tag: "ReadFailed"; readonly path: string; readonly reason: string }
  | { readonly _tag: "InvalidOption"; readonly op: string; readonly expected: string; readonly found: string };

/** Shows a found token or value compactly: quoted, long values cut, control characters visible. */
export const show = (s: string): string => {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
};

/** A one-line human message for an error. */
export const message = (e: DataError): string => {
  switch (e._tag) {
    case "ParseError":
      return `${e.format.toUpperCase()} line ${e.line}: expected ${e.expected}, found ${e.found}`;
    case "BadValue":
      return `${e.source} line ${e.line}, column '${e.column}': expected ${e.expected}, found ${e.found}`;
    case "BadJson":
      return `${e.source} at ${e.path}: expected ${e.expected}, found ${e.found}`;
    case "MissingColumn":
      return `${e.source}: expected a column '${e.column}', found columns [${e.found.join(", ")}]`;
    case "NotFound":
      return `${e.what} not found (tried: ${e.tried.join(", ")}). ${e.hint}`;
    case "ReadFailed":
      return `could not read ${e.path}: ${e.reason}`;
    case "InvalidOption":
      return `${e.op}: expected ${e.expected}, found ${e.found}`;
  }
};
