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
import type { SampleConsistency } from "@dtd/deep-taylor/consistency";
import { type CliError, ExitCode, failure } from "../CliError.ts";
import { defineCommand } from "../Command.ts";
import { num } from "../format.ts";
import { line } from "../Io.ts";
import { explainPrepared, type Prepared, prepare, type Result } from "../pipeline.ts";
import { explainFlags } from "../spec.ts";
import { describeMethod } from "./explain.ts";

/** What `verifyRoots` reports, summarised. */
export interface RootsReport {
  readonly ok: boolean;
  readonly layers: number;
  readonly neurons: number;
  /** Active neurons (z_j > 0): the ones with a root to check. */
  readonly active: number;
  readonly violations: number;
  readonly byProblem: { readonly [P in DT.RootViolation["problem"]]: number };
  /** The first few violations. */
  readonly first: readonly DT.RootViolation[];
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
  readonly preconditions: { readonly ok: boolean; readonly violations: readonly (DT.DtdError & { readonly message: string })[] } | null;
  readonly roots: RootsReport | null;
  readonly nodes: NodesReport | null;
  readonly consistency: SampleConsistency & { readonly ok: boolean };
}

/** "relevance leaks first at layer 5 "bn2" (batchNorm): …". */
const leakMessage = (l: DT.Consistency.Leak): string =>
  `relevance leaks first at ${L.nodeLabel(l.node, l.name, l.kind)}: it passes ${num(l.leaked)} ${l.leaked < 0 ? "less" : "more"} than it receives (beyond the rounding bound ${num(l.bound)})${l.absorbed ? ", absorbed by its shift (a batch norm that could not be folded)" : ""}`;

const nodesReport = (p: Prepared, e: DT.Explanation): NodesReport => {
  const leaks = DT.Consistency.leaks(p.model.nodes, e);
  const first = leaks[0];
  return { ok: leaks.length === 0, leaks, first: first === undefined ? null : { ...first, message: leakMessage(first) } };
};

const FIRST_ROOTS = 5;

const PROBLEMS: { readonly [P in DT.RootViolation["problem"]]: string } = {
  notARoot: "the neuron is not zero at the root point",
  noRootOnSegment: "no root on the search segment",
  outsideDomain: "the root point leaves the rule's domain",
};

const rootsReport = (p: Prepared, composite: DT.Composite): E.Either<DT.DtdError, RootsReport> =>
  E.map((v: DT.RootVerification): RootsReport => {
    const violations = DT.violationCount(v);
    return { ok: violations === 0, layers: v.layers, neurons: v.neurons, active: v.active, violations, byProblem: v.counts, first: v.violations.slice(0, FIRST_ROOTS) };
  })(DT.verifyRoots(p.model, p.x, composite));

/** Runs the three checks; Left when root verification is refused (a check too large to run, a rule that does not fit). */
export const checkReport = (p: Prepared, r: Result): E.Either<CliError, CheckReport> => {
  const consistency = { ...r.consistency, ok: r.consistency.consistent };
  if (p.composite === undefined) return E.right({ ok: consistency.ok, preconditions: null, roots: null, nodes: null, consistency });
  const violations = DT.violations(p.model, p.composite, r.explanation!.activations, r.explanation!.f, { every: true }).map((v) => ({ ...v, message: DT.message(v) }));
  const preconditions = { ok: violations.length === 0, violations };
  const nodes = nodesReport(p, r.explanation!);
  return E.bimap(
    (e: DT.DtdError) => failure(`roots: ${DT.message(e)}`),
    (roots: RootsReport): CheckReport => ({ ok: preconditions.ok && roots.ok && nodes.ok && consistency.ok, preconditions, roots, nodes, consistency }),
  )(rootsReport(p, p.composite));
};

const mark = (ok: boolean): string => (ok ? "ok  " : "FAIL");

/** The readable report. */
export const reportLines = (p: Prepared, r: Result, c: CheckReport): string[] => {
  const out = [`method         ${describeMethod(p, r)}`];
  if (c.preconditions === null || c.roots === null) {
    out.push("preconditions  n/a   (deep Taylor rules only)", "roots          n/a   (deep Taylor rules only)");
  } else {
    const v = c.preconditions.violations;
    out.push(`preconditions  ${mark(c.preconditions.ok)}  ${v.length === 0 ? "all hold" : `${v.length} violated:`}`);
    v.forEach((x) => out.push(`  ${x.message}`));
    const rr = c.roots;
    const counts = (Object.keys(rr.byProblem) as DT.RootViolation["problem"][]).filter((k) => rr.byProblem[k] > 0).map((k) => `${rr.byProblem[k]} ${k} (${PROBLEMS[k]})`);
    out.push(
      `roots          ${mark(rr.ok)}  ${rr.active} active of ${rr.neurons} neurons in ${rr.layers} dense/conv2d layer${rr.layers === 1 ? "" : "s"} checked, ${rr.violations} violation${rr.violations === 1 ? "" : "s"}${counts.length > 0 ? `: ${counts.join(", ")}` : ""}`,
    );
    rr.first.forEach((x) => out.push(`  ${L.nodeLabel(x.layer, x.name, p.model.layers[x.layer]!.kind).replace(/\)$/, `, ${x.rule})`)} neuron ${x.neuron}: ${x.problem}, z = ${num(x.value)} at x, ${num(x.residual)} at the root point`));
    if (rr.violations > rr.first.length) out.push(`  … and ${rr.violations - rr.first.length} more`);
  }
  if (c.nodes !== null) {
    out.push(`nodes          ${mark(c.nodes.ok)}  ${c.nodes.first === null ? "relevance balances at every layer (what each passes down equals what it receives)" : c.nodes.first.message}`);
    if (c.nodes.leaks.length > 1) out.push(`  … and ${c.nodes.leaks.length - 1} more leak${c.nodes.leaks.length === 2 ? "" : "s"} further down`);
  }
  const k = c.consistency;
  out.push(
    `consistency    ${mark(k.ok)}  f(x) = ${num(k.f)}, sum of R = ${num(k.sumR)}, conservation error ${num(k.conservationError)} (${k.conservative ? "conservative" : "NOT conservative"}), min R ${num(k.minRelevance)} (${k.positive ? "positive" : "NOT positive"})`,
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
  preconditions  each input unit of each dense/conv2d layer in its rule's domain (x ≥ 0 for zplus,
                 l ≤ x ≤ h for zb), b ≤ 0 where the rule needs it, f(x) ≥ 0 (Propositions 1–3)
  roots          for every active neuron, the root point x̃ on its search segment is a root of the neuron and
                 lies in the rule's domain (verifyRoots); violations counted by problem, the first few listed
  consistency    Σ_p R_p = f(x) and R_p ≥ 0 (Definitions 1–3), for the heatmap computed as if --lenient
Takes the same flags as explain; --lenient changes nothing here (check always computes the heatmap), and a
baseline --method has no preconditions or roots: only its consistency is checked.
Exit status: 0 when every check holds, 1 when one fails (or a file cannot be read), 2 bad command line.`,
  flags: explainFlags,
  examples: ["check --model net.json --input x.json --rule zplus", "check --model net.json --input x.json --first-rule zb --rule zplus --low=-1 --high 1 --json"],
  run: async ({ values }, { io }) => {
    const prepared = prepare(values);
    if (E.isLeft(prepared)) return prepared;
    const p = prepared.right;
    const result = explainPrepared(p, true);
    if (E.isLeft(result)) return result;
    const checked = checkReport(p, result.right);
    if (E.isLeft(checked)) return checked;
    const report = checked.right;
    if (values.json) line(io.stdout, JSON.stringify(report));
    else reportLines(p, result.right, report).forEach((s) => line(io.stdout, s));
    return E.right(report.ok ? ExitCode.ok : ExitCode.failure);
  },
});
