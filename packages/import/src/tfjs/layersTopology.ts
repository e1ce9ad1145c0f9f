/**
 * The topology of a TF.js layers model (Keras JSON) normalised to one form: the layer calls in file order,
 * each with the references of its inputs, and the model's input and output. Read here:
 * - `Sequential` (a chain; its config is `{ layers }`, or the bare list of Keras ≤ 2.2) and `Model`/`Functional`;
 * - Keras 2 inbound nodes `[[[layer, node, tensor, kwargs], …], …]` (one list per call of the layer) and
 *   Keras 3 ones `[{ args: [...], kwargs }]` whose tensors are `{ class_name: "__keras_tensor__", config:
 *   { keras_history: [layer, node, tensor] } }` (nested in args, e.g. `[[t1, t2]]` for Add);
 * - `model_config` wrapping (`{ keras_version, backend, model_config: { class_name, config } }`);
 * - input shapes from `batch_input_shape` (Keras 2), `batch_shape` (Keras 3) or `input_shape`.
 * @module
 */
import { noSuchOutput, severalOutputs, type SourceFormat } from "../ImportError.ts";
import { fail } from "../internal/fail.ts";
import * as J from "../internal/json.ts";

const format: SourceFormat = "tfjs-layers";

/** A reference to the output of a layer call: the layer's name and which call of it. */
export interface TensorRef {
  readonly layer: string;
  readonly call: number;
}

/** A Keras layer as the file declares it. */
export interface KerasLayer {
  readonly className: string;
  readonly name: string;
  readonly config: J.Cursor;
}

/** One call of a layer, on the tensors `inputs`. */
export interface LayerCall {
  readonly layer: KerasLayer;
  /** Which call of the layer this is (0 for all but shared layers). */
  readonly call: number;
  readonly inputs: readonly TensorRef[];
}

/** The normalised topology. */
export interface Topology {
  /** The input layer, with its per-sample shape as the file gives it (NHWC for images). */
  readonly input: { readonly name: string; readonly shape: readonly number[] };
  /** Every call except the input layer's, in an order where inputs come first. */
  readonly calls: readonly LayerCall[];
  readonly output: TensorRef;
}

const unsupported = (reason: string): never => fail({ _tag: "UnsupportedModel", format, reason });

const layerOf = (c: J.Cursor): KerasLayer => {
  const config = J.at(c, "config");
  const nameAt = J.isNil(J.at(c, "name")) ? J.at(config, "name") : J.at(c, "name");
  return { className: J.string(J.at(c, "class_name")), name: J.string(nameAt), config };
};

/** The per-sample input shape a layer config declares, or undefined. */
const declaredInputShape = (config: J.Cursor): readonly number[] | undefined => {
  for (const key of ["batch_input_shape", "batch_shape"]) {
    const s = J.at(config, key);
    if (!J.isNil(s)) return J.array(s).slice(1).map((d) => (d.value === null ? -1 : J.integerLike(d)));
  }
  const s = J.at(config, "input_shape");
  return J.isNil(s) ? undefined : J.array(s).map((d) => (d.value === null ? -1 : J.integerLike(d)));
};

/** A Keras 2 reference `[layer, node, tensor, kwargs?]` or Keras 3 history `[layer, node, tensor]`. */
const refOf = (c: J.Cursor): TensorRef => {
  const parts = J.array(c);
  if (parts.length < 3) J.refuse(c, "[layer name, node index, tensor index]");
  const tensor = J.integerLike(parts[2]!);
  const ref = { layer: J.string(parts[0]!), call: J.integerLike(parts[1]!) };
  if (tensor !== 0) unsupported(`layer "${ref.layer}" is used by its output ${tensor} (${c.path}): dtd supports layers with one output`);
  return ref;
};

/** The Keras 3 tensors found in a call's args, in order. */
const kerasTensors = (c: J.Cursor, out: TensorRef[]): void => {
  if (Array.isArray(c.value)) {
    for (const item of J.array(c)) kerasTensors(item, out);
    return;
  }
  if (typeof c.value !== "object" || c.value === null) return;
  if (J.at(c, "class_name").value === "__keras_tensor__") {
    out.push(refOf(J.at(J.at(c, "config"), "keras_history")));
    return;
  }
  for (const key of Object.keys(J.object(c))) kerasTensors(J.at(c, key), out);
};

/** The inputs of each call of a layer of a functional model. */
const callsOf = (layerAt: J.Cursor): readonly (readonly TensorRef[])[] => {
  const nodes = J.at(layerAt, "inbound_nodes");
  if (J.isNil(nodes)) return [];
  return J.array(nodes).map((node) => {
    if (Array.isArray(node.value)) return J.array(node).map(refOf); // Keras 2
    const refs: TensorRef[] = [];
    kerasTensors(J.at(node, "args"), refs); // Keras 3
    return refs;
  });
};

/** The first reference of `input_layers`/`output_layers`: `[[name, 0, 0], …]`, or one triple (Keras 3). */
const endpoints = (c: J.Cursor, what: "input" | "output"): TensorRef => {
  const list = J.array(c);
  const nested = list.length > 0 && Array.isArray(list[0]!.value);
  const refs = nested ? list.map(refOf) : [refOf(c)];
  if (refs.length !== 1) {
    if (what === "output") fail(severalOutputs("tfjs-layers", refs.map((r) => r.layer)));
    unsupported(`it has ${refs.length} ${what}s (${c.path}): dtd explains models with one input`);
  }
  return refs[0]!;
};

const nestedModelClasses = new Set(["Sequential", "Model", "Functional"]);

const checkNotNested = (l: KerasLayer): void => {
  if (nestedModelClasses.has(l.className)) {
    unsupported(`layer "${l.name}" is itself a model (${l.className}); dtd reads models whose layers are all plain layers (save the inner model's layers in the outer one)`);
  }
};

const sequentialTopology = (config: J.Cursor): Topology => {
  const layersAt = Array.isArray(config.value) ? config : J.at(config, "layers");
  const layers = J.array(layersAt).map(layerOf);
  if (layers.length === 0) J.refuse(layersAt, "at least one layer");
  let input: Topology["input"];
  let rest = layers;
  if (layers[0]!.className === "InputLayer") {
    const shape = declaredInputShape(layers[0]!.config) ?? J.refuse(layers[0]!.config, "an input layer with batch_input_shape or batch_shape");
    input = { name: layers[0]!.name, shape };
    rest = layers.slice(1);
  } else {
    const shape = declaredInputShape(layers[0]!.config) ?? declaredInputShape(config);
    if (shape === undefined) {
      const buildShape = J.at(config, "build_input_shape");
      if (J.isNil(buildShape)) return J.refuse(layers[0]!.config, "the first layer of a Sequential model with batch_input_shape (or an InputLayer)");
      input = { name: "input", shape: J.array(buildShape).slice(1).map((d) => (d.value === null ? -1 : J.integerLike(d))) };
    } else input = { name: `${layers[0]!.name}_input`, shape };
  }
  rest.forEach(checkNotNested);
  const calls: LayerCall[] = rest.map((layer, i) => ({ layer, call: 0, inputs: [i === 0 ? { layer: input.name, call: 0 } : { layer: rest[i - 1]!.name, call: 0 }] }));
  const last = rest[rest.length - 1];
  if (last === undefined) return unsupported("it has no layer after its input");
  return { input, calls, output: { layer: last.name, call: 0 } };
};

/** The output layer: the chosen one among `output_layers` (by layer name), else the only one. */
const outputEndpoint = (c: J.Cursor, chosen: string | undefined): TensorRef => {
  if (chosen === undefined) return endpoints(c, "output");
  const list = J.array(c);
  const refs = list.length > 0 && Array.isArray(list[0]!.value) ? list.map(refOf) : [refOf(c)];
  return refs.find((r) => r.layer === chosen) ?? fail(noSuchOutput("tfjs-layers", chosen, refs.map((r) => r.layer)));
};

const functionalTopology = (config: J.Cursor, chosen: string | undefined): Topology => {
  const layersAt = J.array(J.at(config, "layers"));
  const inputRef = endpoints(J.at(config, "input_layers"), "input");
  const output = outputEndpoint(J.at(config, "output_layers"), chosen);
  let input: Topology["input"] | undefined;
  const calls: LayerCall[] = [];
  for (const at of layersAt) {
    const layer = layerOf(at);
    if (layer.className === "InputLayer") {
      if (layer.name !== inputRef.layer) unsupported(`it has a second input layer "${layer.name}": dtd explains models with one input`);
      input = { name: layer.name, shape: declaredInputShape(layer.config) ?? J.refuse(layer.config, "batch_input_shape or batch_shape") };
      continue;
    }
    checkNotNested(layer);
    callsOf(at).forEach((inputs, call) => calls.push({ layer, call, inputs }));
  }
  if (input === undefined) return unsupported(`its input layer "${inputRef.layer}" is not among its layers`);
  return { input, calls: topologicalOrder(input.name, calls), output };
};

/** The calls ordered so that every call comes after the calls it takes (Keras lists them so, but need not). */
const topologicalOrder = (inputName: string, calls: readonly LayerCall[]): LayerCall[] => {
  const key = (r: TensorRef): string => `${r.layer}\u0000${r.call}`;
  const done = new Set<string>([key({ layer: inputName, call: 0 })]);
  const byKey = new Map(calls.map((c) => [key({ layer: c.layer.name, call: c.call }), c]));
  const out: LayerCall[] = [];
  const visiting = new Set<string>();
  const visit = (c: LayerCall): void => {
    const k = key({ layer: c.layer.name, call: c.call });
    if (done.has(k)) return;
    if (visiting.has(k)) unsupported(`its layers form a cycle through "${c.layer.name}"`);
    visiting.add(k);
    for (const r of c.inputs) {
      if (done.has(key(r))) continue;
      const producer = byKey.get(key(r));
      if (producer === undefined) unsupported(`layer "${c.layer.name}" takes "${r.layer}" (call ${r.call}), which is not a layer of the model`);
      else visit(producer);
    }
    visiting.delete(k);
    done.add(k);
    out.push(c);
  };
  calls.forEach(visit);
  return out;
};

/**
 * The topology of `modelTopology` (the object under that key of model.json, or a Keras model JSON): its
 * class, with `model_config` wrapping undone.
 */
export const readTopology = (topology: J.Cursor, output?: string): Topology => {
  const model = J.isNil(J.at(topology, "model_config")) ? topology : J.at(topology, "model_config");
  const className = J.string(J.at(model, "class_name"));
  const config = J.at(model, "config");
  if (className === "Sequential") {
    const t = sequentialTopology(config);
    if (output !== undefined && output !== t.output.layer) fail(noSuchOutput("tfjs-layers", output, [t.output.layer]));
    return t;
  }
  if (className === "Model" || className === "Functional") return functionalTopology(config, output);
  return J.refuse(J.at(model, "class_name"), `"Sequential", "Model" or "Functional"`);
};
