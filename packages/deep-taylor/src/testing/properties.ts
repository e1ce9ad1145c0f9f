/**
 * Ready-made properties, so that a researcher property-tests a new rule in a few lines:
 *
 * ```ts
 * const rule = deriveRule(myStrategy);
 * fc.assert(Props.conservative(rule));
 * fc.assert(Props.positive(rule));
 * fc.assert(Props.rootsAreRoots(rule));
 * fc.assert(Props.matchesNaiveEq4(myStrategy));
 * ```
 * Each draws networks and inputs that meet the rule's preconditions (see `arbitraries`) and throws with a
 * readable report on failure.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { allClose } from "@dtd/tensor/testing";
import { type Composite, trainingFree, uniform } from "../Composite.ts";
import { type ConsistencyTolerance, leaks, perSample } from "../consistency.ts";
import { deriveRule } from "../deriveRule.ts";
import { message } from "../DtdError.ts";
import { type Explanation, explain } from "../explain.ts";
import { materialize } from "../naive.ts";
import type { Rule } from "../Rule.ts";
import type { Strategy } from "../Strategy.ts";
import { verifyRoots, violationCount } from "../verifyRoots.ts";
import { inputsIn, type NetworkOptions, networkWithInputs } from "./arbitraries.ts";

/** Options of the ready-made properties. */
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
}

const compositeOf = (rule: Rule, opts: PropertyOptions): Composite => {
  const add = opts.add === undefined ? {} : { add: opts.add };
  return (opts.placement ?? "first") === "all" ? uniform(rule, add) : trainingFree(rule, add);
};
const tolOf = (opts: PropertyOptions, e: Explanation): ConsistencyTolerance => opts.tol ?? e.tolerance;

const explained = (model: L.Model, x: T.Tensor, c: Composite): Explanation => {
  const r = explain(model, x, c);
  if (E.isLeft(r)) throw new Error(`explain refused a network built to meet the preconditions: ${message(r.left)}`);
  return r.right;
};

/**
 * Definition 1: Σ_p R_p = f(x), and every node passes on exactly the relevance it receives (layer-wise
 * conservation; on a graph, node by node, with the relevance of a value read by several nodes summed).
 */
export const conservative = (rule: Rule, opts: PropertyOptions = {}) =>
  fc.property(networkWithInputs(rule.strategy.domain, opts), ({ model, x }) => {
    const e = explained(model, x, compositeOf(rule, opts));
    const leak = leaks(model.nodes, opts.tol === undefined ? e : { ...e, tolerance: opts.tol })[0];
    if (leak !== undefined) {
      throw new Error(`relevance leaks at the input of layer ${leak.node} (${leak.kind}), sample ${leak.sample}: it passes ${leak.leaked} more than it receives (tolerance ${leak.bound})`);
    }
    const bad = perSample(e.f, e.R, tolOf(opts, e)).findIndex((s) => !s.conservative);
    if (bad >= 0) {
      const s = perSample(e.f, e.R, tolOf(opts, e))[bad]!;
      throw new Error(`not conservative (sample ${bad}): f(x) = ${s.f}, Σ_p R_p = ${s.sumR}, error ${s.conservationError} (tolerance ${s.tolerance})`);
    }
  });

/** Definition 2: R_p ≥ 0 for every pixel. */
export const positive = (rule: Rule, opts: PropertyOptions = {}) =>
  fc.property(networkWithInputs(rule.strategy.domain, opts), ({ model, x }) => {
    const e = explained(model, x, compositeOf(rule, opts));
    const bad = perSample(e.f, e.R, tolOf(opts, e)).findIndex((s) => !s.positive);
    if (bad >= 0) throw new Error(`not positive (sample ${bad}): min_p R_p = ${perSample(e.f, e.R, tolOf(opts, e))[bad]!.minRelevance}`);
  });

/** Definition 3: conservative and positive. */
export const consistent = (rule: Rule, opts: PropertyOptions = {}) =>
  fc.property(networkWithInputs(rule.strategy.domain, opts), ({ model, x }) => {
    const e = explained(model, x, compositeOf(rule, opts));
    const bad = perSample(e.f, e.R, tolOf(opts, e)).find((s) => !s.consistent);
    if (bad !== undefined) throw new Error(`not consistent: f(x) = ${bad.f}, Σ R = ${bad.sumR}, min R = ${bad.minRelevance}`);
  });

/** Every active neuron's root is a root (the neuron vanishes there), lies on the segment and in the domain. */
export const rootsAreRoots = (rule: Rule, opts: PropertyOptions & { readonly rootTol?: number } = {}) =>
  fc.property(networkWithInputs(rule.strategy.domain, { ...opts, kinds: opts.kinds ?? ["dense", "conv"] }), ({ model, x }) => {
    const r = verifyRoots(model, x, compositeOf(rule, opts), { tol: opts.rootTol ?? 1e-9, maxSamples: 1, maxNeurons: 12 });
    if (E.isLeft(r)) throw new Error(`verifyRoots refused a network built to meet the preconditions: ${message(r.left)}`);
    const n = violationCount(r.right);
    if (n > 0) {
      const f = r.right.violations[0]!;
      throw new Error(`${n} root violation(s); first: layer ${f.layer} (${f.rule}), sample ${f.sample}, neuron ${f.neuron}: ${f.problem} (value ${f.value}, residual ${f.residual})`);
    }
  });

/**
 * The derived rule equals eq. (4) written out with v materialised, on random Dense layers, inputs in the domain
 * and non-negative upper relevance.
 */
export const matchesNaiveEq4 = (strategy: Strategy, opts: { readonly tol?: { atol?: number; rtol?: number } } = {}) => {
  const fast = deriveRule(strategy);
  const slow = deriveRule(materialize(strategy));
  return fc.property(
    fc.integer({ min: 1, max: 6 }).chain((d) =>
      fc.tuple(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 5 }),
        inputsIn(strategy.domain, [d], 2),
      ),
    ),
    ([seed, nOut, x]) => {
      const rng = T.Random.make(seed);
      const d = x.shape[1]!;
      const layer = L.dense(T.Random.normalTensor(rng, [d, nOut]), T.Random.uniformTensor(rng, [nOut], -0.2, 0));
      const R = T.Random.uniformTensor(rng, [2, nOut], 0, 1);
      const a = fast.propagate(layer, x, R);
      const b = slow.propagate(layer, x, R);
      const r = allClose(a, b, { atol: opts.tol?.atol ?? 1e-12, rtol: opts.tol?.rtol ?? 1e-9 });
      if (!r.ok) throw new Error(`derived rule ≠ naive eq. (4): ${r.message}`);
    },
  );
};
