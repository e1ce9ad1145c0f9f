/**
 * The min-max relevance model (Montavon et al. 2017, Sec. 5.1): forward pass and explanation by hand, a_j ≤ 0
 * always, fitting reduces ⟨(R̂_k − R_k)²⟩, the explanation is exactly conservative with respect to R̂_k and only
 * as conservative as the fit with respect to R_k, and its roots are roots.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import { adam } from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { MinMax as MM } from "@dtd/deep-taylor";

const right = <A>(e: E.Either<DT.DtdError, A>): A => {
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return e.right;
};
const tight = { atol: 1e-12, rtol: 1e-12 };
const zb01 = (() => {
  const s = DT.zB(0, 1);
  if (E.isLeft(s)) throw new Error(s.left);
  return s.right;
})();
const rules = { w2: DT.deriveRule(DT.w2), zplus: DT.deriveRule(DT.zPlus), zb: DT.deriveRule(zb01) } as const;

/**
 * By hand: x = [1, 2], R_l = [1, 0.5], V = [[1, −1], [0.5, 2]], Vl = [[−1, 1], [2, −4]], d = [0.5, 0.2].
 *   Σ_l R_l v_lj + d_j = [0 + 0.5, −1 + 0.2] = [0.5, −0.8] → a = [0, −0.8]
 *   Σ_i x_i v_ij = [2, 3] → y = [2, 2.2], R̂_k = 4.2
 */
const hand: MM.MinMaxParams = { V: T.of([1, -1, 0.5, 2], [2, 2]), Vl: T.of([-1, 1, 2, -4], [2, 2]), d: T.of([0.5, 0.2], [2]) };
const hx = T.of([1, 2], [1, 2]);
const hRl = T.of([1, 0.5], [1, 2]);

describe("the model by hand", () => {
  test("a = min(0, R_l·V_l + d), y = max(0, x·V + a), R̂ = Σ_j y_j", () => {
    const f = MM.minMaxForward(hand, hx, hRl);
    expectAllClose(f.a, [0, -0.8], tight);
    expectAllClose(f.y, [2, 2.2], tight);
    expectAllClose(f.Rhat, [4.2], tight);
  });
  test("z⁺: R_j = y_j, then q_ij = x_i v_ij⁺: unit 1 [1, 1]/2 · 2, unit 2 [0, 4]/4 · 2.2", () => {
    const e = right(MM.explainMinMax(hand, hx, hRl, rules.zplus));
    expectAllClose(e.Rj, [2, 2.2], tight);
    expectAllClose(e.R, [1, 3.2], tight);
  });
  test("w²: q_ij = v_ij²: unit 1 [1, 0.25]/1.25 · 2, unit 2 [1, 4]/5 · 2.2", () => {
    expectAllClose(right(MM.explainMinMax(hand, hx, hRl, rules.w2)).R, [1.6 + 0.44, 0.4 + 1.76], tight);
  });
});

describe("a_j ≤ 0", () => {
  test("for all parameters and inputs (of either sign), a ≤ 0, y ≥ 0 and R̂ = Σ_j y_j", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), (seed, inputs, context, units) => {
        const rng = T.Random.make(seed);
        const p: MM.MinMaxParams = { V: T.Random.normalTensor(rng, [inputs, units]), Vl: T.Random.normalTensor(rng, [context, units], 0, 3), d: T.Random.normalTensor(rng, [units], 0, 3) };
        const f = MM.minMaxForward(p, T.Random.normalTensor(rng, [4, inputs]), T.Random.normalTensor(rng, [4, context], 0, 2));
        expect(T.item(T.max(f.a))).toBeLessThanOrEqual(0);
        expect(T.item(T.min(f.y))).toBeGreaterThanOrEqual(0);
        expectAllClose(f.Rhat, T.sum(f.y, { axes: 1 }), tight);
      }),
    );
  });
});

/** A synthetic target from a teacher min-max model, on x ∈ [0, 1]⁶ and R_l ∈ [0, 1]³. */
const synthetic = (): MM.MinMaxData => {
  const rng = T.Random.make(42);
  const teacher: MM.MinMaxParams = { V: T.Random.uniformTensor(rng, [6, 4], -0.5, 1.5), Vl: T.Random.normalTensor(rng, [3, 4]), d: T.Random.uniformTensor(rng, [4], -0.5, 0.5) };
  const x = T.Random.uniformTensor(rng, [128, 6], 0, 1);
  const Rl = T.Random.uniformTensor(rng, [128, 3], 0, 1);
  return { x, Rl, Rk: MM.minMaxForward(teacher, x, Rl).Rhat };
};
const data = synthetic();
const init = MM.initMinMax({ inputs: 6, context: 3, units: 4 }, 7);
const fitted = (() => {
  const r = MM.fitMinMax(init, data, { optimizer: adam({ learningRate: 0.03 }), steps: 300, batchSize: 64, seed: 1 });
  if (E.isLeft(r)) throw new Error(r.left._tag);
  return r.right;
})();

describe("fitting ⟨(R̂_k − R_k)²⟩", () => {
  test("reduces the loss on a synthetic target at least twenty-fold", () => {
    const before = MM.minMaxLoss(init, data);
    const after = MM.minMaxLoss(fitted.params, data);
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(before / 20);
    expect(fitted.lossHistory.length).toBe(300);
  });
  test("the fitted model still has a ≤ 0", () => {
    expect(T.item(T.max(MM.minMaxForward(fitted.params, data.x, data.Rl).a))).toBeLessThanOrEqual(0);
  });
  test("inconsistent data is refused before training, saying what was expected", () => {
    const r = MM.fitMinMax(init, { ...data, Rl: T.zeros([128, 2]) }, { optimizer: adam({ learningRate: 0.01 }), steps: 1 });
    expect(E.isLeft(r) && r.left._tag === "InvalidData" && r.left.reason).toMatch(/expected R_l of shape \[128, 3\], found \[128, 2\]/);
    const s = MM.fitMinMax(init, data, { optimizer: adam({ learningRate: 0.01 }), steps: 1, epochs: 1 });
    expect(E.isLeft(s) && s.left._tag).toBe("InvalidOptions");
  });
});

describe("explaining the fitted model", () => {
  describe.each(Object.entries(rules))("with %s", (_name, rule) => {
    test("is exactly conservative w.r.t. R̂_k and positive; w.r.t. R_k the error is the fit error R̂_k − R_k", () => {
      const e = right(MM.explainMinMax(fitted.params, data.x, data.Rl, rule));
      const modelled = DT.Consistency.aggregate(DT.Consistency.perSample(e.Rhat, e.R, { atol: 1e-10, rtol: 1e-10 }));
      expect(modelled.shareConsistent).toBe(1);
      const target = DT.Consistency.perSample(data.Rk, e.R);
      expectAllClose(target.map((s) => s.conservationError), T.sub(e.Rhat, data.Rk), { atol: 1e-10, rtol: 1e-9 });
      expect(target.filter((s) => s.conservative).length).toBeLessThan(target.length);
    });
  });
  test("the root of every active unit of the per-sample detection layer (V, a) is a root in the domain", () => {
    for (const rule of Object.values(rules)) {
      for (const n of [0, 1, 2, 3]) {
        const layer = MM.detectionAt(fitted.params, data.x, data.Rl, n);
        const xs = T.reshape(T.slice(data.x, [n, 0], [1, 6]), [6]);
        const roots = L.rootSearch(layer, xs, rule.directions(layer, xs), { domain: rule.strategy.domain, sMax: rule.strategy.segment });
        for (const r of roots.filter((r) => r.active)) {
          expect(r.exists && r.inDomain, `${rule.name}, sample ${n}, unit ${r.j}`).toBe(true);
          expect(Math.abs(r.residual)).toBeLessThan(1e-9 * Math.max(1, r.value));
        }
      }
    }
  });
  test("inputs outside the rule's domain are refused (z⁺ needs x ≥ 0), or tolerated in lenient mode", () => {
    const negative = T.of([-1, 2], [1, 2]);
    const r = MM.explainMinMax(hand, negative, hRl, rules.zplus);
    expect(E.isLeft(r) && DT.message(r.left)).toMatch(/expected x ≥ 0, found -1/);
    const lenient = right(MM.explainMinMax(hand, negative, hRl, rules.zplus, { lenient: true }));
    expect(lenient.warnings.length).toBe(1);
  });
});

describe("in a deep network", () => {
  test("models the relevance of two hidden units from the input and the upper layer's relevances", () => {
    const rng = T.Random.make(5);
    const model = (() => {
      const m = L.build([5], L.sequential(L.detection(T.Random.normalTensor(rng, [5, 6], 0, 0.6), T.full([6], -0.05)), L.detection(T.Random.normalTensor(rng, [6, 4], 0, 0.6), T.full([4], -0.05)), L.sumPool()));
      if (E.isLeft(m)) throw new Error(L.message(m.left));
      return m.right;
    })();
    const x = T.Random.uniformTensor(rng, [96, 5], 0, 1);
    // positions: 0 the input, 2 the input of the second Dense (hidden layer 1), 4 the input of the sum pooling (hidden layer 2)
    const d = right(MM.minMaxData(model, x, DT.trainingFree(rules.zplus), { input: 0, target: { layer: 2, units: [0, 1] }, context: { layer: 4 } }));
    expect(d.x.shape).toEqual([96, 5]);
    expect(d.Rl.shape).toEqual([96, 4]);
    expect(d.Rk.shape).toEqual([96]);
    const e = right(DT.explain(model, x, DT.trainingFree(rules.zplus)));
    expectAllClose(d.Rk, T.sum(T.slice(e.relevances[2]!, [0, 0], [96, 2]), { axes: 1 }), tight);

    const start = MM.initMinMax({ inputs: 5, context: 4, units: 6 }, 3);
    const fit = MM.fitMinMax(start, d, { optimizer: adam({ learningRate: 0.03 }), steps: 250, seed: 2 });
    if (E.isLeft(fit)) throw new Error(fit.left._tag);
    expect(MM.minMaxLoss(fit.right.params, d)).toBeLessThan(MM.minMaxLoss(start, d) / 5);
    const ex = right(MM.explainMinMax(fit.right.params, d.x, d.Rl, rules.zplus));
    expect(DT.Consistency.perSample(ex.Rhat, ex.R, { atol: 1e-10, rtol: 1e-10 }).every((s) => s.consistent)).toBe(true);
  });
  test("positions and units out of range, and inconsistent shapes, are Lefts that say what was expected", () => {
    const m = L.build([2], L.sequential(L.detection(T.ones([2, 2]), T.zeros([2])), L.sumPool()));
    if (E.isLeft(m)) throw new Error("build");
    const position = MM.minMaxData(m.right, T.ones([1, 2]), DT.trainingFree(rules.zplus), { input: 0, target: { layer: 9 }, context: { layer: 3 } });
    expect(E.isLeft(position) && DT.message(position.left)).toMatch(/a target position in \[0, 3\], found 9/);
    const unit = MM.minMaxData(m.right, T.ones([1, 2]), DT.trainingFree(rules.zplus), { input: 0, target: { layer: 2, units: [5] }, context: { layer: 3 } });
    expect(E.isLeft(unit) && DT.message(unit.left)).toMatch(/target units in \[0, 1\], found 5/);
    const shapes = MM.explainMinMax(MM.initMinMax({ inputs: 3, context: 1, units: 2 }, 0), T.ones([1, 2]), T.ones([1, 1]), rules.zplus);
    expect(E.isLeft(shapes) && DT.message(shapes.left)).toMatch(/^explainMinMax: shape mismatch: expected consistent shapes, found expected x \[N, \.\.\.\] with 3 values per sample/);
  });
});
