/**
 * One call that property-tests a rule: conservative, positive, rootsAreRoots and matchesNaiveEq4 on random
 * networks (or layers) drawn to meet its preconditions, with one readable report. For each failing property the
 * report holds fast-check's shrunk counterexample — the smallest failing network and input it found — with the
 * sample that fails, and `save` can write it where the user can open it (`@dtd/model-io/file`'s
 * `counterexampleSaver` writes a dtd model file and an input file that `dtd check` reads).
 *
 * ```ts
 * const report = Kit.checkRule(myStrategy, { numRuns: 100 });
 * console.log(Kit.formatReport(report));
 * ```
 * @module
 */
import fc from "fast-check";
import type * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import {
  casesFor,
  compositeOf,
  conservationFailure,
  explained,
  layerCases,
  type LayerCase,
  naiveFailure,
  type NetworkCase,
  positivityFailure,
  type PropertyOptions,
  rootFailure,
  type RuleLike,
  ruleOf,
} from "./properties.ts";
import type { Rule } from "../Rule.ts";

/** The properties the kit runs. */
export type PropertyName = "conservative" | "positive" | "rootsAreRoots" | "matchesNaiveEq4";

/** The smallest failing case fast-check shrank to: a model, its input batch, and the sample that fails. */
export interface Counterexample {
  readonly model: L.Model;
  readonly x: T.Tensor;
  /** The sample of `x` the failure is about. */
  readonly sample: number;
  /** The upper relevance given to the layer (matchesNaiveEq4 only: its model is that one layer). */
  readonly R?: T.Tensor;
  /** The rule, the property and the failure, in one line. */
  readonly description: string;
}

/** One property's result. */
export interface PropertyResult {
  readonly name: PropertyName;
  /** What the property claims. */
  readonly claim: string;
  readonly ok: boolean;
  /** The cases run. */
  readonly runs: number;
  /** The report of the (shrunk) counterexample. */
  readonly failure?: string;
  readonly counterexample?: Counterexample;
  /** Where `save` put the counterexample (what it returned). */
  readonly saved?: string;
  /** Replays: fc.assert(property, { seed, path }). */
  readonly seed: number;
  readonly path?: string;
}

/** The report of `checkRule`. */
export interface RuleReport {
  readonly rule: string;
  readonly ok: boolean;
  readonly properties: readonly PropertyResult[];
}

/** Options: those of the properties, and of the run. */
export interface CheckOptions extends PropertyOptions {
  /** Cases per property (default: fast-check's global setting, DTD_NUM_RUNS in this repository's tests). */
  readonly numRuns?: number;
  readonly seed?: number;
  /** The properties to run (default all four). */
  readonly properties?: readonly PropertyName[];
  /** Writes a counterexample somewhere the user can open it; returns a line to print (e.g. the files' paths). */
  readonly save?: (c: Counterexample, property: PropertyName) => string | undefined;
}

/** The failing sample of a report ("… sample 1 …"), or 0. */
const sampleOf = (failure: string): number => Number(/sample (\d+)/.exec(failure)?.[1] ?? 0);

/** One property as the kit runs it: the claim, the cases, and the check of one case. */
interface Check<C> {
  readonly claim: string;
  readonly cases: (rule: Rule, opts: PropertyOptions) => fc.Arbitrary<C>;
  readonly failure: (rule: Rule, c: C, opts: PropertyOptions) => string | undefined;
  readonly counterexample: (c: C) => Pick<Counterexample, "model" | "x"> & { readonly R?: T.Tensor };
}

const explainedCase = (rule: Rule, c: NetworkCase, opts: PropertyOptions) => explained(c.model, c.x, compositeOf(rule, opts));

const network = (c: NetworkCase) => ({ model: c.model, x: c.x });

const checks: { readonly [P in PropertyName]: Check<P extends "matchesNaiveEq4" ? LayerCase : NetworkCase> } = {
  conservative: {
    claim: "Σ_p R_p = f(x), and every node passes on the relevance it receives (Definition 1)",
    cases: casesFor,
    failure: (rule, c, opts) => conservationFailure(c.model, explainedCase(rule, c, opts), opts.tol),
    counterexample: network,
  },
  positive: {
    claim: "R_p ≥ 0 for every input unit (Definition 2)",
    cases: casesFor,
    failure: (rule, c, opts) => positivityFailure(c.model, explainedCase(rule, c, opts), opts.tol),
    counterexample: network,
  },
  rootsAreRoots: {
    claim: "every active neuron's x̃ = x − s·v is a root, with 0 ≤ s ≤ σ, inside the domain (eq. 3)",
    cases: (rule, opts) => casesFor(rule, { ...opts, kinds: opts.kinds ?? ["dense", "conv"] }),
    failure: (rule, c, opts) => rootFailure(rule, c.model, c.x, opts),
    counterexample: network,
  },
  matchesNaiveEq4: {
    claim: "the derived rule equals eq. (4) written out neuron by neuron (Dense, Conv2d, DepthwiseConv2d)",
    cases: (rule) => layerCases(rule.strategy.domain),
    failure: (rule, c, opts) => naiveFailure(rule, c, opts.tol === undefined ? {} : { ...(opts.tol.atol === undefined ? {} : { atol: opts.tol.atol }), ...(opts.tol.rtol === undefined ? {} : { rtol: opts.tol.rtol }) }),
    counterexample: (c) => ({ model: c.model, x: c.x, R: c.R }),
  },
};

const ALL: readonly PropertyName[] = ["conservative", "positive", "rootsAreRoots", "matchesNaiveEq4"];

const runOne = <C>(name: PropertyName, check: Check<C>, rule: Rule, opts: CheckOptions): PropertyResult => {
  const property = fc.property(check.cases(rule, opts), (c) => {
    const failure = check.failure(rule, c, opts);
    if (failure !== undefined) throw new Error(failure);
  });
  const run = fc.check(property, { ...(opts.numRuns === undefined ? {} : { numRuns: opts.numRuns }), ...(opts.seed === undefined ? {} : { seed: opts.seed }) });
  const base = { name, claim: check.claim, runs: run.numRuns, seed: run.seed };
  if (!run.failed) return { ...base, ok: true };
  const failure = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
  const shrunk = run.counterexample?.[0];
  if (shrunk === undefined) return { ...base, ok: false, failure, ...(run.counterexamplePath === null ? {} : { path: run.counterexamplePath }) };
  const counterexample: Counterexample = { ...check.counterexample(shrunk), sample: sampleOf(failure), description: `rule ${rule.name}, property ${name}: ${failure}` };
  const saved = opts.save?.(counterexample, name);
  return { ...base, ok: false, failure, counterexample, ...(saved === undefined ? {} : { saved }), ...(run.counterexamplePath === null ? {} : { path: run.counterexamplePath }) };
};

/** Runs the properties on a rule (or a strategy) and reports each, with the smallest counterexample of each failure. */
export const checkRule = (r: RuleLike, opts: CheckOptions = {}): RuleReport => {
  const rule = ruleOf(r);
  const properties = (opts.properties ?? ALL).map((name) => runOne(name, checks[name] as unknown as Check<unknown>, rule, opts));
  return { rule: rule.name, ok: properties.every((p) => p.ok), properties };
};

/** "input [3] → dense_0 (dense) → relu_1 (relu) → sumPool_2 (sumPool) → [1]", or one node per line for a graph. */
export const describeModel = (model: L.Model): string => {
  const chain = model.sources.every((ps, i) => ps.length === 1 && ps[0] === i);
  const shape = (p: number) => `[${model.shapes[p]!.join(", ")}]`;
  if (chain) return [`input ${shape(0)}`, ...model.nodes.map((n, i) => `${n.name} (${n.layer.kind} → ${shape(i + 1)})`)].join(" → ");
  return model.nodes.map((n, i) => `${n.name} = ${n.layer.kind}(${n.inputs.join(", ")}) → ${shape(i + 1)}`).join("; ");
};

/** The values of one sample, rounded, at most `max` of them. */
const sampleValues = (x: T.Tensor, n: number, max = 16): string => {
  const d = x.data.length / Math.max(x.shape[0]!, 1);
  const values = Array.from(x.data.subarray(n * d, n * d + Math.min(d, max)), (v) => Number(v.toPrecision(4)));
  return `[${values.join(", ")}${d > max ? `, … (${d} values)` : ""}]`;
};

/** The report as text: one line per property, and for each failure its report and its smallest counterexample. */
export const formatReport = (report: RuleReport): string => {
  const held = report.properties.filter((p) => p.ok).length;
  const lines = [`rule ${report.rule}: ${held} of ${report.properties.length} properties hold`];
  for (const p of report.properties) {
    lines.push(`  ${p.ok ? "ok  " : "FAIL"}  ${p.name.padEnd(16)} ${p.claim} (${p.ok ? `${p.runs} cases` : `fails at case ${p.runs}`})`);
    if (p.ok) continue;
    lines.push(`        ${p.failure ?? ""}`);
    const c = p.counterexample;
    if (c !== undefined) {
      lines.push(`        smallest failing case (shrunk by fast-check; replay with seed ${p.seed}${p.path === undefined ? "" : `, path "${p.path}"`}):`);
      lines.push(`          network  ${describeModel(c.model)}`);
      lines.push(`          input    sample ${c.sample} of ${c.x.shape[0]}: ${sampleValues(c.x, c.sample)}`);
      if (p.saved !== undefined) lines.push(`          saved    ${p.saved}`);
    }
  }
  return lines.join("\n");
};
