/**
 * Why a model could not be imported, as a tagged union, and {@link message}, its one-line human form. Every
 * error names the place: the JSON path or file, or the node (by its name in the original model), its op and
 * what is missing — an unsupported model is refused, never imported as a silently different function.
 * @module
 */

/** The formats dtd imports. */
export type SourceFormat = "tfjs-layers" | "tfjs-graph" | "onnx";

/** Every way importing can fail. */
export type ImportError =
  /** The bytes are not a model file of a known kind, or its structure is not what the format says. */
  | { readonly _tag: "InvalidFile"; readonly file: string; readonly path: string; readonly expected: string; readonly found: string }
  /** A node (layer, op) dtd cannot represent exactly: what about it is unsupported. */
  | { readonly _tag: "UnsupportedNode"; readonly format: SourceFormat; readonly node: string; readonly op: string; readonly reason: string }
  /** A weight a node needs is absent or does not fit. */
  | { readonly _tag: "Weight"; readonly format: SourceFormat; readonly node: string; readonly weight: string; readonly reason: string }
  /** A weight file (shard) could not be had, or is shorter than its manifest says. */
  | { readonly _tag: "WeightFile"; readonly file: string; readonly reason: string }
  /** The model as a whole is unsupported (no input, several inputs or outputs, a cycle…). */
  | { readonly _tag: "UnsupportedModel"; readonly format: SourceFormat; readonly reason: string };

/** A one-line human message. */
export const message = (e: ImportError): string => {
  switch (e._tag) {
    case "InvalidFile":
      return `${e.file}${e.path === "" ? "" : ` at ${e.path}`}: expected ${e.expected}, found ${e.found}`;
    case "UnsupportedNode":
      return `${e.format} node "${e.node}" (${e.op}) is not supported: ${e.reason}`;
    case "Weight":
      // An initializer read before any node uses it is named by itself.
      return e.node === e.weight ? `${e.format} weight "${e.weight}" ${e.reason}` : `${e.format} node "${e.node}": weight ${e.weight} ${e.reason}`;
    case "WeightFile":
      return `weight file ${e.file}: ${e.reason}`;
    case "UnsupportedModel":
      return `${e.format} model is not supported: ${e.reason}`;
  }
};

/** Shorthand constructors. */
export const unsupportedNode = (format: SourceFormat, node: string, op: string, reason: string): ImportError => ({ _tag: "UnsupportedNode", format, node, op, reason });
export const invalidFile = (file: string, path: string, expected: string, found: string): ImportError => ({ _tag: "InvalidFile", file, path, expected, found });

/** The refusal of a model with several outputs when none was chosen: it lists them and says how to choose. */
export const severalOutputs = (format: SourceFormat, names: readonly string[]): ImportError => ({
  _tag: "UnsupportedModel",
  format,
  reason: `it has ${names.length} outputs (${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}): dtd explains one output — choose it by name (the output option; dtd's --output-node)`,
});

/** The refusal of a chosen output the model does not have. */
export const noSuchOutput = (format: SourceFormat, chosen: string, names: readonly string[]): ImportError => ({
  _tag: "UnsupportedModel",
  format,
  reason: `it has no output "${chosen}" (its outputs: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""})`,
});
