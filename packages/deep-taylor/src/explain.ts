/**
 * `explain(model, x, composite)`: deep Taylor decomposition of a batch (Montavon et al. 2017, Sec. 2–4) on a graph
 * model. The top relevance is the score, R_f = f(x); the nodes are then swept in reverse topological order, each
 * redistributing its output's relevance to its inputs — affine nodes with the rule their composite assigns
 * (eq. 4), add nodes proportionally or by their inputs' eq. (4) denominators, the other nodes as in
 * `internal/nonAffine.ts` — and a value read by several nodes receives the sum of their relevances (the accumulation of
 * autodiff's backward sweep, over relevance instead of cotangents), down to the input heatmap. Preconditions are
 * checked first; a violation is an error unless `lenient`. So is the first NaN or ±Infinity of the forward pass
 * or of the relevances, named by node and unit: no non-finite number leaves `explain` silently.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type Assignment, assign, type Composite } from "./Composite.ts";
import type { DtdError } from "./DtdError.ts";
import { accumulatedTerms } from "./accumulatedTerms.ts";
import type { ConsistencyTolerance } from "./consistency.ts";
import { nonFiniteActivation, nonFiniteRelevance } from "./nonFinite.ts";
import { propagateNonAffine } from "./internal/nonAffine.ts";
import { affineBranch, ruleProblem, violationsOf } from "./preconditions.ts";
import { padMasks } from "./internal/padMasks.ts";
import { allFiniteBy, type SampleSums, sampleSums } from "./internal/sampleSums.ts";
import { releaseAfter } from "./internal/release.ts";

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
   * ({@link Rule.propagateWithSink}). What the biases absorb is reported, so Σ_p R_p + Σ absorbed = f.
   */
  readonly biasSink?: boolean;
}

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
  /**
   * Relevance by position (as `Model.shapes`): relevances[0] is the input heatmap, relevances[i + 1] the
   * relevance of node i's output — summed over the nodes that read it — and the last one f at the target. For a
   * chain, relevances[i] is the relevance of layer i's inputs.
   */
  readonly relevances: readonly T.Tensor[];
  /** The forward pass's activations by position (activations[0] = x). */
  readonly activations: readonly T.Tensor[];
  /** Violated preconditions, and the first non-finite value, tolerated in lenient mode. */
  readonly warnings: readonly DtdError[];
  /** The rule used at each node ("" where the node has no rule of its own). */
  readonly rules: readonly string[];
  /** What each node used (the composite resolved for this model). */
  readonly assignments: readonly Assignment[];
  /**
   * Per node, per sample: Σ of the relevance it passed to its inputs − Σ of its output's relevance. 0 up to
   * rounding for conservative nodes; `Consistency.leaks` reads it.
   */
  readonly balance: readonly Float64Array[];
  /**
   * Per node, per sample: Σ_p |R_p| over the relevance it passed to its inputs. The rounding of `balance` scales
   * with it, not only with the output's relevance: an add whose inputs nearly cancel passes shares far larger
   * than what it received (R_a = a / Σ_a' a' · R).
   */
  readonly passedMagnitude: readonly Float64Array[];
  /**
   * absorbed[i]: per sample [N], the relevance node i took in and did not pass on — for an affine node with a
   * rule under `biasSink`, its bias's share computed neuron by neuron (Rule.propagateWithSink), including units
   * whose rule's denominator is 0 (a neuron active through its bias alone); for an unfolded batch norm or
   * ScaleShift, its shift's share. Undefined for the other nodes (they conserve exactly).
   */
  readonly absorbed: readonly (Float64Array | undefined)[];
  /** Per sample [N], the total absorbed: Σ_p R_p + biasRelevance = f up to rounding. */
  readonly biasRelevance: Float64Array;
  /** Whether biases were relevance sinks (`ExplainOptions.biasSink`). */
  readonly biasSink: boolean;
  /** The rounding tolerance of this explanation's consistency checks: its dtype and the terms it accumulated. */
  readonly tolerance: ConsistencyTolerance;
}

/** The error of a rule whose propagation an op refused (e.g. a custom modifier returning a tensor of the wrong shape). */
const refusedBy = (u: unknown, model: L.Model, i: number, rule: string): DtdError | undefined =>
  u instanceof T.TensorException || u instanceof L.LayerException ? { _tag: "RuleDoesNotFit", layer: i, name: model.nodes[i]!.name, kind: model.layers[i]!.kind, rule, reason: u.message } : undefined;

/** An explanation without the tensors of the positions between input and output: what {@link explainHeatmap} returns. */
export type Heatmap = Omit<Explanation, "relevances" | "activations">;

/** Explains a batch `x` [N, ...inputShape] with the rules of `composite`. */
export const explain = (model: L.Model, x: T.Tensor, composite: Composite, opts: ExplainOptions = {}): E.Either<DtdError, Explanation> =>
  explainKeeping(model, x, composite, opts, "all") as E.Either<DtdError, Explanation>;

/**
 * {@link explain} for callers that want the heatmap (with the scores, warnings and per-node sums) and not every
 * layer's activation and relevance: the same R, f and sums, bit for bit, while each intermediate activation and
 * relevance is handed back for reuse as soon as the sweep is past it (`internal/release.ts`). A loop over inputs then
 * reuses the memory of the call before instead of allocating and freeing megabytes per conv layer and call (the
 * antispoof net at batch 1, float64: ~26 MB a call, whose fresh pages and garbage collection took ~8 ms of ~40).
 */
export const explainHeatmap = (model: L.Model, x: T.Tensor, composite: Composite, opts: ExplainOptions = {}): E.Either<DtdError, Heatmap> =>
  explainKeeping(model, x, composite, opts, "heatmap");

const explainKeeping = (model: L.Model, x: T.Tensor, composite: Composite, opts: ExplainOptions, keep: "all" | "heatmap"): E.Either<DtdError, Heatmap | Explanation> => {
  const checked = L.checkInput(model, x);
  if (E.isLeft(checked)) return E.left({ _tag: "Layer", error: checked.left });
  const assigned = assign(composite, model);
  if (E.isLeft(assigned)) return assigned;
  const assignments = assigned.right;
  for (let i = 0; i < model.nodes.length; i++) {
    const n = model.nodes[i]!;
    const a = assignments[i]!;
    const misfit = a._tag === "Rule" && L.isAffine(n.layer) ? ruleProblem({ index: i, name: n.name }, n.layer, a.rule, model.shapes[model.sources[i]![0]!]!) : undefined;
    if (misfit !== undefined) return E.left(misfit);
  }
  const lenient = opts.lenient ?? false;

  const { activations, output } = L.forward(model, x);
  const top = topRelevance(output, opts.target);
  if (E.isLeft(top)) return top;
  const f = top.right.f;
  let nonFinite: DtdError | undefined = nonFiniteActivation(model, activations);
  const biasSink = opts.biasSink ?? false;
  const violated = violationsOf(model, assignments, activations, f).filter((v) => !(biasSink && v._tag === "PreconditionViolated" && v.what === "bias"));
  const warnings: DtdError[] = [...(nonFinite === undefined ? [] : [nonFinite]), ...violated];
  if (warnings.length > 0 && !lenient) return E.left(warnings[0]!);

  const n = model.nodes.length;
  const N = x.shape[0]!;
  const fixed = padMasks(model);
  const eps = composite.epsilon === undefined ? {} : { epsilon: composite.epsilon };
  const relevances: (T.Tensor | undefined)[] = new Array<T.Tensor | undefined>(n + 1).fill(undefined);
  relevances[n] = top.right.R;
  const balance: Float64Array[] = new Array<Float64Array>(n);
  const passedMagnitude: Float64Array[] = new Array<Float64Array>(n);
  const absorbed: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(n).fill(undefined);
  const biasRelevance = new Float64Array(N);
  const summed = new Map<T.Tensor, SampleSums>();
  const sumsOf = (t: T.Tensor): SampleSums => {
    let s = summed.get(t);
    if (s === undefined) summed.set(t, (s = sampleSums(t)));
    return s;
  };
  for (let i = n - 1; i >= 0; i--) {
    const node = model.nodes[i]!;
    const layer = node.layer;
    const a = assignments[i]!;
    const src = model.sources[i]!;
    // Every node feeds a later one (build refuses dead branches), so its output has received relevance.
    const R = relevances[i + 1] ?? T.zerosLike(activations[i + 1]!);
    const xs = src.map((p) => activations[p]!);
    const ruleName = a._tag === "Rule" ? a.rule.name : "";
    let ins: T.Tensor[];
    let sunk: Float64Array | undefined;
    try {
      if (a._tag === "Rule" && L.isAffine(layer)) {
        const mask = fixed[src[0]!];
        const o = { z: activations[i + 1]!, ...eps, ...(mask === undefined ? {} : { fixed: mask }) };
        if (biasSink) {
          const r = a.rule.propagateWithSink(layer, xs[0]!, R, o);
          sunk = sumsOf(r.absorbed).sum;
          ins = [r.R];
        } else ins = [a.rule.propagate(layer, xs[0]!, R, o)];
      } else if (a._tag === "Rule") {
        // The add and the affine nodes before it as one eq. (4) unit: each input's share is its denominator.
        const shares = src.map((p) => {
          const branch = affineBranch(model, assignments, p);
          if (branch === undefined) return a.rule.identityShare(activations[p]!);
          const bSrc = model.sources[branch.node]![0]!;
          const mask = fixed[bSrc];
          return branch.rule.denominator(branch.layer, activations[bSrc]!, { z: activations[p]!, ...(mask === undefined ? {} : { fixed: mask }) });
        });
        const c = T.divNoNan(R, shares.slice(1).reduce((sum, t) => T.add(sum, t), shares[0]!));
        ins = shares.map((share) => T.mul(share, c));
      } else ins = propagateNonAffine(layer, xs, activations[i + 1]!, R, a);
    } catch (u) {
      const refused = refusedBy(u, model, i, ruleName);
      if (refused === undefined) throw u;
      return E.left(refused);
    }
    // Each relevance tensor is summed once (a pass-through node hands on the very tensor it received).
    const out = sumsOf(R).sum;
    const passed = new Float64Array(N);
    const magnitude = new Float64Array(N);
    for (const r of ins) {
      const s = sumsOf(r);
      for (let k = 0; k < N; k++) {
        passed[k] = passed[k]! + s.sum[k]!;
        magnitude[k] = magnitude[k]! + s.abs[k]!;
      }
    }
    balance[i] = passed.map((v, k) => v - out[k]!);
    passedMagnitude[i] = magnitude;
    // What a bias sink keeps (computed neuron by neuron), or a batch norm's shift: Σ R(out) − Σ R(in). Without
    // the sink an affine node keeps nothing by design; its rounding and zero denominators show in the balance.
    if (sunk !== undefined || layer.kind === "batchNorm" || layer.kind === "scaleShift") {
      const kept = sunk ?? balance[i]!.map((v) => -v);
      absorbed[i] = kept;
      kept.forEach((v, k) => (biasRelevance[k] = biasRelevance[k]! + v));
    }
    src.forEach((p, k) => {
      const prev = relevances[p];
      relevances[p] = prev === undefined ? ins[k]! : T.add(prev, ins[k]!);
    });
    if (nonFinite === undefined) {
      for (const r of ins) {
        // Finite magnitudes: every entry is finite, no need to scan r again.
        if (!allFiniteBy(sumsOf(r))) nonFinite ??= nonFiniteRelevance(model, i, ruleName, r);
      }
      if (nonFinite !== undefined && !lenient) return E.left(nonFinite);
      if (nonFinite !== undefined) warnings.push(nonFinite);
    }
    // Position i + 1 is read for the last time here; positions up to i are still to be read.
    if (keep === "heatmap") releaseAfter(i, { activations, relevances, kept: [x.data.buffer, f.data.buffer] });
  }
  const tolerance = { dtype: x.dtype, terms: accumulatedTerms(model) };
  const rules = assignments.map((a) => (a._tag === "Rule" ? a.rule.name : ""));
  const sums = { warnings, rules, assignments, balance, passedMagnitude, absorbed, biasRelevance, biasSink, tolerance };
  if (keep === "heatmap") return E.right({ f, R: relevances[0] ?? T.zerosLike(x), ...sums });
  const all = relevances.map((r, p) => r ?? T.zerosLike(activations[p]!));
  return E.right({ f, R: all[0]!, relevances: all, activations, ...sums });
};
