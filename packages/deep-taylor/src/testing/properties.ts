/**
 * Ready-made properties, so that a researcher property-tests a new rule in a few lines:
 *
 * ```ts
 * const rule = deriveRule(myStrategy);     // or pass the strategy itself: every property takes either
 * fc.assert(Props.conservative(rule));
 * fc.assert(Props.positive(rule));
 * fc.assert(Props.rootsAreRoots(rule, { neurons: Infinity, samples: 2 }));
 * fc.assert(Props.matchesNaiveEq4(rule));
 * ```
 * (`Kit.checkRule` runs all four and returns one readable report.) Each draws networks and inputs that meet the
 * rule's preconditions (see `arbitraries`) and throws a report naming where it failed: the node, its rule, the
 * sample and the unit; for roots the step s and the segment bound it broke, or where x̃ leaves the domain.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type Composite, trainingFree, uniform } from "../Composite.ts";
import { type ConsistencyTolerance, leaks, perSample } from "../consistency.ts";
import { deriveRule } from "../deriveRule.ts";
import { describeNegative, firstNegative, strandedAt } from "../diagnostics.ts";
import { message } from "../DtdError.ts";
import { type Explanation, explain } from "../explain.ts";
import { naiveRule } from "../naive.ts";
import { ruleProblem } from "../preconditions.ts";
import type { Rule } from "../Rule.ts";
import type { Strategy } from "../Strategy.ts";
import { describeViolation, verifyRoots, violationCount } from "../verifyRoots.ts";
import { inputsIn, type NetworkOptions, networkWithInputs } from "./arbitraries.ts";

/** What every property takes: a rule, or a strategy (its rule is derived with `deriveRule`). */
export type RuleLike = Rule | Strategy;

/** The rule of a rule or a strategy. */
export const ruleOf = (r: RuleLike): Rule => ("propagate" in r ? r : deriveRule(r));

/** Options of the ready-made properties (each reads the ones that concern it). */
export interface PropertyOptions extends NetworkOptions {
  /**
   * "first": the rule in the first affine layer and z⁺ above (the deck's training-free model, default);
   * "all": the rule in every affine layer.
   */
  readonly placement?: "first" | "all";
  /**
   * Tolerances of conservation and positivity (default: the explanation's own, derived from its dtype and the
   * terms it accumulated — `Explanation.tolerance`, see `consistency.ts`).
   */
  readonly tol?: ConsistencyTolerance;
  /** How add nodes split relevance (graphs): proportionally (default) or by their inputs' rule denominators. */
  readonly add?: "proportional" | "rules";
  /** rootsAreRoots: the tolerance of the roots (default 1e-9, relative to max(1, |z_j|)). */
  readonly rootTol?: number;
  /** rootsAreRoots: the samples checked per network (default 1; the arbitraries draw 2). */
  readonly samples?: number;
  /** rootsAreRoots: the neurons checked per layer and sample, evenly spaced (default 12; Infinity: every one). */
  readonly neurons?: number;
}

/** A network and a batch of inputs, the value the network properties draw (and fast-check shrinks). */
export interface NetworkCase {
  readonly model: L.Model;
  readonly x: T.Tensor;
}

/** The composite a property explains with: the rule first and z⁺ above, or the rule everywhere (`placement`). */
export const compositeOf = (rule: Rule, opts: PropertyOptions): Composite => {
  const add = opts.add === undefined ? {} : { add: opts.add };
  return (opts.placement ?? "first") === "all" ? uniform(rule, add) : trainingFree(rule, add);
};

/** The explanation of a network that meets the preconditions (a refusal is a bug of the arbitraries: thrown). */
export const explained = (model: L.Model, x: T.Tensor, c: Composite): Explanation => {
  const r = explain(model, x, c);
  if (E.isLeft(r)) throw new Error(`explain refused a network built to meet the preconditions: ${message(r.left)}`);
  return r.right;
};

/** The networks of a property: those of the arbitraries, with inputs from the rule's domain. */
export const casesFor = (rule: Rule, opts: PropertyOptions = {}): fc.Arbitrary<NetworkCase> => networkWithInputs(rule.strategy.domain, opts);

/** Why a node leaks: eq. (4) units with relevance and a zero denominator, when that is the cause. */
const whyLeak = (model: L.Model, e: Explanation, node: number, sample: number): string => {
  const s = strandedAt(model, e, node, sample);
  if (s === undefined || s.units === 0 || s.first === undefined) return "";
  return `; ${s.units} of its units receive relevance (Σ ${s.relevance}) but have a zero denominator Σ_i v_ij w_ij, so eq. (4) passes none of it on (first: unit ${s.first.unit}, R = ${s.first.R})`;
};

/** A conservation report, node by node first (the first node, from the output down, whose relevance does not balance), then the total. */
export const conservationFailure = (model: L.Model, e: Explanation, tol?: ConsistencyTolerance): string | undefined => {
  const leak = leaks(model.nodes, tol === undefined ? e : { ...e, tolerance: tol })[0];
  if (leak !== undefined) {
    const rule = e.rules[leak.node] ?? "";
    const where = L.nodeLabel(leak.node, leak.name, leak.kind).replace(/\)$/, rule === "" ? ")" : `, rule ${rule})`);
    return `relevance leaks at ${where}, sample ${leak.sample}: it passes ${Math.abs(leak.leaked)} ${leak.leaked < 0 ? "less" : "more"} than it receives (rounding allows ${leak.bound})${whyLeak(model, e, leak.node, leak.sample)}`;
  }
  const rows = perSample(e.f, e.R, tol ?? e.tolerance);
  const bad = rows.findIndex((s) => !s.conservative);
  if (bad < 0) return undefined;
  const s = rows[bad]!;
  return `not conservative (sample ${bad}): f(x) = ${s.f}, Σ_p R_p = ${s.sumR}, error ${s.conservationError} (tolerance ${s.tolerance}); no single node leaks beyond its rounding bound — the layers' rounding adds up`;
};

/** A positivity report: where negative relevance first appears, and which node passed it down. */
export const positivityFailure = (model: L.Model, e: Explanation, tol?: ConsistencyTolerance): string | undefined => {
  const rows = perSample(e.f, e.R, tol ?? e.tolerance);
  const bad = rows.findIndex((s) => !s.positive);
  if (bad < 0) return undefined;
  const neg = firstNegative(model, e, tol ?? e.tolerance);
  return `not positive (sample ${bad}): min_p R_p = ${rows[bad]!.minRelevance}${neg === undefined ? "" : `; ${describeNegative(model, e, neg)}`}`;
};

/**
 * Definition 1: Σ_p R_p = f(x), and every node passes on exactly the relevance it receives (layer-wise
 * conservation; on a graph, node by node, with the relevance of a value read by several nodes summed). The nodes
 * are checked first, so a failure names the node where relevance first leaks, and why when its rule's
 * denominators vanish.
 */
export const conservative = (r: RuleLike, opts: PropertyOptions = {}) => {
  const rule = ruleOf(r);
  return fc.property(casesFor(rule, opts), ({ model, x }) => {
    const failure = conservationFailure(model, explained(model, x, compositeOf(rule, opts)), opts.tol);
    if (failure !== undefined) throw new Error(failure);
  });
};

/** Definition 2: R_p ≥ 0 for every pixel; a failure names the value where relevance first turns negative. */
export const positive = (r: RuleLike, opts: PropertyOptions = {}) => {
  const rule = ruleOf(r);
  return fc.property(casesFor(rule, opts), ({ model, x }) => {
    const failure = positivityFailure(model, explained(model, x, compositeOf(rule, opts)), opts.tol);
    if (failure !== undefined) throw new Error(failure);
  });
};

/** Definition 3: conservative and positive. */
export const consistent = (r: RuleLike, opts: PropertyOptions = {}) => {
  const rule = ruleOf(r);
  return fc.property(casesFor(rule, opts), ({ model, x }) => {
    const e = explained(model, x, compositeOf(rule, opts));
    const failure = conservationFailure(model, e, opts.tol) ?? positivityFailure(model, e, opts.tol);
    if (failure !== undefined) throw new Error(`not consistent: ${failure}`);
  });
};

/** The roots report of one network, or undefined when every checked root holds. */
export const rootFailure = (rule: Rule, model: L.Model, x: T.Tensor, opts: PropertyOptions = {}): string | undefined => {
  const r = verifyRoots(model, x, compositeOf(rule, opts), { tol: opts.rootTol ?? 1e-9, maxSamples: opts.samples ?? 1, maxNeurons: opts.neurons ?? 12 });
  if (E.isLeft(r)) throw new Error(`verifyRoots refused a network built to meet the preconditions: ${message(r.left)}`);
  const n = violationCount(r.right);
  if (n === 0) return undefined;
  return `${n} root violation(s) among ${r.right.active} active neurons; first: ${describeViolation(r.right.violations[0]!)}`;
};

/**
 * Every active neuron's root is a root (the neuron vanishes there), lies on the segment 0 ≤ s ≤ σ and in the
 * domain, for `samples` samples and `neurons` neurons per layer.
 */
export const rootsAreRoots = (r: RuleLike, opts: PropertyOptions = {}) => {
  const rule = ruleOf(r);
  return fc.property(casesFor(rule, { ...opts, kinds: opts.kinds ?? ["dense", "conv"] }), ({ model, x }) => {
    const failure = rootFailure(rule, model, x, opts);
    if (failure !== undefined) throw new Error(failure);
  });
};

/** One affine layer, an input batch from the domain and an upper relevance: the value `matchesNaiveEq4` draws. */
export interface LayerCase {
  readonly layer: L.Affine;
  /** The layer as a model of one node (a file the CLI can open). */
  readonly model: L.Model;
  readonly x: T.Tensor;
  readonly R: T.Tensor;
}

/** Random Dense, Conv2d (stride, padding) and DepthwiseConv2d layers with b ≤ 0, inputs from `domain`, R ≥ 0. */
export const layerCases = (domain: L.DomainT, kinds: readonly L.Affine["kind"][] = L.affineKinds): fc.Arbitrary<LayerCase> =>
  fc
    .tuple(fc.constantFrom(...kinds), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }))
    .chain(([kind, seed, a, b]) => {
      const rng = T.Random.make(seed);
      const bias = (n: number) => T.Random.uniformTensor(rng, [n], -0.2, 0);
      const k = 1 + T.Random.int(rng, 3);
      const geometry = { stride: [1 + T.Random.int(rng, 2), 1 + T.Random.int(rng, 2)] as const, padding: [T.Random.int(rng, 2), T.Random.int(rng, 2)] as const };
      const [layer, inShape]: [L.Affine, number[]] =
        kind === "dense"
          ? [L.dense(T.Random.normalTensor(rng, [a, b]), bias(b)), [a]]
          : kind === "conv2d"
            ? [L.conv2d(T.Random.normalTensor(rng, [b, Math.min(a, 3), k, k]), bias(b), geometry), [Math.min(a, 3), 3 + T.Random.int(rng, 3), 3 + T.Random.int(rng, 3)]]
            : [L.depthwiseConv2d(T.Random.normalTensor(rng, [Math.min(a, 3), Math.min(b, 2), k, k]), bias(Math.min(a, 3) * Math.min(b, 2)), geometry), [Math.min(a, 3), 3 + T.Random.int(rng, 3), 3 + T.Random.int(rng, 3)]];
      const built = L.build(inShape, [layer]);
      if (E.isLeft(built)) throw new Error(`layer arbitrary bug: ${L.message(built.left)}`);
      const model = built.right;
      const R = T.Random.uniformTensor(rng, [2, ...model.shapes[1]!], 0, 1);
      return inputsIn(domain, inShape, 2).map((x) => ({ layer, model, x, R }));
    });

/** The largest difference between the derived rule and naive eq. (4) on one layer, as a report, or undefined. */
export const naiveFailure = (rule: Rule, c: LayerCase, tol: { readonly atol?: number; readonly rtol?: number } = {}): string | undefined => {
  const misfit = ruleProblem({ index: 0, name: c.model.nodes[0]!.name }, c.layer, rule, c.x.shape.slice(1));
  if (misfit !== undefined) return undefined; // a rule sized for other inputs (per-unit bounds): not this layer's
  const slow = naiveRule(rule.strategy);
  const atol = tol.atol ?? 1e-12;
  const rtol = tol.rtol ?? 1e-9;
  const compare = (what: string, a: T.Tensor, b: T.Tensor): string | undefined => {
    const N = a.shape[0]!;
    const d = a.data.length / Math.max(N, 1);
    for (let k = 0; k < a.data.length; k++) {
      const [u, v] = [a.data[k]!, b.data[k]!];
      if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v)) && !(Number.isNaN(u) && Number.isNaN(v))) {
        const n = Math.floor(k / d);
        return `derived rule ≠ naive eq. (4) on ${L.nodeLabel(0, c.model.nodes[0]!.name, c.layer.kind)} with input shape ${T.showShape(c.x.shape.slice(1))}: ${what} ${k % d} of sample ${n} is ${u} derived, ${v} by eq. (4) written out (tolerance ${atol} + ${rtol}·|naive|)`;
      }
    }
    return undefined;
  };
  return compare("the denominator of unit", rule.denominator(c.layer, c.x), slow.denominator(c.layer, c.x)) ?? compare("the relevance of input unit", rule.propagate(c.layer, c.x, c.R), slow.propagate(c.layer, c.x, c.R));
};

/**
 * The rule equals eq. (4) written out neuron by neuron (R_i = Σ_j q_ij / Σ_i' q_i'j · R_j on each neuron's
 * Jacobian row), denominators and relevances, on random Dense, Conv2d and DepthwiseConv2d layers, inputs in the
 * domain and non-negative upper relevance.
 */
export const matchesNaiveEq4 = (r: RuleLike, opts: { readonly tol?: { readonly atol?: number; readonly rtol?: number }; readonly kinds?: readonly L.Affine["kind"][] } = {}) => {
  const rule = ruleOf(r);
  return fc.property(layerCases(rule.strategy.domain, opts.kinds), (c) => {
    const failure = naiveFailure(rule, c, opts.tol);
    if (failure !== undefined) throw new Error(failure);
  });
};
