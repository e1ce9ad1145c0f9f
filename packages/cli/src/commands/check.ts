/**
 * `dtd check`: does deep Taylor decomposition hold for this model, this input and these rules? Three checks:
 * every precondition (Montavon et al. 2017, Propositions 1–3: inputs in each rule's domain, b ≤ 0 where needed,
 * f(x) ≥ 0), every root point (for each active neuron, x̃ is a root, lies on the search segment and in the
 * domain: `verifyRoots`), and consistency (Defs. 1–3: Σ_p R_p = f(x) and R_p ≥ 0). Exit 0 when all hold.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import type { Consistency } from "@dtd/deep-taylor";
import { ExitCode } from "../CliError.ts";
import { defineCommand } from "../Command.ts";
import { integerFlag } from "../integerFlag.ts";
import { num } from "../format.ts";
import { line } from "../Io.ts";
import { explainPrepared, isNorm, type Prepared, prepare, type Result } from "../pipeline.ts";
import { explainFlags } from "../spec.ts";
import { jsonNumber } from "../explainJson.ts";
import { describeMethod } from "./explain.ts";
import { propertyFlags, runProperties } from "./ruleProperties.ts";

/** What `verifyRoots` reports, summarised; `refused` says why no root was checked (then `ok` is false). */
export interface RootsReport {
  readonly ok: boolean;
  readonly layers: number;
  readonly neurons: number;
  /** Active neurons (z_j > 0): the ones with a root to check. */
  readonly active: number;
  readonly violations: number;
  readonly byProblem: { readonly [P in DT.RootProblem]: number };
  /** The first few violations. */
  readonly first: readonly DT.RootViolation[];
  readonly refused: string | null;
}

/** Node by node conservation: the first node (from the output down) whose relevance does not balance. */
export interface NodesReport {
  readonly ok: boolean;
  /** Every leak, in sweep order; `first` is where conservation first breaks. */
  readonly leaks: readonly DT.Consistency.Leak[];
  readonly first: (DT.Consistency.Leak & { readonly message: string }) | null;
}

/** The report of `dtd check` (`--json` prints it). `preconditions`, `roots` and `nodes` are null for baselines. */
export interface CheckReport {
  readonly ok: boolean;
  /** Every number finite: null when so, else where the first NaN or ±Infinity appeared. */
  readonly nonFinite: string | null;
  readonly preconditions: { readonly ok: boolean; readonly violations: readonly (DT.DtdError & { readonly message: string })[] } | null;
  readonly roots: RootsReport | null;
  readonly nodes: NodesReport | null;
  readonly consistency: Consistency.SampleConsistency & { readonly ok: boolean };
  /**
   * What the biases absorbed (deep-taylor): the total and each node's share (nodes that absorbed nothing left
   * out). With --bias-sink, neurons without a root on their segment are the ones whose bias kept the rest.
   */
  readonly biasRelevance: { readonly total: number; readonly perNode: readonly { readonly node: string; readonly kind: string; readonly absorbed: number }[] } | null;
}

/** "relevance leaks first at layer 5 "bn2" (batchNorm): …". */
const leakMessage = (l: DT.Consistency.Leak): string => {
  const by = !l.absorbed ? "" : l.kind === "batchNorm" || l.kind === "scaleShift" ? ", absorbed by its shift (a batch norm that could not be folded)" : ", absorbed by its bias (a relevance sink)";
  return `relevance leaks first at ${L.nodeLabel(l.node, l.name, l.kind)}: it passes ${num(l.leaked)} ${l.leaked < 0 ? "less" : "more"} than it receives (beyond the rounding bound ${num(l.bound)})${by}`;
};

/**
 * Where relevance leaks. With --bias-sink what biases (and the shifts of unfolded batch norms) keep is accounted
 * for — reported as absorbed, Σ R + absorbed = f — so only the other leaks fail; without it every leak does.
 */
const nodesReport = (p: Prepared, e: DT.Explanation): NodesReport => {
  const all = DT.Consistency.leaks(p.model.nodes, e);
  const leaks = p.spec.biasSink ? all.filter((l) => !l.absorbed) : all;
  const first = leaks[0];
  return { ok: leaks.length === 0, leaks, first: first === undefined ? null : { ...first, message: leakMessage(first) } };
};

const FIRST_ROOTS = 5;

const PROBLEMS: { readonly [P in DT.RootProblem]: string } = {
  notARoot: "the neuron is not zero at the root point",
  noRootOnSegment: "no root on the search segment",
  outsideDomain: "the root point leaves the rule's domain",
};

const rootsReport = (p: Prepared, composite: DT.Composite, maxNeurons: number | undefined): RootsReport => {
  const v = DT.verifyRoots(p.model, p.x, composite, maxNeurons === undefined ? {} : { maxNeurons });
  if (E.isLeft(v)) {
    return { ok: false, layers: 0, neurons: 0, active: 0, violations: 0, byProblem: { notARoot: 0, noRootOnSegment: 0, outsideDomain: 0 }, first: [], refused: DT.message(v.left) };
  }
  const violations = DT.violationCount(v.right);
  return { ok: violations === 0, layers: v.right.layers, neurons: v.right.neurons, active: v.right.active, violations, byProblem: v.right.counts, first: v.right.violations.slice(0, FIRST_ROOTS), refused: null };
};

/** Runs the checks: every number finite, preconditions, roots (sampled with `maxNeurons` per layer), consistency. */
export const checkReport = (p: Prepared, r: Result, maxNeurons?: number): CheckReport => {
  const consistency = { ...r.consistency, ok: r.consistency.consistent };
  const firstNonFinite = r.warnings.find((w) => w._tag === "NonFinite");
  const nonFinite = firstNonFinite !== undefined ? DT.message(firstNonFinite) : r.consistency.finite ? null : `f(x) = ${r.f}, min R = ${r.consistency.minRelevance}`;
  if (p.composite === undefined) return { ok: consistency.ok && nonFinite === null, nonFinite, preconditions: null, roots: null, nodes: null, consistency, biasRelevance: null };
  const sink = p.spec.biasSink;
  const violations = DT.violations(p.model, p.composite, r.explanation!.activations, r.explanation!.f, { every: true })
    .filter((v) => !(sink && v._tag === "PreconditionViolated" && v.what === "bias"))
    .map((v) => ({ ...v, message: DT.message(v) }));
  const preconditions = { ok: violations.length === 0, violations };
  const checked = rootsReport(p, p.composite, maxNeurons);
  // Under --bias-sink a segment without a root is what the sink is for: the bias keeps z at the segment's end.
  const roots = sink && checked.refused === null ? { ...checked, ok: checked.violations === checked.byProblem.noRootOnSegment } : checked;
  const nodes = nodesReport(p, r.explanation!);
  const perNode = r.explanation!.absorbed.flatMap((a, i) =>
    a === undefined || !(L.isAffine(p.model.layers[i]!) || (sink && isNorm(p.model.layers[i]!))) || Math.abs(a[0]!) <= r.consistency.tolerance ? [] : [{ node: p.model.nodes[i]!.name, kind: p.model.nodes[i]!.layer.kind, absorbed: a[0]! }],
  );
  const biasRelevance = { total: r.biasRelevance, perNode };
  return { ok: nonFinite === null && preconditions.ok && roots.ok && nodes.ok && consistency.ok, nonFinite, preconditions, roots, nodes, consistency, biasRelevance };
};

const mark = (ok: boolean): string => (ok ? "ok  " : "FAIL");

/**
 * Why a residual network leaks under the default add split, and the way out: a branch's share a/Σ·R is signed when
 * the branch is (a convolution before its ReLU), and z⁺ passes negative relevance nowhere (docs/deep-taylor.md §8).
 */
const ADD_HINT =
  "  hint: add nodes are split proportionally (R_a = a / Σ inputs · R); a signed branch then receives negative relevance that its rule cannot pass down. --add rules splits each add by its inputs' eq. (4) denominators instead (conservative and positive)";

/** The readable report. */
export const reportLines = (p: Prepared, r: Result, c: CheckReport): string[] => {
  const out = [`method         ${describeMethod(p, r)}`, `finite         ${mark(c.nonFinite === null)}  ${c.nonFinite ?? "every activation and relevance is a finite number"}`];
  if (c.preconditions === null || c.roots === null) {
    out.push("preconditions  n/a   (deep Taylor rules only)", "roots          n/a   (deep Taylor rules only)");
  } else {
    const v = c.preconditions.violations;
    out.push(`preconditions  ${mark(c.preconditions.ok)}  ${v.length === 0 ? "all hold" : `${v.length} violated:`}`);
    v.forEach((x) => out.push(`  ${x.message}`));
    const rr = c.roots;
    if (rr.refused !== null) out.push(`roots          FAIL  not checked: ${rr.refused}`);
    const counts = (Object.keys(rr.byProblem) as DT.RootViolation["problem"][]).filter((k) => rr.byProblem[k] > 0).map((k) => `${rr.byProblem[k]} ${k} (${PROBLEMS[k]})`);
    if (rr.refused === null) out.push(
      `roots          ${mark(rr.ok)}  ${rr.active} active of ${rr.neurons} neurons in ${rr.layers} dense/conv2d layer${rr.layers === 1 ? "" : "s"} checked, ${rr.violations} violation${rr.violations === 1 ? "" : "s"}${counts.length > 0 ? `: ${counts.join(", ")}` : ""}`,
    );
    // Where and why: the node, its rule, the neuron, and the step s with the bound it broke (or the unit x̃ leaves the domain at).
    rr.first.forEach((x) => out.push(`  ${DT.describeViolation(x)}`));
    if (rr.violations > rr.first.length) out.push(`  … and ${rr.violations - rr.first.length} more`);
  }
  if (c.nodes !== null) {
    out.push(`nodes          ${mark(c.nodes.ok)}  ${c.nodes.first === null ? "relevance balances at every layer (what each passes down equals what it receives)" : c.nodes.first.message}`);
    if (c.nodes.leaks.length > 1) out.push(`  … and ${c.nodes.leaks.length - 1} more leak${c.nodes.leaks.length === 2 ? "" : "s"} further down`);
    if (!c.nodes.ok && p.spec.rules?.add === "proportional" && p.model.layers.some((l) => l.kind === "add")) out.push(ADD_HINT);
  }
  if (c.biasRelevance !== null && p.spec.biasSink) {
    const b = c.biasRelevance;
    out.push(`biases         ${num(b.total)} absorbed (biases as relevance sinks)${b.perNode.length === 0 ? "" : ":"}`);
    b.perNode.forEach((n) => out.push(`  ${n.node} (${n.kind}): ${num(n.absorbed)}`));
  }
  const k = c.consistency;
  out.push(
    `consistency    ${mark(k.ok)}  f(x) = ${num(k.f)}, sum of R = ${num(k.sumR)}${c.biasRelevance === null || !p.spec.biasSink ? "" : ` (+ ${num(c.biasRelevance.total)} absorbed)`}, conservation error ${num(k.conservationError)} (${k.conservative ? "conservative" : "NOT conservative"}), min R ${num(k.minRelevance)} (${k.positive ? "positive" : "NOT positive"})`,
    `result         ${c.ok ? "every check holds" : "FAIL"}`,
  );
  return out;
};

export const check = defineCommand({
  name: "check",
  summary: "verify preconditions, root points and consistency for one input",
  usage: "check --model FILE --input FILE --rule RULE [options]",
  description: `
Checks that deep Taylor decomposition is sound for this model, input and rules, and lists every problem:
  finite         every activation and relevance is a number (the first NaN or ±Infinity is named: layer, unit)
  preconditions  each input unit of each dense/conv2d layer in its rule's domain (x ≥ 0 for zplus,
                 l ≤ x ≤ h for zb), b ≤ 0 where the rule needs it, f(x) ≥ 0 (Propositions 1–3), and x ≥ 0 at
                 the input of every proportional pooling layer (--maxpool proportional, sum/average pooling)
  roots          for every active neuron, the root point x̃ on its search segment is a root of the neuron and
                 lies in the rule's domain (verifyRoots, neuron by neuron); violations counted by problem, the
                 first few listed. A check too large to run is refused: --max-neurons N checks a sample.
  nodes          every layer passes on exactly the relevance it receives (within rounding): the first layer
                 where relevance leaks is named (e.g. a batch norm that could not be folded: its shift absorbs)
  consistency    Σ_p R_p = f(x) and R_p ≥ 0 (Definitions 1–3) within the rounding of the model's dtype and size
                 (docs/deep-taylor.md), for the heatmap computed as if --lenient
Takes the same flags as explain; --lenient changes nothing here (check always computes the heatmap), and a
baseline --method has no preconditions or roots: only its consistency is checked.

With --properties, check tests a rule instead — one of the deck's (--rule) or your own (--strategy FILE, a module
exporting a Strategy) — on random networks drawn to meet its preconditions: conservative, positive, roots are
roots (on the segment, in the domain), and the derived rule equals eq. (4) written out. For each property that
fails it prints where (node, unit, sample; for roots the step s and the bound it broke) and the smallest failing
network and input fast-check shrank to, written to --out as a model file and an input file to open with
check --model … --input ….
Exit status: 0 when every check holds, 1 when one fails (or a file cannot be read), 2 bad command line.`,
  flags: {
    ...explainFlags,
    "max-neurons": { type: "string", value: "N", description: "check the roots of at most N neurons per layer (evenly spaced) instead of all" },
    ...propertyFlags,
  },
  examples: [
    "check --model net.json --input x.json --rule zplus",
    "check --model net.json --input x.json --first-rule zb --rule zplus --low=-1 --high 1 --json",
    "check --properties --strategy my-rule.mjs --runs 200 --out counterexamples",
  ],
  run: async ({ values }, { io }) => {
    if (values.properties || values.strategy !== undefined) return runProperties(values, io);
    const n = values["max-neurons"];
    if (n !== undefined) {
      const valid = integerFlag("max-neurons", n, 1);
      if (E.isLeft(valid)) return valid;
    }
    const prepared = await prepare(values);
    if (E.isLeft(prepared)) return prepared;
    const p = prepared.right;
    const result = explainPrepared(p, true);
    if (E.isLeft(result)) return result;
    const report = checkReport(p, result.right, n === undefined ? undefined : Number(n));
    // Non-finite numbers by name ("NaN", "Infinity"): JSON has none, and null would hide which.
    if (values.json) line(io.stdout, JSON.stringify(report, (_k, v: unknown) => (typeof v === "number" ? jsonNumber(v) : v)));
    else reportLines(p, result.right, report).forEach((s) => line(io.stdout, s));
    return E.right(report.ok ? ExitCode.ok : ExitCode.failure);
  },
});
