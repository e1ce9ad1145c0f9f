import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { avgPool2d, maxPool2d, sumPool2d } from "@dtd/tensor";
import { avgPool2dTranspose, maxPool2dGather, maxPool2dScatter, sumPool2dTranspose } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import { dot } from "./convReference.ts";
import { maxPoolRef, type PoolGeo, pooledSize, sumPoolRef } from "./poolReference.ts";

/** Pooling geometries whose window fits the input by construction. */
const geoArb: fc.Arbitrary<PoolGeo> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 4 }),
    sw: fc.integer({ min: 1, max: 4 }),
    extraH: fc.integer({ min: 0, max: 7 }),
    extraW: fc.integer({ min: 0, max: 7 }),
  })
  .map(({ extraH, extraW, ...g }) => ({ ...g, h: g.kh + extraH, w: g.kw + extraW }));

const operands = (g: PoolGeo, seed: number) => {
  const rng = T.Random.make(seed);
  const [oh, ow] = pooledSize(g);
  return {
    x: T.Random.uniformTensor(rng, [g.n, g.c, g.h, g.w], -1, 1),
    z: T.Random.uniformTensor(rng, [g.n, g.c, g.h, g.w], -1, 1),
    dy: T.Random.uniformTensor(rng, [g.n, g.c, oh, ow], -1, 1),
  };
};

const optsOf = (g: PoolGeo) => ({ kernel: [g.kh, g.kw] as [number, number], stride: [g.sh, g.sw] as [number, number] });
const close = { atol: 1e-12, rtol: 1e-12 };

/** Padded max-pooling geometries: each pad smaller than the window along its axis. */
const paddedGeoArb: fc.Arbitrary<PoolGeo> = geoArb.chain((g) =>
  fc
    .record({ pt: fc.integer({ min: 0, max: g.kh - 1 }), pb: fc.integer({ min: 0, max: g.kh - 1 }), pl: fc.integer({ min: 0, max: g.kw - 1 }), pr: fc.integer({ min: 0, max: g.kw - 1 }) })
    .map((p) => ({ ...g, ...p })),
);
const paddedOptsOf = (g: PoolGeo) => ({ ...optsOf(g), padding: [g.pt ?? 0, g.pb ?? 0, g.pl ?? 0, g.pr ?? 0] as [number, number, number, number] });

describe("pool2d properties", () => {
  test("max pooling with padding equals the definition with the padding as −∞ (every window keeps an input element), and its routing is adjoint", () => {
    fc.assert(
      fc.property(paddedGeoArb, fc.integer(), (g, seed) => {
        const { x, z } = operands(g, seed);
        const ref = maxPoolRef(x.data, g);
        const { y, argmax } = maxPool2d(x, paddedOptsOf(g));
        expect(y.shape).toEqual([g.n, g.c, ...pooledSize(g)]);
        expect(Array.from(argmax)).toEqual(Array.from(ref.argmax));
        expectAllClose(y, ref.y, { atol: 0 });
        const dy = T.Random.uniformTensor(T.Random.make(seed + 1), y.shape, -1, 1);
        expectAllClose(dot(maxPool2dGather(z, argmax, y.shape).data, dy.data), dot(z.data, maxPool2dScatter(dy, argmax, x.shape).data), close);
      }),
    );
  });

  test("sum and average pooling are adjoint to their transposes: ⟨pool(x), dy⟩ = ⟨x, poolᵀ(dy)⟩", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x, dy } = operands(g, seed);
        const opts = optsOf(g);
        expectAllClose(dot(x.data, sumPool2dTranspose(dy, x.shape, opts).data), dot(sumPool2d(x, opts).data, dy.data), close);
        expectAllClose(dot(x.data, avgPool2dTranspose(dy, x.shape, opts).data), dot(avgPool2d(x, opts).data, dy.data), close);
      }),
    );
  });

  test("max-pool routing: ⟨gather(z, argmax), dy⟩ = ⟨z, scatter(dy, argmax)⟩, and gather(x, argmax(x)) = maxPool(x)", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x, z, dy } = operands(g, seed);
        const { y, argmax } = maxPool2d(x, optsOf(g));
        const gathered = maxPool2dGather(z, argmax, y.shape);
        const scattered = maxPool2dScatter(dy, argmax, x.shape);
        expectAllClose(dot(gathered.data, dy.data), dot(z.data, scattered.data), close);
        expectAllClose(maxPool2dGather(x, argmax, y.shape), y, { atol: 0 });
      }),
    );
  });

  test("max and sum pooling equal the naive definition; average = sum / (kh·kw)", () => {
    fc.assert(
      fc.property(geoArb, fc.integer(), (g, seed) => {
        const { x } = operands(g, seed);
        const opts = optsOf(g);
        const ref = maxPoolRef(x.data, g);
        const { y, argmax } = maxPool2d(x, opts);
        expect(y.shape).toEqual([g.n, g.c, ...pooledSize(g)]);
        expect(Array.from(argmax)).toEqual(Array.from(ref.argmax));
        expectAllClose(y, ref.y, { atol: 0 });
        const s = sumPoolRef(x.data, g);
        expectAllClose(sumPool2d(x, opts), s, close);
        expectAllClose(avgPool2d(x, opts), s.map((v) => v / (g.kh * g.kw)), close);
      }),
    );
  });
});
