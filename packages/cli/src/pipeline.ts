/**
 * The pipeline behind `dtd explain` and `dtd check`: flags → spec (usage errors) → model → input → canonization
 * (deep Taylor only: batch norms folded where that is exact on this input) → composite (failures) → the chosen
 * method's heatmap with its consistency diagnostics (Montavon et al. 2017, Defs. 1–3).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { Image, VizError } from "@dtd/viz";
import * as Photo from "@dtd/viz/photo";
import * as DT from "@dtd/deep-taylor";
import type { Consistency } from "@dtd/deep-taylor";
import { type CliError, failure, usage } from "./CliError.ts";
import type { ImportedInfo } from "./imported.ts";
import { readBytes } from "./jsonNumbers.ts";
import { negateOutput } from "./outputClass.ts";
import { type PhotoPrep, photoToInput } from "./photoInput.ts";
import type { Values } from "./Command.ts";
import { type Loaded, loadModel } from "./loadModel.ts";
import { type BaselineHeatmap, baselineHeatmap } from "./baselines.ts";
import { readInput } from "./readInput.ts";
import { compositeOf, type ExplainFlags, type ImageBox, parseSpec, type Spec } from "./spec.ts";

/** Everything a method needs, read and checked. */
export interface Prepared {
  readonly spec: Spec;
  /** The model explained: for class 0 of a one-logit sigmoid model, the network scoring −logit. */
  readonly model: L.Model;
  readonly metadata: unknown;
  /** What an import settled (dropped output activation, input scaling), for an imported model. */
  readonly imported: ImportedInfo | undefined;
  /** The sample as a batch of one, [1, ...inputShape]. */
  readonly x: T.Tensor;
  /** For --image: the photo at the input's size, for drawing. */
  readonly picture: Image.Image | undefined;
  /** The rules (deep-taylor only). */
  readonly composite: DT.Composite | undefined;
  /** What was explained, when a dropped activation changes its meaning (e.g. "class 0: f = −logit"). */
  readonly notes: readonly string[];
  /** For a one-logit sigmoid model: the class explained (0: f = −logit; 1: f = logit). */
  readonly sigmoidClass: 0 | 1 | undefined;
  /** What canonization folded and kept (deep-taylor only), in words, for stderr. */
  readonly canonized: readonly string[];
}

interface Sample {
  readonly x: T.Tensor;
  readonly picture?: Image.Image;
  readonly box?: ImageBox;
}

/** A photo prepared as the model's input (an image model of 1 or 3 channels). */
const readPhoto = (path: string, prep: PhotoPrep, loaded: Loaded): E.Either<CliError, Sample> => {
  const shape = loaded.model.inputShape;
  const [C, H, W] = shape;
  if (shape.length !== 3 || (C !== 1 && C !== 3)) return E.left(failure(`--image needs an image model (input shape [C, H, W], C = 1 or 3), found input shape ${T.showShape(shape)}`));
  const bytes = readBytes(path);
  if (E.isLeft(bytes)) return E.left(failure(`image: ${bytes.left}`));
  const photo = Photo.decodePhoto(bytes.right, path);
  if (E.isLeft(photo)) return E.left(failure(VizError.message(photo.left)));
  const p = photoToInput(photo.right, [C, H!, W!], prep, loaded.imported);
  return E.right({ x: T.astype(T.of(p.x, [1, C, H!, W!]), loaded.dtype), picture: p.picture, box: { low: p.low, high: p.high } });
};

const readSample = (spec: Spec, loaded: Loaded): E.Either<CliError, Sample> =>
  spec.input._tag === "Image" ? readPhoto(spec.input.path, spec.input.prep, loaded) : E.map((x: T.Tensor): Sample => ({ x }))(readInput(spec.input.path, loaded.model, loaded.dtype));

/** The model and target explained: class 0 of a one-logit sigmoid model is −logit (outputClass.ts). */
export interface Targeted {
  readonly spec: Spec;
  readonly model: L.Model;
  readonly notes: readonly string[];
  readonly sigmoidClass: 0 | 1 | undefined;
}

/** The model and target explained (class 0 of a one-logit sigmoid model: the network scoring −logit). */
export const withTarget = (spec: Spec, loaded: Loaded): E.Either<CliError, Targeted> => {
  const target = spec.rules?.target;
  const outputs = T.Shape.size(L.outputShapeOf(loaded.model));
  const oneLogit = loaded.imported?.outputActivation === "sigmoid" && outputs === 1;
  if (!oneLogit) {
    // A classifier that ended in a softmax explains its top class unless told otherwise.
    if (spec.rules !== undefined && target === undefined && loaded.imported?.outputActivation === "softmax" && outputs > 1) {
      return E.right({ spec: { ...spec, rules: { ...spec.rules, target: { _tag: "argmax" } } }, model: loaded.model, notes: ["explaining the top class (its logit; --target K for another)"], sigmoidClass: undefined });
    }
    return E.right({ spec, model: loaded.model, notes: [], sigmoidClass: undefined });
  }
  if (target === undefined) return E.right({ spec, model: loaded.model, notes: [], sigmoidClass: 1 });
  const k = target._tag === "classes" ? target.classes[0]! : -1;
  if (k !== 0 && k !== 1) return E.left(usage(`--target ${target._tag === "argmax" ? "argmax" : k}: a one-logit sigmoid model has classes 0 (f = −logit) and 1 (f = logit)`));
  const { target: _, ...rules } = spec.rules!;
  const kept = { ...spec, rules };
  if (k === 1) return E.right({ spec: kept, model: loaded.model, notes: ["class 1 of a sigmoid model: f = logit"], sigmoidClass: 1 });
  return E.bimap(
    (why: string) => failure(`--target 0: class 0 of a sigmoid model is −logit, but the output cannot be negated exactly: ${why}`),
    (model: L.Model): Targeted => ({ spec: kept, model, notes: ["class 0 of a sigmoid model: f = −logit (its last affine layer negated)"], sigmoidClass: 0 }),
  )(negateOutput(loaded.model));
};

/** Canonization's report in words. */
const describeCanonized = (c: L.Canonized): string[] => [
  ...c.folded.map((f) => `canonized: folded ${f.node} (${f.kind}) into ${f.into.join(", ")}, the layer${f.into.length === 1 ? "" : "s"} ${f.side === "previous" ? "before" : "after"} it`),
  ...c.kept.map((k) => `canonized: kept ${k.node} (${k.kind}) as its own layer: ${k.reason}; the relevance its shift absorbs is reported`),
];

/** For deep Taylor decomposition, the model with its batch norms folded where that is exact on x (checked), and what was done. */
export const canonizeFor = (spec: Spec, model: L.Model, x: T.Tensor): E.Either<CliError, { readonly model: L.Model; readonly notes: readonly string[] }> => {
  if (spec.method !== "deep-taylor" || !model.layers.some((l) => l.kind === "batchNorm" || l.kind === "scaleShift")) return E.right({ model, notes: [] });
  return E.bimap(
    (e: L.LayerError) => failure(L.message(e)),
    (c: L.Canonized) => ({ model: c.model, notes: describeCanonized(c) }),
  )(L.canonizeChecked(model, x));
};

/** Reads the flags, the model, the input and the zᵇ bounds, in that order. */
export const prepare = async (values: Values<ExplainFlags>): Promise<E.Either<CliError, Prepared>> => {
  const spec = parseSpec(values);
  const model = E.isLeft(spec) ? spec : await loadModel(spec.right.modelPath, { ...(spec.right.outputNode === undefined ? {} : { output: spec.right.outputNode }), ...(spec.right.inputShape === undefined ? {} : { inputShape: spec.right.inputShape }) });
  return pipe(
    E.Do,
    E.bind("parsed", () => spec),
    E.bind("loaded", () => model),
    E.bind("targeted", ({ parsed, loaded }) => withTarget(parsed, loaded)),
    E.bind("sample", ({ parsed, loaded }) => readSample(parsed, loaded)),
    E.bind("canonical", ({ targeted, sample }) => canonizeFor(targeted.spec, targeted.model, sample.x)),
    E.bind("composite", ({ targeted, canonical, sample }) => (targeted.spec.rules === undefined ? E.right(undefined) : compositeOf(targeted.spec.rules, canonical.model, sample.box))),
    E.map(({ targeted, loaded, sample, canonical, composite }) => ({
      spec: targeted.spec,
      model: canonical.model,
      metadata: loaded.metadata,
      imported: loaded.imported,
      x: sample.x,
      picture: sample.picture,
      composite,
      notes: targeted.notes,
      sigmoidClass: targeted.sigmoidClass,
      canonized: canonical.notes,
    })),
  );
};

/** A heatmap of one sample with its diagnostics. */
export interface Result {
  /** f(x). */
  readonly f: number;
  /** R_p, flat in the input's layout. */
  readonly R: Float64Array;
  readonly consistency: Consistency.SampleConsistency;
  /** Violated preconditions that --lenient tolerated (deep-taylor only). */
  readonly warnings: readonly DT.DtdError[];
  /** The deep Taylor explanation itself (deep-taylor only), for roots and per-layer diagnostics. */
  readonly explanation: DT.Explanation | undefined;
  /** Remarks of a baseline (e.g. a nearest-root search that did not converge), for stderr. */
  readonly notes: readonly string[];
  /**
   * The relevance that stayed with biases (deep-taylor): with --bias-sink their share, and in any mode that of
   * units whose denominator was 0; Σ R + biasRelevance = f. 0 for baselines.
   */
  readonly biasRelevance: number;
}

/** A batch norm or ScaleShift: a per-channel affine map whose shift is a bias. */
export const isNorm = (l: L.Layer): boolean => l.kind === "batchNorm" || l.kind === "scaleShift";

/**
 * The result with its diagnostics, checked with the tolerance of the model's dtype and size (an explanation
 * carries its own; a baseline's is the model's).
 */
const resultOf = (model: L.Model, f: T.Tensor, R: T.Tensor, more: Pick<Result, "warnings" | "explanation" | "notes">): Result => {
  const f64 = T.astype(f, "float64");
  const R64 = T.astype(R, "float64");
  const tolerance = more.explanation?.tolerance ?? { dtype: R.dtype, terms: DT.accumulatedTerms(model) };
  // Conservation counts what bias sinks absorbed: Σ R must equal f − absorbed. The sinks are the affine nodes'
  // biases and, with --bias-sink, the shift of a batch norm that could not be folded (a bias too: y = s·x + t);
  // without --bias-sink that shift's share is a leak, which `dtd check` names.
  const sinks = (i: number): boolean => L.isAffine(model.layers[i]!) || (more.explanation?.biasSink === true && isNorm(model.layers[i]!));
  const absorbed = (more.explanation?.absorbed ?? []).reduce((sum, a, i) => (a !== undefined && sinks(i) ? sum + a[0]! : sum), 0);
  const reaching = unsafeMake([1], Float64Array.of(f64.data[0]! - absorbed));
  const consistency = { ...DT.Consistency.perSample(reaching, R64, tolerance)[0]!, f: f64.data[0]! };
  return { f: f64.data[0]!, R: Float64Array.from(R64.data), consistency, biasRelevance: absorbed, ...more };
};

/**
 * The hint appended to a refused explanation. f(x) < 0 is not hidden: DTD redistributes a non-negative score, so
 * the hint names what makes sense instead — the classes whose scores are positive, or, for a one-logit sigmoid
 * model, class 0 (−logit).
 */
const hint = (p: Prepared, e: DT.DtdError): string => {
  if (e._tag !== "PreconditionViolated") return "";
  if (e.what === "bias") return " (--bias-sink explains models with positive biases, reporting what the biases absorb; --lenient explains anyway; `dtd check` lists every violation)";
  if (e.what !== "output") return " (--lenient explains anyway and reports it as a warning; `dtd check` lists every violation)";
  const scores = Array.from(L.forward(p.model, p.x).output.data);
  if (p.sigmoidClass !== undefined) {
    const other = p.sigmoidClass === 1 ? 0 : 1;
    return `: this sigmoid model predicts class ${other} here (σ = ${1 / (1 + Math.exp(scores[0]!))} for it); --target ${other} explains class ${other}, whose score is ${other === 0 ? "−logit" : "the logit"} = ${-scores[0]!}`;
  }
  const positive = scores.flatMap((v, k) => (v > 0 ? [`${k} (${v})`] : []));
  return positive.length > 0
    ? `: deep Taylor decomposition redistributes a score f(x) ≥ 0; explain a class whose score is positive with --target K: ${positive.join(", ")}`
    : ": deep Taylor decomposition redistributes a score f(x) ≥ 0, and no output is positive here (--lenient explains anyway: the map then reads as evidence against the class)";
};

/** Runs the spec's method; a refused explanation (a violated precondition unless lenient) is a failure. */
export const explainPrepared = (p: Prepared, lenient: boolean): E.Either<CliError, Result> => {
  const method = p.spec.method;
  if (p.composite === undefined || method !== "deep-taylor") {
    if (method === "deep-taylor") throw new Error("explainPrepared: deep-taylor without a composite (parseSpec always builds one)");
    return E.map((h: BaselineHeatmap) => resultOf(p.model, h.f, h.R, { warnings: [], explanation: undefined, notes: h.notes }))(baselineHeatmap(method, p.model, p.x));
  }
  const target = p.spec.rules?.target;
  const e = DT.explain(p.model, p.x, p.composite, { lenient, biasSink: p.spec.biasSink, ...(target !== undefined ? { target } : {}) });
  if (E.isLeft(e)) return E.left(failure(DT.message(e.left) + hint(p, e.left)));
  const shifts = e.right.absorbed.reduce((sum, a, i) => (a !== undefined && !L.isAffine(p.model.layers[i]!) ? sum + a[0]! : sum), 0);
  const notes = shifts === 0 ? [] : [`the shifts of unfolded batch norms absorbed ${shifts} of f(x): the heatmap sums to f(x) minus that`];
  return E.right(resultOf(p.model, e.right.f, e.right.R, { warnings: e.right.warnings, explanation: e.right, notes }));
};
