/**
 * Preconditions checked before propagating (Montavon et al. 2017, Propositions 1–3): the layer input lies in
 * the rule's domain (x ≥ 0 for z⁺, l ≤ x ≤ h for zᵇ), b ≤ 0 where the rule's segment needs it, f(x) ≥ 0, and the
 * inputs of a proportional pooling layer are ≥ 0 (R_j = x_j / Σ_j' x_j' · R_k is positive only then). Plus what
 * makes a rule applicable to a layer at all: bounds and constants of the layer's input size, a materialised
 * direction only on a Dense layer.
 * @module
 */
import * as T from "@dtd/tensor";
import { Domain } from "@dtd/layers";
import * as L from "@dtd/layers";
import * as E from "fp-ts/lib/Either.js";
import { type Assignment, assign, type Composite } from "./Composite.ts";
import type { DtdError } from "./DtdError.ts";
import { redistributesProportionally } from "./internal/nonAffine.ts";
import type { Rule } from "./Rule.ts";

/**
 * Tolerance for inputs on the domain's boundary (rounding), absolute: 1e-12 for float64 activations; for float32
 * ones 4 units of roundoff at the bounds' scale (an input of 0.3 stored in float32 is 0.30000001).
 */
export const boundaryTolerance = (dtype: T.DType, domain: L.DomainT): number => Math.max(1e-12, 4 * T.unitRoundoff(dtype) * Domain.scaleOf(domain));

/** Lists the first violation per sample, or with `every` each violating unit. */
interface Listing {
  readonly every: boolean;
}

/** Units of each sample of x outside `domain` (unit −1: a constraint coupling the units): the first per sample, or every one. */
const outside = (domain: L.DomainT, x: T.Tensor, tol: number, listing: Listing, report: (sample: number, unit: number, value: number, expected: string) => void): void => {
  const N = x.shape[0]!;
  const d = x.data.length / Math.max(N, 1);
  for (let n = 0; n < N; n++) {
    const sample = x.data.subarray(n * d, (n + 1) * d);
    for (let bad = Domain.firstOutside(domain, sample, tol); bad !== undefined; bad = listing.every ? Domain.firstOutside(domain, sample, tol, bad.index + 1) : undefined) {
      report(n, bad.unit, bad.value, bad.expected);
    }
  }
};

/** The node a precondition is about. */
interface At {
  readonly index: number;
  readonly name: string;
}

/** Units of x outside the rule's domain, as violations at node `at` (the first per sample, or every unit). */
const domainViolations = (at: At, kind: string, rule: Rule, x: T.Tensor, listing: Listing): DtdError[] => {
  const out: DtdError[] = [];
  const domain = rule.strategy.domain;
  outside(domain, x, boundaryTolerance(x.dtype, domain), listing, (sample, unit, value, expected) =>
    out.push({ _tag: "PreconditionViolated", layer: at.index, name: at.name, kind, rule: rule.name, sample, unit, value, expected, what: "input" }),
  );
  return out;
};

/** The violations of one affine node's preconditions for a batch: its inputs (the first per sample, or every unit) and every positive bias. */
export const layerViolations = (at: At, layer: L.Affine, rule: Rule, x: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const out = domainViolations(at, layer.kind, rule, x, listing);
  if (rule.strategy.requiresNonPositiveBias) {
    layer.b.data.forEach((b, j) => {
      if (b > 0) out.push({ _tag: "PreconditionViolated", layer: at.index, name: at.name, kind: layer.kind, rule: rule.name, sample: -1, unit: j, value: b, expected: "b ≤ 0", what: "bias" });
    });
  }
  return out;
};

/** The violations of a proportional pooling node's precondition x ≥ 0 (the first per sample, or every unit). */
export const poolingViolations = (at: At, layer: L.Layer, x: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const out: DtdError[] = [];
  const expected = "x ≥ 0 (proportional pooling shares relevance in proportion to its inputs)";
  outside(Domain.nonNegative, x, boundaryTolerance(x.dtype, Domain.nonNegative), listing, (sample, unit, value) =>
    out.push({ _tag: "PreconditionViolated", layer: at.index, name: at.name, kind: layer.kind, rule: "proportional", sample, unit, value, expected, what: "input" }),
  );
  return out;
};

/**
 * Whether input k of add node i enters its split as an affine node's denominator (that node has a rule of its
 * own) rather than as an identity connection.
 */
export const affineBranch = (model: L.Model, assignments: readonly Assignment[], p: number): { readonly node: number; readonly layer: L.Affine; readonly rule: Rule } | undefined => {
  if (p === 0) return undefined;
  const layer = model.layers[p - 1]!;
  const a = assignments[p - 1]!;
  return L.isAffine(layer) && a._tag === "Rule" ? { node: p - 1, layer, rule: a.rule } : undefined;
};

/** Violations of f(x) ≥ 0. */
export const outputViolations = (f: T.Tensor): DtdError[] => {
  const out: DtdError[] = [];
  f.data.forEach((v, n) => {
    if (v < 0) out.push({ _tag: "PreconditionViolated", layer: -1, name: "", kind: "output", rule: "", sample: n, unit: 0, value: v, expected: "f(x) ≥ 0", what: "output" });
  });
  return out;
};

/**
 * Every violated precondition of explaining a batch with the composite's `assignments`, given its forward pass:
 * f(x) ≥ 0, then node by node the affine nodes' domains and biases, the identity inputs of an add split by a
 * rule (in the rule's domain), and the proportional pooling nodes' x ≥ 0. `explain` lists the first violation per
 * sample and node; `{ every: true }` lists each unit (what `dtd check` prints).
 */
export const violationsOf = (model: L.Model, assignments: readonly Assignment[], activations: readonly T.Tensor[], f: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const out = outputViolations(f);
  model.nodes.forEach((n, i) => {
    const a = assignments[i]!;
    const at = { index: i, name: n.name };
    const src = model.sources[i]!;
    if (a._tag === "Rule" && L.isAffine(n.layer)) out.push(...layerViolations(at, n.layer, a.rule, activations[src[0]!]!, listing));
    else if (a._tag === "Rule") {
      for (const p of src) if (affineBranch(model, assignments, p) === undefined) out.push(...domainViolations(at, n.layer.kind, a.rule, activations[p]!, listing));
    } else if (redistributesProportionally(n.layer, a)) out.push(...poolingViolations(at, n.layer, activations[src[0]!]!, listing));
  });
  return out;
};

/** `violationsOf` for a composite (a composite that does not fit the model is its own, single problem). */
export const violations = (model: L.Model, composite: Composite, activations: readonly T.Tensor[], f: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const a = assign(composite, model);
  return E.isLeft(a) ? [a.left] : violationsOf(model, a.right, activations, f, listing);
};

/** The size of a bound or constant: 1 for a number. */
const sizeOf = (v: number | T.Tensor): number => (typeof v === "number" ? 1 : v.data.length);

/**
 * Why `rule` cannot be applied to affine layer `index` at all, or undefined: a materialised direction on a layer
 * other than Dense, a box bound or a constant input modifier whose size is not the layer's input size.
 */
export const ruleProblem = (at: At, layer: L.Affine, rule: Rule, inputShape: readonly number[]): DtdError | undefined => {
  const base = { _tag: "RuleDoesNotFit", layer: at.index, name: at.name, kind: layer.kind, rule: rule.name } as const;
  const d = T.Shape.size(inputShape);
  const { direction, domain } = rule.strategy;
  if (direction._tag === "Materialized" && layer.kind !== "dense") {
    return { ...base, reason: "a materialised direction v(x, W) applies to dense layers only; for other layers give it neuron by neuron (perNeuron) or in split form (input modifiers × weight selectors)" };
  }
  const sized: [string, number | T.Tensor][] = Domain.sizedParts(domain);
  if (direction._tag === "Split") for (const t of direction.terms) if (t.input._tag === "Constant") sized.push([`the constant of term "${t.label}"`, t.input.value]);
  for (const [what, v] of sized) {
    const n = sizeOf(v);
    if (typeof v !== "number" && n !== d) return { ...base, reason: `expected ${what} to be a number or to hold ${d} values (one per input unit, shape ${T.showShape(inputShape)}), found ${n} values` };
  }
  return undefined;
};
