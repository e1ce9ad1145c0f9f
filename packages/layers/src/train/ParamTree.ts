/**
 * The parameter tree: one record of named tensors per layer (`{ W, b }` for Dense and Conv2d, `{ scale, shift }`
 * for ScaleShift, `{}` for parameter-free layers), exactly what `paramTree(model)` returns. Optimizers,
 * constraints and the training loop map over it leaf by leaf; these helpers keep the structure and check it.
 * @module
 */
import * as T from "@dtd/tensor";
import type { LayerParams } from "../kinds.ts";

/** One record of tensors per layer. */
export type ParamTree = readonly LayerParams[];

/** Throws (a programmer error) unless `b` has the structure of `a`: same layers, names and shapes. */
export const assertSameStructure = (op: string, a: ParamTree, b: ParamTree): void => {
  if (a.length !== b.length) {
    T.fail({ _tag: "InvalidArgument", op, expected: `a parameter tree of ${a.length} layers`, found: `${b.length} layers` });
  }
  for (let i = 0; i < a.length; i++) {
    const ra = a[i]!;
    const rb = b[i]!;
    const na = Object.keys(ra).sort().join(", ");
    const nb = Object.keys(rb).sort().join(", ");
    if (na !== nb) T.fail({ _tag: "InvalidArgument", op, expected: `parameters {${na}} at layer ${i}`, found: `{${nb}}` });
    for (const name of Object.keys(ra)) {
      const ta = ra[name]!;
      const tb = rb[name]!;
      if (!T.Shape.equals(ta.shape, tb.shape) || ta.dtype !== tb.dtype) {
        T.fail({
          _tag: "ShapeMismatch",
          op,
          expected: `${name} of layer ${i} with shape ${T.showShape(ta.shape)} (${ta.dtype})`,
          found: `${T.showShape(tb.shape)} (${tb.dtype})`,
        });
      }
    }
  }
};

/**
 * A new tree with the structure of `trees[0]`, each leaf computed from the corresponding leaves of all trees
 * (checked to share that structure). `f` receives the layer index and parameter name too.
 */
export const mapLeaves = (
  op: string,
  trees: readonly ParamTree[],
  f: (leaves: readonly T.Tensor[], layer: number, name: string) => T.Tensor,
): ParamTree => {
  const first = trees[0]!;
  for (let k = 1; k < trees.length; k++) assertSameStructure(op, first, trees[k]!);
  return first.map((rec, i) => {
    const out: Record<string, T.Tensor> = {};
    for (const name of Object.keys(rec)) out[name] = f(trees.map((t) => t[i]![name]!), i, name);
    return out;
  });
};

/** Zeros with the structure of a tree. */
export const zerosLike = (tree: ParamTree): ParamTree => mapLeaves("ParamTree.zerosLike", [tree], ([p]) => T.zerosLike(p!));

/** Every leaf in order (layer by layer, names in record order), with its position. */
export const leaves = (tree: ParamTree): { readonly layer: number; readonly name: string; readonly value: T.Tensor }[] =>
  tree.flatMap((rec, layer) => Object.keys(rec).map((name) => ({ layer, name, value: rec[name]! })));

/** The inverse of `leaves`: a tree with `template`'s structure holding `values` in `leaves` order. */
export const fromLeaves = <A>(template: ParamTree, values: readonly A[]): readonly Readonly<Record<string, A>>[] => {
  let k = 0;
  const out = template.map((rec) => {
    const r: Record<string, A> = {};
    for (const name of Object.keys(rec)) r[name] = values[k++]!;
    return r;
  });
  if (k !== values.length) T.fail({ _tag: "LengthMismatch", op: "ParamTree.fromLeaves", expected: k, found: values.length });
  return out;
};
