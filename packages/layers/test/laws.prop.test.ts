/**
 * The laws of the layer algebra as properties: associativity and identity of composition, the VJP of a
 * composition is the chain of the parts' VJPs, and every layer kind's gradient matches finite differences.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, test } from "vitest";
import * as T from "@dtd/tensor";
import { allClose, expectAllClose } from "@dtd/tensor/testing";
import * as AD from "@dtd/autodiff";
import { checkGrads } from "@dtd/autodiff/testing";
import * as L from "@dtd/layers";
import { Arb } from "@dtd/layers/testing";

const build = (shape: readonly number[], layers: readonly L.NodeSpec[]): L.Model => {
  const m = L.build(shape, layers);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};

/** Three composable parts on vectors: MLP chunks of random widths. */
const threeParts = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
  .chain(([a, b, c, d]) => fc.tuple(Arb.mlp([a, b]), Arb.mlp([b, c]), Arb.mlp([c, d]), Arb.batch(3, [a])));

describe("laws of composition", () => {
  test("associativity: (a ∘ b) ∘ c = a ∘ (b ∘ c), and identity is a unit", () => {
    fc.assert(
      fc.property(threeParts, ([a, b, c, x]) => {
        const left = L.forward(build([x.shape[1]!], L.compose(L.compose(a, b), c)), x).output;
        const right = L.forward(build([x.shape[1]!], L.compose(a, L.compose(b, c))), x).output;
        const unit = L.forward(build([x.shape[1]!], L.compose(L.identity, a, L.identity, b, c, L.identity)), x).output;
        return allClose(left, right, { atol: 0, rtol: 0 }).ok && allClose(left, unit, { atol: 0, rtol: 0 }).ok;
      }),
    );
  });
  test("the VJP of a composition is the chain of the parts' VJPs", () => {
    fc.assert(
      fc.property(threeParts, fc.integer({ min: 0, max: 1000 }), ([a, b, , x], seed) => {
        const mA = build([x.shape[1]!], a);
        const mB = build(L.outputShapeOf(mA), b);
        const mAB = build([x.shape[1]!], L.compose(a, b));
        const [yAB, pbAB] = L.modelVjp(mAB, x);
        const ct = T.Random.normalTensor(T.Random.make(seed), yAB.shape);
        const [h, pbA] = L.modelVjp(mA, x);
        const [, pbB] = L.modelVjp(mB, h);
        expectAllClose(pbAB(ct)[0]!, pbA(pbB(ct)[0]!)[0]!, { atol: 1e-12, rtol: 1e-10 });
      }),
    );
  });
});

type KindCase = { readonly layer: L.Layer; readonly inputShape: readonly number[]; readonly positive?: boolean; readonly inputs?: readonly string[] };

/** One case per kind (typed: a new kind without a case is a compile error). */
const kindCases: { readonly [K in L.Kind]: fc.Arbitrary<KindCase> } = {
  dense: Arb.dense(4, 3).map((layer) => ({ layer, inputShape: [4] })),
  conv2d: Arb.conv2d(2, 3, [3, 2], { stride: [2, 1], padding: [1, 0] }).map((layer) => ({ layer, inputShape: [2, 5, 4] })),
  relu: fc.constant({ layer: L.relu, inputShape: [5] }),
  sumPool: fc.constantFrom<KindCase>({ layer: L.sumPool(), inputShape: [2, 3] }, { layer: L.sumPool({ kernel: [2, 2], stride: [1, 2] }), inputShape: [2, 4, 4] }),
  pNormPool: fc.constantFrom<KindCase>(
    { layer: L.pNormPool(2), inputShape: [5], positive: true },
    { layer: L.pNormPool(3, { kernel: [2, 2] }), inputShape: [1, 4, 4], positive: true },
  ),
  maxPool2d: fc.constantFrom<KindCase>({ layer: L.maxPool2d([2, 2], [1, 1]), inputShape: [2, 3, 3] }, { layer: L.maxPool2d([3, 3], [2, 2], { padding: [1, 1, 1, 0] }), inputShape: [2, 4, 5] }),
  avgPool2d: fc.constant({ layer: L.avgPool2d([2, 3]), inputShape: [1, 4, 6] }),
  flatten: fc.constant({ layer: L.flatten, inputShape: [2, 2, 3] }),
  select: fc.constant({ layer: L.select(2), inputShape: [4] }),
  scaleShift: fc.integer({ min: 0, max: 1000 }).map((seed) => {
    const rng = T.Random.make(seed);
    return { layer: L.scaleShift(T.Random.normalTensor(rng, [3]), T.Random.normalTensor(rng, [3])), inputShape: [3, 2, 2] };
  }),
  depthwiseConv2d: fc.integer({ min: 0, max: 1000 }).map((seed) => {
    const rng = T.Random.make(seed);
    return { layer: L.depthwiseConv2d(T.Random.normalTensor(rng, [2, 3, 3, 2]), T.Random.normalTensor(rng, [6]), { stride: [2, 1], padding: [1, 1] }), inputShape: [2, 5, 4] };
  }),
  clippedRelu: fc.constant({ layer: L.clippedRelu(0.5), inputShape: [2, 3] }),
  globalAvgPool: fc.constant({ layer: L.globalAvgPool, inputShape: [3, 2, 4] }),
  globalMaxPool: fc.constant({ layer: L.globalMaxPool, inputShape: [3, 3, 2] }),
  batchNorm: fc.integer({ min: 0, max: 1000 }).map((seed) => {
    const rng = T.Random.make(seed);
    const v = (lo: number, hi: number) => T.Random.uniformTensor(rng, [3], lo, hi);
    return { layer: L.batchNorm({ scale: v(-2, 2), shift: v(-1, 1), mean: v(-1, 1), variance: v(0.5, 2), epsilon: 1e-3 }), inputShape: [3, 2, 2] };
  }),
  add: fc.constant({ layer: L.add, inputShape: [2, 3], inputs: ["input", "input", "input"] }),
  concat: fc.constantFrom<KindCase>({ layer: L.concat(), inputShape: [2, 2, 3], inputs: ["input", "input"] }, { layer: L.concat(1), inputShape: [4, 3], inputs: ["input", "input"] }),
  pad2d: fc.constant({ layer: L.pad2d([1, 0, 2, 1]), inputShape: [2, 3, 2] }),
  identity: fc.constant({ layer: L.identityLayer, inputShape: [4] }),
};

describe("gradients of every layer kind match finite differences", () => {
  for (const kind of Object.keys(kindCases) as L.Kind[]) {
    test(`gradients: ${kind} (input and parameters)`, () => {
      fc.assert(
        fc.property(kindCases[kind], fc.integer({ min: 0, max: 2 ** 30 }), (c, seed) => {
          const m = build(c.inputShape, [c.inputs === undefined ? c.layer : L.node("only", c.layer, c.inputs)]);
          const rng = T.Random.make(seed);
          // Inputs away from the kinks of ReLU/abs, and positive for p-norms.
          const x = T.map(T.Random.uniformTensor(rng, [2, ...c.inputShape], 0.1, 1), (v) => (c.positive || rng.next() < 0.5 ? v : -v));
          const params = L.paramTree(m)[0]!;
          const names = Object.keys(params);
          const f = (xv: AD.Var, ...ps: AD.Var[]) => L.applyModel(m, xv, [Object.fromEntries(names.map((n, i) => [n, ps[i]!]))]);
          const r = checkGrads(f, [x, ...names.map((n) => params[n]!)], { seed });
          if (!r.ok) throw new Error(r.message);
        }),
        { numRuns: 10 },
      );
    });
  }
});
