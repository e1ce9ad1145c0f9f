/**
 * Every violated precondition of a deep Taylor explanation (Montavon et al. 2017, Propositions 1–3), not just the
 * first: each input unit of each dense/conv2d layer outside its rule's domain (x ≥ 0 for z⁺, l ≤ x ≤ h for zᵇ,
 * finite for w²), each positive bias where the rule's segment needs b ≤ 0, and f(x) < 0. `explain` stops at the
 * first; `dtd check` lists them all. Membership is @dtd/layers' `Domain.firstOutside`, applied unit by unit.
 * @module
 */
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

/** Boundary tolerance, as in @dtd/deep-taylor's preconditions (float rounding on the domain's edge). */
const TOL = 1e-12;

/** The domain restricted to unit k: per-unit bounds become that unit's numbers. */
const unitDomain = (domain: L.DomainT, k: number): L.DomainT =>
  domain._tag === "Box" ? { _tag: "Box", low: L.Domain.at(domain.low, k), high: L.Domain.at(domain.high, k) } : domain;

/** Every violated precondition of explaining the first sample of `activations[0]`. */
export const allViolations = (model: L.Model, composite: DT.Composite, activations: readonly { readonly data: ArrayLike<number> }[], f: number): DT.DtdError[] => {
  const out: DT.DtdError[] = [];
  if (f < 0) out.push({ _tag: "PreconditionViolated", layer: -1, kind: "output", rule: "", sample: 0, unit: 0, value: f, expected: "f(x) ≥ 0", what: "output" });
  model.layers.forEach((layer, i) => {
    if (!L.isAffine(layer)) return;
    const rule = DT.ruleFor(composite, model, i);
    const base = { _tag: "PreconditionViolated", layer: i, kind: layer.kind, rule: rule.name, sample: 0 } as const;
    const x = activations[i]!.data;
    const d = T.Shape.size(model.shapes[i]!);
    for (let k = 0; k < d; k++) {
      const bad = L.Domain.firstOutside(unitDomain(rule.strategy.domain, k), [x[k]!], TOL);
      if (bad !== undefined) out.push({ ...base, unit: k, value: bad.value, expected: bad.expected, what: "input" });
    }
    if (rule.strategy.requiresNonPositiveBias) {
      layer.b.data.forEach((b, j) => {
        if (b > 0) out.push({ ...base, sample: -1, unit: j, value: b, expected: "b ≤ 0", what: "bias" });
      });
    }
  });
  return out;
};
