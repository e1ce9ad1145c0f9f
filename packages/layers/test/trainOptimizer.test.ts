import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import {
  adam,
  applyConstraints,
  atLayers,
  checkConstraints,
  clampParam,
  frozen,
  nonPositiveBias,
  ofKind,
  sgd,
  type ParamTreeT,
} from "@dtd/layers";

const t = (data: number[], shape: number[]) => T.of(data, shape);
const tree = (W: number[], b: number[]): ParamTreeT => [{ W: t(W, [W.length, 1]), b: t(b, [b.length]) }, {}];
const flat = (p: ParamTreeT) => p.flatMap((r) => Object.values(r).flatMap((x) => Array.from(x.data)));

describe("sgd", () => {
  test("plain SGD: θ ← θ − η g", () => {
    const opt = sgd({ learningRate: 0.1 });
    const p = tree([1, 2], [0.5]);
    const { params } = opt.step(opt.init(p), p, tree([0.5, -1], [2]));
    expectAllClose(flat(params), [0.95, 2.1, 0.3]);
  });
  test("momentum by hand: two steps with g = (0.5, −1), μ = 0.9, η = 0.1", () => {
    const opt = sgd({ learningRate: 0.1, momentum: 0.9 });
    const g = tree([0.5, -1], [0]);
    const p0 = tree([1, 2], [0]);
    const s1 = opt.step(opt.init(p0), p0, g);
    expectAllClose(flat(s1.params), [0.95, 2.1, 0]);
    const s2 = opt.step(s1.state, s1.params, g);
    // v = 0.9·(0.5, −1) + (0.5, −1) = (0.95, −1.9)
    expectAllClose(flat(s2.state.velocity), [0.95, -1.9, 0]);
    expectAllClose(flat(s2.params), [0.855, 2.29, 0]);
  });
  test("Nesterov: θ ← θ − η (g + μ v)", () => {
    const opt = sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    const p0 = tree([1, 2], [0]);
    const { params } = opt.step(opt.init(p0), p0, tree([0.5, -1], [0]));
    expectAllClose(flat(params), [1 - 0.1 * 0.95, 2 + 0.1 * 1.9, 0]);
  });
  test("is pure: the inputs are not written to", () => {
    const opt = sgd({ learningRate: 0.1, momentum: 0.5 });
    const p0 = tree([1, 2], [3]);
    const state = opt.init(p0);
    opt.step(state, p0, tree([1, 1], [1]));
    expect(flat(p0)).toEqual([1, 2, 3]);
    expect(flat(state.velocity)).toEqual([0, 0, 0]);
  });
  test("refuses a gradient tree of another structure and invalid hyper-parameters", () => {
    const opt = sgd({ learningRate: 0.1 });
    const p = tree([1, 2], [0]);
    expect(() => opt.step(opt.init(p), p, [{ W: T.zeros([2, 1]) }, {}])).toThrow("expected parameters {W, b} at layer 0, found {W}");
    expect(() => opt.step(opt.init(p), p, tree([1, 2, 3], [0]))).toThrow("expected W of layer 0 with shape [2, 1] (float64), found [3, 1] (float64)");
    expect(() => sgd({ learningRate: -1 })).toThrow("expected learningRate > 0 (finite), found -1");
    expect(() => sgd({ learningRate: 1, momentum: 1 })).toThrow("expected momentum in [0, 1), found 1");
  });
});

describe("adam", () => {
  test("the first step has magnitude ≈ η in every coordinate, whatever the gradient's scale", () => {
    const opt = adam({ learningRate: 0.01 });
    const p0 = tree([0, 0, 0], [0]);
    const { params } = opt.step(opt.init(p0), p0, tree([1e-3, 5, -200], [0]));
    expectAllClose(flat(params), [-0.01, -0.01, 0.01, 0], { atol: 1e-6 });
  });
  test("by hand: g = 1 then g = −1 (β₁ = 0.9, β₂ = 0.999)", () => {
    const eta = 0.1;
    const opt = adam({ learningRate: eta, epsilon: 1e-8 });
    const p0 = tree([0], [0]);
    const s1 = opt.step(opt.init(p0), p0, tree([1], [0]));
    expectAllClose(flat(s1.params)[0]!, -eta / (1 + 1e-8));
    expect(s1.state.t).toBe(1);
    const s2 = opt.step(s1.state, s1.params, tree([-1], [0]));
    // m = 0.9·0.1 − 0.1 = −0.01, m̂ = −0.01 / (1 − 0.81) = −1/19; v = 0.999·0.001 + 0.001, v̂ = v / (1 − 0.999²) = 1.
    expectAllClose(flat(s2.state.m)[0]!, -0.01);
    expectAllClose(flat(s2.params)[0]!, -eta / (1 + 1e-8) + eta / 19 / (1 + 1e-8));
    expect(s2.state.t).toBe(2);
  });
});

describe("constraints", () => {
  const model = (() => {
    const m = L.build([2], [L.dense(T.zeros([2, 2]), T.zeros([2])), L.relu, L.dense(T.zeros([2, 1]), T.zeros([1])), L.sumPool()]);
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    return m.right;
  })();
  const params: ParamTreeT = [{ W: t([1, -2, 3, -4], [2, 2]), b: t([0.5, -0.5], [2]) }, {}, { W: t([2, -1], [2, 1]), b: t([3], [1]) }, {}];
  const previous: ParamTreeT = [{ W: T.zeros([2, 2]), b: T.zeros([2]) }, {}, { W: t([7, 7], [2, 1]), b: t([7], [1]) }, {}];

  test("nonPositiveBias projects b_j ← min(b_j, 0) and leaves the weights", () => {
    const out = applyConstraints([nonPositiveBias()], model.layers, params);
    expect(Array.from(out[0]!["b"]!.data)).toEqual([0, -0.5]);
    expect(Array.from(out[2]!["b"]!.data)).toEqual([0]);
    expect(out[0]!["W"]).toBe(params[0]!["W"]);
  });
  test("nonPositiveBias on one layer by index; frozen restores the previous values", () => {
    const out = applyConstraints([nonPositiveBias(atLayers(0)), frozen(atLayers(2))], model.layers, params, previous);
    expect(Array.from(out[0]!["b"]!.data)).toEqual([0, -0.5]);
    expect(out[2]).toBe(previous[2]);
  });
  test("clamp keeps a named parameter in [min, max], selected by kind", () => {
    const out = applyConstraints([clampParam("W", 0, 2.5, ofKind("dense"))], model.layers, params);
    expect(Array.from(out[0]!["W"]!.data)).toEqual([1, 0, 2.5, 0]);
    expect(Array.from(out[2]!["W"]!.data)).toEqual([2, 0]);
  });
  test("checkConstraints refuses indices out of range, a layer without the parameter, and constraints that act on nothing", () => {
    const left = (cs: Parameters<typeof checkConstraints>[1]) => {
      const r = checkConstraints(model.layers, cs);
      return E.isLeft(r) ? r.left : "accepted";
    };
    expect(left([nonPositiveBias(), frozen(atLayers(2))])).toBe("accepted");
    expect(left([frozen(atLayers(4))])).toBe("frozen: expected layer indices in [0, 3], found 4");
    expect(left([nonPositiveBias(atLayers(1))])).toBe("nonPositiveBias: expected layer 1 to have a parameter b, found relu with {}");
    expect(left([clampParam("scale", 0, 1)])).toBe("clampParam(scale, 0, 1): expected to act on at least one parameter scale, found none in the selected layers");
    expect(left([clampParam("W", 1, 0)])).toBe("clampParam(W, 1, 0): expected min ≤ max, found min 1 and max 0");
  });
});
