/**
 * IR → a dtd graph model (@dtd/layers' `build` over named nodes). Mostly a renaming: the IR already holds dtd's
 * layouts. What differs: the model input is called "input" in dtd; asymmetric padding (TF's "same") becomes
 * a pad2d node before a convolution with no padding; depthwise kernels [C·M, 1, kh, kw] are dtd's
 * [C, M, kh, kw] (the same values); only the nodes the output depends on are kept, the output last.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import type { ImportError } from "./ImportError.ts";
import type { IrModel, IrNode, Pads } from "./Ir.ts";

/** Options of the conversion. */
export interface ToDtdOptions {
  /** The dtype of the dtd model (default float32, the dtype the weights were stored in). */
  readonly dtype?: T.DType;
}

/** The IR nodes the output depends on, in order. */
const needed = (m: IrModel): IrNode[] => {
  const byName = new Map(m.nodes.map((n) => [n.name, n]));
  const keep = new Set<string>();
  const stack = [m.output];
  while (stack.length > 0) {
    const name = stack.pop()!;
    const n = byName.get(name);
    if (n === undefined || keep.has(name)) continue;
    keep.add(name);
    stack.push(...n.inputs);
  }
  return m.nodes.filter((n) => keep.has(n.name));
};

const symmetric = (p: Pads): boolean => p[0] === p[1] && p[2] === p[3];

/** The dtd nodes of one IR node (a padding node first where dtd's layer pads symmetrically only). */
const nodesOf = (n: IrNode, name: string, inputs: readonly string[], cast: (t: T.Tensor) => T.Tensor): L.NodeSpec[] => {
  const padded = (pads: Pads, make: (padding: readonly [number, number]) => L.Layer): L.NodeSpec[] =>
    symmetric(pads)
      ? [L.node(name, make([pads[0], pads[2]]), inputs)]
      : [L.node(`${name}/pad`, L.pad2d(pads), inputs), L.node(name, make([0, 0]), [`${name}/pad`])];
  const one = (layer: L.Layer): L.NodeSpec[] => [L.node(name, layer, inputs)];
  switch (n.op) {
    case "conv2d":
      return padded(n.pads, (padding) => L.conv2d(cast(n.W), cast(n.b), { stride: n.stride, padding }));
    case "depthwiseConv2d": {
      const [cm, , kh, kw] = n.W.shape as [number, number, number, number];
      const W = T.reshape(cast(n.W), [cm / n.multiplier, n.multiplier, kh, kw]);
      return padded(n.pads, (padding) => L.depthwiseConv2d(W, cast(n.b), { stride: n.stride, padding }));
    }
    case "dense":
      return one(L.dense(cast(n.W), cast(n.b)));
    case "scaleShift":
      return one(L.scaleShift(cast(n.scale), cast(n.shift)));
    case "relu":
      return one(L.relu);
    case "clippedRelu":
      return one(L.clippedRelu(n.max));
    case "maxPool2d":
      return one(L.maxPool2d(n.kernel, n.stride, { padding: n.pads }));
    case "avgPool2d":
      return one(L.avgPool2d(n.kernel, n.stride));
    case "globalAvgPool":
      return one(L.globalAvgPool);
    case "globalMaxPool":
      return one(L.globalMaxPool);
    case "pad2d":
      return one(L.pad2d(n.pads));
    case "flatten":
      return one(L.flatten);
    case "add":
      return one(L.add);
    case "concat":
      return one(L.concat(0));
  }
};

/** The IR as a built dtd model, in `dtype`. Node names are the original model's (the input is "input"). */
export const toDtd = (m: IrModel, opts: ToDtdOptions = {}): E.Either<ImportError, L.Model> => {
  const dtype = opts.dtype ?? "float32";
  const cast = (t: T.Tensor): T.Tensor => T.astype(t, dtype);
  const nodes = needed(m);
  // dtd reserves "input" for the model input: an original node of that name is renamed.
  const taken = new Set(nodes.map((n) => n.name));
  const rename = new Map<string, string>([[m.input.name, L.INPUT]]);
  for (const n of nodes) {
    if (n.name !== L.INPUT) continue;
    let k = 1;
    while (taken.has(`input_node${k === 1 ? "" : `_${k}`}`)) k++;
    rename.set(n.name, `input_node${k === 1 ? "" : `_${k}`}`);
  }
  const nameOf = (s: string): string => rename.get(s) ?? s;
  const specs = nodes.flatMap((n) => nodesOf(n, nameOf(n.name), n.inputs.map(nameOf), cast));
  if (specs.length === 0) return E.left({ _tag: "UnsupportedModel", format: m.format, reason: "it has no layer between its input and its output" });
  return E.mapLeft((e: L.LayerError): ImportError => ({ _tag: "UnsupportedModel", format: m.format, reason: L.message(e) }))(L.build(m.input.shape, specs));
};
