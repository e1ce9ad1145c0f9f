/**
 * @dtd/model-io — dtd model files: versioned JSON (docs/model-format.md) decoded with io-ts into models of
 * @dtd/layers, and written back exactly. This entry point is pure and runs in browsers; reading and writing
 * files (Node) is in `@dtd/model-io/file`.
 * @module
 */
export { type DecodedModel, type DecodeOptions, decodeModel, parseModel, MAX_ACTIVATION_SIZE } from "./decode.ts";
export type { Base64Reader } from "./internal/base64.ts";
export { type EncodeOptions, dtypeOfModel, encodeModel, stringifyModel } from "./encode.ts";
export { type Problem, type ModelFileError, MAX_LISTED_PROBLEMS, formatProblem, formatError } from "./ModelFileError.ts";
export { type Base64TensorJson, type TensorJson, type PairJson, type LayerJsonTable, type NodeJson, type LayerJsonOf, type LayerJson, type ModelFileJson, FORMAT, VERSION, SUPPORTED_VERSIONS, LAYER_TYPES } from "./ModelFileJson.ts";
export { parseJson, formatJsonError, formatPath, type JsonError, type PathStep } from "./json.ts";
export { MAX_METADATA_DEPTH, metadataProblem } from "./internal/metadata.ts";
