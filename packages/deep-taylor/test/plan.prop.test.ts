/**
 * The planning step of eq. (4) held to its reference (src/internal/plan.ts against `referenceRule`): on random
 * split directions — every kind of input modifier and weight selector, one to four terms — and random Dense,
 * Conv2d and DepthwiseConv2d layers, in float64 and float32, with and without z given and pad units held fixed:
 * - step 1 (denominators) and steps 3–4 (relevance from the same quotients c) equal the reference bit for bit
 *   where the plan claims it (`plan.exact`), and otherwise within the rounding bound of the sums involved;
 * - step 2 in one pass equals an add and a division bit for bit;
 * - a cached constant term equals one computed afresh, bit for bit;
 * - on conv2d layers, steps 2–4 with the quotients formed inside the transposed products (`backQuotient`) equal
 *   step 2 then steps 3–4, bit for bit.
 * The bound: both paths sum the same products a_ti·(W_t)_ij in different orders and groupings, so each is within
 * γ_m·Σ|products| of the exact sum (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), m the longest
 * chain of roundings: |planned − reference| ≤ 2γ_m·A, A = Σ_t linear(|a_t|; |W_t|) (plus 2|b| where z − b is
 * reused) for step 1 and B = Σ_t |a_t| ⊙ linear(·; |W_t|)ᵀ|c| for steps 3–4.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as AD from "@dtd/autodiff";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { divNoNanSum } from "@dtd/tensor/unsafe";
import { Props } from "@dtd/deep-taylor/testing";
import { referenceForward } from "../src/deriveRule.ts";
import { denominatorOf, type ModifiedForward } from "../src/internal/ModifiedForward.ts";
import { NEG, type Plan, planOf, POS } from "../src/internal/plan.ts";
import { plannedForward } from "../src/internal/planned.ts";
import { freeOf, modifierAt } from "../src/internal/termValues.ts";

/** A term as drawn: what its modifier and selector are, with their parameters. */
type InputSpec =
  | { readonly kind: "input" }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "tensor"; readonly seed: number }
  | { readonly kind: "affine"; readonly k: number; readonly m: number }
  | { readonly kind: "customNumber"; readonly value: number };
type WeightSpec =
  | { readonly kind: "mask"; readonly p: 0 | 1; readonly n: 0 | 1; readonly z: 0 | 1 }
  | { readonly kind: "weight" }
  | { readonly kind: "g"; readonly alpha: number; readonly beta: number }
  | { readonly kind: "q"; readonly gamma: number };

const small = fc.integer({ min: -8, max: 8 }).map((k) => k / 4);
const bit = fc.constantFrom<0 | 1>(0, 1);
const inputSpec: fc.Arbitrary<InputSpec> = fc.oneof(
  fc.constant({ kind: "input" as const }),
  small.map((value) => ({ kind: "number" as const, value })),
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => ({ kind: "tensor" as const, seed })),
  fc.tuple(small, small).map(([k, m]) => ({ kind: "affine" as const, k, m })),
  small.map((value) => ({ kind: "customNumber" as const, value })),
);
const weightSpec: fc.Arbitrary<WeightSpec> = fc.oneof(
  fc.tuple(bit, bit, bit).map(([p, n, z]) => ({ kind: "mask" as const, p, n, z })),
  fc.constant({ kind: "weight" as const }),
  fc.tuple(small, small).map(([alpha, beta]) => ({ kind: "g" as const, alpha, beta })),
  small.map((gamma) => ({ kind: "q" as const, gamma })),
);

const inputOf = (spec: InputSpec, inShape: readonly number[]): DT.InputModifier => {
  switch (spec.kind) {
    case "input":
      return DT.input;
    case "number":
      return DT.constantInput(spec.value);
    case "tensor":
      return DT.constantInput(T.Random.uniformTensor(T.Random.make(spec.seed), [...inShape], -1, 1));
    case "affine":
      return DT.customInput((x) => T.add(T.mul(x, spec.k), spec.m));
    case "customNumber":
      return DT.customInput(() => spec.value);
  }
};
const weightOf = (spec: WeightSpec): DT.WeightSelector => {
  switch (spec.kind) {
    case "mask":
      return DT.signMask(spec.p, spec.n, spec.z);
    case "weight":
      return DT.weightItself;
    case "g":
      return DT.weightFn((w) => (w > 0 ? spec.alpha : spec.beta));
    case "q":
      return DT.modifiedWeight((w) => w + spec.gamma * Math.max(0, w));
  }
};

/** One drawn case: a layer, an input batch, relevance, a split direction, and how the propagation is called. */
interface Case {
  readonly layer: L.Affine;
  readonly x: T.Tensor;
  readonly R: T.Tensor;
  readonly terms: readonly DT.DirectionTerm[];
  readonly opts: DT.PropagateOptions;
}

const caseArb = (dtype: T.DType): fc.Arbitrary<Case> =>
  fc
    .tuple(
      Props.layerCases(L.Domain.real),
      fc.array(fc.tuple(inputSpec, weightSpec), { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    )
    .map(([c, specs, withZ, seed]) => {
      const inShape = c.x.shape.slice(1);
      const layer = L.withParams(c.layer, { W: T.astype(c.layer.W, dtype), b: T.astype(c.layer.b, dtype) });
      // Pad units held fixed on convolutions now and then: the input is 0 there, as a pad2d node makes it.
      const rng = T.Random.make(seed);
      const fixed = c.layer.kind !== "dense" && T.Random.int(rng, 3) === 0 ? T.map(T.zeros([...inShape]), () => (T.Random.int(rng, 4) === 0 ? 1 : 0)) : undefined;
      const x64 = fixed === undefined ? c.x : T.mul(c.x, T.sub(1, fixed));
      const x = T.astype(x64, dtype);
      const z = withZ ? L.applyLayer(layer, AD.constant(x)).value : undefined;
      const terms = specs.map(([a, g], t) => DT.term(`t${t}`, inputOf(a, inShape), weightOf(g)));
      const opts: DT.PropagateOptions = { ...(z === undefined ? {} : { z }), ...(fixed === undefined ? {} : { fixed }) };
      return { layer, x, R: T.astype(c.R, dtype), terms, opts };
    });

/** The terms with |a_t| and |W_t|: their reference passes give the magnitudes A and B of the bound. */
const absTerms = (c: Case): DT.DirectionTerm[] => {
  const ctx = { domain: L.Domain.real };
  return c.terms.map((t) => {
    const free = freeOf(c.opts.fixed, c.x);
    const a = modifierAt(t.input, c.x, ctx, free);
    const absA = typeof a === "number" ? Math.abs(a) : T.abs(T.astype(a, "float64"));
    return DT.term(t.label, DT.customInput(() => absA), DT.modifiedWeight((w) => Math.abs(DT.modifiedWeightAt(t.weight, w))));
  });
};

/** The layer's largest fan-in and fan-out (the terms of one output's sum, the outputs one input feeds). */
const fans = (layer: L.Affine, inShape: readonly number[], outSize: number): { fanIn: number; fanOut: number } => {
  const row = L.sparseRow(layer);
  const feeds = new Int32Array(T.Shape.size(inShape));
  let fanIn = 0;
  for (let j = 0; j < outSize; j++) {
    L.fillRow(layer, inShape, j, row);
    fanIn = Math.max(fanIn, row.length);
    for (let k = 0; k < row.length; k++) feeds[row.index[k]!]! += 1;
  }
  return { fanIn, fanOut: Math.max(0, ...feeds) };
};

/** The first entry where `a` and `b` differ by more than bound[k] (bit for bit when bound is undefined), as a report. */
const firstMismatch = (what: string, a: T.Tensor, b: T.Tensor, bound?: (k: number) => number): string | undefined => {
  for (let k = 0; k < a.data.length; k++) {
    const [u, v] = [a.data[k]!, b.data[k]!];
    const ok = bound === undefined ? u === v : Math.abs(u - v) <= bound(k);
    if (!ok) return `${what}[${k}]: planned ${u}, reference ${v}${bound === undefined ? " (claimed bit-identical)" : `, bound ${bound(k)}`}`;
  }
  return undefined;
};

/** The mismatch between a planned forward and the reference on one case, or undefined. */
const mismatch = (c: Case, planned: ModifiedForward, plan: Plan): string | undefined => {
  const ctx = { domain: L.Domain.real };
  const ref = referenceForward(c.terms, ctx)(c.layer, c.x, c.opts);
  const fast = planned(c.layer, c.x, c.opts);
  const sRef = denominatorOf(ref, c.layer, c.x);
  const sFast = denominatorOf(fast, c.layer, c.x);
  const claimed = plan.exact && !(plan.reusesZ && c.opts.z !== undefined);
  const inShape = c.x.shape.slice(1);
  const { fanIn, fanOut } = fans(c.layer, inShape, sRef.data.length / c.x.shape[0]!);
  const nT = c.terms.length;
  // The magnitudes, in float64 from the same values (the layer and x cast up exactly).
  const layer64 = L.withParams(c.layer, { W: T.astype(c.layer.W, "float64"), b: T.astype(c.layer.b, "float64") });
  const x64 = T.astype(c.x, "float64");
  const abs = referenceForward(absTerms(c), ctx)(layer64, x64, c.opts.fixed === undefined ? {} : { fixed: c.opts.fixed });
  const absB = T.abs(T.astype(L.applyLayer(layer64, AD.constant(T.zerosLike(x64))).value, "float64"));
  const reusedZ = plan.reusesZ && c.opts.z !== undefined;
  const A = reusedZ ? T.add(denominatorOf(abs, layer64, x64), T.mul(absB, 2)) : denominatorOf(abs, layer64, x64);
  const eta = T.smallestSubnormal(c.x.dtype);
  const mS = nT * (fanIn + 2) + 6;
  const boundS = (k: number) => 2 * DT.Consistency.gamma(mS, c.x.dtype) * A.data[k]! + mS * eta;
  const failS = firstMismatch("s", sFast, sRef, claimed ? undefined : boundS);
  if (failS !== undefined) return failS;
  // Steps 3–4 from the same quotients (the planned ones).
  const c1 = T.divNoNan(c.R, sFast);
  const B = abs.back(T.abs(T.astype(c1, "float64")));
  const mR = nT * (fanOut + 3) + 6;
  const boundR = (k: number) => 2 * DT.Consistency.gamma(mR, c.x.dtype) * B.data[k]! + mR * eta;
  return firstMismatch("R", fast.back(c1), ref.back(c1), claimed ? undefined : boundR);
};

const ctx = { domain: L.Domain.real };
const holds = (dtype: T.DType) =>
  fc.property(caseArb(dtype), (c) => {
    const plan = planOf(c.terms);
    const planned = plannedForward(plan, ctx);
    // Step 2 in one pass (R / (s + K)) against an add and a division, through deriveRule's own propagate.
    const f = planned(c.layer, c.x, c.opts);
    const propagated = DT.deriveRule({ ...DT.zPlus, direction: DT.split(...c.terms) }).propagate(c.layer, c.x, c.R, c.opts);
    const failure = firstMismatch("propagate (one-pass quotient)", propagated, f.back(T.divNoNan(c.R, denominatorOf(f, c.layer, c.x)))) ?? mismatch(c, planned, plan);
    if (failure !== undefined) throw new Error(`${failure} (terms ${c.terms.map((t) => `${t.input._tag}×${t.weight._tag}`).join(" + ")}, ${c.layer.kind}, ${c.x.dtype})`);
  });

describe("the plan of eq. (4) equals its reference", () => {
  test.each(["float64", "float32"] as const)("%s: denominators and relevances, bit for bit where claimed, else within the derived bound", (dtype) => {
    fc.assert(holds(dtype), { numRuns: 100 });
  });

  test("z⁺ is planned exactly: its rule equals the reference bit for bit", () => {
    expect(planOf((DT.zPlus.direction as Extract<DT.Direction, { _tag: "Split" }>).terms).exact).toBe(true);
    fc.assert(
      fc.property(Props.layerCases(L.Domain.nonNegative), (c) => {
        const [fast, ref] = [DT.deriveRule(DT.zPlus).propagate(c.layer, c.x, c.R), DT.referenceRule(DT.zPlus).propagate(c.layer, c.x, c.R)];
        expect(firstMismatch("R", fast, ref)).toBeUndefined();
      }),
    );
  });

  test("a cached constant term equals one computed afresh, bit for bit (zᵇ on a layer seen before and on a copy)", () => {
    const zb = DT.zB(-1, 2);
    if (zb._tag === "Left") throw new Error(zb.left);
    const rule = DT.deriveRule(zb.right);
    fc.assert(
      fc.property(Props.layerCases(zb.right.domain), (c) => {
        const first = rule.denominator(c.layer, c.x);
        const cachedAgain = rule.denominator(c.layer, c.x);
        const fresh = rule.denominator(L.withParams(c.layer, {}), c.x);
        expect(firstMismatch("s (cached)", cachedAgain, first)).toBeUndefined();
        expect(firstMismatch("s (fresh)", fresh, first)).toBeUndefined();
      }),
    );
  });

  test("conv2d layers take several groups' transposed products in one stacked product, within the bound, as one per group does", () => {
    const zb = (DT.zB(-1, 2) as { readonly right: DT.Strategy }).right;
    const zbTerms = (zb.direction as Extract<DT.Direction, { _tag: "Split" }>).terms;
    let stackedCases = 0;
    fc.assert(
      fc.property(caseArb("float64"), fc.boolean(), (drawn, useZb) => {
        const c = useZb ? { ...drawn, terms: zbTerms } : drawn;
        const plan = planOf(c.terms);
        expect(plan.stacked).toBe(true);
        if (c.layer.kind === "conv2d" && plan.back.length > 1) stackedCases++;
        for (const p of [plan, { ...plan, stacked: false }]) {
          const failure = mismatch(c, plannedForward(p, ctx), p);
          if (failure !== undefined) throw new Error(`${failure} (stacked ${p.stacked}, ${c.layer.kind}, ${p.back.length} groups)`);
        }
      }),
      { numRuns: 100 },
    );
    // The property reached the stacked path (zᵇ has two groups; a third of the drawn layers are conv2d).
    expect(stackedCases).toBeGreaterThan(0);
  });

  test("conv2d layers form eq. (4)'s quotients inside the transposed products: bit for bit step 2 then steps 3–4, stacked or not", () => {
    let fusedCases = 0;
    fc.assert(
      fc.property(fc.constantFrom<T.DType>("float64", "float32"), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (dtype, stackedPlan, seed) => {
        const drawn = fc.sample(caseArb(dtype).filter((c) => c.layer.kind === "conv2d"), { numRuns: 1, seed })[0]!;
        const plan = { ...planOf(drawn.terms), stacked: stackedPlan };
        const planned = plannedForward(plan, ctx);
        const f = planned(drawn.layer, drawn.x, drawn.opts);
        if (f.s === undefined) {
          expect(f.backQuotient).toBeUndefined();
          return;
        }
        // The stored-quotient path first: backQuotient hands s back for reuse, so it runs on a call of its own.
        const stored = f.back(divNoNanSum(drawn.R, f.s, f.K));
        const fused = planned(drawn.layer, drawn.x, drawn.opts).backQuotient!(drawn.R);
        fusedCases++;
        const failure = firstMismatch("R (quotients inside the products)", fused, stored);
        if (failure !== undefined) throw new Error(`${failure} (terms ${drawn.terms.map((t) => `${t.input._tag}×${t.weight._tag}`).join(" + ")}, ${dtype}, stacked ${stackedPlan})`);
      }),
      { numRuns: 60 },
    );
    expect(fusedCases).toBeGreaterThan(0);
  });

  test("a wrong plan is caught: sign masks grouped on the wrong sign", () => {
    const zb = (DT.zB(-1, 2) as { readonly right: DT.Strategy }).right;
    const terms = (zb.direction as Extract<DT.Direction, { _tag: "Split" }>).terms;
    const plan = planOf(terms);
    const wrong: Plan = { ...plan, back: plan.back.map((g) => ({ ...g, part: g.part === POS ? NEG : g.part === NEG ? POS : g.part })) };
    const run = fc.check(
      fc.property(caseArb("float64"), (c) => {
        const failure = mismatch({ ...c, terms }, plannedForward(wrong, ctx), wrong);
        if (failure !== undefined) throw new Error(failure);
      }),
      { numRuns: 50 },
    );
    expect(run.failed).toBe(true);
  });
});
