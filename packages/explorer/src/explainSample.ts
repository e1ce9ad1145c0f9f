/**
 * One explanation as the page shows it: f(x), the heatmap R, Σ_p R_p and the consistency checks (Montavon et
 * al. 2017, Defs. 1–3), the roots of the deep Taylor rules verified, for one sample and one method. Pure: the
 * Web Worker runs it, and the Node tests run it on the same numbers.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { compositeOf } from "./composite.ts";
import { type MethodSpec, specName } from "./methods.ts";

/** Which output to explain: the largest, or a given class (models with one output ignore it). */
export type TargetChoice = "argmax" | number;

/** The explanation of one sample. */
export interface Outcome {
  readonly method: string;
  /** The model's outputs at x (the class scores; one value for a score model). */
  readonly outputs: Float64Array;
  /** The explained output's index, when the model has several. */
  readonly explained: number | undefined;
  /** f(x): the explained score. */
  readonly f: number;
  /** R_p, flat in the input's layout. */
  readonly R: Float64Array;
  readonly consistency: DT.Consistency.SampleConsistency;
  /** Deep Taylor only: the roots of the active neurons checked (or why they could not be). */
  readonly roots: { readonly active: number; readonly violations: number } | { readonly refused: string } | undefined;
  /** Tolerated problems and remarks (e.g. a nearest-root search that did not converge). */
  readonly notes: readonly string[];
}

/** The model with a `select` node after its output: the score of one class, for the baselines. */
export const selectOutput = (model: L.Model, k: number): E.Either<string, L.Model> => {
  const specs: L.NodeSpec[] = model.nodes.map((n) => L.node(n.name, n.layer, n.inputs));
  const last = model.nodes[model.nodes.length - 1]?.name ?? L.INPUT;
  return E.mapLeft(L.message)(L.build(model.inputShape, [...specs, L.node(`${last}_select_${k}`, L.select(k), [last])]));
};

const argmax = (v: Float64Array): number => {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k]! > v[best]!) best = k;
  return best;
};

/** A flat sample as a batch of one in the model's dtype (float64 for a model without parameters). */
export const batchOf = (model: L.Model, x: Float64Array): T.Tensor => T.astype(unsafeMake([1, ...model.inputShape], x), L.modelDType(model) ?? "float64");

/** How to explain: which output, and whether violated preconditions are only warnings. */
export interface ExplainChoice {
  readonly target: TargetChoice;
  /**
   * Deep Taylor only: explain even where a rule's preconditions (x in its domain, b ≤ 0, f(x) ≥ 0) fail, with
   * each violation as a note — what imported models with positive biases need (the checks then say whether
   * the heatmap is still consistent).
   */
  readonly lenient: boolean;
}

/** Explains sample `x` (flat, in the input's layout) with `spec`; Left with the library's message when refused. */
export const explainSample = (model: L.Model, x: Float64Array, spec: MethodSpec, choice: ExplainChoice): E.Either<string, Outcome> => {
  const target = choice.target;
  const expected = T.Shape.size(model.inputShape);
  if (x.length !== expected) return E.left(`expected ${expected} input values (input shape [${model.inputShape.join(", ")}]), found ${x.length}`);
  const xb = batchOf(model, x);
  const checked = L.checkInput(model, xb);
  if (E.isLeft(checked)) return E.left(L.message(checked.left));
  const outputs = Float64Array.from(L.forward(model, xb).output.data);
  const explained = outputs.length === 1 ? undefined : target === "argmax" ? argmax(outputs) : target;
  if (explained !== undefined && !(Number.isInteger(explained) && explained >= 0 && explained < outputs.length)) {
    return E.left(`expected a class in [0, ${outputs.length - 1}], found ${explained}`);
  }
  const method = specName(spec);
  const done = (f: T.Tensor, R: T.Tensor, tolerance: DT.Consistency.ConsistencyTolerance, more: Pick<Outcome, "roots" | "notes">): Outcome => {
    const f64 = T.astype(f, "float64");
    const R64 = T.astype(R, "float64");
    return { method, outputs, explained, f: f64.data[0]!, R: Float64Array.from(R64.data), consistency: DT.Consistency.perSample(f64, R64, tolerance)[0]!, ...more };
  };

  if (spec._tag === "DeepTaylor") {
    const composite = compositeOf(spec, model);
    if (E.isLeft(composite)) return composite;
    const e = DT.explain(model, xb, composite.right, { lenient: choice.lenient, ...(explained === undefined ? {} : { target: { _tag: "classes", classes: [explained] } }) });
    if (E.isLeft(e)) return E.left(DT.message(e.left));
    const checkedRoots = DT.verifyRoots(model, xb, composite.right, { maxListed: 0 });
    const roots = E.isLeft(checkedRoots) ? { refused: DT.message(checkedRoots.left) } : { active: checkedRoots.right.active, violations: DT.violationCount(checkedRoots.right) };
    return E.right(done(e.right.f, e.right.R, e.right.tolerance, { roots, notes: e.right.warnings.map(DT.message) }));
  }

  const scored = explained === undefined ? E.right(model) : selectOutput(model, explained);
  if (E.isLeft(scored)) return scored;
  const m = scored.right;
  const tolerance = { dtype: xb.dtype, terms: DT.accumulatedTerms(m) };
  switch (spec.baseline) {
    case "sensitivity":
      return E.bimap(DT.message, (b: DT.Baselines.BaselineExplanation) => done(b.f, b.R, tolerance, { roots: undefined, notes: [] }))(DT.Baselines.sensitivity(m, xb));
    case "gradientXInput":
      return E.bimap(DT.message, (b: DT.Baselines.BaselineExplanation) => done(b.f, b.R, tolerance, { roots: undefined, notes: [] }))(DT.Baselines.gradientXInput(m, xb));
    case "simpleTaylor":
      return E.bimap(DT.message, (b: DT.Baselines.SimpleTaylorExplanation) =>
        done(b.f, b.R, tolerance, {
          roots: undefined,
          notes: [
            `root ξ at distance ${b.distance.data[0]!.toPrecision(4)} from x, f(ξ) = ${b.fRoot.data[0]!.toPrecision(4)}, residual ε = f(x) − ΣR = ${b.epsilon.data[0]!.toPrecision(4)}`,
            ...(b.status[0] === "converged" ? [] : [`the nearest-root search ended with "${b.status[0]}": ξ may not be a root`]),
          ],
        }),
      )(DT.Baselines.simpleTaylor(m, xb));
  }
};
