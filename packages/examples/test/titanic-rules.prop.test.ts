/**
 * Why zᵇ means the same for min–max and for standardised features: rescaling feature i affinely,
 * x'_i = (x_i − s_i) / a_i with a_i > 0 and s_i inside its range [l_i, h_i] (min–max: s = l; z-scores: s = the
 * mean), with the network rewritten to compute the same f (w'_ij = a_i w_ij, b'_j = b_j + Σ_i s_i w_ij) and the
 * box mapped along (l' = (l − s)/a ≤ 0 ≤ h' = (h − s)/a), leaves every zᵇ relevance unchanged: its term
 * (x_i − l_i)·w_ij⁺ + (h_i − x_i)·|w_ij⁻| is a distance inside the box times a weight, and the two factors scale
 * by a_i and 1/a_i. z⁺'s term x_i w_ij⁺ measures from 0, which the shift moves: its relevance changes.
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { expectAllClose } from "@dtd/tensor/testing";
import type * as DT from "@dtd/deep-taylor";
import { explainWith, ruleStrategies } from "../src/titanic/rules.ts";

const network = (W: number[], b: number[], d: number): L.Model => {
  const h = b.length;
  const m = L.build([d], L.sequential(L.detection(T.of(W, [d, h]), T.of(b, [h])), L.sumPool()));
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};

const relevance = (model: L.Model, x: number[], box: { low: number[]; high: number[] }, rule: "zb" | "zplus"): Float64Array => {
  const strategies = ruleStrategies({ low: Float64Array.from(box.low), high: Float64Array.from(box.high) });
  if (E.isLeft(strategies)) throw new Error(strategies.left);
  const out = explainWith(model, T.of(x, [1, x.length]), strategies.right[rule] as DT.Strategy);
  if (E.isLeft(out)) throw new Error(out.left);
  return Float64Array.from(out.right.R.data);
};

const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** A one-layer detection-pooling network with b ≤ 0, a box holding 0, a point in it, and an affine rescaling. */
const setting = fc
  .record({ d: fc.integer({ min: 1, max: 5 }), h: fc.integer({ min: 1, max: 4 }) })
  .chain(({ d, h }) =>
    fc.record({
      d: fc.constant(d),
      W: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d * h, maxLength: d * h }),
      b: fc.array(fc.double({ min: -1, max: 0, noNaN: true }), { minLength: h, maxLength: h }),
      low: fc.array(fc.double({ min: -2, max: 0, noNaN: true }), { minLength: d, maxLength: d }),
      width: fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: d, maxLength: d }),
      at: fc.array(unit, { minLength: d, maxLength: d }),
      shiftAt: fc.array(unit, { minLength: d, maxLength: d }),
      scale: fc.array(fc.double({ min: 0.25, max: 4, noNaN: true }), { minLength: d, maxLength: d }),
    }),
  )
  .map(({ d, W, b, low, width, at, shiftAt, scale }) => {
    // The box [l, h] holds 0: h = l + width ≥ 0 when the width reaches past 0.
    const high = low.map((l, i) => Math.max(0, l + width[i]!));
    const x = low.map((l, i) => l + at[i]! * (high[i]! - l));
    const s = low.map((l, i) => l + shiftAt[i]! * (high[i]! - l));
    const hUnits = b.length;
    const W2 = W.map((w, k) => w * scale[Math.floor(k / hUnits)]!);
    const b2 = b.map((bj, j) => bj + s.reduce((acc, si, i) => acc + si * W[i * hUnits + j]!, 0));
    const map = (v: number[]): number[] => v.map((vi, i) => (vi - s[i]!) / scale[i]!);
    return { d, W, b, box: { low, high }, x, W2, b2, box2: { low: map(low), high: map(high) }, x2: map(x) };
  });

test("zᵇ relevance is unchanged by an affine rescaling of the features that keeps 0 inside the box", () => {
  fc.assert(
    fc.property(setting, ({ d, W, b, box, x, W2, b2, box2, x2 }) => {
      const R = relevance(network(W, b, d), x, box, "zb");
      const R2 = relevance(network(W2, b2, d), x2, box2, "zb");
      const f = R.reduce((a, v) => a + v, 0);
      expectAllClose(Array.from(R2), Array.from(R), { atol: 1e-9 * Math.max(1, f), rtol: 1e-9 });
    }),
  );
});

test("z⁺ relevance measures from 0, which a shift moves: it changes", () => {
  // One neuron, f(x) = max(0, x_1 + x_2 − 0.5); shifting feature 1 by s_1 = 0.5 and rewriting b keeps f.
  const R = relevance(network([1, 1], [-0.5], 2), [1, 0.5], { low: [0, 0], high: [1, 1] }, "zplus");
  const R2 = relevance(network([1, 1], [0], 2), [0.5, 0.5], { low: [-0.5, 0], high: [0.5, 1] }, "zplus");
  expectAllClose(Array.from(R), [2 / 3, 1 / 3], { atol: 1e-12 });
  expectAllClose(Array.from(R2), [0.5, 0.5], { atol: 1e-12 });
  // zᵇ on the same pair: the same relevance.
  expectAllClose(
    Array.from(relevance(network([1, 1], [0], 2), [0.5, 0.5], { low: [-0.5, 0], high: [0.5, 1] }, "zb")),
    Array.from(relevance(network([1, 1], [-0.5], 2), [1, 0.5], { low: [0, 0], high: [1, 1] }, "zb")),
    { atol: 1e-12 },
  );
});
