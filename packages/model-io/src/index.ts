/**
 * @dtd/model-io — dtd model files: versioned JSON (docs/model-format.md) decoded with io-ts into models of
 * @dtd/layers, and written back exactly. This entry point is pure and runs in browsers; reading and writing
 * files (Node) is in `@dtd/model-io/file`.
 * @module
 */
export * from "./decode.ts";
export * from "./encode.ts";
export * from "./ModelFileError.ts";
export * from "./ModelFileJson.ts";
export { parseJson, formatJsonError, formatPath, type JsonError, type PathStep } from "./json.ts";
export { MAX_METADATA_DEPTH, metadataProblem } from "./internal/metadata.ts";
