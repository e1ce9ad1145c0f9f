/**
 * The baselines (Montavon et al. 2017, Sec. 2): sensitivity analysis, gradient × input and simple Taylor
 * decomposition at a numerically found nearest root — hand-checked on the deck's detection-pooling network,
 * and their (lack of) consistency shown where the deck says it fails.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Baselines as B } from "@dtd/deep-taylor";
import { Arb } from "@dtd/deep-taylor/testing";

const build = (shape: readonly number[], layers: L.Sequential): L.Model => {
  const m = L.build(shape, layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
const right = <A>(e: E.Either<DT.DtdError, A>): A => {
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return e.right;
};
const tight = { atol: 1e-12, rtol: 1e-12 };

/**
 * The deck's detection-pooling network, x_j = max(0, Σ_i x_i w_ij + b_j), x_k = Σ_j x_j, with
 * W = [[1, −2], [2, 1], [−1, 3]] (W[i][j] = w_ij) and b = [−1, −0.5].
 *   sample 1: x = [1, 2, 0.5] → z = [3.5, 1] (both active), f = 4.5, ∂f/∂x_i = Σ_j w_ij = [−1, 3, 2]
 *   sample 2: x = [1, 0, 1]   → z = [−1, 0.5] (unit 2 only), f = 0.5, ∂f/∂x_i = w_i2 = [−2, 1, 3]
 */
const W = T.of([1, -2, 2, 1, -1, 3], [3, 2]);
const b = T.of([-1, -0.5], [2]);
const deckNet = build([3], L.sequential(L.detection(W, b), L.sumPool()));
const x = T.of([1, 2, 0.5, 1, 0, 1], [2, 3]);

describe("sensitivity analysis, R_p = (∂f/∂x_p)²", () => {
  test("hand-computed on the deck's detection-pooling network", () => {
    const e = right(B.sensitivity(deckNet, x));
    expectAllClose(e.f, [4.5, 0.5], tight);
    expectAllClose(e.gradient, [-1, 3, 2, -2, 1, 3], tight);
    expectAllClose(e.R, [1, 9, 4, 4, 1, 9], tight);
    expect(e.method).toBe("sensitivity");
  });
  test("is positive on every network (dense and conv)", () => {
    fc.assert(
      fc.property(Arb.networkWithInputs(L.Domain.real), ({ model, x }) => {
        const R = right(B.sensitivity(model, x)).R;
        expect(T.item(T.min(R))).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 20 },
    );
  });
  test("is not conservative: Σ_p R_p ≠ f(x) (here 14 vs 4.5 and 14 vs 0.5, and on a random net)", () => {
    const rows = DT.Consistency.perSample(right(B.sensitivity(deckNet, x)).f, right(B.sensitivity(deckNet, x)).R);
    expectAllClose(rows.map((r) => r.sumR), [14, 14], tight);
    expect(rows.every((r) => !r.conservative && r.positive)).toBe(true);
    const rng = T.Random.make(7);
    const net = build([6], L.sequential(L.detection(T.Random.normalTensor(rng, [6, 5]), T.full([5], -0.1)), L.sumPool()));
    const xs = T.Random.uniformTensor(rng, [8, 6], 0, 1);
    const e = right(B.sensitivity(net, xs));
    const active = DT.Consistency.perSample(e.f, e.R).filter((r) => r.f > 0); // f = 0 with ∇f = 0 is trivially conservative
    expect(active.length).toBeGreaterThan(4);
    const agg = DT.Consistency.aggregate(active);
    expect(agg.sharePositive).toBe(1);
    expect(agg.shareConservative).toBe(0);
    expect(agg.meanRelativeConservationError).toBeGreaterThan(0.1);
  });
});

describe("gradient × input, R_p = x_p ∂f/∂x_p", () => {
  test("hand-computed: [−1, 6, 1] (Σ = 6 ≠ f = 4.5: the biases' −1.5 is missing) and [−2, 0, 3]", () => {
    const e = right(B.gradientXInput(deckNet, x));
    expectAllClose(e.R, [-1, 6, 1, -2, 0, 3], tight);
    const rows = DT.Consistency.perSample(e.f, e.R);
    expectAllClose(rows.map((r) => r.conservationError), [1.5, 0.5], tight);
    expect(rows.every((r) => !r.positive)).toBe(true);
  });
  test("is exactly conservative on bias-free ReLU networks (positively homogeneous: f(x) = x·∇f(x))", () => {
    fc.assert(
      fc.property(Arb.networkWithInputs(L.Domain.real, { bias: [0, 0] }), ({ model, x }) => {
        const e = right(B.gradientXInput(model, x));
        const bad = DT.Consistency.perSample(e.f, e.R, { atol: 1e-10, rtol: 1e-9 }).find((r) => !r.conservative);
        expect(bad).toBeUndefined();
      }),
      { numRuns: 20 },
    );
  });
});

describe("simple Taylor decomposition at a nearest root", () => {
  test("one active affine-ReLU unit: ξ = x − f(x) w / ‖w‖², exact (ε ≈ 0), and R equals the w²-rule", () => {
    const e = right(B.simpleTaylor(deckNet, T.of([1, 0, 1], [1, 3])));
    // w = [−2, 1, 3], ‖w‖² = 14, f = 0.5; unit 1 stays inactive at ξ (z₁ = −1 + 3·0.5/14 < 0)
    expectAllClose(e.xi, [1 + 1 / 14, -0.5 / 14, 1 - 1.5 / 14], tight);
    expectAllClose(e.R, [(4 * 0.5) / 14, 0.5 / 14, (9 * 0.5) / 14], tight);
    expect(Math.abs(T.item(e.epsilon))).toBeLessThan(1e-12);
    expect(e.status).toEqual(["converged"]);
    expectAllClose(e.distance, [0.5 / Math.sqrt(14)], tight);
    const w2 = right(DT.explain(deckNet, T.of([1, 0, 1], [1, 3]), DT.uniform(DT.deriveRule(DT.w2))));
    expectAllClose(e.R, w2.R, tight);
  });
  test("reports honestly on ReLU networks: a converged search ends at a root, and ε = f(x) − Σ_p R_p", () => {
    fc.assert(
      fc.property(Arb.networkWithInputs(L.Domain.real), ({ model, x }) => {
        const e = right(B.simpleTaylor(model, x));
        e.isRoot.forEach((ok, n) => {
          const tol = 1e-9 * Math.max(1, Math.abs(e.f.data[n]!));
          expect(ok).toBe(Math.abs(e.fRoot.data[n]!) <= tol);
          if (e.status[n] === "converged") expect(ok, `sample ${n}: f(ξ) = ${e.fRoot.data[n]}`).toBe(true);
        });
        const sums = DT.Consistency.perSample(e.f, e.R);
        expectAllClose(e.epsilon, sums.map((s) => -s.conservationError), { atol: 1e-12, rtol: 1e-9 });
      }),
      { numRuns: 15 },
    );
  });
  test("finds a root (|f(ξ)| ≤ tol) on ReLU networks, dense and conv, shallow and deep (≥ 97% of 160 samples)", () => {
    // A local search: a local minimum of f above 0 can stop it, so the share is measured on a fixed sample.
    const cases = fc.sample(Arb.networkWithInputs(L.Domain.real), { numRuns: 80, seed: 2017 });
    const found = cases.flatMap(({ model, x }) => right(B.simpleTaylor(model, x)).isRoot);
    expect(found.length).toBe(160);
    expect(found.filter(Boolean).length / found.length).toBeGreaterThanOrEqual(0.97);
  });
  test("on a deep ReLU network it is not exactly conservative: ε is reported", () => {
    const rng = T.Random.make(3);
    const net = build(
      [4],
      L.sequential(L.detection(T.Random.normalTensor(rng, [4, 6]), T.full([6], -0.05)), L.detection(T.Random.normalTensor(rng, [6, 5], 0, 0.5), T.full([5], -0.05)), L.sumPool()),
    );
    const e = right(B.simpleTaylor(net, T.Random.normalTensor(rng, [16, 4])));
    expect(e.isRoot.every(Boolean)).toBe(true);
    const worst = Math.max(...Array.from(e.epsilon.data, Math.abs));
    expect(worst).toBeGreaterThan(1e-3);
  });

  /** A smooth score: f(x) = ‖A(x − m)‖₂ − r (an ellipse; a circle when A = I), from Dense, 2-norm pooling, Dense. */
  const ellipse = (A: readonly number[], m: readonly number[], r: number): L.Model => {
    const At = T.of(A, [2, 2]);
    const shift = T.neg(T.reshape(T.matmul(T.of(m, [1, 2]), At), [2]));
    return build([2], L.sequential(L.dense(At, shift), L.pNormPool(2), L.dense(T.of([1], [1, 1]), T.of([-r], [1]))));
  };

  test("smooth function (a circle): the radial projection, found from outside and inside, exactly conservative", () => {
    const circle = ellipse([1, 0, 0, 1], [1, -1], 2);
    const xs = T.of([4, 3, 1.5, -0.5], [2, 2]);
    const e = right(B.simpleTaylor(circle, xs));
    // ξ = m + r (x − m)/‖x − m‖: (3, 4)/5 · 2 + m and (0.5, 0.5)/√0.5 · 2 + m
    const s = 2 / Math.sqrt(0.5);
    expectAllClose(e.xi, [1 + 1.2, -1 + 1.6, 1 + 0.5 * s, -1 + 0.5 * s], { atol: 1e-9, rtol: 1e-9 });
    expectAllClose(e.f, [3, Math.sqrt(0.5) - 2], tight);
    expectAllClose(e.epsilon, [0, 0], { atol: 1e-9 }); // f is linear along the ray from ξ to x
    expect(e.status).toEqual(["converged", "converged"]);
  });
  test("smooth function (an ellipse): a KKT point (ξ − x ∥ ∇f(ξ)), and ε ≠ 0 from the curvature", () => {
    const model = ellipse([1, 0.4, 0, 2.5], [0, 0], 1);
    const xs = T.of([2, 1, -1.5, 2], [2, 2]);
    const e = right(B.simpleTaylor(model, xs));
    for (let n = 0; n < 2; n++) {
      expect(Math.abs(e.fRoot.data[n]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e.f.data[n]!)));
      const [dx, dy] = [xs.data[2 * n]! - e.xi.data[2 * n]!, xs.data[2 * n + 1]! - e.xi.data[2 * n + 1]!];
      const [gx, gy] = [e.gradient.data[2 * n]!, e.gradient.data[2 * n + 1]!];
      expect(Math.abs(dx * gy - dy * gx) / (Math.hypot(dx, dy) * Math.hypot(gx, gy))).toBeLessThan(1e-7);
      expect(Math.abs(e.epsilon.data[n]!)).toBeGreaterThan(1e-3);
    }
    expect(e.status).toEqual(["converged", "converged"]);
  });
  test("non-convergence is reported, not thrown", () => {
    const capped = right(B.simpleTaylor(ellipse([1, 0.4, 0, 2.5], [0, 0], 1), T.of([2, 1], [1, 2]), { maxIterations: 1 }));
    expect(capped.status).toEqual(["maxIterations"]);
    expect(capped.iterations).toEqual([1]);
    // f = Σ_j max(0, 0·x + 1) = 2 everywhere: no root, and ∇f = 0
    const flat = build([2], L.sequential(L.detection(T.zeros([2, 2]), T.ones([2])), L.sumPool()));
    const e = right(B.simpleTaylor(flat, T.of([0.3, -0.2], [1, 2])));
    expect(e.status).toEqual(["zeroGradient"]);
    expect(e.isRoot).toEqual([false]);
    expectAllClose(e.epsilon, [2], tight);
  });
  test("x on the zero set is its own root: R = 0", () => {
    const e = right(B.simpleTaylor(deckNet, T.of([0, 0, 0], [1, 3])));
    expectAllClose(e.R, [0, 0, 0], tight);
    expect(e.iterations).toEqual([0]);
  });
});

describe("errors", () => {
  test("a model with more than one output is refused, naming the shape", () => {
    const two = build([3], L.sequential(L.detection(W, b)));
    const r = B.sensitivity(two, x);
    expect(E.isLeft(r) && DT.message(r.left)).toMatch(/one score per sample.*found output shape \[2\]/);
  });
  test("an input of the wrong shape is refused", () => {
    const r = B.simpleTaylor(deckNet, T.zeros([1, 4]));
    expect(E.isLeft(r) && r.left._tag).toBe("Layer");
  });
});
