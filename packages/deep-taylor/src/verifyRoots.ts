/**
 * Root points are first-class: for every active neuron of every Dense/Conv2d layer, the root x̃⁽ʲ⁾ on its
 * search segment is computed (closed form, @dtd/layers' rootSearch), and every violation is reported: the
 * neuron is not zero there, no root lies on the segment, or the root leaves the rule's domain.
 * @module
 */
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type Composite, ruleFor } from "./Composite.ts";

/** One violation. */
export interface RootViolation {
  readonly layer: number;
  readonly rule: string;
  readonly sample: number;
  readonly neuron: number;
  readonly problem: "notARoot" | "noRootOnSegment" | "outsideDomain";
  /** The neuron's pre-activation at x and at x̃. */
  readonly value: number;
  readonly residual: number;
}

/** Options: tolerance (relative to the neuron's value), and caps for large networks. */
export interface VerifyRootsOptions {
  readonly tol?: number;
  readonly maxSamples?: number;
  /** Check at most this many neurons per layer (evenly spaced), default all. */
  readonly maxNeurons?: number;
}

/** Checks every root of every affine layer of `model` on the batch `x`; an empty list means all roots hold. */
export const verifyRoots = (model: L.Model, x: T.Tensor, composite: Composite, opts: VerifyRootsOptions = {}): RootViolation[] => {
  const tol = opts.tol ?? 1e-9;
  const { activations } = L.forward(model, x);
  const N = Math.min(x.shape[0]!, opts.maxSamples ?? Infinity);
  const out: RootViolation[] = [];
  model.layers.forEach((layer, i) => {
    if (!L.isAffine(layer)) return;
    const rule = ruleFor(composite, model, i);
    const a = activations[i]!;
    const sampleShape = a.shape.slice(1);
    const nOut = T.Shape.size(model.shapes[i + 1]!);
    const cap = Math.min(nOut, opts.maxNeurons ?? nOut);
    const neurons = Array.from({ length: cap }, (_, k) => Math.floor((k * nOut) / cap));
    for (let n = 0; n < N; n++) {
      const xs = T.reshape(T.slice(a, [n, ...sampleShape.map(() => 0)], [1, ...sampleShape]), sampleShape);
      const V = rule.directions(layer, xs, neurons);
      const roots = L.rootSearch(layer, xs, V, { domain: rule.strategy.domain, sMax: rule.strategy.segment, tol, neurons });
      for (const r of roots) {
        if (!r.active) continue;
        const base = { layer: i, rule: rule.name, sample: n, neuron: r.j, value: r.value, residual: r.residual };
        if (!r.exists) out.push({ ...base, problem: "noRootOnSegment" });
        else if (!(Math.abs(r.residual) <= tol * Math.max(1, Math.abs(r.value)))) out.push({ ...base, problem: "notARoot" });
        else if (!r.inDomain) out.push({ ...base, problem: "outsideDomain" });
      }
    }
  });
  return out;
};
