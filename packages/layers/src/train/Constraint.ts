/**
 * Parameter constraints as data, applied after every optimizer step (projected gradient descent): each is a
 * projection onto a convex set, so the projected parameters are the nearest feasible ones.
 *
 * - `nonPositiveBias`: b_j ← min(b_j, 0), the deck's b_j ≤ 0 for detection layers (Montavon et al. 2017,
 *   Sec. 3), which makes x = 0 a root of every detection neuron and the z-rules consistent.
 * - `frozen`: the layer's parameters (or only the named ones) are never updated (e.g. a fixed sum-pooling output,
 *   or a batch norm's mean and variance).
 * - `clampParam`: one named parameter kept in [min, max] elementwise (e.g. W ≥ 0).
 *
 * Each constraint selects layers by index, by kind, or all of them.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
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
  | { readonly _tag: "Frozen"; readonly layers: LayerSelector; readonly params?: readonly string[] }
  | { readonly _tag: "Clamp"; readonly layers: LayerSelector; readonly param: string; readonly min: number; readonly max: number };

/** b ← min(b, 0) on the selected layers that have a bias `b` (default: every Dense and Conv2d). */
export const nonPositiveBias = (layers: LayerSelector = ofKind("dense", "conv2d")): Constraint => ({ _tag: "NonPositiveBias", layers });
/** The selected layers' parameters — all of them, or only `params` — are never updated. */
export const frozen = (layers: LayerSelector, params?: readonly string[]): Constraint => (params === undefined ? { _tag: "Frozen", layers } : { _tag: "Frozen", layers, params });
/** `param` ← clamp(param, min, max) on the selected layers that have it (default: all layers). */
export const clampParam = (param: string, min: number, max: number, layers: LayerSelector = allLayers): Constraint => ({ _tag: "Clamp", layers, param, min, max });

/** The parameters a constraint acts on: one name, several, or every parameter (undefined). */
const paramsOfConstraint = (c: Constraint): readonly string[] | undefined => (c._tag === "NonPositiveBias" ? ["b"] : c._tag === "Clamp" ? [c.param] : c.params);

const describe = (c: Constraint): string =>
  c._tag === "Clamp" ? `clampParam(${c.param}, ${c.min}, ${c.max})` : c._tag === "Frozen" ? `frozen${c.params === undefined ? "" : `(${c.params.join(", ")})`}` : "nonPositiveBias";

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
    const ps = paramsOfConstraint(c);
    const what = ps === undefined ? "parameters" : ps.length === 1 ? `a parameter ${ps[0]}` : `parameters ${ps.join(", ")}`;
    let acts = false;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      if (!selects(c.layers, layer, i)) continue;
      const names = kinds[layer.kind].paramNames;
      const has = ps === undefined ? names.length > 0 : ps.every((p) => names.includes(p));
      if (!has && c.layers._tag === "Indices") return E.left(`${name}: expected layer ${i} to have ${what}, found ${layer.kind} with {${names.join(", ")}}`);
      acts ||= has;
    }
    if (!acts) return E.left(`${name}: expected to act on at least one ${ps === undefined ? "parameter" : ps.length === 1 ? `parameter ${ps[0]}` : `layer with ${what}`}, found none in the selected layers`);
  }
  return E.right(constraints);
};

/** True when a Frozen constraint selects layer `index` with all its parameters. */
export const isFrozen = (constraints: readonly Constraint[], layer: Layer, index: number): boolean =>
  constraints.some((c) => c._tag === "Frozen" && c.params === undefined && selects(c.layers, layer, index));

/** The names of layer `index`'s parameters that Frozen constraints keep fixed. */
export const frozenParams = (constraints: readonly Constraint[], layer: Layer, index: number): readonly string[] => {
  const names = kinds[layer.kind].paramNames;
  const out = new Set<string>();
  for (const c of constraints) {
    if (c._tag !== "Frozen" || !selects(c.layers, layer, index)) continue;
    for (const n of c.params ?? names) if (names.includes(n)) out.add(n);
  }
  return names.filter((n) => out.has(n));
};

const clampTensor = (t: T.Tensor, lo: number, hi: number): T.Tensor => {
  const out = T.alloc(t.dtype, t.data.length);
  const d = t.data;
  for (let i = 0; i < out.length; i++) {
    const v = d[i]!;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return unsafeMake(t.shape, out);
};

/**
 * Applies the constraints to `params` (one record per layer of `layers`): frozen parameters take their values
 * from `previous` (the parameters before the step; without it they are left as given), then the projections run
 * in order.
 */
export const applyConstraints = (constraints: readonly Constraint[], layers: readonly Layer[], params: ParamTree, previous?: ParamTree): ParamTree =>
  params.map((rec, i) => {
    const layer = layers[i]!;
    if (previous !== undefined && isFrozen(constraints, layer, i)) return previous[i]!;
    let out = rec;
    if (previous !== undefined) {
      const kept = frozenParams(constraints, layer, i);
      if (kept.length > 0) out = { ...out, ...Object.fromEntries(kept.map((n) => [n, previous[i]![n]!])) };
    }
    for (const c of constraints) {
      if (c._tag === "Frozen" || !selects(c.layers, layer, i)) continue;
      const name = c._tag === "NonPositiveBias" ? "b" : c.param;
      const t = out[name];
      if (t === undefined) continue;
      out = { ...out, [name]: c._tag === "NonPositiveBias" ? clampTensor(t, -Infinity, 0) : clampTensor(t, c.min, c.max) };
    }
    return out;
  });
