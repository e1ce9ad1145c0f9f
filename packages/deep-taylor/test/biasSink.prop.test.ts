/**
 * Biases as relevance sinks: on networks with positive biases (real models have them), z⁺ and zᵇ explain with
 * Σ_p R_p + Σ absorbed = f(x), R_p ≥ 0 and every absorbed amount ≥ 0; on networks that meet the deck's
 * preconditions (b ≤ 0) the sink changes nothing; and relevance reaching a unit whose denominator is 0 is
 * reported as absorbed, never dropped silently.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as DT from "@dtd/deep-taylor";
import { Arb } from "@dtd/deep-taylor/testing";

const zPlus = DT.deriveRule(DT.zPlus);
const explained = (model: L.Model, x: T.Tensor, c: DT.Composite, biasSink: boolean): DT.Explanation => {
  const r = DT.explain(model, x, c, { biasSink });
  if (E.isLeft(r)) throw new Error(DT.message(r.left));
  return r.right;
};
const sums = (t: T.Tensor): number[] => {
  const N = t.shape[0]!;
  const d = t.data.length / N;
  return Array.from({ length: N }, (_, n) => Array.from(t.data.subarray(n * d, (n + 1) * d)).reduce((a, b) => a + b, 0));
};

describe("bias sink: hand-computed", () => {
  // z = 1·x₁ + 0.5·x₂ − 1·x₃ + 1 at x = (1, 2, 1): z = 2, and the segment's end x̃ = (0, 0, 1) gives z(x̃) = 0 —
  // a root: nothing absorbed. At x = (1, 2, 0): z = 3, z(x̃) = 1 > 0: the bias keeps 1/3 of R.
  const model = L.build([3], L.sequential(L.dense(T.of([1, 0.5, -1], [3, 1]), T.of([1], [1])), L.relu, L.sumPool()));
  if (E.isLeft(model)) throw new Error("model");
  test("a segment with a root: eq. (4) as it is", () => {
    const e = explained(model.right, T.of([1, 2, 1], [1, 3]), DT.uniform(zPlus), true);
    expectAllClose(e.R.data, [1, 1, 0]);
    expectAllClose(e.biasRelevance, [0]);
  });
  test("a neuron still active at the segment's end: the bias keeps z(x̃)/z of R_j", () => {
    const e = explained(model.right, T.of([1, 2, 0], [1, 3]), DT.uniform(zPlus), true);
    expectAllClose(e.f.data, [3]);
    expectAllClose(e.R.data, [1, 1, 0]);
    expectAllClose(e.biasRelevance, [1]);
    expectAllClose(e.absorbed[0]!, [1]);
  });
  test("strict mode refuses the positive bias, naming it", () => {
    const r = DT.explain(model.right, T.of([1, 2, 0], [1, 3]), DT.uniform(zPlus));
    expect(E.isLeft(r) && DT.message(r.left)).toBe("precondition of rule zplus violated at layer 0 (dense), unit 0: expected a bias b ≤ 0, found 1");
  });
  test("a neuron active through its bias alone (x·w⁺ = 0): all of R_j is absorbed (without the sink: a visible conservation error)", () => {
    const m = L.build([2], L.sequential(L.dense(T.of([-1, -1], [2, 1]), T.of([2], [1])), L.relu, L.sumPool()));
    if (E.isLeft(m)) throw new Error("model");
    const sink = explained(m.right, T.of([0.5, 0.25], [1, 2]), DT.uniform(zPlus), true);
    expectAllClose(sink.f.data, [1.25]);
    expectAllClose(sink.R.data, [0, 0]);
    expectAllClose(sink.biasRelevance, [1.25]);
    const lenient = DT.explain(m.right, T.of([0.5, 0.25], [1, 2]), DT.uniform(zPlus), { lenient: true });
    if (E.isLeft(lenient)) throw new Error(DT.message(lenient.left));
    expect(Array.from(lenient.right.R.data)).toEqual([0, 0]);
    expect(Array.from(lenient.right.biasRelevance)).toEqual([0]);
  });
});

describe("bias sink: properties", () => {
  const right = <A>(e: E.Either<string, A>): A => {
    if (E.isLeft(e)) throw new Error(e.left);
    return e.right;
  };
  const zb = DT.deriveRule(right(DT.zB(-1, 1)));
  const rules: readonly [string, DT.Composite, L.DomainT][] = [
    ["z⁺ everywhere", DT.uniform(zPlus), L.Domain.nonNegative],
    ["zᵇ first, z⁺ above", DT.trainingFree(zb), right(L.Domain.box(-1, 1))],
  ];
  for (const [name, composite, domain] of rules) {
    test(`${name}: with positive biases, Σ R + Σ absorbed = f, R ≥ 0, absorbed ≥ 0`, () => {
      fc.assert(
        fc.property(Arb.networkWithInputs(domain, { bias: [-0.3, 0.6] }), ({ model, x }) => {
          const e = explained(model, x, composite, true);
          const tol = 1e-9 * Math.max(1, ...Array.from(e.f.data, Math.abs));
          const total = sums(e.R).map((s, n) => s + e.biasRelevance[n]!);
          expectAllClose(total, e.f.data, { atol: tol, rtol: 1e-9 });
          expect(Math.min(...e.R.data)).toBeGreaterThanOrEqual(-tol);
          for (const a of e.absorbed) if (a !== undefined) expect(Math.min(...a)).toBeGreaterThanOrEqual(-tol);
        }),
      );
    });
    test(`${name}: on networks with b ≤ 0 the sink changes nothing`, () => {
      fc.assert(
        fc.property(Arb.networkWithInputs(domain), ({ model, x }) => {
          const strict = explained(model, x, composite, false);
          const sink = explained(model, x, composite, true);
          expectAllClose(sink.R, strict.R, { atol: 1e-12, rtol: 1e-9 });
        }),
      );
    });
  }
});

describe("bias sink: against eq. (4) written out", () => {
  test("z⁺ on a detection layer: R_i = Σ_j x_i w_ij⁺ / max(s_j, z_j) · R_j with s_j = Σ_i x_i w_ij⁺", () => {
    fc.assert(
      fc.property(Arb.networkWithInputs(L.Domain.nonNegative, { kinds: ["dense"], maxDepth: 1, bias: [-0.5, 0.8] }), ({ model, x }) => {
        const e = explained(model, x, DT.uniform(zPlus), true);
        const dense = model.layers[0] as L.Dense;
        const [nIn, nOut] = dense.W.shape as [number, number];
        const N = x.shape[0]!;
        const expected = new Float64Array(N * nIn);
        for (let n = 0; n < N; n++)
          for (let j = 0; j < nOut; j++) {
            let s = 0;
            let z = dense.b.data[j]!;
            for (let i = 0; i < nIn; i++) {
              s += x.data[n * nIn + i]! * Math.max(0, dense.W.data[i * nOut + j]!);
              z += x.data[n * nIn + i]! * dense.W.data[i * nOut + j]!;
            }
            const Rj = Math.max(0, z);
            const D = Math.max(s, z);
            if (D === 0) continue;
            for (let i = 0; i < nIn; i++) expected[n * nIn + i]! += (x.data[n * nIn + i]! * Math.max(0, dense.W.data[i * nOut + j]!) * Rj) / D;
          }
        expectAllClose(e.R.data, expected, { atol: 1e-12, rtol: 1e-9 });
      }),
    );
  });
});
