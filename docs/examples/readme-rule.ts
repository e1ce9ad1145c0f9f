/**
 * The root README's "A rule in a few lines", as a file the test suite type-checks (tsconfig.root.json) and runs
 * (packages/deep-taylor/test/docs.test.ts checks that the README's block is the region below, and the values).
 */
// #region readme
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

// The deck's detection-pooling network: x_j = max(0, Σ_i x_i w_ij + b_j), x_k = Σ_j x_j, b_j ≤ 0.
const W = T.of([1, -2, 2, 1, -1, 3], [3, 2]); // W[i][j] = w_ij
const model = L.build([3], L.sequential(L.detection(W, T.of([-1, -0.5], [2])), L.sumPool()));
if (E.isLeft(model)) throw new Error(L.message(model.left));
// z⁺: v_ij = x_i 1[w_ij ≥ 0] on ℝ₊ᵈ  →  R_i = Σ_j x_i w_ij⁺ / Σ_i' x_i' w_i'j⁺ · R_j
const e = DT.explain(model.right, T.of([1, 2, 0.5], [1, 3]), DT.uniform(DT.deriveRule(DT.zPlus)));
if (E.isLeft(e)) throw new Error(DT.message(e.left));
const R = e.right.R; // [0.7, 3.371…, 0.428…]: Σ R = f(x) = 4.5
// #endregion

/** What the block computes, for the test. */
export const readmeRule = { f: T.item(e.right.f), R: Array.from(R.data) };
