/**
 * Step 1 of eq. (4) for a batch, as both of its derivations return it — the reference (`deriveRule.ts`) and the
 * planned one (`planned.ts`): the denominators s_j = Σ_i v_ij w_ij, and steps 3–4 (pullback, multiply) as a
 * function of the quotients c_j = R_j / s_j that step 2 forms from them.
 * @module
 */
import * as T from "@dtd/tensor";
import * as AD from "@dtd/autodiff";
import { type Affine, linearPart } from "@dtd/layers";
import type { PropagateOptions } from "../Rule.ts";

/** The modified forward pass of one layer on a batch x [N, ...in]. */
export interface Forwarded {
  /** The per-call part of s [N, ...out]; undefined when there is none. */
  readonly s: T.Tensor | undefined;
  /** A per-layer constant part of s [1, ...out], kept apart so that R / (s + K) takes one pass; undefined when none. */
  readonly K: T.Tensor | undefined;
  /** Steps 3–4: R_i = Σ_t a_t(x)_i [linear(·; W_t)ᵀ c]_i for quotients c [N, ...out]. */
  readonly back: (c: T.Tensor) => T.Tensor;
  /**
   * Steps 2–4 from R [N, ...out] (s of R's shape, no stabiliser): `back` of c = R / (s + K), each quotient formed
   * inside the transposed products (no tensor c), the same bits. Where the layer's products can do so (conv2d);
   * it is the last reader of s, whose memory it hands back for reuse when s is this call's own temporary.
   */
  readonly backQuotient?: (R: T.Tensor) => T.Tensor;
}

/** Step 1 of a rule: the layer, its input batch and the propagation's options in, the modified forward pass out. */
export type ModifiedForward = (layer: Affine, x: T.Tensor, opts: PropagateOptions) => Forwarded;

/** x ↦ linear(x; W) on a batch: the layer's forward pass with weights W and no bias. */
export const forwardWith = (layer: Affine, W: T.Tensor, x: T.Tensor): T.Tensor => linearPart(layer, W)(AD.constant(x)).value;

/** The whole denominator s + K as one tensor [N, ...out] (zeros when there is no term at all). */
export const denominatorOf = ({ s, K }: Forwarded, layer: Affine, x: T.Tensor): T.Tensor => {
  if (K === undefined) return s ?? forwardWith(layer, T.zerosLike(layer.W), x);
  return s === undefined ? T.broadcastTo(K, [x.shape[0]!, ...K.shape.slice(1)]) : T.add(s, K);
};
