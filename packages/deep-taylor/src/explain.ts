/**
 * `explain(model, x, composite)`: deep Taylor decomposition of a batch (Montavon et al. 2017, Sec. 2–4).
 * The top relevance is the score, R_f = f(x); each layer then redistributes its outputs' relevance to its inputs
 * — Dense/Conv2d layers with the rule their composite assigns (eq. 4), the other layers as in `poolingRules` —
 * down to the input heatmap. Preconditions are checked first; a violation is an error unless `lenient`. So is
 * the first NaN or ±Infinity of the forward pass or of the relevances, named by layer and unit: no non-finite
 * number leaves `explain` silently.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type Composite, ruleFor } from "./Composite.ts";
import type { DtdError } from "./DtdError.ts";
import { accumulatedTerms } from "./accumulatedTerms.ts";
import type { ConsistencyTolerance } from "./consistency.ts";
import { nonFiniteActivation, nonFiniteRelevance } from "./nonFinite.ts";
import { propagateNonAffine } from "./poolingRules.ts";
import type { PropagateOptions, Rule } from "./Rule.ts";
import { ruleProblem, violations } from "./preconditions.ts";

/**
 * Which output is explained when the model ends in a vector of scores (e.g. class logits): per sample, the
 * largest one, or given classes. Models ending in one score per sample need no target.
 */
export type Target = { readonly _tag: "argmax" } | { readonly _tag: "classes"; readonly classes: readonly number[] };

/** Options of explain. */
export interface ExplainOptions {
  /**
   * Report violated preconditions and the first non-finite value as warnings and explain anyway (default false:
   * they are errors).
   */
  readonly lenient?: boolean;
  /** The explained output of a vector-valued model (default: the model must output one score per sample). */
  readonly target?: Target;
  /**
   * Biases as relevance sinks (for real models, whose biases are positive): b ≤ 0 is no longer a precondition,
   * and where a rule's search segment ends with the neuron still active the bias keeps its share of R_j
   * ({@link PropagateOptions.biasSink}). What the biases absorb is reported, so Σ_p R_p + Σ absorbed = f.
   */
  readonly biasSink?: boolean;
}

/** Σ over each sample's units: [N]. */
const perSampleSum = (t: T.Tensor): Float64Array => {
  const N = t.shape[0]!;
  const d = t.data.length / Math.max(N, 1);
  const out = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let i = n * d; i < (n + 1) * d; i++) s += t.data[i]!;
    out[n] = s;
  }
  return out;
};

/**
 * The top relevance: the selected score of each sample, zero elsewhere (R_f = f(x)), and the scores f.
 * Left when a target is missing or out of range.
 */
const topRelevance = (output: T.Tensor, target: Target | undefined): E.Either<DtdError, { R: T.Tensor; f: T.Tensor }> => {
  const N = output.shape[0]!;
  const K = output.data.length / Math.max(N, 1);
  if (target === undefined) {
    if (output.shape.length !== 2 || K !== 1) return E.left({ _tag: "NotAScore", outputShape: output.shape.slice(1) });
    return E.right({ R: output, f: T.reshape(output, [N]) });
  }
  if (output.shape.length !== 2) return E.left({ _tag: "NotAScore", outputShape: output.shape.slice(1) });
  if (target._tag === "classes" && (target.classes.length !== N || target.classes.some((c) => !Number.isInteger(c) || c < 0 || c >= K))) {
    return E.left({ _tag: "InvalidTarget", expected: `${N} class indices in [0, ${K - 1}]`, found: `[${target.classes.join(", ")}]` });
  }
  const R = T.zerosLike(output);
  const f = T.zeros([N], output.dtype);
  for (let n = 0; n < N; n++) {
    let c = 0;
    if (target._tag === "classes") c = target.classes[n]!;
    else for (let k = 1; k < K; k++) if (output.data[n * K + k]! > output.data[n * K + c]!) c = k;
    R.data[n * K + c] = output.data[n * K + c]!;
    f.data[n] = output.data[n * K + c]!;
  }
  return E.right({ R, f });
};

/** The result of explaining a batch. */
export interface Explanation {
  /** The scores f(x), one per sample [N]. */
  readonly f: T.Tensor;
  /** The input heatmap R_p [N, ...inputShape]. */
  readonly R: T.Tensor;
  /** relevances[i]: the relevance of layer i's inputs; relevances[n] that of the outputs (f at the target). */
  readonly relevances: readonly T.Tensor[];
  /** The forward pass's activations (activations[0] = x). */
  readonly activations: readonly T.Tensor[];
  /** Violated preconditions, and the first non-finite value, tolerated in lenient mode. */
  readonly warnings: readonly DtdError[];
  /** The rule used at each layer ("" where the layer has no rule of its own). */
  readonly rules: readonly string[];
  /** The rounding tolerance of this explanation's consistency checks: its dtype and the terms it accumulated. */
  readonly tolerance: ConsistencyTolerance;
  /**
   * Under `biasSink`, absorbed[i]: per sample [N], the relevance affine layer i's biases kept
   * ({@link Rule.propagateWithSink}); undefined for the other layers, and for every layer without `biasSink`.
   */
  readonly absorbed: readonly (Float64Array | undefined)[];
  /** Per sample [N], the total absorbed (zeros without `biasSink`): Σ_p R_p + biasRelevance = f up to rounding. */
  readonly biasRelevance: Float64Array;
}

/** The error of a rule whose propagation an op refused (e.g. a custom modifier returning a tensor of the wrong shape). */
const refusedBy = (u: unknown, layer: number, kind: string, rule: string): DtdError | undefined =>
  u instanceof T.TensorException || u instanceof L.LayerException ? { _tag: "RuleDoesNotFit", layer, kind, rule, reason: u.message } : undefined;

/** Explains a batch `x` [N, ...inputShape] with the rules of `composite`. */
export const explain = (model: L.Model, x: T.Tensor, composite: Composite, opts: ExplainOptions = {}): E.Either<DtdError, Explanation> => {
  const checked = L.checkInput(model, x);
  if (E.isLeft(checked)) return E.left({ _tag: "Layer", error: checked.left });
  const unsupported = model.layers.findIndex((l) => l.kind === "scaleShift" || l.kind === "batchNorm");
  if (unsupported >= 0) {
    return E.left({ _tag: "UnsupportedLayer", layer: unsupported, kind: model.layers[unsupported]!.kind, reason: "fold it into the layer before it first (canonize the model)" });
  }
  const branching = model.sources.findIndex((ps, i) => ps.length !== 1 || ps[0] !== i);
  if (branching >= 0) {
    return E.left({ _tag: "UnsupportedLayer", layer: branching, kind: model.layers[branching]!.kind, reason: "this version explains chains of layers only, not graphs with skips or concatenations" });
  }
  const rules = model.layers.map((layer, i) => (L.isAffine(layer) ? ruleFor(composite, model, i) : undefined));
  for (let i = 0; i < model.layers.length; i++) {
    const layer = model.layers[i]!;
    const misfit = L.isAffine(layer) ? ruleProblem(i, layer, rules[i]!, model.shapes[i]!) : undefined;
    if (misfit !== undefined) return E.left(misfit);
  }
  const lenient = opts.lenient ?? false;

  const { activations, output } = L.forward(model, x);
  const top = topRelevance(output, opts.target);
  if (E.isLeft(top)) return top;
  const f = top.right.f;
  let nonFinite: DtdError | undefined = nonFiniteActivation(model, activations);
  const biasSink = opts.biasSink ?? false;
  const violated = violations(model, composite, activations, f).filter((v) => !(biasSink && v._tag === "PreconditionViolated" && v.what === "bias"));
  const warnings: DtdError[] = [...(nonFinite === undefined ? [] : [nonFinite]), ...violated];
  if (warnings.length > 0 && !lenient) return E.left(warnings[0]!);

  const relevances: T.Tensor[] = new Array<T.Tensor>(model.layers.length + 1);
  const absorbed: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(model.layers.length).fill(undefined);
  const biasRelevance = new Float64Array(x.shape[0]!);
  /** Affine layer i's messages: eq. (4), or with the bias as a sink (its share summed per sample). */
  const propagateAffine = (i: number, rule: Rule, layer: L.Affine, xi: T.Tensor, Rout: T.Tensor, o: PropagateOptions): T.Tensor => {
    if (!biasSink) return rule.propagate(layer, xi, Rout, o);
    const r = rule.propagateWithSink(layer, xi, Rout, o);
    const kept = perSampleSum(r.absorbed);
    absorbed[i] = kept;
    kept.forEach((v, n) => (biasRelevance[n] = biasRelevance[n]! + v));
    return r.R;
  };
  let R: T.Tensor = top.right.R;
  relevances[model.layers.length] = R;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i]!;
    const rule = rules[i];
    const xi = activations[i]!;
    let next: T.Tensor | undefined;
    try {
      next =
        rule !== undefined && L.isAffine(layer)
          ? propagateAffine(i, rule, layer, xi, R, { z: activations[i + 1]!, ...(composite.epsilon === undefined ? {} : { epsilon: composite.epsilon }) })
          : propagateNonAffine(layer, xi, R, composite.maxPool ?? "winnerTakeAll");
    } catch (u) {
      const refused = refusedBy(u, i, layer.kind, rule?.name ?? "");
      if (refused === undefined) throw u;
      return E.left(refused);
    }
    if (next === undefined) return E.left({ _tag: "UnsupportedLayer", layer: i, kind: layer.kind, reason: "no relevance rule for this kind" });
    R = next;
    relevances[i] = R;
    if (nonFinite === undefined) {
      nonFinite = nonFiniteRelevance(model, i, rule?.name ?? "", R);
      if (nonFinite !== undefined && !lenient) return E.left(nonFinite);
      if (nonFinite !== undefined) warnings.push(nonFinite);
    }
  }
  const tolerance = { dtype: x.dtype, terms: accumulatedTerms(model) };
  return E.right({ f, R, relevances, activations, warnings, rules: rules.map((r) => r?.name ?? ""), tolerance, absorbed, biasRelevance });
};
