/**
 * Root points are first-class: for every active neuron of every affine node (Dense, Conv2d, DepthwiseConv2d), the root x̃⁽ʲ⁾ on its
 * search segment is computed in closed form (s = z_j / (w_j·v⁽ʲ⁾), Montavon et al. 2017, eq. 3), and every
 * violation is counted: no root lies on the segment, the neuron is not zero there, or the root leaves the rule's
 * domain. Neuron by neuron, with memory for one sparse Jacobian row (`internal/neuronRoots.ts`), in float64
 * whatever the model's dtype; a check that would exceed `maxWork` is refused up front, with what to sample.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { assign, type Composite } from "./Composite.ts";
import type { DtdError } from "./DtdError.ts";
import { type LeftDomain, neuronChecker, type RootProblem, type SegmentBound } from "./internal/neuronRoots.ts";
import { padMasks } from "./internal/padMasks.ts";
import { nonFiniteActivation } from "./nonFinite.ts";
import { ruleProblem } from "./preconditions.ts";

export type { LeftDomain, RootProblem, SegmentBound } from "./internal/neuronRoots.ts";

/** One violation: where (node, sample, neuron), what, and the numbers that show why. */
export interface RootViolation {
  readonly layer: number;
  /** The node's name. */
  readonly name: string;
  /** The node's kind. */
  readonly kind: string;
  readonly rule: string;
  readonly sample: number;
  readonly neuron: number;
  readonly problem: RootProblem;
  /** The neuron's pre-activation at x. */
  readonly value: number;
  /** Its value at x̃ (at x when there is no root on the segment). */
  readonly residual: number;
  /** The step of the root, x̃ = x − s·v⁽ʲ⁾ (s = z_j / (w_j·v⁽ʲ⁾); ±Infinity or NaN when undefined). */
  readonly s: number;
  /** The segment's end σ: the root must lie at 0 ≤ s ≤ σ. */
  readonly segment: number;
  /** noRootOnSegment: which bound s broke (s < 0, s > σ, or no step at all). */
  readonly bound?: SegmentBound;
  /** outsideDomain: the unit x̃ leaves the domain at, and the steps along v⁽ʲ⁾ that stay inside. */
  readonly leaves?: LeftDomain;
}

/** What was checked and what failed. */
export interface RootVerification {
  /** Dense/Conv2d layers checked. */
  readonly layers: number;
  /** Neurons checked, summed over layers and samples. */
  readonly neurons: number;
  /** Of those, the active ones (z_j > 0): the ones with a root to check. */
  readonly active: number;
  /** Violations by problem. */
  readonly counts: { readonly [P in RootProblem]: number };
  /** The first `maxListed` violations, in layer, sample and neuron order. */
  readonly violations: readonly RootViolation[];
}

/** Options: tolerance (relative to max(1, |z_j|)), and caps for large networks. */
export interface VerifyRootsOptions {
  /** Tolerance of "on the segment", "in the domain" and "is a root" (default 1e-9). */
  readonly tol?: number;
  /** Check the first samples of the batch only. */
  readonly maxSamples?: number;
  /** Check at most this many neurons per layer and sample (evenly spaced: neuron ⌊k·n/m⌋ for k < m), default all. */
  readonly maxNeurons?: number;
  /** List at most this many violations (default 100; `counts` counts them all). */
  readonly maxListed?: number;
  /** Refuse a check that needs more multiply-adds than this (default 2³⁰ ≈ 10⁹, about a few seconds). */
  readonly maxWork?: number;
}

/** The total number of violations. */
export const violationCount = (r: RootVerification): number => r.counts.notARoot + r.counts.noRootOnSegment + r.counts.outsideDomain;

const DEFAULT_MAX_WORK = 2 ** 30;

/**
 * Checks the root of every active neuron of every affine layer of `model` on the batch `x` (or the sample the
 * options ask for). Left for a batch the model cannot take, a rule that does not fit a layer, a non-finite
 * activation, or a check larger than `maxWork`.
 */
export const verifyRoots = (model: L.Model, x: T.Tensor, composite: Composite, opts: VerifyRootsOptions = {}): E.Either<DtdError, RootVerification> => {
  const checked = L.checkInput(model, x);
  if (E.isLeft(checked)) return E.left({ _tag: "Layer", error: checked.left });
  const tol = opts.tol ?? 1e-9;
  const N = Math.max(0, Math.min(x.shape[0]!, opts.maxSamples ?? Infinity));
  const assigned = assign(composite, model);
  if (E.isLeft(assigned)) return assigned;
  const affine = model.nodes.flatMap((n, i) => {
    const a = assigned.right[i]!;
    return L.isAffine(n.layer) && a._tag === "Rule" ? [{ layer: n.layer, i, name: n.name, rule: a.rule, src: model.sources[i]![0]! }] : [];
  });
  // Everything that can refuse the check, before any of it runs.
  let work = 0;
  let largest = { work: 0, what: "" };
  for (const { layer, i, name, rule, src } of affine) {
    const misfit = ruleProblem({ index: i, name }, layer, rule, model.shapes[src]!);
    if (misfit !== undefined) return E.left(misfit);
    const d = T.Shape.size(model.shapes[src]!);
    const nOut = T.Shape.size(model.shapes[i + 1]!);
    const neurons = Math.min(nOut, opts.maxNeurons ?? nOut);
    const terms = rule.strategy.direction._tag === "Split" ? Math.max(1, rule.strategy.direction.terms.length) : 1;
    // A domain that is not a polyhedron is asked about the whole root point: d more per neuron.
    const perNeuron = L.rowCapacity(layer) * 2 * terms + (rule.strategy.domain.polyhedron === undefined ? d : 0);
    const w = N * (neurons * perNeuron + d * (terms + Math.log2(d + 1)));
    work += w;
    if (w > largest.work) largest = { work: w, what: `${L.nodeLabel(i, name, layer.kind)}: ${N} sample${N === 1 ? "" : "s"} × ${neurons} neurons × ${L.rowCapacity(layer)} weights` };
  }
  const maxWork = opts.maxWork ?? DEFAULT_MAX_WORK;
  if (work > maxWork) {
    return E.left({
      _tag: "TooLarge",
      what: "root verification",
      expected: `at most ${maxWork} multiply-adds (check a sample: maxNeurons per layer, maxSamples)`,
      found: `about ${Math.round(work)}, most of it in ${largest.what}`,
    });
  }
  const { activations } = L.forward(model, x);
  const nonFinite = nonFiniteActivation(model, activations);
  if (nonFinite !== undefined) return E.left(nonFinite);

  const counts = { notARoot: 0, noRootOnSegment: 0, outsideDomain: 0 };
  const listed: RootViolation[] = [];
  const maxListed = opts.maxListed ?? 100;
  const fixed = padMasks(model);
  let neuronsChecked = 0;
  let active = 0;
  for (const { layer, i, name, rule, src } of affine) {
    const inShape = model.shapes[src]!;
    const d = T.Shape.size(inShape);
    const nOut = T.Shape.size(model.shapes[i + 1]!);
    const cap = Math.min(nOut, opts.maxNeurons ?? nOut);
    const row = L.sparseRow(layer);
    for (let n = 0; n < N; n++) {
      const xs = T.reshape(T.slice(activations[src]!, [n, ...inShape.map(() => 0)], [1, ...inShape]), [d]);
      let checker: ReturnType<typeof neuronChecker>;
      try {
        checker = neuronChecker(layer, rule, inShape, xs, tol, fixed[src]?.data);
      } catch (u) {
        if (!(u instanceof T.TensorException)) throw u;
        return E.left({ _tag: "RuleDoesNotFit", layer: i, name, kind: layer.kind, rule: rule.name, reason: u.message });
      }
      for (let k = 0; k < cap; k++) {
        const j = Math.floor((k * nOut) / cap);
        L.fillRow(layer, inShape, j, row);
        let r: ReturnType<typeof checker.check>;
        try {
          r = checker.check(row);
        } catch (u) {
          if (!(u instanceof T.TensorException)) throw u;
          return E.left({ _tag: "RuleDoesNotFit", layer: i, name, kind: layer.kind, rule: rule.name, reason: u.message });
        }
        neuronsChecked++;
        if (r === undefined) continue;
        active++;
        if (r.problem === undefined) continue;
        counts[r.problem]++;
        if (listed.length < maxListed) {
          const where = { layer: i, name, kind: layer.kind, rule: rule.name, sample: n, neuron: j, problem: r.problem, value: r.value, residual: r.residual, s: r.s, segment: rule.strategy.segment };
          const leaves = r.problem === "outsideDomain" ? checker.leaves(row, r.s) : undefined;
          listed.push({ ...where, ...(r.bound === undefined ? {} : { bound: r.bound }), ...(leaves === undefined ? {} : { leaves }) });
        }
      }
    }
  }
  return E.right({ layers: affine.length, neurons: neuronsChecked, active, counts, violations: listed });
};

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

/** Why the problem, in words and numbers: the step and the bound it broke, the residual, or where x̃ leaves the domain. */
export const explainViolation = (v: RootViolation): string => {
  switch (v.problem) {
    case "noRootOnSegment":
      return v.bound === "negative"
        ? `no root on the segment: the step s = ${num(v.s)} < 0 (the direction raises the neuron, z = ${num(v.value)}: its root lies behind x)`
        : v.bound === "pastEnd"
          ? `no root on the segment: the step s = ${num(v.s)} lies past the segment's end σ = ${num(v.segment)} (the segment stops before the neuron reaches 0, z = ${num(v.value)})`
          : `no root on the segment: no step s exists (s = ${num(v.s)}: w·v = 0, or v is not finite — the direction does not change the neuron, z = ${num(v.value)})`;
    case "notARoot":
      return `the point at s = ${num(v.s)} is not a root: the neuron is ${num(v.residual)} there (z = ${num(v.value)} at x)`;
    case "outsideDomain": {
      const l = v.leaves;
      if (l === undefined) return `the root at s = ${num(v.s)} lies outside the domain`;
      const where = l.unit < 0 ? `breaks ${l.expected} (found ${num(l.value)})` : `leaves the domain at input unit ${l.unit} (x̃ = ${num(l.value)}, expected ${l.expected})`;
      const { lo, hi } = l.allowed;
      const allowed =
        lo > hi ? "no step along v stays inside" : lo === -Infinity && hi === Infinity ? "" : `x − s·v stays inside only for ${lo === -Infinity ? `s ≤ ${num(hi)}` : hi === Infinity ? `s ≥ ${num(lo)}` : `${num(lo)} ≤ s ≤ ${num(hi)}`}`;
      return `the root at s = ${num(v.s)} ${where}${allowed === "" ? "" : `; ${allowed}`}`;
    }
  }
};

/** One line: the node, its rule, the sample, the neuron, and why (`explainViolation`). */
export const describeViolation = (v: RootViolation): string =>
  `${L.nodeLabel(v.layer, v.name, v.kind).replace(/\)$/, `, rule ${v.rule})`)}, sample ${v.sample}, neuron ${v.neuron}: ${v.problem} — ${explainViolation(v)}`;
