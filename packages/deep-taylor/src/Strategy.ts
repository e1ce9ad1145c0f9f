/**
 * A root-point strategy is data: an input domain and a search direction v_ij(x, w) (Montavon et al. 2017,
 * Sec. 3: "define a segment with search direction {v_i}⁽ʲ⁾; the line lies inside the input domain and contains
 * a root point; inject the search direction in equation (4)").
 *
 * A direction is usually given in split form, v_ij = Σ_t a_t(x)_i · g_t(w_ij): an input modifier a_t times a
 * weight selector g_t. Then v_ij·w_ij = Σ_t a_t(x)_i · (g_t(w_ij)·w_ij), and eq. (4) becomes forward passes and
 * VJPs of the layer with modified weights g_t(W)⊙W — for Dense and Conv2d alike; the modified weight may also be
 * given directly (`modifiedWeight`). Modifiers and selectors are data, so the derivation can see which terms are
 * constant (computed once) and which selectors are sign masks (grouped on W⁺ and W⁻). A direction that does not
 * split can be given materialised: neuron by neuron on the units each neuron reads (`perNeuron`, every affine
 * layer), or as V [in, out] for one sample (`materialized`, Dense layers).
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
 * g_t(w), how term t depends on the weight — in one of two forms (both derived through the same eq. 4):
 * - the **direction's factor** g_t(w), so that v_ij = a_t(x)_i·g_t(w_ij) and the modified weight is g_t(w)·w:
 *   a sign mask g(w) = positive·1[w > 0] + negative·1[w < 0] + zero·1[w = 0], the weight itself g(w) = w (the
 *   w²-rule: modified weight w²), or any function of one weight (`Custom`);
 * - the **modified weight** q(w) = v_ij·w_ij given directly (`Modified`; zennit's param_modifiers,
 *   RelevancePropagation.jl's modify_parameters): eq. (4) needs only q, and the direction is v = q(w)/w where
 *   w ≠ 0 — undefined where w = 0 and q(0) ≠ 0 (no root point exists there; verifyRoots reports it), 0 where both
 *   vanish. The flat rule is q(w) = 1 with no 1/w guard.
 * A modified weight applies to the layer's parameters: on a convolution it is q of each kernel entry, and a
 * neuron's modified weights are 0 outside its kernel window.
 */
export type WeightSelector =
  | { readonly _tag: "SignMask"; readonly positive: 0 | 1; readonly negative: 0 | 1; readonly zero: 0 | 1 }
  | { readonly _tag: "Weight" }
  | { readonly _tag: "Custom"; readonly g: (w: number) => number }
  | { readonly _tag: "Modified"; readonly q: (w: number) => number };

/** One term a_t(x)_i · g_t(w_ij) of a split direction. */
export interface DirectionTerm {
  /** A short label, e.g. "x", "-l". */
  readonly label: string;
  readonly input: InputModifier;
  readonly weight: WeightSelector;
}

/** One neuron's row of the layer's Jacobian, held sparsely: the units it reads (flat, in the input's layout) and their weights. */
export interface NeuronRow {
  /** The neuron (flat, in the layer's output layout). */
  readonly j: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** The entries in use (index and weight may be longer). */
  readonly length: number;
}

/** A search direction. */
export type Direction =
  | { readonly _tag: "Split"; readonly terms: readonly DirectionTerm[] }
  | {
      readonly _tag: "Materialized";
      /** v for one sample x (flat, length in) and W [in, out]: returns V [in, out], V[i][j] = v_ij (Dense layers only). */
      readonly v: (x: Float64Array, W: T.Tensor) => T.Tensor;
    }
  | {
      readonly _tag: "PerNeuron";
      /**
       * v⁽ʲ⁾ for one sample x (flat, of the per-sample `inputShape`) on the units neuron j reads — `row.length` values, v_ij for unit
       * `row.index[k]` — for every affine layer (Dense, Conv2d, DepthwiseConv2d). Units the neuron does not read
       * do not move (v_ij = 0 there).
       */
      readonly v: (x: Float64Array, row: NeuronRow, inputShape: readonly number[]) => ArrayLike<number>;
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
export const constantInput = (value: number | T.Tensor): InputModifier => ({ _tag: "Constant", value });
/** a(x) = f(x) */
export const customInput = (f: (x: T.Tensor, ctx: DirectionContext) => T.Tensor | number): InputModifier => ({ _tag: "Custom", f });

/** a_t(x) for a batch x: the input, a constant, or the custom function's value. */
export const modifierValue = (m: InputModifier, x: T.Tensor, ctx: DirectionContext): T.Tensor | number =>
  m._tag === "Input" ? x : m._tag === "Constant" ? m.value : m.f(x, ctx);

/** A sign mask. */
export const signMask = (positive: 0 | 1, negative: 0 | 1, zero: 0 | 1): WeightSelector => ({ _tag: "SignMask", positive, negative, zero });
/** g(w) = 1 */
export const everyWeight: WeightSelector = signMask(1, 1, 1);
/** g(w) = w: the modified weight is w² (the w²-rule's direction v_ij = w_ij), as data. */
export const weightItself: WeightSelector = { _tag: "Weight" };
/**
 * g(w) = f(w). The function is called afresh whenever a rule uses it, so it may read variables (a γ swept in a
 * loop): modified weights are cached by their values, never by the function's identity.
 */
export const weightFn = (g: (w: number) => number): WeightSelector => ({ _tag: "Custom", g });
/** The modified weight q(w) = v·w given directly (flat: q = 1; γ: q = w + γw⁺); v = q(w)/w where w ≠ 0. */
export const modifiedWeight = (q: (w: number) => number): WeightSelector => ({ _tag: "Modified", q });

/** v's factor at one weight: g(w), or q(w)/w for a modified weight (0 when w = q(w) = 0, NaN when only w = 0). */
export const selectorAt = (g: WeightSelector, w: number): number => {
  switch (g._tag) {
    case "SignMask":
      return w > 0 ? g.positive : w < 0 ? g.negative : g.zero;
    case "Weight":
      return w;
    case "Custom":
      return g.g(w);
    case "Modified": {
      const q = g.q(w);
      return w !== 0 ? q / w : q === 0 ? 0 : Number.NaN;
    }
  }
};

/** The modified weight at one weight: g(w)·w, or q(w) given directly. */
export const modifiedWeightAt = (g: WeightSelector, w: number): number => (g._tag === "Modified" ? g.q(w) : g._tag === "Weight" ? w * w : selectorAt(g, w) * w);

/** A term. */
export const term = (label: string, inputModifier: InputModifier, weight: WeightSelector): DirectionTerm => ({ label, input: inputModifier, weight });

/** A split direction from its terms. */
export const split = (...terms: readonly DirectionTerm[]): Direction => ({ _tag: "Split", terms });

/** A materialised direction V [in, out] for one sample (Dense layers). */
export const materialized = (v: (x: Float64Array, W: T.Tensor) => T.Tensor): Direction => ({ _tag: "Materialized", v });

/** A direction materialised neuron by neuron: v⁽ʲ⁾ on the units neuron j reads (every affine layer). */
export const perNeuron = (v: (x: Float64Array, row: NeuronRow, inputShape: readonly number[]) => ArrayLike<number>): Direction => ({ _tag: "PerNeuron", v });
