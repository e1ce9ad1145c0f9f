/**
 * A TF.js `model.json`: `{ format?, modelTopology, weightsManifest }`. The kind comes from `format`
 * ("layers-model" or "graph-model") or, in files written before it existed, from the topology itself (a graph
 * has `node`, a Keras model `class_name` or `model_config`). A bare Keras model JSON (the topology alone) is a
 * layers model without weights.
 * @module
 */
import type { IrModel } from "../Ir.ts";
import * as J from "../internal/json.ts";
import type { WeightTensor } from "../WeightTensor.ts";
import { importGraphModel } from "./graphModel.ts";
import { importLayersModel } from "./layersModel.ts";
import { readWeightsManifest, type ShardReader } from "./weightsManifest.ts";

/** Options of a TF.js import. */
export interface TfjsOptions {
  /** The per-sample input shape (NHWC) for a graph model whose input size is unknown. */
  readonly inputShape?: readonly number[];
  /** The output to import when the model has several (see ImportOptions.output). */
  readonly output?: string;
}

const kindOf = (root: J.Cursor): "layers" | "graph" => {
  const f = J.at(root, "format");
  if (!J.isNil(f)) {
    const s = J.string(f);
    if (s === "layers-model") return "layers";
    if (s === "graph-model") return "graph";
    return J.refuse(f, `"layers-model" or "graph-model"`);
  }
  const topology = J.at(root, "modelTopology");
  if (!J.isNil(J.at(topology, "node"))) return "graph";
  if (!J.isNil(J.at(topology, "class_name")) || !J.isNil(J.at(topology, "model_config"))) return "layers";
  return J.refuse(topology, "a model topology: a graph (with node) or a Keras model (with class_name or model_config)");
};

/** Imports a parsed model.json; shards are read through `readShard` (paths as the manifest writes them). */
export const importTfjs = (json: unknown, file: string, readShard: ShardReader, opts: TfjsOptions = {}): IrModel => {
  const root = J.root(file, json);
  if (Array.isArray(json) && json.every((g) => typeof g === "object" && g !== null && "weights" in g)) {
    // face-api's and tfjs-core's `*-weights_manifest.json`: the weights alone, the architecture lives in code.
    return J.refuse(root, "a model.json (modelTopology and weightsManifest)", "a bare weights manifest without a model topology (the architecture that uses these weights is defined in code, not in the file)");
  }
  J.object(root);
  if (J.isNil(J.at(root, "modelTopology")) && !J.isNil(J.at(root, "class_name"))) return importLayersModel(root, new Map(), opts);
  const kind = kindOf(root);
  const manifest = J.at(root, "weightsManifest");
  const weights: ReadonlyMap<string, WeightTensor> = J.isNil(manifest) ? new Map() : readWeightsManifest(manifest, readShard);
  return kind === "layers" ? importLayersModel(J.at(root, "modelTopology"), weights, opts) : importGraphModel(root, weights, opts);
};
