/**
 * packages/deep-taylor/README.md's "At a glance", as a file the test suite type-checks (tsconfig.root.json) and
 * runs (packages/deep-taylor/test/docs.test.ts checks that the README's block is the region below, and the values).
 */
// #region at-a-glance
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

// A network on pixels in [0, 1]: x_j = max(0, Σ_i x_i w_ij + b_j), f = Σ_j x_j.
const built = L.build([3], L.sequential(L.detection(T.of([1, -2, 2, 1, -1, 3], [3, 2]), T.of([-1, -0.5], [2])), L.sumPool()));
if (E.isLeft(built)) throw new Error(L.message(built.left));
const model = built.right;
const x = T.of([1, 0.75, 0.5], [1, 3]);

const zPlus = DT.deriveRule(DT.zPlus); //                          R_i = Σ_j x_i w_ij⁺ / Σ_i' x_i' w_i'j⁺ · R_j
const zb = DT.zB(0, 1); //                                         Either<string, Strategy>: the pixel box [0, 1]
if (E.isLeft(zb)) throw new Error(zb.left);
const composite = DT.trainingFree(DT.deriveRule(zb.right)); //     zᵇ first, z⁺ above, proportional pooling
// or as data: DT.composite([{ match: DT.firstAffine, use: zbRule }, { match: DT.byKind("add"), use: zPlus }, { match: DT.affine, use: zPlus }])
const e = DT.explain(model, x, composite); //                      Either<DtdError, Explanation>
if (E.isLeft(e)) throw new Error(DT.message(e.left));
const [row] = DT.Consistency.perSample(e.right.f, e.right.R, e.right.tolerance); // within the rounding of its dtype and size
const roots = DT.verifyRoots(model, x, composite); //              Either<DtdError, RootVerification>
const refused = DT.explain(model, T.of([1, -2, 0.5], [1, 3]), DT.uniform(zPlus));
// Left: "precondition of rule zplus violated at layer 0 (dense), input unit 1 of sample 0: expected x ≥ 0, found -2"
// #endregion

/** What the block computes, for the test. */
export const atAGlance = {
  consistent: row?.consistent,
  violations: E.isRight(roots) ? DT.violationCount(roots.right) : -1,
  refused: E.isLeft(refused) ? DT.message(refused.left) : "",
  R: Array.from(e.right.R.data),
};
