/**
 * The root README's graph example, as a file the test suite type-checks (tsconfig.root.json) and runs
 * (packages/deep-taylor/test/docs.test.ts checks that the README's block is the region below, and the values).
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

// Weights of the block (b ≤ 0), and a batch of two 8 × 14 × 14 inputs in ℝ₊ᵈ.
const rng = T.Random.make(2017);
const W = T.Random.normalTensor(rng, [8, 8, 3, 3], 0, 0.1);
const b = T.Random.uniformTensor(rng, [8], -0.1, 0);
const V = T.Random.normalTensor(rng, [8, 1], 0, 0.5);
const c = T.zeros([1]);
const x = T.Random.uniformTensor(rng, [2, 8, 14, 14], 0, 1);

// #region graph
const block = L.build([8, 14, 14], [
  L.node("conv", L.conv2d(W, b, { padding: [1, 1] })),
  L.node("sum", L.add, ["conv", "input"]), //          the skip: the model input
  L.relu, L.globalAvgPool, L.dense(V, c), L.relu,
]);
if (E.isLeft(block)) throw new Error(L.message(block.left));
const e = DT.explain(block.right, x, DT.uniform(DT.deriveRule(DT.zPlus), { add: "rules" }));
// #endregion

/** What the block computes, for the test. */
export const readmeGraph = E.isLeft(e) ? { error: DT.message(e.left) } : { rows: DT.Consistency.perSample(e.right.f, e.right.R, e.right.tolerance), leaks: DT.Consistency.leaks(block.right.nodes, e.right).length };
