/**
 * Preconditions checked before propagating (Montavon et al. 2017, Propositions 1–3): the layer input lies in
 * the rule's domain (x ≥ 0 for z⁺, l ≤ x ≤ h for zᵇ), b ≤ 0 where the rule's segment needs it, f(x) ≥ 0.
 * @module
 */
import * as T from "@dtd/tensor";
import { Domain } from "@dtd/layers";
import type * as L from "@dtd/layers";
import type { DtdError } from "./DtdError.ts";
import type { Rule } from "./Rule.ts";

/** Tolerance for inputs on the domain's boundary (float rounding), relative to the bound's scale. */
const TOL = 1e-12;

/** The violations of one affine layer's preconditions for a batch (the first per sample, and every bias). */
export const layerViolations = (index: number, layer: L.Affine, rule: Rule, x: T.Tensor): DtdError[] => {
  const out: DtdError[] = [];
  const base = { layer: index, kind: layer.kind, rule: rule.name } as const;
  const N = x.shape[0]!;
  const d = x.data.length / Math.max(N, 1);
  for (let n = 0; n < N; n++) {
    const bad = Domain.firstOutside(rule.strategy.domain, x.data.subarray(n * d, (n + 1) * d), TOL);
    if (bad !== undefined) out.push({ _tag: "PreconditionViolated", ...base, sample: n, unit: bad.index, value: bad.value, expected: bad.expected, what: "input" });
  }
  if (rule.strategy.requiresNonPositiveBias) {
    layer.b.data.forEach((b, j) => {
      if (b > 0) out.push({ _tag: "PreconditionViolated", ...base, sample: -1, unit: j, value: b, expected: "b ≤ 0", what: "bias" });
    });
  }
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
