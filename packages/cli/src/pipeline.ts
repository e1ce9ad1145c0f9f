/**
 * The pipeline behind `dtd explain` and `dtd check`: flags → spec (usage errors) → model → input → canonization
 * (deep Taylor only: batch norms folded where that is exact on this input) → composite (failures) → the chosen
 * method's heatmap with its consistency diagnostics (Montavon et al. 2017, Defs. 1–3).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import type { SampleConsistency } from "@dtd/deep-taylor/consistency";
import { type CliError, failure } from "./CliError.ts";
import type { Values } from "./Command.ts";
import { loadModel } from "./loadModel.ts";
import { type BaselineHeatmap, baselineHeatmap } from "./baselines.ts";
import { readInput } from "./readInput.ts";
import { compositeOf, type ExplainFlags, parseSpec, type Spec } from "./spec.ts";

/** Everything a method needs, read and checked. */
export interface Prepared {
  readonly spec: Spec;
  readonly model: L.Model;
  readonly metadata: unknown;
  /** The sample as a batch of one, [1, ...inputShape]. */
  readonly x: T.Tensor;
  /** The rules (deep-taylor only). */
  readonly composite: DT.Composite | undefined;
  /** What canonization folded and kept (deep-taylor only), in words, for stderr. */
  readonly canonized: readonly string[];
}

/** Canonization's report in words. */
const describeCanonized = (c: L.Canonized): string[] => [
  ...c.folded.map((f) => `canonized: folded ${f.node} (${f.kind}) into ${f.into.join(", ")}, the layer${f.into.length === 1 ? "" : "s"} ${f.side === "previous" ? "before" : "after"} it`),
  ...c.kept.map((k) => `canonized: kept ${k.node} (${k.kind}) as its own layer: ${k.reason}; the relevance its shift absorbs is reported`),
];

/** For deep Taylor decomposition, the model with its batch norms folded where that is exact on x (checked), and what was done. */
const canonizeFor = (spec: Spec, model: L.Model, x: T.Tensor): E.Either<CliError, { readonly model: L.Model; readonly notes: readonly string[] }> => {
  if (spec.method !== "deep-taylor" || !model.layers.some((l) => l.kind === "batchNorm" || l.kind === "scaleShift")) return E.right({ model, notes: [] });
  return E.bimap(
    (e: L.LayerError) => failure(L.message(e)),
    (c: L.Canonized) => ({ model: c.model, notes: describeCanonized(c) }),
  )(L.canonizeChecked(model, x));
};

/** Reads the flags, the model, the input and the zᵇ bounds, in that order. */
export const prepare = (values: Values<ExplainFlags>): E.Either<CliError, Prepared> =>
  pipe(
    E.Do,
    E.bind("spec", () => parseSpec(values)),
    E.bind("loaded", ({ spec }) => loadModel(spec.modelPath)),
    E.bind("x", ({ spec, loaded }) => readInput(spec.inputPath, loaded.model, loaded.dtype)),
    E.bind("canonical", ({ spec, loaded, x }) => canonizeFor(spec, loaded.model, x)),
    E.bind("composite", ({ spec, canonical }) => (spec.rules === undefined ? E.right(undefined) : compositeOf(spec.rules, canonical.model))),
    E.map(({ spec, loaded, x, canonical, composite }) => ({ spec, model: canonical.model, metadata: loaded.metadata, x, composite, canonized: canonical.notes })),
  );

/** A heatmap of one sample with its diagnostics. */
export interface Result {
  /** f(x). */
  readonly f: number;
  /** R_p, flat in the input's layout. */
  readonly R: Float64Array;
  readonly consistency: SampleConsistency;
  /** Violated preconditions that --lenient tolerated (deep-taylor only). */
  readonly warnings: readonly DT.DtdError[];
  /** The deep Taylor explanation itself (deep-taylor only), for roots and per-layer diagnostics. */
  readonly explanation: DT.Explanation | undefined;
  /** Remarks of a baseline (e.g. a nearest-root search that did not converge), for stderr. */
  readonly notes: readonly string[];
}

/**
 * The result with its diagnostics, checked with the tolerance of the model's dtype and size (an explanation
 * carries its own; a baseline's is the model's).
 */
const resultOf = (model: L.Model, f: T.Tensor, R: T.Tensor, more: Pick<Result, "warnings" | "explanation" | "notes">): Result => {
  const f64 = T.astype(f, "float64");
  const R64 = T.astype(R, "float64");
  const tolerance = more.explanation?.tolerance ?? { dtype: R.dtype, terms: DT.accumulatedTerms(model) };
  return { f: f64.data[0]!, R: Float64Array.from(R64.data), consistency: DT.Consistency.perSample(f64, R64, tolerance)[0]!, ...more };
};

/** The hint appended to a refused explanation. */
const hint = (e: DT.DtdError): string => (e._tag === "PreconditionViolated" ? " (--lenient explains anyway and reports it as a warning; `dtd check` lists every violation)" : "");

/** Runs the spec's method; a refused explanation (a violated precondition unless lenient) is a failure. */
export const explainPrepared = (p: Prepared, lenient: boolean): E.Either<CliError, Result> => {
  const method = p.spec.method;
  if (p.composite === undefined || method !== "deep-taylor") {
    if (method === "deep-taylor") throw new Error("explainPrepared: deep-taylor without a composite (parseSpec always builds one)");
    return E.map((h: BaselineHeatmap) => resultOf(p.model, h.f, h.R, { warnings: [], explanation: undefined, notes: h.notes }))(baselineHeatmap(method, p.model, p.x));
  }
  const target = p.spec.rules?.target;
  const e = DT.explain(p.model, p.x, p.composite, { lenient, ...(target !== undefined ? { target } : {}) });
  if (E.isLeft(e)) return E.left(failure(DT.message(e.left) + hint(e.left)));
  const shifts = e.right.absorbed.reduce((sum, a, i) => (a !== undefined && !L.isAffine(p.model.layers[i]!) ? sum + a[0]! : sum), 0);
  const notes = shifts === 0 ? [] : [`the shifts of unfolded batch norms absorbed ${shifts} of f(x): the heatmap sums to f(x) minus that`];
  return E.right(resultOf(p.model, e.right.f, e.right.R, { warnings: e.right.warnings, explanation: e.right, notes }));
};
