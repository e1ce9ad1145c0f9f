/**
 * Parameter constraints as data, applied after every optimizer step (projected gradient descent): each is a
 * projection onto a convex set, so the projected parameters are the nearest feasible ones.
 *
 * - `nonPositiveBias`: b_j ← min(b_j, 0), the deck's b_j ≤ 0 for detection layers (Montavon et al. 2017,
 *   Sec. 3), which makes x = 0 a root of every detection neuron and the z-rules consistent.
 * - `frozen`: the layer's parameters are never updated (e.g. a fixed sum-pooling output).
 * - `clamp`: one named parameter kept in [min, max] elementwise (e.g. W ≥ 0).
 *
 * Each constraint selects layers by index, by kind, or all of them.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import type { Kind, Layer } from "../Layer.ts";
import { kinds } from "../kinds.ts";
import type { ParamTree } from "./ParamTree.ts";

/** Which layers a constraint applies to. */
export type LayerSelector =
  | { readonly _tag: "All" }
  | { readonly _tag: "Indices"; readonly indices: readonly number[] }
  | { readonly _tag: "Kinds"; readonly kinds: readonly Kind[] };

/** Every layer. */
export const allLayers: LayerSelector = { _tag: "All" };
/** The layers at these indices. */
export const atLayers = (...indices: readonly number[]): LayerSelector => ({ _tag: "Indices", indices });
/** The layers of these kinds. */
export const ofKind = (...ks: readonly Kind[]): LayerSelector => ({ _tag: "Kinds", kinds: ks });

/** True when the selector picks layer `index`. */
export const selects = (sel: LayerSelector, layer: Layer, index: number): boolean =>
  sel._tag === "All" ? true : sel._tag === "Indices" ? sel.indices.includes(index) : sel.kinds.includes(layer.kind);

/** A constraint on the parameters. */
export type Constraint =
  | { readonly _tag: "NonPositiveBias"; readonly layers: LayerSelector }
  | { readonly _tag: "Frozen"; readonly layers: LayerSelector }
  | { readonly _tag: "Clamp"; readonly layers: LayerSelector; readonly param: string; readonly min: number; readonly max: number };

/** b ← min(b, 0) on the selected layers that have a bias `b` (default: every Dense and Conv2d). */
export const nonPositiveBias = (layers: LayerSelector = ofKind("dense", "conv2d")): Constraint => ({ _tag: "NonPositiveBias", layers });
/** The selected layers' parameters are never updated. */
export const frozen = (layers: LayerSelector): Constraint => ({ _tag: "Frozen", layers });
/** `param` ← clamp(param, min, max) on the selected layers that have it (default: all layers). */
export const clamp = (param: string, min: number, max: number, layers: LayerSelector = allLayers): Constraint => ({ _tag: "Clamp", layers, param, min, max });

const paramOf = (c: Constraint): string | undefined => (c._tag === "NonPositiveBias" ? "b" : c._tag === "Clamp" ? c.param : undefined);

const describe = (c: Constraint): string => (c._tag === "Clamp" ? `clamp(${c.param}, ${c.min}, ${c.max})` : c._tag === "Frozen" ? "frozen" : "nonPositiveBias");

/**
 * Checks constraints against the layers: indices in range, a layer chosen by index has the constrained
 * parameter, min ≤ max, and every constraint acts on at least one parameter (one that acts on nothing is a typo).
 */
export const checkConstraints = (layers: readonly Layer[], constraints: readonly Constraint[]): E.Either<string, readonly Constraint[]> => {
  for (const c of constraints) {
    const name = describe(c);
    if (c.layers._tag === "Indices") {
      const bad = c.layers.indices.find((i) => !Number.isInteger(i) || i < 0 || i >= layers.length);
      if (bad !== undefined) return E.left(`${name}: expected layer indices in [0, ${layers.length - 1}], found ${bad}`);
    }
    if (c._tag === "Clamp" && !(c.min <= c.max)) return E.left(`${name}: expected min ≤ max, found min ${c.min} and max ${c.max}`);
    const p = paramOf(c);
    let acts = false;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      if (!selects(c.layers, layer, i)) continue;
      const names = kinds[layer.kind].paramNames;
      const has = p === undefined ? names.length > 0 : names.includes(p);
      if (!has && c.layers._tag === "Indices") {
        return E.left(`${name}: expected layer ${i} to have ${p === undefined ? "parameters" : `a parameter ${p}`}, found ${layer.kind} with {${names.join(", ")}}`);
      }
      acts ||= has;
    }
    if (!acts) return E.left(`${name}: expected to act on at least one ${p === undefined ? "parameter" : `parameter ${p}`}, found none in the selected layers`);
  }
  return E.right(constraints);
};

/** True when a Frozen constraint selects layer `index`. */
export const isFrozen = (constraints: readonly Constraint[], layer: Layer, index: number): boolean =>
  constraints.some((c) => c._tag === "Frozen" && selects(c.layers, layer, index));

const clampTensor = (t: T.Tensor, lo: number, hi: number): T.Tensor => {
  const out = T.alloc(t.dtype, t.data.length);
  const d = t.data;
  for (let i = 0; i < out.length; i++) {
    const v = d[i]!;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return T.unsafeMake(t.shape, out);
};

/**
 * Applies the constraints to `params` (one record per layer of `layers`): frozen layers take their values from
 * `previous` (the parameters before the step; without it they are left as given), then the projections run in
 * order.
 */
export const applyConstraints = (constraints: readonly Constraint[], layers: readonly Layer[], params: ParamTree, previous?: ParamTree): ParamTree =>
  params.map((rec, i) => {
    const layer = layers[i]!;
    if (previous !== undefined && isFrozen(constraints, layer, i)) return previous[i]!;
    let out = rec;
    for (const c of constraints) {
      if (c._tag === "Frozen" || !selects(c.layers, layer, i)) continue;
      const name = c._tag === "NonPositiveBias" ? "b" : c.param;
      const t = out[name];
      if (t === undefined) continue;
      out = { ...out, [name]: c._tag === "NonPositiveBias" ? clampTensor(t, -Infinity, 0) : clampTensor(t, c.min, c.max) };
    }
    return out;
  });
