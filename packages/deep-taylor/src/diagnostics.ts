/**
 * Where an explanation goes wrong, node by node: the first value whose relevance turns negative, why relevance
 * leaks at a node (units that receive relevance but whose rule's denominator is 0 — nothing can carry it down),
 * and how much relevance lands on inactive units (units of a ReLU output that are 0).
 *
 * The last one is why the deck asks for z⁺ in every layer but the first: the input of a layer above a ReLU lies
 * in ℝ₊ᵈ, and only directions that vanish where x_i = 0 (z⁺: v_ij = x_i 1[w_ij ≥ 0]) keep relevance off the
 * inactive units. w² (v = w) and flat (v = 1/w) do not: their root x̃ = x − s·v leaves ℝ₊ᵈ, and the relevance they
 * give to a unit that is 0 is lost further down wherever nothing can carry it (a pooling window of zeros, a unit
 * whose denominator vanishes), or reaches the input through units that did not fire.
 * @module
 */
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { Assignment } from "./Composite.ts";
import { type ConsistencyTolerance, perSample } from "./consistency.ts";
import type { Explanation } from "./explain.ts";
import { padMasks } from "./internal/padMasks.ts";

/** The nodes reading position p (position 0: the input; p = i + 1: node i's output). */
const consumersAt = (model: L.Model, p: number): number[] => model.sources.flatMap((ps, i) => (ps.includes(p) ? [i] : []));

/** "node 3 "c1" (conv2d, rule zplus)". */
const nodeWithRule = (model: L.Model, e: Pick<Explanation, "rules">, i: number): string => {
  const n = model.nodes[i]!;
  const rule = e.rules[i] ?? "";
  return L.nodeLabel(i, n.name, n.layer.kind).replace(/\)$/, rule === "" ? ")" : `, rule ${rule})`);
};

/** The first relevance below zero beyond rounding, seen from the output down. */
export interface NegativeRelevance {
  /** The position (0: the input heatmap; i + 1: node i's output) whose relevance is negative. */
  readonly position: number;
  /** The nodes that passed relevance to it (its consumers): one of them made it negative. */
  readonly from: readonly number[];
  readonly sample: number;
  readonly unit: number;
  readonly value: number;
  /** The rounding bound it goes below (−bound). */
  readonly bound: number;
}

/**
 * The highest position (the first in the sweep from the output down) holding a relevance below −(the rounding
 * bound of its sample), or undefined: the node that made relevance negative is one of its consumers.
 */
export const firstNegative = (model: L.Model, e: Explanation, tol: ConsistencyTolerance = e.tolerance): NegativeRelevance | undefined => {
  for (let p = model.nodes.length - 1; p >= 0; p--) {
    const R = e.relevances[p]!;
    const rows = perSample(e.f, R, tol);
    const n = rows.findIndex((r) => !r.positive && r.finite);
    if (n < 0) continue;
    const d = R.data.length / Math.max(R.shape[0]!, 1);
    let unit = 0;
    for (let k = 1; k < d; k++) if (R.data[n * d + k]! < R.data[n * d + unit]!) unit = k;
    return { position: p, from: consumersAt(model, p), sample: n, unit, value: R.data[n * d + unit]!, bound: rows[n]!.tolerance };
  }
  return undefined;
};

/** "the input heatmap" or "the output of node 2 "relu_2" (relu)". */
export const positionLabel = (model: L.Model, p: number): string =>
  p === 0 ? "the input heatmap" : `the output of ${L.nodeLabel(p - 1, model.nodes[p - 1]!.name, model.nodes[p - 1]!.layer.kind)}`;

/** One line about a negative relevance. */
export const describeNegative = (model: L.Model, e: Explanation, neg: NegativeRelevance): string =>
  `negative relevance first appears in ${positionLabel(model, neg.position)}, passed down by ${neg.from.map((i) => nodeWithRule(model, e, i)).join(" and ")}: unit ${neg.unit} of sample ${neg.sample} receives R = ${neg.value} (rounding allows down to −${neg.bound})`;

/** Relevance that reaches units whose rule's denominator is 0 at an affine node: eq. (4) cannot pass it on. */
export interface Stranded {
  /** Units with R_j ≠ 0 and s_j = 0. */
  readonly units: number;
  /** Σ of their relevance. */
  readonly relevance: number;
  /** The first such unit and its relevance. */
  readonly first: { readonly unit: number; readonly R: number } | undefined;
}

/**
 * At affine node `i` for sample `n`: the units that received relevance but whose rule's denominator
 * s_j = Σ_i v_ij w_ij is 0 (eq. 4 passes nothing there: the relevance is lost). Undefined for a node without a rule.
 */
export const strandedAt = (model: L.Model, e: Explanation, i: number, n: number): Stranded | undefined => {
  const layer = model.layers[i]!;
  const a: Assignment | undefined = e.assignments[i];
  if (!L.isAffine(layer) || a?._tag !== "Rule") return undefined;
  const src = model.sources[i]![0]!;
  const x = e.activations[src]!;
  const shape = x.shape.slice(1);
  const xs = T.slice(x, [n, ...shape.map(() => 0)], [1, ...shape]);
  const fixed = padMasks(model)[src];
  const s = a.rule.denominator(layer, xs, { ...(fixed === undefined ? {} : { fixed }) });
  const R = e.relevances[i + 1]!;
  const d = s.data.length;
  let units = 0;
  let relevance = 0;
  let first: Stranded["first"];
  for (let j = 0; j < d; j++) {
    const Rj = R.data[n * d + j]!;
    if (Rj !== 0 && s.data[j] === 0) {
      units++;
      relevance += Rj;
      first ??= { unit: j, R: Rj };
    }
  }
  return { units, relevance, first };
};

/** Relevance on the inactive units of one value (a ReLU's output, or pooled, flattened, concatenated ReLU outputs). */
export interface InactiveRelevance {
  /** The position (i + 1 for node i's output). */
  readonly position: number;
  readonly name: string;
  readonly kind: string;
  /** The rules of the nodes reading this value ("" for a node without a rule): who sent the relevance. */
  readonly rules: readonly string[];
  /** Per sample [N]: Σ of the relevance on units whose value is 0. */
  readonly inactive: Float64Array;
  /** Per sample [N]: Σ of |R| over every unit of the value. */
  readonly total: Float64Array;
  /** Per sample [N]: inactive / total (0 when total = 0). */
  readonly share: Float64Array;
}

/** Kinds whose output is ≥ 0 whenever their inputs are (so a 0 there is a unit that did not fire). */
const keepsRectified: ReadonlySet<L.Kind> = new Set<L.Kind>(["flatten", "select", "maxPool2d", "avgPool2d", "sumPool", "globalAvgPool", "globalMaxPool", "concat", "identity", "pNormPool"]);

/**
 * For every value computed by a ReLU (or clipped ReLU), or by pooling, flattening or concatenating such values:
 * how much relevance the explanation put on its inactive units (value 0), per sample. A rule whose direction
 * vanishes at x_i = 0 (z⁺, zᵇ with l = 0) puts none there; w² and flat do.
 */
export const inactiveRelevance = (model: L.Model, e: Explanation): InactiveRelevance[] => {
  const rectified = [false];
  model.nodes.forEach((n, i) => {
    const k = n.layer.kind;
    rectified.push(k === "relu" || k === "clippedRelu" || (keepsRectified.has(k) && model.sources[i]!.every((p) => rectified[p]!)));
  });
  const out: InactiveRelevance[] = [];
  // The model's output (the score) is left out: it is what is explained, not a unit relevance lands on.
  for (let p = 1; p < model.nodes.length; p++) {
    if (!rectified[p]) continue;
    const x = e.activations[p]!;
    const R = e.relevances[p]!;
    const N = x.shape[0]!;
    const d = x.data.length / Math.max(N, 1);
    const inactive = new Float64Array(N);
    const total = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      for (let k = n * d; k < (n + 1) * d; k++) {
        total[n] = total[n]! + Math.abs(R.data[k]!);
        if (x.data[k] === 0) inactive[n] = inactive[n]! + R.data[k]!;
      }
    }
    const share = inactive.map((v, n) => (total[n]! === 0 ? 0 : v / total[n]!));
    const node = model.nodes[p - 1]!;
    out.push({ position: p, name: node.name, kind: node.layer.kind, rules: consumersAt(model, p).map((i) => e.rules[i] ?? ""), inactive, total, share });
  }
  return out;
};
