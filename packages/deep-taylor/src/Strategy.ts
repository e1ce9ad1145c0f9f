/**
 * A root-point strategy is data: an input domain and a search direction v_ij(x, w) (Montavon et al. 2017,
 * Sec. 3: "define a segment with search direction {v_i}⁽ʲ⁾; the line lies inside the input domain and
 * contains a root point; inject the search direction in equation (4)").
 *
 * A direction is usually given in split form, v_ij = Σ_t a_t(x)_i · g_t(w_ij): an input modifier a_t times a
 * weight selector g_t. Then v_ij·w_ij = Σ_t a_t(x)_i · (g_t(w_ij)·w_ij), and eq. (4) becomes forward passes and
 * VJPs of the layer with modified weights g_t(W)⊙W — for Dense and Conv2d alike. A direction that does not
 * split can be given materialised, as a function of one sample and the weights (Dense layers only).
 * @module
 */
import type * as T from "@dtd/tensor";
import type { DomainT } from "@dtd/layers";

/** Context of a direction: the domain's bounds, for modifiers such as −l and −h of the zᵇ-rule. */
export interface DirectionContext {
  readonly domain: DomainT;
}

/** One term a_t(x)_i · g_t(w_ij) of a split direction. */
export interface DirectionTerm {
  /** A short label, e.g. "x", "-l". */
  readonly label: string;
  /** a_t(x): elementwise on the layer's input batch [N, ...in]; returns a tensor broadcastable to it. */
  readonly input: (x: T.Tensor, ctx: DirectionContext) => T.Tensor | number;
  /** g_t(w): a function of one weight, e.g. w ↦ 1[w ≥ 0] or w ↦ w. */
  readonly weight: (w: number) => number;
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
  /**
   * True when the segment's end is a root only if b_j ≤ 0 (z⁺, zᵇ): then a positive bias is a violated
   * precondition.
   */
  readonly requiresNonPositiveBias: boolean;
}

/** A split direction from its terms. */
export const split = (...terms: readonly DirectionTerm[]): Direction => ({ _tag: "Split", terms });

/** A materialised direction. */
export const materialized = (v: (x: Float64Array, W: T.Tensor) => T.Tensor): Direction => ({ _tag: "Materialized", v });
