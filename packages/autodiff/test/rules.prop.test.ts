/**
 * Every primitive's VJP rule against central finite differences (checkGrads), first and second order. The case
 * table is typed by primitive, so a new primitive without a case is a compile error here too.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as AD from "@dtd/autodiff";
import { checkGrads } from "@dtd/autodiff/testing";

type Case = { readonly f: (...xs: AD.Var[]) => AD.Var; readonly xs: readonly T.Tensor[]; readonly order?: 1 | 2 };
type Rng = T.Random.Rng;

const normal = (rng: Rng, shape: number[]) => T.Random.normalTensor(rng, shape);
const uniform = (rng: Rng, shape: number[], lo: number, hi: number) => T.Random.uniformTensor(rng, shape, lo, hi);
/** Values bounded away from 0, so that kinks (|x|, x⁺) are not straddled by the finite differences. */
const awayFromZero = (rng: Rng, shape: number[]) => T.map(uniform(rng, shape, 0.1, 2), (v) => (rng.next() < 0.5 ? -v : v));
/**
 * Distinct values 0.1 apart, in a random order: max pooling's argmax never switches inside the finite differences'
 * step (two normal draws of a window can be closer than it, and the difference quotient then crosses a kink).
 */
const separated = (rng: Rng, shape: number[]): T.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => 0.1 * (i - n / 2));
  for (let i = n - 1; i > 0; i--) {
    const j = T.Random.int(rng, i + 1);
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return T.of(v, shape);
};
const dim = (rng: Rng, lo = 1, hi = 4) => lo + T.Random.int(rng, hi - lo + 1);

const cases: { readonly [P in AD.Primitive]: (rng: Rng) => Case } = {
  identity: (rng) => ({ f: (x) => AD.grad((y) => AD.sum(AD.mul(AD.square(y), y)))(x), xs: [normal(rng, [dim(rng)])] }),
  add: (rng) => { const n = dim(rng); return { f: AD.add, xs: [normal(rng, [dim(rng), n]), normal(rng, [n])], order: 2 }; },
  sub: (rng) => { const n = dim(rng); return { f: AD.sub, xs: [normal(rng, [n]), normal(rng, [dim(rng), n])] }; },
  mul: (rng) => { const n = dim(rng); return { f: AD.mul, xs: [normal(rng, [dim(rng), 1, n]), normal(rng, [dim(rng), n])], order: 2 }; },
  div: (rng) => { const n = dim(rng); return { f: AD.div, xs: [normal(rng, [n]), uniform(rng, [dim(rng), n], 0.5, 2)], order: 2 }; },
  pow: (rng) => { const n = dim(rng); return { f: AD.pow, xs: [uniform(rng, [n], 0.5, 2), uniform(rng, [n], -2, 3)], order: 2 }; },
  maximum: (rng) => { const n = dim(rng); const a = normal(rng, [n]); return { f: AD.maximum, xs: [a, T.add(a, awayFromZero(rng, [n]))] }; },
  minimum: (rng) => { const n = dim(rng); const a = normal(rng, [n]); return { f: AD.minimum, xs: [a, T.add(a, awayFromZero(rng, [n]))] }; },
  neg: (rng) => ({ f: AD.neg, xs: [normal(rng, [dim(rng), dim(rng)])] }),
  exp: (rng) => ({ f: AD.exp, xs: [normal(rng, [dim(rng)])], order: 2 }),
  log: (rng) => ({ f: AD.log, xs: [uniform(rng, [dim(rng)], 0.5, 3)], order: 2 }),
  sqrt: (rng) => ({ f: AD.sqrt, xs: [uniform(rng, [dim(rng)], 0.5, 3)], order: 2 }),
  abs: (rng) => ({ f: AD.abs, xs: [awayFromZero(rng, [dim(rng)])] }),
  positivePart: (rng) => ({ f: AD.positivePart, xs: [awayFromZero(rng, [dim(rng), dim(rng)])] }),
  negativePart: (rng) => ({ f: AD.negativePart, xs: [awayFromZero(rng, [dim(rng)])] }),
  where: (rng) => {
    const n = dim(rng);
    const cond = T.greater(normal(rng, [n]), 0);
    return { f: (a, b) => AD.where(cond, a, b), xs: [normal(rng, [n]), normal(rng, [1])] };
  },
  sum: (rng) => { const keepDims = rng.next() < 0.5; return { f: (x) => AD.sum(x, { axes: [0, 2], keepDims }), xs: [normal(rng, [dim(rng), dim(rng), dim(rng)])] }; },
  broadcastTo: (rng) => { const [m, n] = [dim(rng), dim(rng)]; return { f: (x) => AD.broadcastTo(x, [m, n]), xs: [normal(rng, [n])] }; },
  reshape: (rng) => ({ f: (x) => AD.reshape(x, [-1]), xs: [normal(rng, [dim(rng), dim(rng)])] }),
  transpose: (rng) => ({ f: (x) => AD.transpose(x, [2, 0, 1]), xs: [normal(rng, [dim(rng), dim(rng), dim(rng)])] }),
  slice: (rng) => ({ f: (x) => AD.slice(x, [1, 0], [1, -1]), xs: [normal(rng, [dim(rng, 2), dim(rng)])] }),
  pad: (rng) => ({ f: (x) => AD.pad(x, [1, 0], [0, 2]), xs: [normal(rng, [dim(rng), dim(rng)])] }),
  concat: (rng) => { const n = dim(rng); return { f: (a, b) => AD.concat([a, b], 1), xs: [normal(rng, [n, dim(rng)]), normal(rng, [n, dim(rng)])] }; },
  matmul: (rng) => {
    const [m, k, n] = [dim(rng), dim(rng), dim(rng)];
    const tA = rng.next() < 0.5;
    const tB = rng.next() < 0.5;
    return {
      f: (a, b) => AD.matmul(a, b, { transposeA: tA, transposeB: tB }),
      xs: [normal(rng, tA ? [k, m] : [m, k]), normal(rng, tB ? [n, k] : [k, n])],
      order: 2,
    };
  },
  conv2d: (rng) => {
    const stride: [number, number] = [dim(rng, 1, 2), dim(rng, 1, 2)];
    const padding: [number, number] = [dim(rng, 0, 1), dim(rng, 0, 1)];
    return { f: (x, w) => AD.conv2d(x, w, { stride, padding }), xs: [normal(rng, [dim(rng, 1, 2), 2, 5, 6]), normal(rng, [3, 2, 3, 2])], order: 2 };
  },
  conv2dBias: (rng) => {
    // Batched (NCHW) or one CHW image; 2 or 5 out-channels (5: the packed-panel kernel path).
    const o = rng.next() < 0.5 ? 2 : 5;
    const xShape = rng.next() < 0.5 ? [dim(rng, 1, 2), 2, 5, 4] : [2, 5, 4];
    const opts = { stride: [dim(rng, 1, 2), 1] as [number, number], padding: [0, dim(rng, 0, 1)] as [number, number] };
    return { f: (x, w, b) => AD.conv2dBias(x, w, b, opts), xs: [normal(rng, xShape), normal(rng, [o, 2, 2, 3]), normal(rng, [o])], order: 2 };
  },
  conv2dBackpropInput: (rng) => {
    const opts = { stride: [2, 1] as [number, number], padding: [1, 0] as [number, number] };
    const xShape = [2, 2, 5, 4];
    const w = normal(rng, [3, 2, 3, 2]);
    const dy = T.conv2d(T.zeros(xShape), w, opts);
    return { f: (d, ww) => AD.conv2dBackpropInput(d, ww, xShape, opts), xs: [normal(rng, [...dy.shape]), w], order: 2 };
  },
  conv2dBackpropFilter: (rng) => {
    const opts = { stride: [1, 2] as [number, number], padding: [0, 1] as [number, number] };
    const wShape = [3, 2, 2, 3];
    const x = normal(rng, [2, 2, 4, 5]);
    const dy = T.conv2d(x, T.zeros(wShape), opts);
    return { f: (xx, d) => AD.conv2dBackpropFilter(xx, d, wShape, opts), xs: [x, normal(rng, [...dy.shape])], order: 2 };
  },
  depthwiseConv2d: (rng) => {
    const opts = { stride: [dim(rng, 1, 2), dim(rng, 1, 2)] as [number, number], padding: [dim(rng, 0, 1), dim(rng, 0, 1)] as [number, number] };
    return { f: (x, w) => AD.depthwiseConv2d(x, w, opts), xs: [normal(rng, [dim(rng, 1, 2), 2, 5, 4]), normal(rng, [2, dim(rng, 1, 2), 3, 2])], order: 2 };
  },
  depthwiseConv2dBackpropInput: (rng) => {
    const opts = { stride: [2, 1] as [number, number], padding: [1, 0] as [number, number] };
    const xShape = [2, 2, 5, 4];
    const w = normal(rng, [2, 3, 3, 2]);
    const dy = T.depthwiseConv2d(T.zeros(xShape), w, opts);
    return { f: (d, ww) => AD.depthwiseConv2dBackpropInput(d, ww, xShape, opts), xs: [normal(rng, [...dy.shape]), w], order: 2 };
  },
  depthwiseConv2dBackpropFilter: (rng) => {
    const opts = { stride: [1, 2] as [number, number], padding: [0, 1] as [number, number] };
    const wShape = [2, 2, 2, 3];
    const x = normal(rng, [2, 2, 4, 5]);
    const dy = T.depthwiseConv2d(x, T.zeros(wShape), opts);
    return { f: (xx, d) => AD.depthwiseConv2dBackpropFilter(xx, d, wShape, opts), xs: [x, normal(rng, [...dy.shape])], order: 2 };
  },
  sumPool2d: (rng) => { const s = dim(rng, 1, 2); return { f: (x) => AD.sumPool2d(x, { kernel: [2, 2], stride: [s, 2] }), xs: [normal(rng, [2, 2, 4, 5])] }; },
  sumPool2dTranspose: (rng) => {
    const opts = { kernel: [2, 3] as [number, number], stride: [2, 1] as [number, number] };
    const xShape = [1, 2, 5, 5];
    const y = T.sumPool2d(T.zeros(xShape), opts);
    return { f: (d) => AD.sumPool2dTranspose(d, xShape, opts), xs: [normal(rng, [...y.shape])] };
  },
  gather: (rng) => ({ f: (x) => AD.maxPool2d(x, { kernel: [2, 2] }), xs: [separated(rng, [1, 2, 4, 4])] }),
  scatterAdd: (rng) => {
    const indices = Int32Array.from({ length: 5 }, () => T.Random.int(rng, 3));
    return { f: (x) => AD.scatterAdd(x, indices, [3]), xs: [normal(rng, [5])] };
  },
  custom: (rng) => {
    // x ↦ x³ with a hand-written backward 3x²·ct.
    const cube = AD.customVjp("cube", (x) => ({
      y: T.map(x, (v) => v * v * v),
      bwd: (ct) => [AD.mul(ct, AD.mul(AD.square(x), 3))],
    }));
    return { f: (x) => cube(x), xs: [normal(rng, [dim(rng)])] };
  },
};

describe("gradients: every primitive's VJP rule matches finite differences", () => {
  for (const p of AD.primitives) {
    test(`gradients: ${p}`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          const c = cases[p](T.Random.make(seed));
          const r = checkGrads(c.f, c.xs, { seed, order: c.order ?? 1 });
          if (!r.ok) throw new Error(r.message);
        }),
        { numRuns: Math.min(fc.readConfigureGlobal().numRuns ?? 50, 30) },
      );
      expect(cases[p]).toBeDefined();
    });
  }
});
