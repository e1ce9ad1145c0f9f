/**
 * The sparse Jacobian rows (kernel windows for Conv2d, weight columns for Dense) equal the rows of one VJP
 * with the identity (`affineRows`), for random layers with strides and paddings, in both dtypes.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { Arb } from "@dtd/layers/testing";

const denseRow = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 })).chain(([i, o]) => Arb.dense(i, o).map((l) => ({ layer: l as L.Affine, shape: [i] })));
const convRow = fc
  .record({ c: fc.integer({ min: 1, max: 3 }), o: fc.integer({ min: 1, max: 3 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 2 }), ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 2 }), h: fc.integer({ min: 3, max: 6 }), w: fc.integer({ min: 3, max: 7 }) })
  .chain((p) => Arb.conv2d(p.c, p.o, [p.kh, p.kw], { stride: [p.sh, p.sw], padding: [p.ph, p.pw] }).map((l) => ({ layer: l as L.Affine, shape: [p.c, p.h, p.w] })));

/** A depthwise convolution [C, M, kh, kw] (no arbitrary in the testing kit: drawn from a seed here). */
const depthwiseRow = fc
  .record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), c: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 2 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), h: fc.integer({ min: 3, max: 6 }) })
  .map((p) => {
    const rng = T.Random.make(p.seed);
    const layer: L.Affine = { kind: "depthwiseConv2d", W: T.Random.normalTensor(rng, [p.c, p.m, p.kh, p.kw]), b: T.Random.normalTensor(rng, [p.c * p.m]), stride: [p.s, 1], padding: [p.pad, p.pad] };
    return { layer, shape: [p.c, p.h, p.h + 1] };
  });

test("fillRow gives affineRows' row of every neuron (dense, conv2d, depthwise), in float64 and float32", () => {
  fc.assert(
    fc.property(fc.oneof(denseRow, convRow, depthwiseRow), fc.constantFrom<T.DType>("float64", "float32"), ({ layer, shape }, dtype) => {
      const typed = L.withParams(layer, { W: T.astype(layer.W, dtype), b: T.astype(layer.b, dtype) });
      const built = L.build(shape, [typed]);
      if (E.isLeft(built)) return; // a kernel larger than the padded input: nothing to compare
      const { rows, bias, outSize } = L.affineRows(layer, shape);
      const d = T.Shape.size(shape);
      const row = L.sparseRow(typed);
      for (let j = 0; j < outSize; j++) {
        L.fillRow(typed, shape, j, row);
        const dense = new Float64Array(d);
        for (let k = 0; k < row.length; k++) dense[row.index[k]!] = dense[row.index[k]!]! + row.weight[k]!;
        const expected = Array.from(rows.data.subarray(j * d, (j + 1) * d), (v) => (dtype === "float32" ? Math.fround(v) : v));
        expect(Array.from(dense)).toEqual(expected);
        expect(row.bias).toBe(dtype === "float32" ? Math.fround(bias[j]!) : bias[j]!);
        expect(row.length).toBeLessThanOrEqual(L.rowCapacity(typed));
      }
    }),
  );
});
