/**
 * A root-point strategy is data: an input domain and a search direction v_ij(x, w) (Montavon et al. 2017,
 * Sec. 3: "define a segment with search direction {v_i}⁽ʲ⁾; the line lies inside the input domain and contains
 * a root point; inject the search direction in equation (4)").
 *
 * A direction is usually given in split form, v_ij = Σ_t a_t(x)_i · g_t(w_ij): an input modifier a_t times a
 * weight selector g_t. Then v_ij·w_ij = Σ_t a_t(x)_i · (g_t(w_ij)·w_ij), and eq. (4) becomes forward passes and
 * VJPs of the layer with modified weights g_t(W)⊙W — for Dense and Conv2d alike. Modifiers and selectors are
 * data, so the derivation can see which terms are constant (computed once) and which selectors are sign masks
 * (grouped on W⁺ and W⁻). A direction that does not split can be given materialised, as a function of one
 * sample and the weights (Dense layers only).
 * @module
 */
import type * as T from "@dtd/tensor";
import type { DomainT } from "@dtd/layers";

/** Context of a custom modifier: the strategy's domain. */
export interface DirectionContext {
  readonly domain: DomainT;
}

/** a_t(x): the layer input itself, a constant (a number, or a tensor of the per-sample input shape), or any function. */
export type InputModifier =
  | { readonly _tag: "Input" }
  | { readonly _tag: "Constant"; readonly value: number | T.Tensor }
  | { readonly _tag: "Custom"; readonly f: (x: T.Tensor, ctx: DirectionContext) => T.Tensor | number };

/**
 * g_t(w): a sign mask g(w) = positive·1[w > 0] + negative·1[w < 0] + zero·1[w = 0], or any function of one
 * weight.
 */
export type WeightSelector =
  | { readonly _tag: "SignMask"; readonly positive: 0 | 1; readonly negative: 0 | 1; readonly zero: 0 | 1 }
  | { readonly _tag: "Custom"; readonly g: (w: number) => number };

/** One term a_t(x)_i · g_t(w_ij) of a split direction. */
export interface DirectionTerm {
  /** A short label, e.g. "x", "-l". */
  readonly label: string;
  readonly input: InputModifier;
  readonly weight: WeightSelector;
}

/** A search direction. */
export type Direction =
  | { readonly _tag: "Split"; readonly terms: readonly DirectionTerm[] }
  | {
      readonly _tag: "Materialized";
      /** v for one sample x (flat, length in) and W [in, out]: returns V [in, out], V[i][j] = v_ij. */
      readonly v: (x: Float64Array, W: T.Tensor) => T.Tensor;
    };

/** A root-point strategy. */
export interface Strategy {
  readonly name: string;
  /** The input domain 𝒳 in which the segment must lie. */
  readonly domain: DomainT;
  readonly direction: Direction;
  /**
   * The segment's length in units of v: the root is searched at x̃ = x − s·v with s ∈ [0, segment]
   * (1 for segments that end at a point of the domain, such as z⁺'s and zᵇ's; Infinity for a line).
   */
  readonly segment: number;
  /** True when the segment's end is a root only if b_j ≤ 0 (z⁺, zᵇ): a positive bias is then a violated precondition. */
  readonly requiresNonPositiveBias: boolean;
}

/** a(x) = x */
export const input: InputModifier = { _tag: "Input" };
/** a(x) = c */
export const constant = (value: number | T.Tensor): InputModifier => ({ _tag: "Constant", value });
/** a(x) = f(x) */
export const customInput = (f: (x: T.Tensor, ctx: DirectionContext) => T.Tensor | number): InputModifier => ({ _tag: "Custom", f });

/** A sign mask. */
export const signMask = (positive: 0 | 1, negative: 0 | 1, zero: 0 | 1): WeightSelector => ({ _tag: "SignMask", positive, negative, zero });
/** g(w) = 1 */
export const everyWeight: WeightSelector = signMask(1, 1, 1);
/** g(w) = f(w) */
export const weightFn = (g: (w: number) => number): WeightSelector => ({ _tag: "Custom", g });

/** The value of a selector at one weight. */
export const select = (g: WeightSelector, w: number): number =>
  g._tag === "Custom" ? g.g(w) : w > 0 ? g.positive : w < 0 ? g.negative : g.zero;

/** A term. */
export const term = (label: string, inputModifier: InputModifier, weight: WeightSelector): DirectionTerm => ({ label, input: inputModifier, weight });

/** A split direction from its terms. */
export const split = (...terms: readonly DirectionTerm[]): Direction => ({ _tag: "Split", terms });

/** A materialised direction. */
export const materialized = (v: (x: Float64Array, W: T.Tensor) => T.Tensor): Direction => ({ _tag: "Materialized", v });
