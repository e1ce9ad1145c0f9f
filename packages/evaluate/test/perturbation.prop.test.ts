/**
 * Region perturbation and AOPC (Samek et al. 2017) on cases whose answer is known:
 * - a network that reads one pixel only: MoRF replaces that pixel first and reaches the largest AOPC possible;
 *   LeRF leaves it for last; no ordering does better than MoRF;
 * - an additive score f(x) = Σ_p w_p x_p explained by its exact contributions R_p = w_p x_p with replacement 0:
 *   removing a region lowers f by exactly its relevance, so MoRF's curve lies below every other ordering's at
 *   every step and LeRF's above (the greedy order is optimal), hence AOPC_MoRF ≥ AOPC_random ≥ AOPC_LeRF;
 * - the random order does not depend on the heatmap, and its expected curve is linear;
 * - determinism under a seed, independence from batching, common replacement values for every ordering.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { constantValue, Dtd, type EvaluateError, message, type PerturbationOptions, type PerturbationResult, regionPerturbation, type ScoreFunction, uniformNoise } from "@dtd/evaluate";

const run = (o: PerturbationOptions): PerturbationResult => {
  const r = regionPerturbation(o);
  if (E.isLeft(r)) throw new Error(message(r.left));
  return r.right;
};
const curveOf = (r: PerturbationResult, o: "morf" | "lerf" | "random") => {
  const c = r.curves[o];
  if (c === undefined) throw new Error(`no ${o} curve`);
  return c;
};

/** The one-pixel network: f(x) = max(0, a·x_p) as a dtd model on [1, H, W] (dense with a one-hot column, ReLU, Σ). */
const onePixelModel = (H: number, W: number, p: number, a: number): L.Model => {
  const w = new Float64Array(H * W);
  w[p] = a;
  const m = L.build([1, H, W], L.sequential(L.flatten, L.detection(T.of(w, [H * W, 1]), T.zeros([1])), L.sumPool()));
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};

/** Inputs [N, 1, H, W] in [lo, 1] from a seed. */
const inputs = (seed: number, N: number, H: number, W: number, lo = 0.1): T.Tensor => T.Random.uniformTensor(T.Random.make(seed), [N, 1, H, W], lo, 1);

const onePixelCase = fc.record({
  H: fc.integer({ min: 2, max: 6 }),
  W: fc.integer({ min: 2, max: 6 }),
  pFrac: fc.double({ min: 0, max: 0.999, noNaN: true }),
  a: fc.double({ min: 0.1, max: 3, noNaN: true }),
  seed: fc.integer({ min: 0, max: 1000 }),
  N: fc.integer({ min: 1, max: 4 }),
});

describe("a network that reads one pixel only", () => {
  test("MoRF (z⁺ heatmap) replaces that pixel first: f drops to 0 at step 1 and AOPC = L/(L + 1)·⟨f(x)⟩, the largest possible", () => {
    fc.assert(
      fc.property(onePixelCase, fc.integer({ min: 0, max: 1000 }), ({ H, W, pFrac, a, seed, N }, evalSeed) => {
        const p = Math.floor(pFrac * H * W);
        const model = onePixelModel(H, W, p, a);
        const x = inputs(seed, N, H, W);
        const r = run({
          score: Dtd.modelScore(model),
          x,
          relevance: Dtd.deepTaylor(model, DT.uniform(DT.deriveRule(DT.zPlus))),
          replacement: constantValue(0),
          seed: evalSeed,
        });
        const L1 = r.steps + 1;
        expect(r.steps).toBe(H * W);
        const morf = curveOf(r, "morf");
        const meanF0 = Array.from({ length: N }, (_, n) => a * x.data[n * H * W + p]!).reduce((s, v) => s + v, 0) / N;
        for (let n = 0; n < N; n++) {
          expectAllClose(morf.f[n * L1]!, a * x.data[n * H * W + p]!, { atol: 1e-12, rtol: 1e-12 });
          for (let k = 1; k < L1; k++) expect(morf.f[n * L1 + k]).toBe(0);
        }
        expectAllClose(morf.aopc, ((L1 - 1) / L1) * meanF0, { atol: 1e-12, rtol: 1e-12 });
        // Every ordering stays at or below MoRF; LeRF keeps the pixel to the last step.
        expect(curveOf(r, "random").aopc).toBeLessThanOrEqual(morf.aopc + 1e-12);
        const lerf = curveOf(r, "lerf");
        for (let n = 0; n < N; n++) for (let k = 0; k < L1 - 1; k++) expect(lerf.f[n * L1 + k]).toBe(lerf.f[n * L1]);
        expect(lerf.aopc).toBeLessThanOrEqual(morf.aopc / (L1 - 1) + 1e-12);
      }),
    );
  });

  test("with k×k patches, the patch holding the pixel goes first (one step of MoRF suffices)", () => {
    fc.assert(
      fc.property(onePixelCase, fc.integer({ min: 1, max: 4 }), ({ H, W, pFrac, a, seed, N }, k) => {
        const p = Math.floor(pFrac * H * W);
        const model = onePixelModel(H, W, p, a);
        const r = run({ score: Dtd.modelScore(model), x: inputs(seed, N, H, W), relevance: Dtd.baseline(model, "gradientXInput"), replacement: constantValue(0), patch: k, orderings: ["morf"] });
        const morf = curveOf(r, "morf");
        expect(r.steps).toBe(Math.ceil(H / k) * Math.ceil(W / k));
        for (let n = 0; n < N; n++) expect(morf.f[n * (r.steps + 1) + 1]).toBe(0);
      }),
    );
  });
});

/** f(x) = Σ_p w_p x_p for every row, as a score function. */
const additive = (w: Float64Array): ScoreFunction => (x) => {
  const d = w.length;
  const rows = x.shape[0]!;
  const f = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let p = 0; p < d; p++) f[r]! += w[p]! * x.data[r * d + p]!;
  return E.right(f);
};

const additiveCase = fc.record({
  H: fc.integer({ min: 2, max: 5 }),
  W: fc.integer({ min: 2, max: 5 }),
  seed: fc.integer({ min: 0, max: 10_000 }),
  N: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 3 }),
  perStep: fc.integer({ min: 1, max: 3 }),
});

describe("an additive score explained by its exact contributions", () => {
  test("MoRF's curve lies below every ordering's at every step and LeRF's above: AOPC_MoRF ≥ AOPC_random ≥ AOPC_LeRF", () => {
    fc.assert(
      fc.property(additiveCase, ({ H, W, seed, N, k, perStep }) => {
        const rng = T.Random.make(seed);
        const d = H * W;
        const w = Float64Array.from({ length: d }, () => T.Random.uniform(rng, 0, 2));
        const x = T.Random.uniformTensor(rng, [N, H, W], 0, 1);
        const R = unsafeMake([N, H, W], Float64Array.from(x.data, (v, i) => v * w[i % d]!));
        const regions = Math.ceil(H / k) * Math.ceil(W / k);
        const r = run({ score: additive(w), x, relevance: R, replacement: constantValue(0), patch: k, regionsPerStep: Math.min(perStep, regions), seed });
        const [morf, lerf, random] = (["morf", "lerf", "random"] as const).map((o) => curveOf(r, o));
        const L1 = r.steps + 1;
        for (let i = 0; i < N * L1; i++) {
          expect(morf!.f[i]!).toBeLessThanOrEqual(random!.f[i]! + 1e-12);
          expect(random!.f[i]!).toBeLessThanOrEqual(lerf!.f[i]! + 1e-12);
        }
        expect(morf!.aopc).toBeGreaterThanOrEqual(random!.aopc - 1e-12);
        expect(random!.aopc).toBeGreaterThanOrEqual(lerf!.aopc - 1e-12);
        // Removing everything leaves f = 0 whatever the order.
        for (const c of [morf!, lerf!, random!]) for (let n = 0; n < N; n++) expectAllClose(c.f[n * L1 + L1 - 1]!, 0, { atol: 1e-12 });
      }),
    );
  });

  test("the random order's expected curve is linear: ⟨f(x⁽ᵏ⁾)⟩ = f(x)·(1 − k/d) within a few standard errors", () => {
    const d = 12;
    const N = 600;
    const w = Float64Array.from({ length: d }, (_, p) => 1 + (p % 5));
    const x = T.full([N, d], 0.5);
    const r = run({ score: additive(w), x, replacement: constantValue(0), orderings: ["random"], seed: 3 });
    const c = curveOf(r, "random");
    const f0 = 0.5 * w.reduce((s, v) => s + v, 0);
    for (let k = 0; k <= d; k++) {
      const values = Array.from({ length: N }, (_, n) => c.f[n * (d + 1) + k]!);
      const mean = values.reduce((s, v) => s + v, 0) / N;
      const se = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1) / N);
      expect(Math.abs(mean - f0 * (1 - k / d))).toBeLessThanOrEqual(4 * se + 1e-12);
    }
  });
});

describe("seeds, batches and orderings", () => {
  const rng = T.Random.make(11);
  const w = Float64Array.from({ length: 20 }, () => T.Random.normal(rng));
  const score: ScoreFunction = (x) => {
    // Nonlinear and row-wise: f = Σ_p w_p x_p + (Σ_p x_p)², so noise and order both matter.
    const rows = x.shape[0]!;
    const f = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let lin = 0;
      let s = 0;
      for (let p = 0; p < 20; p++) {
        lin += w[p]! * x.data[r * 20 + p]!;
        s += x.data[r * 20 + p]!;
      }
      f[r] = lin + s * s;
    }
    return E.right(f);
  };
  const x = T.Random.uniformTensor(T.Random.make(5), [7, 4, 5], 0, 1);
  const R = T.Random.normalTensor(T.Random.make(6), [7, 4, 5]);
  const base: PerturbationOptions = { score, x, relevance: R, replacement: uniformNoise(0, 1), regionsPerStep: 2 };

  test("the same seed gives the same curves bit for bit; another seed other random orders and noise", () => {
    const a = run({ ...base, seed: 42 });
    const b = run({ ...base, seed: 42 });
    for (const o of ["morf", "lerf", "random"] as const) expect(curveOf(a, o).f).toEqual(curveOf(b, o).f);
    const c = run({ ...base, seed: 43 });
    expect(curveOf(c, "random").f).not.toEqual(curveOf(a, "random").f);
    expect(curveOf(c, "morf").f).not.toEqual(curveOf(a, "morf").f);
  });

  test("batching does not change a curve: one call per step for all inputs, or inputs one at a time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 99 }), (batchSize, seed) => {
        const all = run({ ...base, seed });
        const split = run({ ...base, seed, batchSize });
        for (const o of ["morf", "lerf", "random"] as const) expect(split.curves[o]!.f).toEqual(all.curves[o]!.f);
        expect(split.scoreCalls).toBe(Math.ceil(7 / batchSize) * (all.steps + 1));
      }),
    );
  });

  test("one score call per step for the whole batch: L + 1 calls, each with N rows per ordering (step 0: N rows)", () => {
    const seen: number[] = [];
    const progress: [number, number][] = [];
    const r = run({ ...base, score: (b, s) => (seen.push(b.shape[0]!), score(b, s)), steps: 4, onProgress: (d, t) => progress.push([d, t]) });
    expect(r.scoreCalls).toBe(5);
    expect(seen).toEqual([7, 21, 21, 21, 21]);
    expect(progress).toEqual([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
    expect(Array.from(r.replaced)).toEqual([0, 2, 4, 6, 8]);
  });

  test("every ordering gets the same replacement values: after the last step all reach the same input", () => {
    const r = run({ ...base, seed: 9 });
    const L1 = r.steps + 1;
    for (let n = 0; n < 7; n++) {
      const last = curveOf(r, "morf").f[n * L1 + L1 - 1];
      expect(curveOf(r, "lerf").f[n * L1 + L1 - 1]).toBe(last);
      expect(curveOf(r, "random").f[n * L1 + L1 - 1]).toBe(last);
    }
  });

  test("the random order ignores the heatmap; MoRF with −R is LeRF with R up to ties", () => {
    const a = run({ ...base, orderings: ["random", "morf"] });
    const b = run({ ...base, relevance: T.neg(R), orderings: ["random", "lerf"] });
    expect(b.curves.random!.f).toEqual(a.curves.random!.f);
    expect(b.curves.lerf!.f).toEqual(a.curves.morf!.f);
  });

  test("the noise stays in its box: a constant score of the perturbed values' range", () => {
    let lo = Infinity;
    let hi = -Infinity;
    const probe: ScoreFunction = (b) => {
      for (const v of b.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      return E.right(new Float64Array(b.shape[0]!));
    };
    run({ ...base, score: probe, x: T.full([3, 4, 5], 0.5), replacement: uniformNoise(-2, -1), orderings: ["random"] });
    expect(lo).toBeGreaterThanOrEqual(-2);
    expect(hi).toBe(0.5);
  });
});

describe("refusals say what was expected and found", () => {
  const x = T.Random.uniformTensor(T.Random.make(1), [2, 3, 3], 0, 1);
  const score: ScoreFunction = (b) => E.right(new Float64Array(b.shape[0]!));
  const refuse = (o: Partial<PerturbationOptions>): string => {
    const r = regionPerturbation({ score, x, relevance: x, replacement: constantValue(0), ...o });
    if (E.isRight(r)) throw new Error("expected a refusal");
    return message(r.left as EvaluateError);
  };
  test.each([
    [{ steps: 10 }, "option steps: expected an integer in [1, 9] (9 regions, 1 per step), found 10"],
    [{ regionsPerStep: 0 }, "option regionsPerStep: expected an integer in [1, 9] (the number of regions), found 0"],
    [{ orderings: [] }, "option orderings: expected distinct orderings among morf, lerf, random, at least one, found []"],
    [{ orderings: ["morf", "morf"] as const }, "found [morf, morf]"],
    [{ relevance: T.zeros([2, 9]) }, "the relevance maps: expected the inputs' shape [2, 3, 3], found [2, 9]"],
    [{ relevance: unsafeMake([2, 3, 3], Float64Array.from({ length: 18 }, (_, i) => (i === 11 ? NaN : 0))) }, "expected finite relevance, found NaN at sample 1, flat index 2"],
    [{ relevance: undefined }, "option relevance: expected relevance maps (or a function computing them) for the morf and lerf orderings, found none"],
    [{ relevance: () => E.left("no rule") }, "the relevance function failed: no rule"],
    [{ replacement: uniformNoise(1, 0) }, "expected low ≤ high for every unit, found low 1 > high 0 at flat index 0"],
    [{ replacement: constantValue([1, 2]) }, "replacement value: expected a number or 9 numbers (one per input unit), found 2 numbers"],
    [{ score: (b: T.Tensor) => E.right(new Float64Array(b.shape[0]! + 1)) }, "the score function failed at step 0: expected 2 scores (one per row of the batch), found 3"],
    [{ score: (b: T.Tensor) => E.right(new Float64Array(b.shape[0]!).fill(NaN)) }, "expected finite scores (step 0), found NaN at sample 0"],
    [{ score: (b: T.Tensor, s: Int32Array) => (b.shape[0] === 2 ? E.right(new Float64Array(2)) : E.left(`no batch of ${s.length}`)) }, "the score function failed at step 1: no batch of 6"],
  ] as const)("%o", (opts, expected) => {
    expect(refuse(opts as Partial<PerturbationOptions>)).toContain(expected);
  });
});
