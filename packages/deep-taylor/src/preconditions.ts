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
import { type Composite, ruleFor } from "./Composite.ts";
import type { DtdError } from "./DtdError.ts";
import { redistributesProportionally } from "./poolingRules.ts";
import type { Rule } from "./Rule.ts";

/**
 * Tolerance for inputs on the domain's boundary (rounding), absolute: 1e-12 for float64 activations; for float32
 * ones 4 units of roundoff at the bounds' scale (an input of 0.3 stored in float32 is 0.30000001).
 */
export const boundaryTolerance = (dtype: T.DType, domain: L.DomainT): number => {
  let scale = 1;
  if (domain._tag === "Box") {
    for (const b of [domain.low, domain.high]) {
      if (typeof b === "number") scale = Math.max(scale, Math.abs(b));
      else for (let i = 0; i < b.data.length; i++) scale = Math.max(scale, Math.abs(b.data[i]!));
    }
  }
  return Math.max(1e-12, 4 * T.unitRoundoff(dtype) * scale);
};

/** Lists the first violation per sample, or with `every` each violating unit. */
interface Listing {
  readonly every: boolean;
}

/** Units of each sample of x outside `domain`: the first per sample, or every one. */
const outside = (domain: L.DomainT, x: T.Tensor, tol: number, listing: Listing, report: (sample: number, unit: number, value: number, expected: string) => void): void => {
  const N = x.shape[0]!;
  const d = x.data.length / Math.max(N, 1);
  for (let n = 0; n < N; n++) {
    const sample = x.data.subarray(n * d, (n + 1) * d);
    for (let bad = Domain.firstOutside(domain, sample, tol); bad !== undefined; bad = listing.every ? Domain.firstOutside(domain, sample, tol, bad.index + 1) : undefined) {
      report(n, bad.index, bad.value, bad.expected);
    }
  }
};

/** The violations of one affine layer's preconditions for a batch: its inputs (the first per sample, or every unit) and every positive bias. */
export const layerViolations = (index: number, layer: L.Affine, rule: Rule, x: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const out: DtdError[] = [];
  const base = { _tag: "PreconditionViolated", layer: index, kind: layer.kind, rule: rule.name } as const;
  const domain = rule.strategy.domain;
  outside(domain, x, boundaryTolerance(x.dtype, domain), listing, (sample, unit, value, expected) => out.push({ ...base, sample, unit, value, expected, what: "input" }));
  if (rule.strategy.requiresNonPositiveBias) {
    layer.b.data.forEach((b, j) => {
      if (b > 0) out.push({ ...base, sample: -1, unit: j, value: b, expected: "b ≤ 0", what: "bias" });
    });
  }
  return out;
};

/** The violations of a proportional pooling layer's precondition x ≥ 0 (the first per sample, or every unit). */
export const poolingViolations = (index: number, layer: L.Layer, x: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const out: DtdError[] = [];
  const expected = "x ≥ 0 (proportional pooling shares relevance in proportion to its inputs)";
  outside(Domain.nonNegative, x, boundaryTolerance(x.dtype, Domain.nonNegative), listing, (sample, unit, value) =>
    out.push({ _tag: "PreconditionViolated", layer: index, kind: layer.kind, rule: "proportional", sample, unit, value, expected, what: "input" }),
  );
  return out;
};

/** Violations of f(x) ≥ 0. */
export const outputViolations = (f: T.Tensor): DtdError[] => {
  const out: DtdError[] = [];
  f.data.forEach((v, n) => {
    if (v < 0) out.push({ _tag: "PreconditionViolated", layer: -1, kind: "output", rule: "", sample: n, unit: 0, value: v, expected: "f(x) ≥ 0", what: "output" });
  });
  return out;
};

/**
 * Every violated precondition of explaining a batch with `composite`, given its forward pass: f(x) ≥ 0, then
 * layer by layer the affine layers' domains and biases and the proportional pooling layers' x ≥ 0. `explain`
 * lists the first violation per sample and layer; `{ every: true }` lists each unit (what `dtd check` prints).
 */
export const violations = (model: L.Model, composite: Composite, activations: readonly T.Tensor[], f: T.Tensor, listing: Listing = { every: false }): DtdError[] => {
  const out = outputViolations(f);
  const maxPool = composite.maxPool ?? "winnerTakeAll";
  model.layers.forEach((layer, i) => {
    if (L.isAffine(layer)) out.push(...layerViolations(i, layer, ruleFor(composite, model, i), activations[i]!, listing));
    else if (redistributesProportionally(layer, maxPool)) out.push(...poolingViolations(i, layer, activations[i]!, listing));
  });
  return out;
};

/** The size of a bound or constant: 1 for a number. */
const sizeOf = (v: number | T.Tensor): number => (typeof v === "number" ? 1 : v.data.length);

/**
 * Why `rule` cannot be applied to affine layer `index` at all, or undefined: a materialised direction on a layer
 * other than Dense, a box bound or a constant input modifier whose size is not the layer's input size.
 */
export const ruleProblem = (index: number, layer: L.Affine, rule: Rule, inputShape: readonly number[]): DtdError | undefined => {
  const base = { _tag: "RuleDoesNotFit", layer: index, kind: layer.kind, rule: rule.name } as const;
  const d = T.Shape.size(inputShape);
  const { direction, domain } = rule.strategy;
  if (direction._tag === "Materialized" && layer.kind !== "dense") {
    return { ...base, reason: "a materialised direction v(x, W) applies to dense layers only; give the direction in split form (input modifiers × weight selectors) for other layers" };
  }
  const sized: [string, number | T.Tensor][] = domain._tag === "Box" ? [["the box's low bound", domain.low], ["the box's high bound", domain.high]] : [];
  if (direction._tag === "Split") for (const t of direction.terms) if (t.input._tag === "Constant") sized.push([`the constant of term "${t.label}"`, t.input.value]);
  for (const [what, v] of sized) {
    const n = sizeOf(v);
    if (typeof v !== "number" && n !== d) return { ...base, reason: `expected ${what} to be a number or to hold ${d} values (one per input unit, shape ${T.showShape(inputShape)}), found ${n} values` };
  }
  return undefined;
};
