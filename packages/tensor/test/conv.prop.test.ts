import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { conv2d } from "@dtd/tensor";
import { conv2dBackpropFilter, conv2dBackpropInput, conv2dBias } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import { backpropFilterRef, backpropInputRef, convRef, dot, type Geo, outSize } from "./convReference.ts";

/** Geometries that satisfy conv2d's preconditions by construction: the kernel fits the padded input. */
const geoArb: fc.Arbitrary<Geo> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 3 }),
    o: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    extraH: fc.integer({ min: 0, max: 6 }),
    extraW: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ extraH, extraW, ...g }) => ({
    ...g,
    h: Math.max(1, g.kh - 2 * g.ph) + extraH,
    w: Math.max(1, g.kw - 2 * g.pw) + extraW,
  }));

const operands = (g: Geo, seed: number) => {
  const rng = T.Random.make(seed);
  const [oh, ow] = outSize(g);
  return {
    x: T.Random.uniformTensor(rng, [g.n, g.c, g.h, g.w], -1, 1),
    w: T.Random.uniformTensor(rng, [g.o, g.c, g.kh, g.kw], -1, 1),
    dy: T.Random.uniformTensor(rng, [g.n, g.o, oh, ow], -1, 1),
  };
};

const optsOf = (g: Geo) => ({ stride: [g.sh, g.sw] as [number, number], padding: [g.ph, g.pw] as [number, number] });

describe("conv2d properties", () => {
  test("adjoint identity: ⟨conv(x, w), dy⟩ = ⟨x, backpropInput(dy, w)⟩ = ⟨w, backpropFilter(x, dy)⟩", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x, w, dy } = operands(g, seed);
        const opts = optsOf(g);
        const lhs = dot(conv2d(x, w, opts).data, dy.data);
        const viaInput = dot(x.data, conv2dBackpropInput(dy, w, x.shape, opts).data);
        const viaFilter = dot(w.data, conv2dBackpropFilter(x, dy, w.shape, opts).data);
        expectAllClose(viaInput, lhs, { atol: 1e-10, rtol: 1e-10 });
        expectAllClose(viaFilter, lhs, { atol: 1e-10, rtol: 1e-10 });
      }),
    );
  });

  test("forward and both backprops equal the naive definition for random geometries", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x, w, dy } = operands(g, seed);
        const opts = optsOf(g);
        const y = conv2d(x, w, opts);
        expect(y.shape).toEqual([g.n, g.o, ...outSize(g)]);
        expectAllClose(y, convRef(x.data, w.data, g), { atol: 1e-12 });
        expectAllClose(conv2dBackpropInput(dy, w, x.shape, opts), backpropInputRef(dy.data, w.data, g), { atol: 1e-12 });
        expectAllClose(conv2dBackpropFilter(x, dy, w.shape, opts), backpropFilterRef(x.data, dy.data, g), { atol: 1e-12 });
      }),
    );
  });

  test("convolution is linear in x and in w", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), fc.double({ min: -3, max: 3, noNaN: true }), (g, seed, alpha) => {
        const { x, w } = operands(g, seed);
        const x2 = T.Random.uniformTensor(T.Random.make(seed ^ 0x5bd1e995), x.shape, -1, 1);
        const opts = optsOf(g);
        const combo = T.add(T.mul(x, alpha), x2);
        expectAllClose(conv2d(combo, w, opts), T.add(T.mul(conv2d(x, w, opts), alpha), conv2d(x2, w, opts)), { atol: 1e-10 });
        expectAllClose(conv2d(x, T.mul(w, alpha), opts), T.mul(conv2d(x, w, opts), alpha), { atol: 1e-10 });
      }),
    );
  });

  test("conv2dBias equals conv2d followed by a broadcast bias add, to the bit, in both dtypes", () => {
    // Out-channels up to 6 and images up to 9×9: both the packed-panel path (o ≥ 4, ≥ 4 positions) and the thin one.
    const wide = fc.tuple(geoArb, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(wide, fc.integer(), fc.constantFrom("float32" as const, "float64" as const), ([g0, o, grow], seed, dtype) => {
        const g = { ...g0, o, h: g0.h + grow, w: g0.w + grow };
        const { x, w } = operands(g, seed);
        const b = T.Random.uniformTensor(T.Random.make(seed + 1), [o], -1, 1);
        const xd: T.Tensor = T.astype(x, dtype);
        const wd: T.Tensor = T.astype(w, dtype);
        const bd: T.Tensor = T.astype(b, dtype);
        const opts = optsOf(g);
        const fused = conv2dBias(xd, wd, bd, opts);
        const separate = T.add(conv2d(xd, wd, opts), T.reshape(bd, [o, 1, 1]));
        expect(fused.dtype).toBe(dtype);
        expect(fused.shape).toEqual(separate.shape);
        expect(Array.from(fused.data)).toEqual(Array.from(separate.data));
      }),
    );
  });

  test("conv2dBias rejects a bias that is not one value per out-channel, naming both shapes", () => {
    const x = T.zeros([1, 2, 5, 5]);
    const w = T.zeros([4, 2, 3, 3]);
    expect(() => conv2dBias(x, w, T.zeros([3]))).toThrow(/conv2dBias.*\[4\].*\[3\]/s);
    expect(() => conv2dBias(x, w, T.zeros([4, 1]))).toThrow(/\[4, 1\]|\[4,1\]/);
  });
});
