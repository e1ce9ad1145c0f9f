/**
 * Graph models. A model is a DAG of named nodes in topological order — each node a layer applied to the outputs of
 * earlier nodes, or to the model input, called `"input"` — and the last node is the output. `build` resolves the
 * names, checks the graph (known, unique, earlier names; each kind's number of inputs; no node left unused) and
 * infers every shape, reporting the first problem with the node's index, name and kind. A sequence of layers is the
 * chain in which every node takes the previous one's output, so `build(shape, sequential(...))` is the model of
 * a sequential network, node for node.
 *
 * Positions number the values a forward pass computes: position 0 is the model input, position i + 1 the output of
 * node i. `shapes`, `activations` and deep Taylor relevances are indexed by position, so for a chain position i is
 * the input of layer i, as before graphs.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import type { Kind, Layer } from "./Layer.ts";
import { type GraphProblem, type LayerError, LayerException } from "./LayerError.ts";
import { applyLayer, arityOf, inferShape, type LayerParams, type ParamInputs, paramsOf, withParams } from "./kinds.ts";
import { checkBatch, inputShapeProblem, paramsProblem } from "./validate.ts";

/** The name of the model input, usable in every node's `inputs`. */
export const INPUT = "input";

/** A node of a built model: a layer applied to the outputs of the nodes named in `inputs` (or the model input). */
export interface Node {
  readonly name: string;
  readonly layer: Layer;
  readonly inputs: readonly string[];
}

/**
 * One node as `build` takes it: a bare layer (a default name, and the previous node's output — or the model
 * input for the first node — as its input), or a node whose name and inputs may each be left out the same way.
 */
export type NodeSpec = Layer | { readonly name?: string; readonly layer: Layer; readonly inputs?: readonly string[] };

/** A node with a name and, optionally, its inputs (default: the previous node's output). */
export const node = (name: string, layer: Layer, inputs?: readonly string[]): NodeSpec => (inputs === undefined ? { name, layer } : { name, layer, inputs });

/** The name of an unnamed node: its kind and index, e.g. `dense_0`. */
export const defaultName = (kind: Kind, index: number): string => `${kind}_${index}`;

/** A graph with its shapes inferred. */
export interface Model {
  readonly inputShape: readonly number[];
  /** The nodes in topological order; the last one is the output (none: the identity model). */
  readonly nodes: readonly Node[];
  /** The nodes' layers, `layers[i] = nodes[i].layer`. */
  readonly layers: readonly Layer[];
  /** Per-sample shapes by position: `shapes[0]` the input's, `shapes[i + 1]` node i's output's. */
  readonly shapes: readonly (readonly number[])[];
  /** `sources[i]`: the positions of node i's inputs, in order (0 for the model input, k + 1 for node k). */
  readonly sources: readonly (readonly number[])[];
}

const isLayer = (s: NodeSpec): s is Layer => !("layer" in s);

/** Checks the names and references of the nodes; every problem names the node by index. */
const resolveNodes = (specs: readonly NodeSpec[]): E.Either<LayerError, { nodes: Node[]; sources: number[][] }> => {
  const nodes: Node[] = specs.map((s, i) => {
    const layer = isLayer(s) ? s : s.layer;
    const name = isLayer(s) || s.name === undefined ? defaultName(layer.kind, i) : s.name;
    return { name, layer, inputs: [] };
  });
  const at = new Map<string, number>();
  const invalid = (i: number, problem: GraphProblem): E.Either<LayerError, never> =>
    E.left({ _tag: "InvalidGraph", index: i, name: nodes[i]!.name, kind: nodes[i]!.layer.kind, problem });
  for (let i = 0; i < nodes.length; i++) {
    const name = nodes[i]!.name;
    if (name === INPUT) return invalid(i, { _tag: "ReservedName" });
    if (name === "") return invalid(i, { _tag: "EmptyName" });
    const first = at.get(name);
    if (first !== undefined) return invalid(i, { _tag: "DuplicateName", first });
    at.set(name, i);
  }
  const sources: number[][] = [];
  for (let i = 0; i < nodes.length; i++) {
    const s = specs[i]!;
    const given = isLayer(s) ? undefined : s.inputs;
    const inputs = given ?? [i === 0 ? INPUT : nodes[i - 1]!.name];
    const positions: number[] = [];
    for (let k = 0; k < inputs.length; k++) {
      const ref = inputs[k]!;
      const j = ref === INPUT ? -1 : at.get(ref);
      if (j === undefined) return invalid(i, { _tag: "UnknownInput", input: k, ref });
      if (j >= i) return invalid(i, { _tag: "LaterInput", input: k, ref, at: j });
      positions.push(j + 1);
    }
    const arity = arityOf(nodes[i]!.layer.kind);
    if (inputs.length < arity.min || inputs.length > arity.max) {
      const expected = arity.max === arity.min ? `${arity.min} input${arity.min === 1 ? "" : "s"}` : `at least ${arity.min} inputs`;
      return invalid(i, { _tag: "Arity", expected, found: inputs.length, defaulted: given === undefined });
    }
    nodes[i] = { ...nodes[i]!, inputs: [...inputs] };
    sources.push(positions);
  }
  // Every node but the output feeds a later one: a dead branch is a mistake, not a model.
  const used = new Array<boolean>(nodes.length + 1).fill(false);
  for (const ps of sources) for (const p of ps) used[p] = true;
  const unused = nodes.findIndex((_, i) => i < nodes.length - 1 && !used[i + 1]);
  if (unused >= 0) return invalid(unused, { _tag: "Unused" });
  return E.right({ nodes, sources });
};

/**
 * Builds a model: resolves the nodes' names and inputs, checks the graph, infers every shape, then checks the
 * parameters (finite, one dtype; see `validate.ts`). A list of bare layers (a `Sequential`) builds the chain.
 * The first problem is reported with the node's index, name and kind.
 */
export const build = (inputShape: readonly number[], specs: readonly NodeSpec[]): E.Either<LayerError, Model> => {
  const badInput = inputShapeProblem(inputShape);
  if (badInput !== undefined) return E.left(badInput);
  const resolved = resolveNodes(specs);
  if (E.isLeft(resolved)) return resolved;
  const { nodes, sources } = resolved.right;
  const shapes: number[][] = [[...inputShape]];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const inputShapes = sources[i]!.map((p) => shapes[p]!);
    const out = inferShape(n.layer, inputShapes);
    if (E.isLeft(out)) return E.left({ _tag: "IncompatibleLayers", index: i, name: n.name, kind: n.layer.kind, inputShape: inputShapes[0]!, inputShapes, reason: out.left });
    shapes.push(out.right);
  }
  const badParams = paramsProblem(nodes.map((n) => n.layer));
  if (badParams !== undefined) return E.left(badParams);
  return E.right(make(inputShape, nodes, shapes, sources));
};

const make = (inputShape: readonly number[], nodes: readonly Node[], shapes: readonly (readonly number[])[], sources: readonly (readonly number[])[]): Model => ({
  inputShape: [...inputShape],
  nodes,
  layers: nodes.map((n) => n.layer),
  shapes,
  sources,
});

/** The position of a node's output by name (`"input"`: 0), or undefined. */
export const positionOf = (m: Model, name: string): number | undefined => {
  if (name === INPUT) return 0;
  const i = m.nodes.findIndex((n) => n.name === name);
  return i < 0 ? undefined : i + 1;
};

/** The name of a position: `"input"` for 0, node i's name for i + 1. */
export const nameAt = (m: Model, position: number): string => (position === 0 ? INPUT : m.nodes[position - 1]!.name);

/** `consumers[p]`: the nodes that read position p, in order (a node reading it twice is listed twice). */
export const consumersOf = (m: Model): readonly (readonly number[])[] => {
  const out: number[][] = Array.from({ length: m.nodes.length + 1 }, () => []);
  m.sources.forEach((ps, i) => ps.forEach((p) => out[p]!.push(i)));
  return out;
};

/** The per-sample output shape. */
export const outputShapeOf = (m: Model): readonly number[] => m.shapes[m.shapes.length - 1]!;

/** Checks that `x` is a batch `[N, ...inputShape]` of finite values in the model's dtype (see `validate.ts`). */
export const checkInput = (m: Model, x: T.Tensor): E.Either<LayerError, T.Tensor> => checkBatch(m, x);

const assertInput = (m: Model, x: T.Tensor): void => {
  const c = checkInput(m, x);
  if (E.isLeft(c)) throw new LayerException(c.left);
};

/** The forward pass as a differentiable function of the input and, optionally, of the parameters (one record per node). */
export const applyModel = (m: Model, x: AD.Var, params?: readonly ParamInputs[]): AD.Var => {
  const values: AD.Var[] = [x];
  m.nodes.forEach((n, i) => values.push(applyLayer(n.layer, m.sources[i]!.map((p) => values[p]!), params?.[i] ?? paramsOf(n.layer))));
  return values[values.length - 1]!;
};

/** A forward pass with every activation, by position and by name. */
export interface ForwardPass {
  readonly output: T.Tensor;
  /** `activations[0]` is x, `activations[i + 1]` the output of node i. */
  readonly activations: readonly T.Tensor[];
  /** The same tensors by node name, and x as `"input"`. */
  readonly byName: ReadonlyMap<string, T.Tensor>;
}

/** Runs the model on a batch, keeping every intermediate activation. */
export const forward = (m: Model, x: T.Tensor): ForwardPass => {
  assertInput(m, x);
  const activations: T.Tensor[] = [x];
  const byName = new Map<string, T.Tensor>([[INPUT, x]]);
  m.nodes.forEach((n, i) => {
    const h = applyLayer(n.layer, m.sources[i]!.map((p) => AD.constant(activations[p]!))).value;
    activations.push(h);
    byName.set(n.name, h);
  });
  return { output: activations[activations.length - 1]!, activations, byName };
};

/** The model's output and a pullback to the input (vector-Jacobian product, `AD.vjp` over the whole model). */
export const modelVjp = (m: Model, x: T.Tensor): [T.Tensor, AD.Pullback<T.Tensor>] => {
  assertInput(m, x);
  return AD.vjp((v) => applyModel(m, v), x);
};

/** The parameter tree: one record per node. */
export const paramTree = (m: Model): readonly LayerParams[] => m.layers.map(paramsOf);

/** The same model with other parameters (one record per node; shapes unchanged). */
export const withParamTree = (m: Model, params: readonly LayerParams[]): Model =>
  withLayers(
    m,
    m.layers.map((l, i) => withParams(l, params[i] ?? {})),
  );

/** The same graph with other layers of the same shapes, node for node (names, inputs and shapes kept). */
export const withLayers = (m: Model, layers: readonly Layer[]): Model =>
  make(
    m.inputShape,
    m.nodes.map((n, i) => ({ ...n, layer: layers[i]! })),
    m.shapes,
    m.sources,
  );
