/**
 * The values of a split direction's terms v_ij = Σ_t a_t(x)_i · g_t(w_ij) for one layer and one batch: the
 * modifier a_t(x) on the inputs a direction may move, and the modified weight W_t = g_t(W)⊙W (or q_t(W) given
 * directly). Shared by eq. (4)'s reference derivation and its planned form.
 * @module
 */
import * as T from "@dtd/tensor";
import { IdentityMemo } from "@dtd/tensor/unsafe";
import { type DirectionContext, type InputModifier, modifierValue, modifiedWeightAt, type WeightSelector } from "../Strategy.ts";

/**
 * The inputs a direction may move: 0 where the layer's input is a constant (the zeros a pad2d node adds), 1
 * elsewhere, shaped [1, ...in]; undefined when every input is free. A modifier other than the input itself is
 * multiplied by it (the input is already 0 there), so no direction moves a constant and it receives no relevance.
 */
export type Free = T.Tensor | undefined;

/** 1 − fixed, shaped [1, ...in] (cached by the fixed mask, which a model's pad2d node makes once). */
const freeMasks = IdentityMemo.make<T.Tensor, T.Tensor>();
export const freeOf = (fixed: T.Tensor | undefined, x: T.Tensor): Free =>
  fixed === undefined ? undefined : freeMasks.get(fixed, "free", "", () => T.reshape(T.sub(1, fixed), [1, ...x.shape.slice(1)]));

/** A modifier's value restricted to the free inputs (a number stays a number when every input is free). */
export const restrict = (a: T.Tensor | number, free: Free, x: T.Tensor): T.Tensor | number => {
  if (free === undefined) return a;
  return T.mul(typeof a === "number" ? T.full([1, ...x.shape.slice(1)], a, x.dtype) : a, T.astype(free, x.dtype));
};

/**
 * a_t(x) on the free inputs, in x's dtype: x itself, a constant (a number, or [1, ...in] to broadcast over the
 * batch) or a custom function's value.
 */
export const modifierAt = (m: InputModifier, x: T.Tensor, ctx: DirectionContext, free: Free): T.Tensor | number => {
  if (m._tag === "Input") return x;
  const raw = modifierValue(m, x, ctx);
  if (typeof raw === "number") return restrict(raw, free, x);
  const a = m._tag === "Constant" ? T.reshape(T.astype(raw, x.dtype), [1, ...x.shape.slice(1)]) : T.astype(raw, x.dtype);
  return restrict(a, free, x);
};

/** W_t = g_t(W)⊙W, or q_t(W) for a modified weight given directly, entry by entry. */
export const modifiedWeights = (g: WeightSelector, W: T.Tensor): T.Tensor => T.map(W, (w) => modifiedWeightAt(g, w));

/** ε·sign(s) added to every denominator (ε = 0: none). */
export const stabilise = (s: T.Tensor, eps: number): T.Tensor => (eps === 0 ? s : T.map(s, (v) => v + eps * (v >= 0 ? 1 : -1)));
