/**
 * `dtd evaluate`: how good is an explanation method on a model file? Region perturbation ("pixel-flipping") and
 * AOPC (Samek et al., IEEE TNNLS 2017) with @dtd/evaluate: the inputs' regions (pixels or k×k patches) are replaced
 * most relevant first, least relevant first and in random order, and the mean drop of the score is printed per
 * ordering, with a progress bar on stderr. Any method of `dtd explain` (rules, composites, baselines) can be measured.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type * as T from "@dtd/tensor";
import type * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import * as Ev from "@dtd/evaluate";
import { type CliError, ExitCode, failure, usage } from "../CliError.ts";
import { defineCommand, type Flags, type Values } from "../Command.ts";
import { num, table } from "../format.ts";
import { line } from "../Io.ts";
import { integerFlag } from "../integerFlag.ts";
import { loadModel } from "../loadModel.ts";
import { startProgress } from "../progress.ts";
import { readBatch } from "../readBatch.ts";
import { compositeOf, explainFlags, type Method, parseSpec, type Spec } from "../spec.ts";

const flags = {
  ...explainFlags,
  input: {
    type: "string",
    value: "FILE",
    description: "the inputs: a JSON array of N whole samples in the model's input layout (flat or nested, one sample after another), or a PNG (one sample)",
  },
  patch: { type: "string", value: "K", default: "1", description: "regions are K×K patches of the image (1: single pixels, with all their channels)" },
  steps: { type: "string", value: "N", description: "perturbation steps (default: until every region is replaced)" },
  "per-step": { type: "string", value: "M", default: "1", description: "regions replaced per step" },
  replace: { type: "string", value: "WITH", choices: ["noise", "constant"], description: "replaced values become uniform noise (default) or a constant" },
  range: { type: "string", value: "L,H", description: "noise: the box [L, H] (default: the smallest and largest input value)" },
  value: { type: "string", value: "C", description: "constant: the value (default 0)" },
  orderings: { type: "string", value: "LIST", default: "morf,lerf,random", description: "comma-separated, among morf (most relevant first), lerf (least relevant first), random" },
  seed: { type: "string", value: "N", default: "0", description: "seed of the noise and of the random order" },
  "batch-size": { type: "string", value: "N", description: "inputs per forward pass (default: all of them, one pass per step)" },
} as const satisfies Flags;

type EvaluateFlags = typeof flags;

const number = (flag: string, v: string): E.Either<CliError, number> => (v.trim() !== "" && Number.isFinite(Number(v)) ? E.right(Number(v)) : E.left(usage(`--${flag}: expected a number, found "${v}"`)));

/** A replacement and how the summary names it. */
interface Replacing {
  readonly replacement: Ev.Replacement;
  readonly description: string;
}

const noise = (lo: number, hi: number): Replacing => ({ replacement: Ev.uniformNoise(lo, hi), description: `uniform noise in [${num(lo)}, ${num(hi)}]` });

/** The perturbation settings of the flags (usage errors first). */
interface Settings {
  readonly patch: number;
  readonly steps: number | undefined;
  readonly perStep: number;
  readonly orderings: readonly Ev.Ordering[];
  readonly seed: number;
  readonly batchSize: number | undefined;
  /** The replacement and its description, made from the inputs (the default noise box is theirs). */
  readonly replacement: (x: T.Tensor) => Replacing;
}

const settingsOf = (v: Values<EvaluateFlags>): E.Either<CliError, Settings> =>
  pipe(
    E.Do,
    E.bind("patch", () => integerFlag("patch", v.patch, 1)),
    E.bind("steps", () => (v.steps === undefined ? E.right(undefined) : integerFlag("steps", v.steps, 1))),
    E.bind("perStep", () => integerFlag("per-step", v["per-step"], 1)),
    E.bind("seed", () => integerFlag("seed", v.seed, 0)),
    E.bind("batchSize", () => (v["batch-size"] === undefined ? E.right(undefined) : integerFlag("batch-size", v["batch-size"], 1))),
    E.bind("orderings", () => {
      const os = v.orderings.split(",").map((s) => s.trim());
      const ok = os.length > 0 && new Set(os).size === os.length && os.every((o) => (Ev.ORDERINGS as readonly string[]).includes(o));
      return ok ? E.right(os as Ev.Ordering[]) : E.left(usage(`--orderings: expected distinct orderings among ${Ev.ORDERINGS.join(", ")}, found "${v.orderings}"`));
    }),
    E.bind("replacement", (): E.Either<CliError, (x: T.Tensor) => Replacing> => {
      const mode = v.replace ?? "noise";
      if (mode === "constant") {
        if (v.range !== undefined) return E.left(usage("--range sets the noise box: use it with --replace noise"));
        return E.map((c: number) => () => ({ replacement: Ev.constantValue(c), description: `the constant ${num(c)}` }))(v.value === undefined ? E.right(0) : number("value", v.value));
      }
      if (v.value !== undefined) return E.left(usage("--value sets the constant: use it with --replace constant"));
      if (v.range === undefined) {
        return E.right((x: T.Tensor) => {
          let lo = Infinity;
          let hi = -Infinity;
          for (const u of x.data) [lo, hi] = [Math.min(lo, u), Math.max(hi, u)];
          return noise(lo, hi);
        });
      }
      const parts = v.range.split(",");
      if (parts.length !== 2) return E.left(usage(`--range: expected L,H, found "${v.range}"`));
      return pipe(
        E.Do,
        E.bind("lo", () => number("range", parts[0]!)),
        E.bind("hi", () => number("range", parts[1]!)),
        E.flatMap(({ lo, hi }) => (lo <= hi ? E.right(() => noise(lo, hi)) : E.left(usage(`--range: expected L ≤ H, found ${lo} > ${hi}`)))),
      );
    }),
  );

const BASELINES: { readonly [M in Exclude<Method, "deep-taylor">]: "sensitivity" | "gradientXInput" | "simpleTaylor" } = {
  sensitivity: "sensitivity",
  gradxinput: "gradientXInput",
  taylor: "simpleTaylor",
};

/** The relevance function and the score function of the spec, for inputs x (vector outputs: the target's class of each input). */
const functionsOf = (spec: Spec, model: L.Model, x: T.Tensor): E.Either<CliError, { readonly score: Ev.ScoreFunction; readonly relevance: Ev.RelevanceFunction }> => {
  const N = x.shape[0]!;
  const target = spec.rules?.target;
  let classes: readonly number[] | undefined;
  if (target !== undefined) {
    if (target._tag === "argmax") {
      const c = Ev.Dtd.argmaxClasses(model, x);
      if (E.isLeft(c)) return E.left(failure(c.left));
      classes = c.right;
    } else classes = Array.from({ length: N }, () => (target as { readonly classes: readonly number[] }).classes[0]!);
  }
  const score = Ev.Dtd.modelScore(model, classes === undefined ? {} : { classes });
  if (spec.method !== "deep-taylor") return E.right({ score, relevance: Ev.Dtd.baseline(model, BASELINES[spec.method]) });
  const rules = spec.rules;
  if (rules === undefined) throw new Error("evaluate: deep-taylor without rules (parseSpec always sets them)");
  return E.map((composite: DT.Composite) => ({
    score,
    relevance: Ev.Dtd.deepTaylor(model, composite, { lenient: spec.lenient, biasSink: spec.biasSink, ...(classes !== undefined ? { target: { _tag: "classes" as const, classes } } : {}) }),
  }))(compositeOf(rules, model));
};

/** The JSON object of `dtd evaluate --json`. */
export interface EvaluateJson {
  readonly samples: number;
  readonly regions: number;
  readonly steps: number;
  readonly regionsPerStep: number;
  readonly patch: number;
  readonly replacement: Ev.Replacement;
  readonly orderings: Record<string, { readonly aopc: number; readonly standardError: number; readonly meanDrop: number[] }>;
}

export const evaluate = defineCommand({
  name: "evaluate",
  summary: "how good is an explanation? region perturbation and AOPC for a model file",
  usage: "evaluate --model FILE --input FILE (--rule RULE | --method METHOD) [options]",
  description: `
Measures an explanation method by region perturbation (Samek et al., "Evaluating the visualization of what a
deep neural network has learned", IEEE TNNLS 2017): every input's regions (pixels, or K×K patches with --patch)
are ranked by the method's heatmap and replaced step by step — most relevant first (MoRF), least relevant
first (LeRF), or in a random order that ignores the heatmap — and
  AOPC = 1/(L + 1) ⟨Σ_{k=0}^{L} f(x⁽⁰⁾) − f(x⁽ᵏ⁾)⟩
is printed per ordering with its standard error over the inputs. A method that finds what the model uses has a
large MoRF AOPC (well above the random order's) and a small LeRF AOPC.

The method is given as for dtd explain: --rule/--first-rule (deep Taylor decomposition, zb with --low/--high)
or --method sensitivity|gradxinput|taylor. Replaced values become uniform noise in --range L,H (default: the
inputs' smallest and largest value; seeded, the same noise for every ordering) or --replace constant --value C.
Each step is one forward pass for all inputs and orderings; progress goes to stderr.`,
  flags,
  examples: [
    "evaluate --model mnist.json --input pairs.json --first-rule zb --rule zplus --low 0 --high 1 --patch 4 --steps 40",
    "evaluate --model mnist.json --input pairs.json --method sensitivity --patch 4 --steps 40 --range 0,1",
    "evaluate --model net.json --input xs.json --rule w2 --replace constant --value 0 --json",
  ],
  run: async ({ values }, { io }) => {
    const settings = settingsOf(values);
    if (E.isLeft(settings)) return settings;
    const spec = parseSpec(values);
    if (E.isLeft(spec)) return spec;
    const loaded = await loadModel(spec.right.modelPath);
    if (E.isLeft(loaded)) return loaded;
    const model = loaded.right.model;
    const input = spec.right.input;
    if (input._tag === "Image") return E.left(usage("dtd evaluate reads a batch of inputs from --input; --image (one photo) is for dtd explain and dtd check"));
    const x = readBatch(input.path, model, loaded.right.dtype);
    if (E.isLeft(x)) return x;
    const fns = functionsOf(spec.right, model, x.right);
    if (E.isLeft(fns)) return fns;
    (spec.right.notes ?? []).forEach((n) => line(io.stderr, `note: ${n}`));
    const s = settings.right;
    const { replacement, description } = s.replacement(x.right);
    let bar: ReturnType<typeof startProgress> | undefined;
    const r = Ev.regionPerturbation({
      score: fns.right.score,
      x: x.right,
      relevance: fns.right.relevance,
      replacement,
      orderings: s.orderings,
      patch: s.patch,
      regionsPerStep: s.perStep,
      seed: s.seed,
      ...(s.steps !== undefined ? { steps: s.steps } : {}),
      ...(s.batchSize !== undefined ? { batchSize: s.batchSize } : {}),
      onProgress: (done, total) => {
        bar ??= startProgress({ label: "perturbing", total, stream: io.stderr });
        bar.update(done);
      },
    });
    bar?.stop();
    if (E.isLeft(r)) return E.left(r.left._tag === "InvalidOption" && r.left.option !== "relevance" ? usage(Ev.message(r.left)) : failure(Ev.message(r.left)));
    const res = r.right;
    const curves = s.orderings.map((o) => res.curves[o]!);
    if (values.json) {
      const json: EvaluateJson = {
        samples: res.samples,
        regions: res.regions.count,
        steps: res.steps,
        regionsPerStep: res.regionsPerStep,
        patch: res.patch,
        replacement,
        orderings: Object.fromEntries(curves.map((c) => [c.ordering, { aopc: c.aopc, standardError: c.standardError, meanDrop: Array.from(c.meanDrop) }])),
      };
      line(io.stdout, JSON.stringify(json));
      return E.right(ExitCode.ok);
    }
    const random = res.curves.random;
    [
      `inputs         ${res.samples} (input shape [${model.inputShape.join(", ")}])`,
      `regions        ${res.regions.count} ${res.patch === 1 ? "pixels" : `${res.patch}×${res.patch} patches`}; ${res.steps} steps of ${res.regionsPerStep}; replaced by ${description} (seed ${s.seed})`,
      `forward passes ${res.scoreCalls}`,
      "AOPC = 1/(L + 1) ⟨Σ_k f(x⁽⁰⁾) − f(x⁽ᵏ⁾)⟩ (Samek et al. 2017):",
      ...table([
        ["ordering", "AOPC", "± s.e.", ...(random !== undefined && curves.length > 1 ? ["− random (paired)"] : [])],
        ...curves.map((c) => [
          Ev.orderingNames[c.ordering],
          num(c.aopc),
          num(c.standardError),
          ...(random !== undefined && curves.length > 1 ? [c.ordering === "random" ? "" : (({ difference, standardError }) => `${num(difference)} ± ${num(standardError)}`)(Ev.pairedDifference(c, random))] : []),
        ]),
      ]),
    ].forEach((l) => line(io.stdout, l));
    return E.right(ExitCode.ok);
  },
});
