/**
 * Properties that hunt for silent non-finite numbers and exceptions (issue 12): networks made through every
 * public constructor with weights and inputs of extreme magnitudes (subnormals to 1e308), NaN and ±Infinity
 * slipped into parameters, float32 and float64 mixed in one layer or between model and input. Whatever comes:
 * `build`, `explain`, `verifyRoots` and the baselines return a Left or finite numbers — never an exception, never
 * a NaN or Infinity without an error (or, with `lenient`, a NonFinite warning).
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Baselines as B } from "@dtd/deep-taylor";

/** Values from 5e-324 to 1.8e308 of both signs, the dtype boundaries, and ordinary ones. */
const extreme = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1, 5e-324, -5e-324, 2 ** -1022, 1e-308, 1e-45, 1e-38, 3.4e38, -3.4e38, 3.5e38, 1e154, 1e308, -1e308, Number.MAX_VALUE) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
);
const poison = fc.constantFrom(NaN, Infinity, -Infinity);
const dtype = fc.constantFrom<T.DType>("float32", "float64");

/**
 * A tensor of `shape` from extreme values — in `dt`, or now and then in the other dtype (a model mixing float32 and
 * float64) — sometimes with a NaN or an Infinity at some index, built as a kernel or a diverged training would:
 * unsafeMake, which checks nothing (a float32 tensor also turns values beyond ±3.4e38 into ±Infinity).
 */
const tensorOf = (shape: readonly number[], dt: T.DType): fc.Arbitrary<T.Tensor> => {
  const n = T.Shape.size(shape);
  const other: T.DType = dt === "float32" ? "float64" : "float32";
  return fc
    .tuple(fc.array(extreme, { minLength: n, maxLength: n }), fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(n - 1), poison) }), fc.oneof({ weight: 8, arbitrary: fc.constant(dt) }, { weight: 1, arbitrary: fc.constant(other) }))
    .map(([values, bad, d]) => {
      const data = d === "float32" ? Float32Array.from(values) : Float64Array.from(values);
      if (bad !== null) data[bad[0]] = bad[1];
      return unsafeMake([...shape], data);
    });
};

/** A network through the public constructors: dense (or detection) layers, or convolutions (conv2d, depthwise) and pooling. */
const network = (dt: T.DType) => fc.oneof(
  fc
    .record({ d: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 1, max: 3 }), head: fc.constantFrom<L.Layer>(L.sumPool(), L.pNormPool(1), L.pNormPool(3), L.pNormPool(400)) })
    .chain(({ d, h, head }) =>
      fc.record({ W: tensorOf([d, h], dt), b: tensorOf([h], dt), W2: tensorOf([h, 2], dt), b2: tensorOf([2], dt), deep: fc.boolean() }).map(({ W, b, W2, b2, deep }) => ({
        shape: [d],
        layers: deep ? [...L.detection(W, b), ...L.detection(W2, b2), head] : [...L.detection(W, b), head],
      })),
    ),
  fc.record({ c: fc.integer({ min: 1, max: 2 }), o: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), depthwise: fc.boolean(), pool: fc.constantFrom<L.Layer>(L.maxPool2d([2, 2]), L.avgPool2d([2, 2]), L.sumPool({ kernel: [2, 2] })) }).chain((p) =>
    fc.record({ W: tensorOf(p.depthwise ? [p.c, p.o, 2, 2] : [p.o, p.c, 2, 2], dt), b: tensorOf([p.depthwise ? p.c * p.o : p.o], dt), reluFirst: fc.boolean() }).map(({ W, b, reluFirst }) => {
      const conv = p.depthwise ? L.depthwiseConv2d(W, b, { padding: [p.pad, p.pad] }) : L.conv2d(W, b, { padding: [p.pad, p.pad] });
      return { shape: [p.c, 4, 4], layers: reluFirst ? [conv, L.relu, p.pool, L.sumPool()] : [conv, p.pool, L.relu, L.sumPool()] };
    }),
  ),
);

const zb = (() => {
  const s = DT.zB(-1, 1);
  if (E.isLeft(s)) throw new Error(s.left);
  return s.right;
})();

/** Every number of the tensors is finite. */
const allFinite = (...ts: readonly T.Tensor[]): boolean => ts.every((t) => T.isFinite(t));

test("build, explain, verifyRoots and the baselines: a Left or finite numbers, never an exception, never a silent NaN or Infinity", () => {
  let explained = 0;
  let refused = 0;
  fc.assert(
    fc.property(
      dtype.chain(network).chain((net) => fc.record({ net: fc.constant(net), x: tensorOf([2, ...net.shape], net.layers.find(L.isAffine)!.W.dtype), rule: fc.constantFrom(DT.w2, DT.zPlus, zb), maxPool: fc.constantFrom<DT.MaxPoolMode>("winnerTakeAll", "proportional"), lenient: fc.boolean() })),
      ({ net, x, rule, maxPool, lenient }) => {
        const built = L.build(net.shape, net.layers);
        if (E.isLeft(built)) {
          refused++;
          return;
        }
        const model = built.right;
        const composite = DT.uniform(DT.deriveRule(rule), { maxPool });
        const e = DT.explain(model, x, composite, { lenient });
        if (E.isRight(e)) {
          explained++;
          const finite = allFinite(e.right.f, e.right.R, ...e.right.relevances, ...e.right.activations);
          if (!lenient) expect(finite).toBe(true);
          if (!finite) expect(e.right.warnings.some((w) => w._tag === "NonFinite")).toBe(true);
          // The checks see f and R: when either is not finite, some sample fails them.
          const rows = DT.Consistency.perSample(e.right.f, e.right.R, e.right.tolerance);
          if (!allFinite(e.right.f, e.right.R)) expect(rows.some((r) => !r.consistent)).toBe(true);
        }
        const roots = DT.verifyRoots(model, x, composite, { maxNeurons: 8 });
        if (E.isRight(roots)) expect(Number.isInteger(DT.violationCount(roots.right))).toBe(true);
        for (const baseline of [B.sensitivity, B.gradientXInput, (m: L.Model, v: T.Tensor) => B.simpleTaylor(m, v, { maxIterations: 20 })]) {
          const r = baseline(model, x);
          if (E.isRight(r)) expect(allFinite(r.right.f, r.right.R, r.right.gradient)).toBe(true);
        }
      },
    ),
  );
  // Both sides were reached: some networks were refused, some explained.
  expect(refused).toBeGreaterThan(0);
  expect(explained).toBeGreaterThan(0);
});
