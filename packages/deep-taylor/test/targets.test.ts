import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

// Two class logits on top of a detection layer: y = relu(x·W1 + b1)·W2.
const model = (() => {
  const m = L.build([2], [L.dense(T.of([1, 0, 0, 1], [2, 2]), T.of([0, 0], [2])), L.relu, L.dense(T.of([2, 1, 0, 3], [2, 2]), T.of([0, 0], [2]))]);
  if (E.isLeft(m)) throw new Error("build");
  return m.right;
})();
const x = T.of([1, 2, 3, 0.5], [2, 2]); // logits: sample 0 [2, 7] → class 1; sample 1 [6, 4.5] → class 0
const zp = DT.uniform(DT.deriveRule(DT.zPlus));

describe("explaining a vector of scores at a target", () => {
  test("argmax explains each sample's top class: f is its logit and Σ R = f", () => {
    const e = DT.explain(model, x, zp, { target: { _tag: "argmax" } });
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    expectAllClose(e.right.f, [7, 6]);
    expectAllClose(T.sum(e.right.R, { axes: 1 }), [7, 6], { atol: 1e-12, rtol: 1e-12 });
    // sample 0, class 1: R_top = [0, 7]; hidden h = [1, 2], W2[:,1] = [1, 3]: z⁺ shares 1 : 6 → R_h = [1, 6]; W1 = I → R_x = [1, 6]
    expectAllClose(T.slice(e.right.R, [0, 0], [1, 2]), [1, 6], { atol: 1e-12 });
  });
  test("given classes", () => {
    const e = DT.explain(model, x, zp, { target: { _tag: "classes", classes: [0, 1] } });
    if (E.isLeft(e)) throw new Error(DT.message(e.left));
    expectAllClose(e.right.f, [2, 4.5]);
  });
  test("a class out of range, and a vector model without a target, are refused", () => {
    const bad = DT.explain(model, x, zp, { target: { _tag: "classes", classes: [0, 2] } });
    expect(E.isLeft(bad) && DT.message(bad.left)).toBe("invalid explanation target: expected 2 class indices in [0, 1], found [0, 2]");
    const none = DT.explain(model, x, zp);
    expect(E.isLeft(none) && DT.message(none.left)).toMatch(/one score per sample .* found output shape \[2\]/);
  });
});
