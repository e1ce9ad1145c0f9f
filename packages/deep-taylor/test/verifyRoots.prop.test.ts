/**
 * verifyRoots, neuron by neuron on sparse Jacobian rows, against the reference it replaced: every neuron's
 * directions materialised (`rule.directions`, rows from one VJP) and its closed-form root from
 * @dtd/layers' `rootSearch`. Same violations, neuron for neuron, for right and wrong directions, Dense and
 * Conv2d, float64 and float32.
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Arb } from "@dtd/deep-taylor/testing";

const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left);
  return e.right;
};
const zb = right(DT.zB(-1, 2));
const strategies: readonly DT.Strategy[] = [
  DT.w2,
  DT.zPlus,
  zb,
  { ...DT.zPlus, name: "backwards", direction: DT.split(DT.term("-x", DT.customInput((x) => T.neg(x)), DT.signMask(1, 0, 1))) },
  { ...DT.zPlus, name: "leaving", segment: Infinity, direction: DT.split(DT.term("x+3", DT.customInput((x) => T.add(x, 3)), DT.signMask(1, 0, 1))) },
  { ...DT.zPlus, name: "shrinking", direction: DT.split(DT.term("x/2", DT.customInput((x) => T.mul(x, 0.5)), DT.signMask(1, 0, 1))) },
  { ...zb, name: "zb off the support", direction: DT.split(DT.term("x", DT.input, DT.everyWeight), DT.term("2", DT.constantInput(2), DT.signMask(0, 0, 1))) },
  // Open domains: ℝ₋ᵈ, a box that excludes 0, the simplex, a half-space, a ball (no polyhedron: the slow path).
  { name: "z-", domain: L.Domain.nonPositive, direction: DT.split(DT.term("x", DT.input, DT.signMask(0, 1, 1))), segment: 1, requiresNonPositiveBias: true },
  {
    name: "zb on [0.2, 1]",
    domain: right(L.Domain.box(0.2, 1)),
    direction: DT.split(DT.term("x", DT.input, DT.everyWeight), DT.term("-l", DT.constantInput(-0.2), DT.signMask(1, 0, 0)), DT.term("-h", DT.constantInput(-1), DT.signMask(0, 1, 0))),
    segment: 1,
    requiresNonPositiveBias: true,
  },
  { ...DT.zPlus, name: "z+ on the simplex", domain: L.Domain.simplex },
  { ...DT.zPlus, name: "z+ on a half-space", domain: right(L.Domain.halfSpace(1, 4)) },
  { ...DT.w2, name: "w2 in a ball", domain: right(L.Domain.ball(2)) },
  // A modified weight given directly: flat, q(w) = 1, v = 1/w.
  { name: "flat", domain: L.Domain.real, direction: DT.split(DT.term("1", DT.constantInput(1), DT.modifiedWeight(() => 1))), segment: Infinity, requiresNonPositiveBias: false },
];

type Key = string;
/** The old verifyRoots: materialised directions and L.rootSearch, every neuron of every affine layer. */
const reference = (model: L.Model, x: T.Tensor, composite: DT.Composite, tol: number): Map<Key, DT.RootProblem> => {
  const out = new Map<Key, DT.RootProblem>();
  const { activations } = L.forward(model, x);
  model.layers.forEach((layer, i) => {
    if (!L.isAffine(layer)) return;
    const rule = DT.ruleFor(composite, model, i)!;
    const a = activations[model.sources[i]![0]!]!;
    const shape = a.shape.slice(1);
    for (let n = 0; n < x.shape[0]!; n++) {
      const xs = T.reshape(T.slice(a, [n, ...shape.map(() => 0)], [1, ...shape]), shape);
      const f64 = L.withParams(layer, { W: T.astype(layer.W, "float64"), b: T.astype(layer.b, "float64") });
      const roots = L.rootSearch(f64, xs, rule.directions(f64, T.astype(xs, "float64")), { domain: rule.strategy.domain, sMax: rule.strategy.segment, tol });
      for (const r of roots) {
        if (!r.active) continue;
        const problem = !r.exists ? "noRootOnSegment" : !(Math.abs(r.residual) <= tol * Math.max(1, Math.abs(r.value))) ? "notARoot" : !r.inDomain ? "outsideDomain" : undefined;
        if (problem !== undefined) out.set(`${i}/${n}/${r.j}`, problem);
      }
    }
  });
  return out;
};

test("the same violations as materialised directions with rootSearch, neuron for neuron", () => {
  let total = 0;
  fc.assert(
    fc.property(
      fc
        .tuple(fc.constantFrom(...strategies), fc.constantFrom<T.DType>("float64", "float32"), fc.boolean())
        .chain(([strategy, dtype, everywhere]) => Arb.networkWithInputs(strategy.domain, { dtype }).map((net) => ({ ...net, strategy, everywhere }))),
      ({ model, x, strategy, everywhere }) => {
        const rule = DT.deriveRule(strategy);
        const composite = everywhere ? DT.uniform(rule) : DT.trainingFree(rule);
        const r = DT.verifyRoots(model, x, composite, { maxListed: Infinity });
        if (E.isLeft(r)) throw new Error(DT.message(r.left));
        const got = new Map(r.right.violations.map((v) => [`${v.layer}/${v.sample}/${v.neuron}`, v.problem]));
        expect(got).toEqual(reference(model, x, composite, 1e-9));
        total += got.size;
      },
    ),
  );
  expect(total).toBeGreaterThan(0); // the wrong directions were drawn and caught
});

test("depthwise convolutions and graph models: an affine node's root is checked on its own input", () => {
  const rng = T.Random.make(3);
  const built = L.build([2, 5, 5], [
    L.node("c1", L.conv2d(T.Random.normalTensor(rng, [3, 2, 3, 3], 0, 0.5), T.Random.uniformTensor(rng, [3], -0.2, 0), { padding: [1, 1] })),
    L.node("r1", L.relu),
    L.node("d1", L.depthwiseConv2d(T.Random.normalTensor(rng, [3, 2, 3, 3], 0, 0.5), T.Random.uniformTensor(rng, [6], -0.2, 0), { padding: [1, 1] })),
    L.node("r2", L.relu),
    L.node("c2", L.conv2d(T.Random.normalTensor(rng, [3, 2, 1, 1], 0, 0.5), T.Random.uniformTensor(rng, [3], -0.2, 0)), ["input"]),
    L.node("r3", L.relu),
    L.node("d2", L.conv2d(T.Random.normalTensor(rng, [3, 6, 1, 1], 0, 0.5), T.Random.uniformTensor(rng, [3], -0.2, 0)), ["r2"]),
    L.node("r4", L.relu),
    L.node("sum", L.add, ["r4", "r3", "r1"]),
    L.node("pool", L.sumPool()),
  ]);
  if (E.isLeft(built)) throw new Error(L.message(built.left));
  const model = built.right;
  const x = T.Random.uniformTensor(rng, [2, 2, 5, 5], 0, 1);
  for (const strategy of [DT.zPlus, strategies[3]!, strategies[5]!]) {
    const composite = DT.uniform(DT.deriveRule(strategy));
    const r = DT.verifyRoots(model, x, composite, { maxListed: Infinity });
    if (E.isLeft(r)) throw new Error(DT.message(r.left));
    expect(r.right.layers).toBe(4);
    expect(r.right.neurons).toBe(2 * (3 * 25 + 6 * 25 + 3 * 25 + 3 * 25));
    const got = new Map(r.right.violations.map((v) => [`${v.layer}/${v.sample}/${v.neuron}`, v.problem]));
    expect(got).toEqual(reference(model, x, composite, 1e-9));
    if (strategy !== DT.zPlus) expect(got.size).toBeGreaterThan(0);
  }
});
