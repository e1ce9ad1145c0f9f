/**
 * IR → a dtd model. Until dtd's graph models exist this covers chains of the layer kinds dtd has (dense,
 * conv2d with symmetric padding, relu, max/avg pooling, flatten, scaleShift); anything else is refused naming
 * the node and what dtd lacks.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import type { ImportError } from "./ImportError.ts";
import type { IrModel, IrNode } from "./Ir.ts";

/** Options of the conversion. */
export interface ToDtdOptions {
  /** The dtype of the dtd model (default float32, the dtype the weights were stored in). */
  readonly dtype?: T.DType;
}

const refuse = (m: IrModel, n: IrNode, reason: string): E.Either<ImportError, never> => E.left({ _tag: "UnsupportedNode", format: m.format, node: n.name, op: n.source, reason });

const layerOf = (m: IrModel, n: IrNode, cast: (t: T.Tensor) => T.Tensor): E.Either<ImportError, L.Layer> => {
  switch (n.op) {
    case "dense":
      return E.right(L.dense(cast(n.W), cast(n.b)));
    case "conv2d": {
      const [t, b, l, r] = n.pads;
      if (t !== b || l !== r) return refuse(m, n, `asymmetric padding [${n.pads.join(", ")}] needs dtd's pad2d layer (graph models)`);
      return E.right(L.conv2d(cast(n.W), cast(n.b), { stride: n.stride, padding: [t, l] }));
    }
    case "relu":
      return E.right(L.relu);
    case "maxPool2d":
      return E.right(L.maxPool2d(n.kernel, n.stride));
    case "avgPool2d":
      return E.right(L.avgPool2d(n.kernel, n.stride));
    case "flatten":
      return E.right(L.flatten);
    case "scaleShift":
      return E.right(L.scaleShift(cast(n.scale), cast(n.shift)));
    default:
      return refuse(m, n, `dtd has no ${n.op} layer in sequential models yet`);
  }
};

/** The IR as a built dtd model, in `dtype`. */
export const toDtd = (m: IrModel, opts: ToDtdOptions = {}): E.Either<ImportError, L.Model> => {
  const dtype = opts.dtype ?? "float32";
  const cast = (t: T.Tensor): T.Tensor => T.astype(t, dtype);
  const layers: L.Layer[] = [];
  let previous = m.input.name;
  for (const n of m.nodes) {
    if (n.inputs.length !== 1 || n.inputs[0] !== previous) return refuse(m, n, `it takes [${n.inputs.join(", ")}]: dtd's sequential models are chains (each layer takes the one before it)`);
    const layer = layerOf(m, n, cast);
    if (E.isLeft(layer)) return layer;
    layers.push(layer.right);
    previous = n.name;
  }
  if (previous !== m.output) return E.left({ _tag: "UnsupportedModel", format: m.format, reason: `its output "${m.output}" is not the last node of the chain` });
  return E.mapLeft((e: L.LayerError): ImportError => ({ _tag: "UnsupportedModel", format: m.format, reason: L.message(e) }))(L.build(m.input.shape, layers));
};
