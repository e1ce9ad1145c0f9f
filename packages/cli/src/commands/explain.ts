/**
 * `dtd explain`: the relevance of every input unit for one prediction — deep Taylor decomposition with the rules
 * given (Montavon et al. 2017, eq. 4), or a baseline — with its consistency diagnostics, as a summary, as one
 * JSON object, and optionally as a picture.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type Image, VizError } from "@dtd/viz";
import * as Png from "@dtd/viz/png";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { ExitCode, failure, usage } from "../CliError.ts";
import { manyFlags, manyOnly } from "../batch/flags.ts";
import { isMany } from "../batch/early.ts";
import { defineCommand } from "../Command.ts";
import { num, percent, table, topK, unravel } from "../format.ts";
import { type Io, line } from "../Io.ts";
import { featureNames } from "../loadModel.ts";
import { picture } from "../picture.ts";
import { explainPrepared, type Prepared, prepare, type Result } from "../pipeline.ts";
import { explainFlags, type Method } from "../spec.ts";
import { toJson } from "../explainJson.ts";

const METHOD_NAMES: { readonly [M in Method]: string } = {
  "deep-taylor": "deep Taylor decomposition",
  sensitivity: "sensitivity analysis, R_p = (∂f/∂x_p)²",
  taylor: "simple Taylor decomposition",
  gradxinput: "gradient × input, R_p = x_p ∂f/∂x_p",
};

/** "deep Taylor decomposition: layer 0 (dense) zplus, layer 2 (dense) zplus; max pooling winner-take-all". */
export const describeMethod = (p: Prepared, r: Result): string => {
  if (r.explanation === undefined) return METHOD_NAMES[p.spec.method];
  const rules = r.explanation.rules.flatMap((name, i) => (name === "" ? [] : [`${L.nodeLabel(i, p.model.nodes[i]!.name, p.model.layers[i]!.kind)} ${name}`]));
  const mode = DT.maxPoolModeOf(r.explanation.assignments, p.model);
  const pools = mode === undefined ? "" : `; max pooling ${mode === "proportional" ? "proportional" : "winner-take-all"}`;
  const adds = p.model.layers.some((l) => l.kind === "add") ? `; add ${p.spec.rules?.add === "rules" ? "by the rules' denominators" : "proportional"}` : "";
  return `${METHOD_NAMES[p.spec.method]}: ${rules.join(", ")}${pools}${adds}`;
};

/** The readable summary. */
export const summary = (p: Prepared, r: Result, top = 5): string[] => {
  const c = r.consistency;
  const shape = p.model.inputShape;
  const names = featureNames(p.metadata);
  const unit = (i: number): string => (shape.length === 1 ? (names?.[i] ?? String(i)) : `${i} [${unravel(i, shape).join(", ")}]`);
  const rows = topK(r.R, top).map((i, k) => [String(k + 1), unit(i), num(p.x.data[i]!), num(r.R[i]!), percent(r.R[i]!, r.f)]);
  return [
    `method              ${describeMethod(p, r)}`,
    `f(x)                ${num(r.f)}`,
    `sum of R            ${num(c.sumR)}`,
    ...(p.spec.biasSink ? [`absorbed by biases  ${num(r.biasRelevance)}  (${percent(r.biasRelevance, r.f)} of f(x); biases as relevance sinks)`] : []),
    `conservation error  ${num(c.conservationError)}  (sum of R${p.spec.biasSink ? " + absorbed" : ""} − f(x); conservative: ${c.conservative ? "yes" : "no"})`,
    `min R               ${num(c.minRelevance)}  (positive: ${c.positive ? "yes" : "no"})`,
    `consistent          ${c.consistent ? "yes" : "no"}  (conservative and positive, Montavon et al. 2017, Def. 3)`,
    `top ${Math.min(top, r.R.length)} of ${r.R.length} input units by relevance:`,
    ...table([["rank", shape.length === 1 ? "unit" : `unit [${shape.length === 3 ? "c, y, x" : "index"}]`, "x", "R", "R / f(x)"], ...rows]),
  ];
};

/** "zplus", "zb + zplus" (first layer + the others), or the baseline's name. */
export const rulesLabel = (p: Prepared): string => {
  const rules = p.spec.rules;
  if (rules === undefined) return p.spec.method;
  return rules.firstRule !== undefined && rules.firstRule !== rules.rule ? `${rules.firstRule} + ${rules.rule}` : rules.rule;
};

const MAX_WARNINGS = 10;

/** Warnings on stderr: where a value stopped being finite (always), then at most MAX_WARNINGS violated preconditions. */
export const printWarnings = (io: Io, warnings: readonly DT.DtdError[]): void => {
  const nonFinite = warnings.filter((w) => w._tag === "NonFinite");
  const others = warnings.filter((w) => w._tag !== "NonFinite");
  nonFinite.forEach((w) => line(io.stderr, `warning: ${DT.message(w)}`));
  others.slice(0, MAX_WARNINGS).forEach((w) => line(io.stderr, `warning: ${DT.message(w)}`));
  if (others.length > MAX_WARNINGS) line(io.stderr, `warning: … and ${others.length - MAX_WARNINGS} more violated preconditions (dtd check lists them)`);
};

export const explain = defineCommand({
  name: "explain",
  summary: "the relevance of every input unit for one prediction, or for every input of a data set on every core",
  usage: "explain --model FILE --input FILE|DIR --rule RULE [--out FILE --workers N|auto] [options]",
  description: `
Explains one sample with deep Taylor decomposition (Montavon et al. 2017): the score f(x) is redistributed
layer by layer down to the input with the rule given (eq. 4). --rule applies to every dense/conv2d layer and
--first-rule overrides the first one, e.g. --first-rule zb --rule zplus (the deck's training-free model).
  w2     R_i = Σ_j w_ij² / Σ_i' w_i'j² · R_j                         any input
  zplus  R_i = Σ_j x_i w_ij⁺ / Σ_i' x_i' w_i'j⁺ · R_j                 inputs x ≥ 0, biases b ≤ 0
  zb     R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / Σ_i' (…) · R_j  inputs in l ≤ x ≤ h, b ≤ 0
A violated precondition (z+ on a negative input, zb outside its box, a positive bias, f(x) < 0) is an error
naming the layer and the unit, unless --lenient.

The input is ONE sample (not a batch): a JSON array of numbers in the model's input layout — flat, or nested
and flattened row-major (CHW for images) — or, for image models (input shape [C, H, W], C = 1 or 3), a PNG of
exactly W × H pixels, read as values in [0, 1].

Output: a summary on stdout (f(x), the sum of R, the conservation error, min R, consistency, the 5 most
relevant input units), or with --json one object
  {"f": …, "relevance": [… flat, in the input's layout …], "conservationError": …, "minRelevance": …, "consistent": …}
with every number at full float64 precision. Warnings and notes go to stderr.
--png writes a picture: for image inputs the input beside its heatmap (white 0, red +, blue −); for vector
inputs of up to 64 features a bar chart of R per feature; otherwise a 1 × d strip heatmap.
A NaN or ±Infinity anywhere (an overflowing input or layer) is an error naming the layer and the unit; with
--lenient it is a warning, the result is printed (in --json as "NaN", "Infinity"), and the exit status is 1.
Exit status: 0 explained, 1 failed (unreadable files, violated preconditions, a non-finite result), 2 bad
command line.

Many inputs: --input a folder (of .png and .json files, one sample each, in name order), a .jsonl file (one
sample per line) or a .npy file (float32 or float64, [N, ...input shape]) explains every input on every core
(--workers N|auto, default auto) and writes one JSON line per input to --out, in input order, as they finish:
{"index": i, "f": …, "relevance": […], "conservationError": …, "minRelevance": …, "consistent": …,
"biasRelevance": …} or {"index": i, "error": "…", "kind": "…"}; one input's error costs no other input. A
progress bar goes to stderr, the summary of the set (conservation, positivity, consistency, failures) to stdout;
--png-dir DIR draws each one. A run that stops (killed, out of time) leaves every finished record whole, in order:
--resume explains the rest. Exit status 0 when every input was explained with finite numbers, else 1.`,
  flags: { ...explainFlags, png: { type: "string", value: "FILE", description: "also write the heatmap picture as a PNG" }, ...manyFlags },
  examples: [
    "explain --model net.json --input x.json --rule zplus",
    "explain --model mnist.json --input digit.png --first-rule zb --rule zplus --low 0 --high 1 --png heatmap.png",
    "explain --model net.json --input x.json --rule w2 --json > relevance.json",
    "explain --model net.json --input x.json --method gradxinput",
    "explain --model mnist.json --input pairs.npy --first-rule zb --rule zplus --low 0 --high 1 --workers auto --out heatmaps.jsonl",
    "explain --model mnist.json --input digits/ --rule zplus --out heatmaps.jsonl --png-dir pictures/",
  ],
  run: async ({ values }, { io }) => {
    if (values.input !== undefined && isMany(values.input)) return (await import("../batch/run.ts")).runMany(values, io);
    const many = manyOnly(values);
    if (many.length > 0) return E.left(usage(`${many.join(", ")}: for many inputs (--input a folder, a .jsonl or a .npy file), not one`));
    const prepared = await prepare(values);
    if (E.isLeft(prepared)) return prepared;
    const p = prepared.right;
    const result = explainPrepared(p, p.spec.lenient);
    if (E.isLeft(result)) return result;
    const r = result.right;
    printWarnings(io, r.warnings);
    [...(p.spec.notes ?? []), ...p.notes, ...(p.imported?.notes ?? []), ...p.canonized, ...r.notes].forEach((n) => line(io.stderr, `note: ${n}`));
    // Only --lenient lets a non-finite result through: it is printed (with its warning) and the run fails.
    const finite = r.consistency.finite;
    let img: Image.Image | undefined;
    if (values.png !== undefined && finite) {
      const names = featureNames(p.metadata);
      img = picture({
        inputShape: p.model.inputShape,
        x: p.x.data,
        R: r.R,
        title: `${rulesLabel(p)}: f(x) = ${num(r.f)}`,
        ...(names !== undefined ? { featureNames: names } : {}),
        ...(p.picture !== undefined ? { photo: p.picture } : {}),
      });
    }
    if (values.json) line(io.stdout, JSON.stringify(toJson(r)));
    else summary(p, r).forEach((s) => line(io.stdout, s));
    if (!finite) {
      const why = r.warnings.some((w) => w._tag === "NonFinite") ? "see the warning above" : `f(x) = ${r.f}, sum of R = ${r.consistency.sumR}`;
      return E.left(failure(`the explanation is not finite (${why})${values.png === undefined ? "" : `, so ${values.png} was not written`}`));
    }
    if (values.png !== undefined && img !== undefined) {
      const written = Png.writePng(values.png, img);
      if (E.isLeft(written)) return E.left(failure(VizError.message(written.left)));
      line(io.stderr, `wrote ${values.png} (${img.width}×${img.height})`);
    }
    return E.right(ExitCode.ok);
  },
});
