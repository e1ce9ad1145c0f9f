/**
 * Depthwise convolution against its definition: equal to conv2d with block-diagonal filters (the naive oracle of
 * convReference.ts, which shares no code with the kernels), both adjoints by the adjoint identity, both dtypes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import { backpropFilterRef, backpropInputRef, convRef, dot, type Geo, outSize } from "./convReference.ts";

/** A depthwise geometry (c channels, m filters each) whose kernel fits the padded input. */
const geoArb = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    extraH: fc.integer({ min: 0, max: 5 }),
    extraW: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ extraH, extraW, ...g }) => ({ ...g, h: Math.max(1, g.kh - 2 * g.ph) + extraH, w: Math.max(1, g.kw - 2 * g.pw) + extraW }));

type DGeo = typeof geoArb extends fc.Arbitrary<infer G> ? G : never;

/** The equivalent dense convolution: o = c·m output channels over all c inputs. */
const asConv = (g: DGeo): Geo => ({ n: g.n, c: g.c, h: g.h, w: g.w, o: g.c * g.m, kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, ph: g.ph, pw: g.pw });

/** W[c·m + k, c', i, j] = [c = c'] · w[c, k, i, j]. */
const blockDiagonal = (w: T.Tensor, g: DGeo): Float64Array => {
  const taps = g.kh * g.kw;
  const out = new Float64Array(g.c * g.m * g.c * taps);
  for (let c = 0; c < g.c; c++)
    for (let k = 0; k < g.m; k++)
      for (let t = 0; t < taps; t++) out[((c * g.m + k) * g.c + c) * taps + t] = w.data[(c * g.m + k) * taps + t]!;
  return out;
};

const operands = (g: DGeo, seed: number) => {
  const rng = T.Random.make(seed);
  const [oh, ow] = outSize(asConv(g));
  return {
    x: T.Random.uniformTensor(rng, [g.n, g.c, g.h, g.w], -1, 1),
    w: T.Random.uniformTensor(rng, [g.c, g.m, g.kh, g.kw], -1, 1),
    dy: T.Random.uniformTensor(rng, [g.n, g.c * g.m, oh, ow], -1, 1),
  };
};
const optsOf = (g: DGeo) => ({ stride: [g.sh, g.sw] as [number, number], padding: [g.ph, g.pw] as [number, number] });

describe("depthwiseConv2d", () => {
  test("equals conv2d with block-diagonal filters (forward and both backprops, naive oracle)", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x, w, dy } = operands(g, seed);
        const cg = asConv(g);
        const W = blockDiagonal(w, g);
        const y = T.depthwiseConv2d(x, w, optsOf(g));
        expect(y.shape).toEqual([g.n, g.c * g.m, ...outSize(cg)]);
        expectAllClose(y, convRef(x.data, W, cg), { atol: 1e-12 });
        expectAllClose(depthwiseConv2dBackpropInput(dy, w, x.shape, optsOf(g)), backpropInputRef(dy.data, W, cg), { atol: 1e-12 });
        // The filter gradient of the dense convolution restricted to the diagonal blocks.
        const dW = backpropFilterRef(x.data, dy.data, cg);
        const dw = depthwiseConv2dBackpropFilter(x, dy, w.shape, optsOf(g));
        const taps = g.kh * g.kw;
        const diag = Float64Array.from(dw.data, (_, f) => {
          const ck = Math.floor(f / taps);
          return dW[(ck * g.c + Math.floor(ck / g.m)) * taps + (f % taps)]!;
        });
        expectAllClose(dw, diag, { atol: 1e-12 });
      }),
    );
  });
  test("adjoint identity: ⟨dw(x, w), dy⟩ = ⟨x, backpropInput(dy, w)⟩ = ⟨w, backpropFilter(x, dy)⟩", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x, w, dy } = operands(g, seed);
        const lhs = dot(T.depthwiseConv2d(x, w, optsOf(g)).data, dy.data);
        expectAllClose(dot(x.data, depthwiseConv2dBackpropInput(dy, w, x.shape, optsOf(g)).data), lhs, { atol: 1e-10, rtol: 1e-10 });
        expectAllClose(dot(w.data, depthwiseConv2dBackpropFilter(x, dy, w.shape, optsOf(g)).data), lhs, { atol: 1e-10, rtol: 1e-10 });
      }),
    );
  });
  test("float32 in, float32 out, equal to the float64 result rounded (sums in float64); CHW works unbatched", () => {
    const g: DGeo = { n: 1, c: 2, m: 2, h: 5, w: 4, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 0 };
    const { x, w } = operands(g, 7);
    const y32 = T.depthwiseConv2d(T.astype(x, "float32"), T.astype(w, "float32"), optsOf(g));
    expect(y32.dtype).toBe("float32");
    const y64 = T.depthwiseConv2d(T.astype(T.astype(x, "float32"), "float64"), T.astype(T.astype(w, "float32"), "float64"), optsOf(g));
    expect(Array.from(y32.data)).toEqual(Array.from(Float32Array.from(y64.data)));
    const single = T.depthwiseConv2d(T.reshape(x, [2, 5, 4]), w, optsOf(g));
    expect(single.shape).toEqual([4, 3, 3]);
    expectAllClose(single, T.reshape(y64, [4, 3, 3]), { atol: 1e-6 });
  });
  test("refuses a channel mismatch and a kernel larger than the padded input", () => {
    expect(() => T.depthwiseConv2d(T.zeros([1, 3, 4, 4]), T.zeros([2, 1, 3, 3]))).toThrow(/channels.*3 != 2/);
    expect(() => T.depthwiseConv2d(T.zeros([1, 1, 2, 2]), T.zeros([1, 1, 3, 3]))).toThrow(/kernel no larger than the padded input 2x2/);
  });
});
