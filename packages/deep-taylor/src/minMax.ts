/**
 * The min-max relevance model (Montavon et al. 2017, Sec. 5.1; the deck's "Min-Max Relevance Model" slides).
 * In a deep network the relevance R_k that the upper layers' decomposition assigns to a unit (or a group of
 * units) is a complicated function of the lower layer's activations x_i and of the upper relevances R_l. It is
 * modelled by a trainable detection-pooling layer whose bias is driven by the top-down context:
 *
 *   y_j = max(0, Σ_i x_i v_ij + a_j),   a_j = min(0, Σ_l R_l v_lj + d_j),   R̂_k = Σ_j y_j,
 *
 * with {v_ij, v_lj, d_j} fitted by minimising ⟨(R̂_k − R_k)²⟩. The bias a_j ≤ 0 by construction, which is what
 * the z⁺ and zᵇ rules need (Propositions 2 and 3). The model is then explained with the one-layer rules:
 * pooling R_j = y_j, detection R_i = Σ_j q_ij / Σ_i' q_i'j · R_j (q from w², z⁺ or zᵇ, with v in place of w).
 *
 * The bias varies per sample, but eq. (4) does not contain it: its denominators are Σ_i v_ij w_ij and the bias
 * enters only through the forward activations y_j. So one Dense layer with the shared weights V (and a zero
 * bias) serves every sample, with R_j = y_j computed with the sample's own a_j; `detectionAt` gives the
 * per-sample layer (V, a) for checking roots. The explanation is exactly conservative with respect to R̂_k;
 * with respect to R_k it is only as good as the fit: Σ_i R_i − R_k = R̂_k − R_k (the deck: "only approximately
 * consistent").
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { heNormal, meanSquaredError, takeRows, type TrainError } from "@dtd/layers";
import type { Composite } from "./Composite.ts";
import type { DtdError } from "./DtdError.ts";
import { explain } from "./explain.ts";
import { type FitParamsOptions, type FitParamsResult, fitParams } from "./internal/fitParams.ts";
import { layerViolations } from "./preconditions.ts";
import type { Rule } from "./Rule.ts";

/** The parameters {v_ij, v_lj, d_j}. */
export interface MinMaxParams {
  /** v_ij: [inputs, units], inputs = the flat size of one sample of x. */
  readonly V: T.Tensor;
  /** v_lj: [context, units]. */
  readonly Vl: T.Tensor;
  /** d_j: [units]. */
  readonly d: T.Tensor;
}

/** Training data: the layer's inputs x [N, ...], the context relevances R_l [N, m], the target R_k [N]. */
export interface MinMaxData {
  readonly x: T.Tensor;
  readonly Rl: T.Tensor;
  readonly Rk: T.Tensor;
}

/** The model's forward quantities for a batch. */
export interface MinMaxForward {
  /** a_j = min(0, Σ_l R_l v_lj + d_j) [N, J], always ≤ 0. */
  readonly a: T.Tensor;
  /** y_j = max(0, Σ_i x_i v_ij + a_j) [N, J]. */
  readonly y: T.Tensor;
  /** R̂_k = Σ_j y_j [N]. */
  readonly Rhat: T.Tensor;
}

/** Seeded initial parameters: He-normal V and Vl, d = 0. */
export const initMinMax = (sizes: { readonly inputs: number; readonly context: number; readonly units: number }, seed: number): MinMaxParams => {
  const rng = T.Random.make(seed);
  const { inputs, context, units } = sizes;
  return {
    V: heNormal(rng.fork(), [inputs, units], { fanIn: inputs, fanOut: units }),
    Vl: heNormal(rng.fork(), [context, units], { fanIn: context, fanOut: units }),
    d: T.zeros([units]),
  };
};

/** The shapes agree, or what was expected and found. */
const checkShapes = (p: MinMaxParams, x: T.Tensor, Rl: T.Tensor): E.Either<string, { readonly N: number; readonly inputs: number }> => {
  const show = T.showShape;
  if (p.V.shape.length !== 2 || p.Vl.shape.length !== 2 || p.d.shape.length !== 1) {
    return E.left(`expected V [inputs, units], Vl [context, units] and d [units], found V ${show(p.V.shape)}, Vl ${show(p.Vl.shape)}, d ${show(p.d.shape)}`);
  }
  const [inputs, units] = p.V.shape as [number, number];
  if (p.Vl.shape[1] !== units || p.d.shape[0] !== units) return E.left(`expected Vl [context, ${units}] and d [${units}] (V is ${show(p.V.shape)}), found Vl ${show(p.Vl.shape)}, d ${show(p.d.shape)}`);
  const N = x.shape[0] ?? 0;
  if (x.shape.length < 2 || T.Shape.size(x.shape.slice(1)) !== inputs) return E.left(`expected x [N, ...] with ${inputs} values per sample (V is ${show(p.V.shape)}), found ${show(x.shape)}`);
  if (Rl.shape.length !== 2 || Rl.shape[0] !== N || Rl.shape[1] !== p.Vl.shape[0]) return E.left(`expected R_l of shape [${N}, ${p.Vl.shape[0]}], found ${show(Rl.shape)}`);
  return E.right({ N, inputs });
};

/** A refused argument as a DtdError. */
const tensorError = (error: T.TensorError): DtdError => ({ _tag: "Layer", error: { _tag: "Tensor", error } });

const assertShapes = (op: string, p: MinMaxParams, x: T.Tensor, Rl: T.Tensor): { readonly N: number; readonly inputs: number } => {
  const c = checkShapes(p, x, Rl);
  return E.isRight(c) ? c.right : T.fail({ _tag: "ShapeMismatch", op, expected: "consistent shapes", found: c.left });
};

/** The model as a differentiable function of its parameters; x is flat [N, inputs]. */
const forwardVar = (V: AD.Input, Vl: AD.Input, d: AD.Input, x: T.Tensor, Rl: T.Tensor): { a: AD.Var; y: AD.Var; Rhat: AD.Var } => {
  const a = AD.negativePart(AD.add(AD.matmul(Rl, Vl), d));
  const y = AD.relu(AD.add(AD.matmul(x, V), a));
  return { a, y, Rhat: AD.sum(y, { axes: 1 }) };
};

/** a, y and R̂_k for a batch (throws on inconsistent shapes: a programmer error). */
export const minMaxForward = (p: MinMaxParams, x: T.Tensor, Rl: T.Tensor): MinMaxForward => {
  const { N, inputs } = assertShapes("minMaxForward", p, x, Rl);
  const { a, y, Rhat } = forwardVar(p.V, p.Vl, p.d, T.reshape(x, [N, inputs]), Rl);
  return { a: a.value, y: y.value, Rhat: Rhat.value };
};

/** The fit error ⟨(R̂_k − R_k)²⟩ on a data set. */
export const minMaxLoss = (p: MinMaxParams, data: MinMaxData): number => {
  const { Rhat } = minMaxForward(p, data.x, data.Rl);
  return T.item(meanSquaredError(Rhat, T.reshape(data.Rk, Rhat.shape)).value);
};

/** Options of `fitMinMax`: exactly one of steps and epochs; rows per batch default to the whole data set. */
export type MinMaxFitOptions<S> = FitParamsOptions<S>;

/** The fitted parameters and the batch loss of every step. */
export interface MinMaxFit {
  readonly params: MinMaxParams;
  readonly lossHistory: readonly number[];
}

/** Fits {v_ij, v_lj, d_j} by minimising ⟨(R̂_k − R_k)²⟩ from `init` (mini-batch gradient descent). */
export const fitMinMax = <S>(init: MinMaxParams, data: MinMaxData, opts: MinMaxFitOptions<S>): E.Either<TrainError, MinMaxFit> => {
  const shapes = checkShapes(init, data.x, data.Rl);
  if (E.isLeft(shapes)) return E.left({ _tag: "InvalidData", step: undefined, reason: shapes.left });
  const { N, inputs } = shapes.right;
  if (data.Rk.data.length !== N) return E.left({ _tag: "InvalidData", step: undefined, reason: `expected R_k with ${N} values (one per sample), found ${T.showShape(data.Rk.shape)}` });
  for (const [name, t] of [["x", data.x], ["R_l", data.Rl], ["R_k", data.Rk]] as const) {
    const finite = T.checkFinite(`fitMinMax (${name})`, t);
    if (E.isLeft(finite)) return E.left({ _tag: "InvalidData", step: undefined, reason: T.message(finite.left) });
  }
  const x = T.reshape(data.x, [N, inputs]);
  const Rk = T.reshape(data.Rk, [N, 1]);
  const objective = (vars: readonly Readonly<Record<string, AD.Var>>[], rows: Int32Array): AD.Var => {
    const p = vars[0]!;
    const { Rhat } = forwardVar(p["V"]!, p["Vl"]!, p["d"]!, takeRows(x, rows), takeRows(data.Rl, rows));
    return meanSquaredError(AD.reshape(Rhat, [rows.length, 1]), takeRows(Rk, rows));
  };
  const fitted = fitParams([{ V: init.V, Vl: init.Vl, d: init.d }], N, objective, opts);
  return E.map((r: FitParamsResult<S>): MinMaxFit => {
    const p = r.params[0]!;
    return { params: { V: p["V"]!, Vl: p["Vl"]!, d: p["d"]! }, lossHistory: r.lossHistory };
  })(fitted);
};

/** The explanation of the min-max model for a batch. */
export interface MinMaxExplanation extends MinMaxForward {
  /** R_j = y_j: the pooling layer's rule. */
  readonly Rj: T.Tensor;
  /** R_i [N, ...x's per-sample shape]: the detection layer's rule; Σ_i R_i = R̂_k exactly. */
  readonly R: T.Tensor;
  readonly rule: string;
  /** Violated preconditions tolerated in lenient mode. */
  readonly warnings: readonly DtdError[];
}

/** The detection layer of sample n: Dense with weights V and the sample's bias a (for root checks). */
export const detectionAt = (p: MinMaxParams, x: T.Tensor, Rl: T.Tensor, n: number): L.Dense => {
  const { a } = minMaxForward(p, x, Rl);
  const units = p.V.shape[1]!;
  return L.dense(p.V, T.reshape(T.slice(a, [n, 0], [1, units]), [units]));
};

/**
 * Explains R̂_k down to the layer's inputs: R_j = y_j, then the detection layer's rule (eq. 4 with v_ij as the
 * weights). The inputs must lie in the rule's domain (an error unless `lenient`).
 */
export const explainMinMax = (p: MinMaxParams, x: T.Tensor, Rl: T.Tensor, rule: Rule, opts: { readonly lenient?: boolean } = {}): E.Either<DtdError, MinMaxExplanation> => {
  const shapes = checkShapes(p, x, Rl);
  if (E.isLeft(shapes)) return E.left(tensorError({ _tag: "ShapeMismatch", op: "explainMinMax", expected: "consistent shapes", found: shapes.left }));
  const { N, inputs } = shapes.right;
  const flat = T.reshape(x, [N, inputs]);
  // The bias does not enter eq. (4); a zero bias keeps the layer's own bias check (b ≤ 0) satisfied, and a ≤ 0 holds by construction.
  const layer = L.dense(p.V, T.zerosLike(p.d));
  const warnings = layerViolations({ index: 0, name: "dense_0" }, layer, rule, flat);
  if (warnings.length > 0 && !(opts.lenient ?? false)) return E.left(warnings[0]!);
  const fwd = minMaxForward(p, x, Rl);
  const R = rule.propagate(layer, flat, fwd.y);
  return E.right({ ...fwd, Rj: fwd.y, R: T.reshape(R, x.shape), rule: rule.name, warnings });
};

/** Where the training data of a min-max model comes from in a deep network. */
export interface MinMaxSpec {
  /** The x_i: the activations at the input of layer `input` (activations[input]). */
  readonly input: number;
  /** R_k: the relevance at the input of layer `target.layer` (relevances[layer]), summed over `units` (default all). */
  readonly target: { readonly layer: number; readonly units?: readonly number[] };
  /** R_l: the relevances at the input of layer `context.layer`, the `units` given (default all). */
  readonly context: { readonly layer: number; readonly units?: readonly number[] };
}

/** Picks flat units of every sample of t [N, ...]: [N, units.length]. */
const pick = (t: T.Tensor, units: readonly number[] | undefined, what: string): T.Tensor => {
  const N = t.shape[0]!;
  const size = T.Shape.size(t.shape.slice(1));
  const us = units ?? Array.from({ length: size }, (_, u) => u);
  const bad = us.find((u) => !Number.isInteger(u) || u < 0 || u >= size);
  if (bad !== undefined) T.fail({ _tag: "InvalidArgument", op: "minMaxData", expected: `${what} units in [0, ${size - 1}]`, found: String(bad) });
  const out = new Float64Array(N * us.length);
  for (let n = 0; n < N; n++) us.forEach((u, k) => (out[n * us.length + k] = t.data[n * size + u]!));
  return T.of(out, [N, us.length]);
};

/**
 * Training data for a min-max model from a deep network's explanation with `composite`: x_i, R_l and R_k at the
 * positions `spec` names (positions index `Explanation.activations` and `.relevances`: 0 is the input, the last
 * the output).
 */
export const minMaxData = (model: L.Model, x: T.Tensor, composite: Composite, spec: MinMaxSpec): E.Either<DtdError, MinMaxData> => {
  const n = model.layers.length;
  for (const [what, i] of [["input", spec.input], ["target", spec.target.layer], ["context", spec.context.layer]] as const) {
    if (!Number.isInteger(i) || i < 0 || i > n) return E.left(tensorError({ _tag: "InvalidArgument", op: "minMaxData", expected: `a ${what} position in [0, ${n}]`, found: String(i) }));
  }
  return E.flatMap(explain(model, x, composite), (e) =>
    E.mapLeft(tensorError)(
      T.attempt((): MinMaxData => {
        const Rk = pick(e.relevances[spec.target.layer]!, spec.target.units, "target");
        return {
          x: e.activations[spec.input]!,
          Rl: pick(e.relevances[spec.context.layer]!, spec.context.units, "context"),
          Rk: T.reshape(T.sum(Rk, { axes: 1 }), [x.shape[0]!]),
        };
      }),
    ),
  );
};
