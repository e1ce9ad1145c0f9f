import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";

const t = (data: number[], shape: number[]) => T.of(data, shape);
const boxOf = (l: number, h: number) => {
  const b = L.Domain.box(l, h);
  if (E.isLeft(b)) throw new Error(b.left);
  return b.right;
};

// A 3-input, 2-unit layer: W[i][j] = w_ij.
const W = t([1, -2, 2, 1, -1, 3], [3, 2]);
const b = t([-1, -0.5], [2]);
const layer = L.dense(W, b);
const x = t([1, 2, 0.5], [3]);
// z_1 = 1 + 4 − 0.5 − 1 = 3.5; z_2 = −2 + 2 + 1.5 − 0.5 = 1

describe("closed-form roots of affine + ReLU neurons", () => {
  test("w²: v = w gives x̃ = x − z_j / ‖w_j‖² · w_j, a root in ℝᵈ", () => {
    const V = T.transpose(W); // row j = w_·j
    const roots = L.rootSearch(layer, x, V, { domain: L.Domain.real, sMax: Infinity });
    expect(roots.map((r) => r.active)).toEqual([true, true]);
    expectAllClose(roots[0]!.s, 3.5 / 6);
    expectAllClose(roots[0]!.xTilde, [1 - (3.5 / 6) * 1, 2 - (3.5 / 6) * 2, 0.5 - (3.5 / 6) * -1]);
    expectAllClose(roots[1]!.s, 1 / 14);
    for (const r of roots) {
      expect(r.exists && r.inDomain).toBe(true);
      expectAllClose(r.residual, 0, { atol: 1e-12 });
    }
  });
  test("z⁺: v = x·1[w ≥ 0] reaches the root x·1[w < 0] within the segment when b ≤ 0", () => {
    const V = t([1, 2, 0, 0, 2, 0.5], [2, 3]); // v_·1 = x·1[w_·1 ≥ 0] = [1, 2, 0]; v_·2 = [0, 2, 0.5]
    const roots = L.rootSearch(layer, x, V, { domain: L.Domain.nonNegative });
    // s_1 = z_1 / Σ x w⁺ = 3.5 / 5; s_2 = 1 / 3.5
    expectAllClose(roots.map((r) => r.s), [3.5 / 5, 1 / 3.5]);
    for (const r of roots) {
      expect(r.exists).toBe(true);
      expect(r.inDomain).toBe(true);
      expectAllClose(r.residual, 0, { atol: 1e-12 });
    }
  });
  test("a direction that leaves the domain is reported", () => {
    const V = t([3, 3, 3, 3, 3, 3], [2, 3]); // pushes x below zero
    const roots = L.rootSearch(layer, x, V, { domain: L.Domain.nonNegative, sMax: Infinity });
    const r0 = roots[0]!;
    expectAllClose(r0.residual, 0, { atol: 1e-12 });
    expect(r0.inDomain).toBe(false);
  });
  test("a root beyond the segment (a positive bias) does not exist on it", () => {
    const pos = L.dense(W, t([5, 5], [2]));
    const V = t([1, 2, 0, 0, 2, 0.5], [2, 3]);
    const roots = L.rootSearch(pos, x, V, { domain: L.Domain.nonNegative, sMax: 1 });
    expect(roots.map((r) => r.exists)).toEqual([false, false]);
  });
  test("an inactive neuron is its own root", () => {
    const off = L.dense(W, t([-10, -10], [2]));
    const roots = L.rootSearch(off, x, T.transpose(W), { domain: L.Domain.real });
    expect(roots.every((r) => !r.active && r.s === 0 && r.exists)).toBe(true);
  });
  test("conv2d neurons get closed-form roots from the Jacobian rows (one VJP)", () => {
    const conv = L.conv2d(t([1, -1, 0.5, 2], [1, 1, 2, 2]), t([-0.1], [1]));
    const xi = t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3]);
    const { rows } = L.affineRows(conv, [1, 3, 3]);
    expect(rows.shape).toEqual([4, 9]);
    expectAllClose(T.slice(rows, [0, 0], [1, 9]), [1, -1, 0, 0.5, 2, 0, 0, 0, 0]);
    const roots = L.rootSearch(conv, xi, rows, { domain: L.Domain.real, sMax: Infinity });
    for (const r of roots) expectAllClose(r.residual, 0, { atol: 1e-10 });
  });
});

describe("numeric roots of other layers (bracketing + Newton/bisection)", () => {
  test("p-norm pooling: ‖x − s·x‖₂ = (1 − s)‖x‖₂ vanishes at s = 1", () => {
    const roots = L.rootSearch(L.pNormPool(2), t([3, 4], [2]), t([3, 4], [1, 2]), { domain: L.Domain.nonNegative, sMax: 1 });
    expect(roots[0]!.exists).toBe(true);
    expectAllClose(roots[0]!.s, 1, { atol: 1e-8 });
    expectAllClose(roots[0]!.residual, 0, { atol: 1e-8 });
  });
  test("sum pooling over windows: each window's root along its own direction", () => {
    const x = t([1, 2, 3, 4], [1, 2, 2]);
    const V = t([1, 0, 0, 0, 0, 0, 0, 1], [2, 4]);
    const roots = L.rootSearch(L.sumPool({ kernel: [1, 2] }), x, V, { domain: L.Domain.real, sMax: Infinity });
    expectAllClose(roots.map((r) => r.s), [3, 7], { atol: 1e-8 });
    expect(roots.every((r) => r.inDomain)).toBe(true);
  });
  test("a direction along which the neuron never vanishes reports no root", () => {
    const roots = L.rootSearch(L.sumPool(), t([1, 1], [2]), t([-1, -1], [1, 2]), { domain: L.Domain.real, sMax: Infinity });
    expect(roots[0]!.exists).toBe(false);
  });
  test("zᵇ's box: a root outside [l, h] is flagged", () => {
    const roots = L.rootSearch(layer, x, t([5, 5, 5, 5, 5, 5], [2, 3]), { domain: boxOf(-1, 2) });
    expect(roots[0]!.inDomain).toBe(false);
  });
});
