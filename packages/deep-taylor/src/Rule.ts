/**
 * A propagation rule for affine layers (Dense, Conv2d, DepthwiseConv2d), derived from a strategy by `deriveRule`.
 * @module
 */
import type * as T from "@dtd/tensor";
import type { Affine } from "@dtd/layers";
import type { Strategy } from "./Strategy.ts";

/** Options of one propagation step. */
export interface PropagateOptions {
  /**
   * Stabiliser ε (default 0: exact). With ε > 0 the denominators become s_j + ε·sign(s_j), which trades exact
   * conservation for smaller messages where s_j is tiny. An explicit choice, never a default.
   */
  readonly epsilon?: number;
  /** The layer's output z = linear(x; W) + b for this x, when already computed (saves a forward pass). */
  readonly z?: T.Tensor;
  /**
   * 1 where the layer's input is a constant rather than a variable — the zeros a pad2d node adds — 0 elsewhere
   * (per-sample shape). No search direction moves a constant: its modifiers are 0 there, so it takes no part in
   * the denominators and receives no relevance (a convolution's own zero padding is treated this way already).
   */
  readonly fixed?: T.Tensor;
}

/** The rule of eq. (4) for one strategy. */
export interface Rule {
  readonly name: string;
  readonly strategy: Strategy;
  /**
   * Eq. (4): R_i = Σ_j v_ij w_ij / Σ_i' v_i'j w_i'j · R_j, for a batch. `x` is the layer's input [N, ...in],
   * `R` the relevance of its outputs [N, ...out]; returns the relevance of its inputs [N, ...in]. A unit whose
   * denominator is 0 passes no relevance (never NaN).
   */
  readonly propagate: (layer: Affine, x: T.Tensor, R: T.Tensor, opts?: PropagateOptions) => T.Tensor;
  /** Eq. (4)'s denominators s_j = Σ_i v_ij w_ij for a batch [N, ...out] (no stabiliser): what an add node splits by. */
  readonly denominator: (layer: Affine, x: T.Tensor, opts?: PropagateOptions) => T.Tensor;
  /**
   * The denominator term of an identity connection with input x (weight 1 into the same unit):
   * Σ_t a_t(x)_i · g_t(1) — x for z⁺, 1 for w², x − l for zᵇ. Shaped like x.
   */
  readonly identityShare: (x: T.Tensor) => T.Tensor;
  /**
   * Eq. (4) with the bias as a relevance sink. On a segment of length σ the search reaches x̃ = x − σ·v, where
   * the neuron's value is z_j(x̃) = z_j − σ·s_j (s_j = Σ_i v_ij w_ij, eq. 4's denominator). When the segment holds
   * a root, z_j(x̃) ≤ 0 and the messages are eq. (4)'s. When it does not — a positive bias keeps the neuron
   * active at the segment's end — the residual r_j = max(0, z_j(x̃)) is the bias's share: the denominator
   * becomes D_j = s_j + r_j/σ, the inputs receive s_j/D_j of R_j as eq. (4) splits it, and the bias keeps
   * absorbed_j = R_j·(r_j/σ)/D_j (all of R_j where D_j = 0: a neuron active through its bias alone). Unbounded
   * segments (w²) always reach a root: nothing is absorbed. `absorbed` has the layer's output shape [N, ...out];
   * Σ R + Σ absorbed = Σ R_j up to rounding.
   */
  readonly propagateWithSink: (layer: Affine, x: T.Tensor, R: T.Tensor, opts?: PropagateOptions) => { readonly R: T.Tensor; readonly absorbed: T.Tensor };
  /**
   * The search directions for one sample x (per-sample shape): V [out, in], row j = v⁽ʲ⁾ flat in x's layout
   * (for Conv2d, w_ij are the entries of the Jacobian row of neuron j).
   */
  readonly directions: (layer: Affine, x: T.Tensor, neurons?: readonly number[]) => T.Tensor;
}
