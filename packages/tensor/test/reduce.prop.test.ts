/**
 * sum, max and min against a naive reference: every output slot folded from its inputs in row-major order with
 * the reduction's own step (acc + v; v > acc ? v : acc; v < acc ? v : acc) — bit for bit, -0, NaN and ±Infinity
 * included, over any subset of the axes of tensors of rank 0 to 4, keepDims or not; float64, and float32 for max
 * and min (a float32 sum rounds where its rows end, which the reference does not model).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import * as T from "../src/index.ts";
import { unsafeMake } from "../src/unsafe.ts";

const steps = {
  sum: { init: 0, step: (acc: number, v: number) => acc + v },
  max: { init: -Infinity, step: (acc: number, v: number) => (v > acc ? v : acc) },
  min: { init: Infinity, step: (acc: number, v: number) => (v < acc ? v : acc) },
} as const;

/** The reduction of x over `axes` (keepDims: extents 1), folding each slot's inputs in row-major order. */
const naive = (x: T.Tensor, axes: readonly number[], op: keyof typeof steps): number[] => {
  const { init, step } = steps[op];
  const kept = x.shape.map((d, a) => (axes.includes(a) ? 1 : d));
  const out = new Array<number>(kept.reduce((a, b) => a * b, 1)).fill(init);
  const idx = new Array<number>(x.shape.length).fill(0);
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    for (let a = 0; a < x.shape.length; a++) o = o * kept[a]! + (axes.includes(a) ? 0 : idx[a]!);
    out[o] = step(out[o]!, x.data[i]!);
    for (let a = x.shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < x.shape[a]!) break;
      idx[a] = 0;
    }
  }
  return x.shape.length === 0 ? [step(init, x.data[0]!)] : out;
};

const value = fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity));

test("sum, max, min fold every slot as the naive reference does, bit for bit", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }).chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          values: fc.array(value, { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }),
          axes: fc.subarray(shape.map((_, a) => a)),
          keepDims: fc.boolean(),
          f32: fc.boolean(),
          op: fc.constantFrom("sum" as const, "max" as const, "min" as const),
        }),
      ),
      ({ shape, values, axes, keepDims, f32, op }) => {
        const single = f32 && op !== "sum";
        const x = unsafeMake(shape, single ? Float32Array.from(values) : Float64Array.from(values));
        const opts = axes.length === 0 && shape.length > 0 ? { keepDims } : { axes, keepDims };
        const all = opts.axes === undefined ? shape.map((_, a) => a) : axes;
        const r = T[op](x, opts);
        const expected = naive(x, all, op);
        expect(Array.from(r.data).map(String)).toEqual(expected.map(String));
        expect(Array.from(r.data).map((v) => Object.is(v, -0))).toEqual(expected.map((v) => Object.is(v, -0)));
      },
    ),
  );
});
