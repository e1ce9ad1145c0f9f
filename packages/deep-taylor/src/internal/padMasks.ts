/**
 * Where a model's values are constants rather than functions of the input: the zeros a pad2d node adds. No search
 * direction may move them (`PropagateOptions.fixed`), in the rules and in the root checks alike.
 * @module
 */
import * as T from "@dtd/tensor";
import { IdentityMemo } from "@dtd/tensor/unsafe";
import type * as L from "@dtd/layers";

/**
 * Per position, 1 where the value is a constant zero a pad2d node added (per-sample shape), passed through the
 * elementwise activations that keep it 0; undefined where every entry is computed from the input. Computed once
 * per model (the rules cache per mask).
 */
export const padMasks = (model: L.Model): readonly (T.Tensor | undefined)[] => masksByModel.get(model, "padMasks", "", () => maskChain(model));

const maskChain = (model: L.Model): readonly (T.Tensor | undefined)[] => {
  const masks: (T.Tensor | undefined)[] = [undefined];
  model.nodes.forEach((n, i) => {
    const src = model.sources[i]![0]!;
    const l = n.layer;
    if (l.kind === "pad2d") {
      // pad(inner − 1) + 1: the interior keeps the input's mask, the padding is 1.
      const inner = masks[src] ?? T.zeros([...model.shapes[src]!]);
      masks.push(T.add(T.pad(T.sub(inner, 1), [0, l.padding[0], l.padding[2]], [0, l.padding[1], l.padding[3]]), 1));
    } else masks.push(l.kind === "relu" || l.kind === "clippedRelu" || l.kind === "identity" ? masks[src] : undefined);
  });
  return masks;
};
const masksByModel = IdentityMemo.make<L.Model, readonly (T.Tensor | undefined)[]>();

