/**
 * explainHeatmap is explain without the intermediate tensors: every activation and relevance it does not return is
 * handed back for reuse (`recycle` of @dtd/tensor/unsafe) once the sweep is past it. It must give explain's
 * heatmap, scores and per-node sums bit for bit — on the property networks (dense, conv, graph), and on CNNs whose
 * layers are large enough to be recycled (≥ 64K entries) called again and again, interleaved with explain, so that
 * later calls run on the memory earlier ones released — and must never touch what it returns or was given: the
 * input x, and the heatmap of an earlier call, whose memory a later call must not take.
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Arb } from "@dtd/deep-taylor/testing";

const right = <A>(e: E.Either<DT.DtdError, A>): A => {
  if (E.isLeft(e)) throw new Error(DT.message(e.left));
  return e.right;
};

/** The first difference between two arrays, bit for bit (Object.is: −0 and NaN too), or undefined. */
const firstDifference = (what: string, a: ArrayLike<number>, b: ArrayLike<number>): string | undefined => {
  if (a.length !== b.length) return `${what}: ${a.length} entries against ${b.length}`;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return `${what}[${k}]: ${a[k]} against ${b[k]}`;
  return undefined;
};

/** Where a heatmap differs from a full explanation of the same call, or undefined. */
const mismatch = (h: DT.Heatmap, e: DT.Explanation): string | undefined =>
  firstDifference("R", h.R.data, e.R.data) ??
  firstDifference("f", h.f.data, e.f.data) ??
  firstDifference("biasRelevance", h.biasRelevance, e.biasRelevance) ??
  e.balance.map((b, i) => firstDifference(`balance[${i}]`, h.balance[i]!, b) ?? firstDifference(`passedMagnitude[${i}]`, h.passedMagnitude[i]!, e.passedMagnitude[i]!)).find((m) => m !== undefined) ??
  (h.warnings.length === e.warnings.length ? undefined : `${h.warnings.length} warnings against ${e.warnings.length}`);

const zPlus = DT.uniform(DT.deriveRule(DT.zPlus));
const zb = right(E.mapLeft((s: string) => ({ _tag: "InvalidTarget", expected: "a box", found: s }) as DT.DtdError)(DT.zB(0, 1)));
const zbThenZPlus = DT.layerwise({ first: DT.deriveRule(zb), rest: DT.deriveRule(DT.zPlus), maxPool: "winnerTakeAll" });

/** A CNN on [c, h, w] inputs in [0, 1] whose first layers have ≥ 64K entries (recycled), drawn from a seed. */
const bigCnn = fc
  .record({
    seed: fc.nat(),
    c: fc.integer({ min: 1, max: 3 }),
    hw: fc.integer({ min: 56, max: 72 }),
    filters: fc.integer({ min: 17, max: 24 }),
    pool: fc.constantFrom<"max" | "sum" | "none">("max", "sum", "none"),
    dtype: fc.constantFrom<T.DType>("float64", "float32"),
  })
  .map(({ seed, c, hw, filters, pool, dtype }) => {
    const rng = T.Random.make(seed);
    const draw = (shape: number[], lo: number, hi: number) => T.Random.uniformTensor(rng, shape, lo, hi, dtype);
    const layers: L.Layer[] = [L.conv2d(draw([filters, c, 3, 3], -0.5, 0.5), draw([filters], -0.2, 0))];
    if (pool === "max") layers.push(L.maxPool2d([2, 2]));
    if (pool === "sum") layers.push(L.sumPool({ kernel: [2, 2] }));
    layers.push(L.relu, L.conv2d(draw([8, filters, 3, 3], -0.3, 0.3), draw([8], -0.1, 0)), L.relu, L.flatten);
    const side = (pool === "none" ? hw - 2 : Math.floor((hw - 2) / 2)) - 2;
    layers.push(L.dense(draw([8 * side * side, 1], -0.1, 0.1), T.zeros([1], dtype)));
    const m = L.build([c, hw, hw], layers);
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    const x = (k: number) => T.Random.uniformTensor(T.Random.make(seed + k), [2, c, hw, hw], 0, 1, dtype);
    return { model: m.right, x, dtype };
  });

describe("explainHeatmap", () => {
  test("equals explain bit for bit on the property networks (dense, conv, graph), z⁺ throughout", () => {
    fc.assert(
      fc.property(Arb.networkWithInputs(DT.zPlus.domain, { kinds: ["dense", "conv", "graph"] }), ({ model, x }) => {
        const opts = { lenient: true };
        const failure = mismatch(right(DT.explainHeatmap(model, x, zPlus, opts)), right(DT.explain(model, x, zPlus, opts)));
        if (failure !== undefined) throw new Error(failure);
      }),
      { numRuns: 40 },
    );
  });

  test("large CNNs, called again and again between explain calls: the same bits every time; x and earlier heatmaps untouched", () => {
    fc.assert(
      fc.property(bigCnn, fc.constantFrom(zPlus, zbThenZPlus), ({ model, x }, composite) => {
        const opts = { lenient: true };
        const [x1, x2] = [x(1), x(2)];
        const x1Copy = Float64Array.from(x1.data);
        const first = right(DT.explainHeatmap(model, x1, composite, opts));
        const firstR = Float64Array.from(first.R.data);
        const full = right(DT.explain(model, x1, composite, opts));
        // Later calls reuse what the first one released: on another input, then on the first again.
        const other = right(DT.explainHeatmap(model, x2, composite, opts));
        const again = right(DT.explainHeatmap(model, x1, composite, opts));
        const otherFull = right(DT.explain(model, x2, composite, opts));
        const failure =
          mismatch(first, full) ??
          mismatch(again, full) ??
          mismatch(other, otherFull) ??
          firstDifference("the first heatmap after later calls", first.R.data, firstR) ??
          firstDifference("x after the calls", x1.data, x1Copy);
        if (failure !== undefined) throw new Error(failure);
      }),
      { numRuns: 6 },
    );
  });

  test("a flatten right after the input shares x's memory: x is never handed back", () => {
    const rng = T.Random.make(7);
    const m = L.build([16, 64, 64], [L.flatten, L.dense(T.Random.uniformTensor(rng, [16 * 64 * 64, 1], 0, 0.01), T.zeros([1]))]);
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    const x = T.Random.uniformTensor(rng, [1, 16, 64, 64], 0, 1);
    const copy = Float64Array.from(x.data);
    const h = right(DT.explainHeatmap(m.right, x, zPlus));
    T.alloc("float64", x.data.length).fill(1); // would overwrite x if its memory had been handed back
    expect(firstDifference("x", x.data, copy)).toBeUndefined();
    expect(firstDifference("R", h.R.data, right(DT.explain(m.right, x, zPlus)).R.data)).toBeUndefined();
  });
});
