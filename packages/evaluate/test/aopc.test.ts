/**
 * AOPC by hand (Samek et al. 2017, eq. 12), the paired difference, and the adapters of dtd's models and methods
 * (a vector-valued model scored at each input's own class).
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { aopc, Dtd, pairedDifference } from "@dtd/evaluate";

const tight = { atol: 1e-12, rtol: 1e-12 };

describe("AOPC", () => {
  test("two inputs, L = 2: curves [4, 1, 0] and [2, 2, 1] → drops [0, 3, 4] and [0, 0, 1], AOPC (7/3 + 1/3)/2 = 4/3", () => {
    const s = aopc([4, 1, 0, 2, 2, 1], 2);
    expectAllClose(s.meanDrop, [0, 1.5, 2.5], tight);
    expectAllClose(s.perSample, [7 / 3, 1 / 3], tight);
    expectAllClose(s.aopc, 4 / 3, tight);
    expectAllClose(s.standardError, Math.sqrt(((1 ** 2 + 1 ** 2) / 1) / 2), tight);
  });
  test("the paired difference removes the spread the inputs share", () => {
    const a = aopc([10, 0, 100, 40], 2); // per input 5 and 30
    const b = aopc([10, 1, 100, 41], 2); // per input 4.5 and 29.5
    const d = pairedDifference(a, b);
    expectAllClose(d.difference, 0.5, tight);
    expectAllClose(d.standardError, 0, tight);
    expect(a.standardError).toBeGreaterThan(10);
  });
  test("curves that do not split into N inputs are a programmer error", () => {
    expect(() => aopc([1, 2, 3], 2)).toThrow(/expected N·\(L \+ 1\) curve values for N = 2, found 3/);
  });
});

describe("dtd adapters", () => {
  // Two class scores: out = x·W with W = [[1, 0], [0, 2]]; x = [3, 1] → [3, 2] (class 0), x = [1, 4] → [1, 8] (class 1).
  const model = (() => {
    const m = L.build([2], L.sequential(L.dense(T.of([1, 0, 0, 2], [2, 2]), T.zeros([2]))));
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    return m.right;
  })();
  const x = T.of([3, 1, 1, 4], [2, 2]);

  test("argmaxClasses and modelScore score each row at the class of its input", () => {
    const classes = Dtd.argmaxClasses(model, x);
    expect(classes).toEqual(E.right([0, 1]));
    const f = Dtd.modelScore(model, { classes: [0, 1] })(T.of([3, 1, 1, 4, 0, 0], [3, 2]), Int32Array.from([0, 1, 1]));
    expect(E.isRight(f) && Array.from(f.right)).toEqual([3, 8, 0]);
  });
  test("a vector output without classes, a class out of range and a wrong input shape are refused with messages", () => {
    expect(Dtd.modelScore(model)(x, Int32Array.from([0, 1]))).toEqual(E.left("expected a model with one output per sample (or classes to score), found 2 outputs per sample"));
    expect(Dtd.modelScore(model, { classes: [0, 5] })(x, Int32Array.from([0, 1]))).toEqual(E.left("expected a class in [0, 1] for input 1, found 5"));
    const bad = Dtd.modelScore(model)(T.zeros([1, 3]), Int32Array.from([0]));
    expect(E.isLeft(bad) && bad.left).toMatch(/\[2\].*\[3\]/);
  });
  test("deepTaylor and baseline return the heatmaps of dtd's explain and baselines", () => {
    const pool = (() => {
      const m = L.build([2], L.sequential(L.detection(T.of([1, -1, 2, 1], [2, 2]), T.of([0, -0.5], [2])), L.sumPool()));
      if (E.isLeft(m)) throw new Error("build");
      return m.right;
    })();
    const xs = T.of([1, 2], [1, 2]);
    const R = Dtd.deepTaylor(pool, DT.uniform(DT.deriveRule(DT.zPlus)))(xs);
    const direct = DT.explain(pool, xs, DT.uniform(DT.deriveRule(DT.zPlus)));
    if (E.isLeft(R) || E.isLeft(direct)) throw new Error("explain");
    expectAllClose(R.right, direct.right.R, tight);
    const g = Dtd.baseline(pool, "gradientXInput")(xs);
    // z = [5, 0.5] → both active, ∂f/∂x = [1 − 1, 2 + 1] = [0, 3], R = x ⊙ ∂f/∂x = [0, 6]
    expect(E.isRight(g) && Array.from(g.right.data)).toEqual([0, 6]);
    const refused = Dtd.deepTaylor(pool, DT.uniform(DT.deriveRule(DT.zPlus)))(T.of([-1, 2], [1, 2]));
    expect(E.isLeft(refused) && refused.left).toMatch(/expected x ≥ 0, found -1/);
  });
});
