/**
 * `dtd demo` (`pnpm demo`): the deck's MNIST example end to end — train (or load from the cache) the 1568-400-Σ
 * detection-pooling network, explain held-out test pairs with w², z⁺, zᵇ, sensitivity analysis and simple Taylor
 * decomposition, draw the heatmaps and Figure 2, check the deck's claims and write a report. Progress goes to
 * stderr; the summary and where the files are to stdout. The pipeline itself is `runDemo` (pipeline.ts).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type CliError, defineCommand, ExitCode, failure, integerFlag, line, startProgress, usage, type Values } from "@dtd/cli";
import { defaultCacheDir, type Hooks } from "../kit/index.ts";
import { aopcSummary, methodTable, verdict } from "./terminal.ts";
import { DEEP_DEFAULTS } from "../deep/defaults.ts";
import { writeTestPairs } from "./exportPairs.ts";
import { DEEP_NETS, deepNets } from "../deep/networks.ts";
import { FULL_STEPS } from "./network.ts";
import { type DemoOptions, type DemoResult, runDemo } from "./pipeline.ts";

export { runDemo, type DemoOptions, type DemoResult } from "./pipeline.ts";

/**
 * Steps of the default run: about two minutes of training on the 2-core development machine, where one SGD step
 * (a batch of 20 fresh pairs, forward and backward through the 20×1568×400 layer, the update and the b ≤ 0
 * projection, all through @dtd/layers' `fit`) took 14–17 ms while other jobs shared the cores: 9000 steps train in
 about 2 minutes and reach ~95 % test accuracy (docs/mnist.md has the trajectory).
 */
export const DEFAULT_STEPS = 9000;

/**
 * Pairs explained by simple Taylor decomposition by default, and the cap on its root search's iterations: the
 * numerical root search is by far the slowest method (docs/mnist.md), and the cached run must stay short.
 */
export const DEFAULT_TAYLOR_COUNT = 50;
export const TAYLOR_MAX_ITERATIONS = 30;


/** Test pairs explained by default. */
export const DEFAULT_TEST_COUNT = 300;

const flags = {
  steps: { type: "string", value: "N", description: `SGD steps of 20 pairs (default ${DEFAULT_STEPS}: about 2 minutes on 2 cores; deep: ${deepNets.mlp.defaultSteps} for the MLP, ${deepNets.cnn.defaultSteps} for the CNN)` },
  full: { type: "boolean", description: `the deck's full schedule: ${FULL_STEPS.toLocaleString("en")} steps (hours)` },
  seed: { type: "string", value: "N", default: "1", description: "seed of the digit split, the initial weights and the pairs" },
  "test-count": { type: "string", value: "N", description: `held-out test pairs to explain and plot (default ${DEFAULT_TEST_COUNT}; deep: ${DEEP_DEFAULTS.testCount})` },
  "taylor-count": {
    type: "string",
    value: "N",
    description: `of those, pairs also explained by simple Taylor decomposition, a slow root search (default ${DEFAULT_TAYLOR_COUNT}; deep: ${DEEP_DEFAULTS.taylorCount})`,
  },
  out: { type: "string", value: "DIR", description: `folder of the report and pictures (default out/mnist; deep: ${DEEP_DEFAULTS.out})` },
  retrain: { type: "boolean", description: "train even when a cached model exists (and replace it)" },
  nets: { type: "string", value: "LIST", description: `deep only: the networks, comma-separated (default ${DEEP_NETS.join(",")})` },
  pairs: {
    type: "string",
    value: "FILE",
    description: "also write the held-out test pairs the accuracy is measured on (2000) as FILE, .npy or .jsonl, for dtd explain --input FILE --workers auto",
  },
} as const;


const integer = integerFlag;

/** The parsed flags of `dtd demo` (and of `dtd demo deep`, which reads the same table). */
export type DemoFlagValues = Values<typeof flags>;

/** Options from the flags. */
export const demoOptions = (values: DemoFlagValues): E.Either<CliError, DemoOptions> => {
  if (values.full && values.steps !== undefined) return E.left(usage("give --full or --steps, not both"));
  if (values.nets !== undefined) return E.left(usage("--nets chooses the networks of demo deep: give demo deep --nets …"));
  const steps = values.full ? E.right(FULL_STEPS) : integer("steps", values.steps ?? String(DEFAULT_STEPS), 1);
  const seed = integer("seed", values.seed, 0);
  const testCount = integer("test-count", values["test-count"] ?? String(DEFAULT_TEST_COUNT), 1);
  const taylorCount = integer("taylor-count", values["taylor-count"] ?? String(DEFAULT_TAYLOR_COUNT), 1);
  if (E.isLeft(steps)) return steps;
  if (E.isLeft(seed)) return seed;
  if (E.isLeft(testCount)) return testCount;
  if (E.isLeft(taylorCount)) return taylorCount;
  return E.right({
    seed: seed.right,
    steps: steps.right,
    testCount: testCount.right,
    accuracyCount: Math.max(2000, testCount.right),
    calibrationCount: 2000,
    gridCount: 12,
    taylorCount: Math.min(taylorCount.right, testCount.right),
    taylorMaxIterations: TAYLOR_MAX_ITERATIONS,
    outDir: values.out ?? "out/mnist",
    cacheDir: defaultCacheDir(),
    retrain: values.retrain,
  });
};

/** The summary printed on stdout. */
export const summary = (r: DemoResult): string[] => [
  `test accuracy  ${(100 * r.testAccuracy).toFixed(2)} % on ${r.options.accuracyCount} held-out pairs (threshold f(x) > ${r.threshold.toFixed(4)} from training pairs)`,
  `model          ${r.fromCache ? "from the cache" : `trained in ${r.training.seconds?.toFixed(1) ?? "?"} s`}: ${r.files.model}`,
  "",
  `explanations of ${r.options.testCount} test pairs (simple Taylor: ${r.options.taylorCount} of them):`,
  ...methodTable(r.methods),
  "",
  "the deck's claims:",
  ...r.claims.map((c) => verdict(c)),
  "",
  ...r.aopc.flatMap((a, i) => [...aopcSummary(a), verdict(r.aopcClaims[i]!, "    ")]),
  "",
  `report    ${r.files.report}`,
  `heatmaps  ${r.files.grid}`,
  `figure 2  ${r.files.figure2}`,
  `curves    ${r.files.perturbation}`,
  `(${r.seconds.toFixed(1)} s)`,
];

export const command = defineCommand({
  name: "demo",
  summary: "the deck's MNIST example: train the 1568-400-1 detector, explain test pairs, draw heatmaps",
  usage: "demo [deep] [--steps N | --full] [--seed N] [--test-count N] [--taylor-count N] [--out DIR] [--retrain] [--nets LIST]",
  description: `
The deck's MNIST experiment (Montavon et al. 2017, Fig. 2). Each 28×56 image shows a digit 0–3 beside a
distracting digit 4–9 (positive) or two digits 4–9 (negative); a detection-pooling network (1568 inputs, 400
ReLU units with biases ≤ 0, a fixed sum output) learns to detect the 0–3 digit. Training and test pairs use
disjoint digits. Held-out test pairs are explained with the w², z⁺ and zᵇ rules and with sensitivity analysis
and simple Taylor decomposition; the run measures conservation and positivity, checks the deck's claims and
writes a report with a heatmap grid and Figure 2 to --out.

Every method's heatmaps are also measured by region perturbation (AOPC, Samek et al. 2017): 4×4 patches replaced
by uniform noise or by 0, most relevant first, least relevant first and in random order.

demo deep runs the deck's Section 4 instead: deeper networks (a two-layer MLP and a convolutional network, all
biases ≤ 0) on the same pairs, explained with the training-free relevance model (w² or zᵇ at the pixels, z⁺
above), the min-max relevance model (fitted to the relevance), sensitivity, gradient × input and simple Taylor;
report in out/mnist-deep/ (docs/mnist-deep.md).

Trained models are cached under .cache/dtd/ (by network, seed and steps): a second run skips training.`,
  flags,
  positionals: [{ name: "deep", description: "run the deep-network experiment (the deck's Section 4) instead of the one-layer demo" }],
  examples: ["demo", "demo --steps 500 --test-count 50 --out out/quick", "demo --full", "demo deep", "demo deep --nets mlp --steps 1000 --test-count 50"],
  run: async ({ values, positionals }, { io }) => {
    const hooks: Hooks = {
      progress: (label, total) => startProgress({ label, total, stream: io.stderr }),
      note: (text) => line(io.stderr, text),
    };
    const experiment = positionals[0];
    if (experiment !== undefined && experiment !== "deep") return E.left(usage(`expected the experiment deep (or none), found "${experiment}"`));
    if (experiment === "deep") {
      const deep = await import("../deep/index.ts");
      const o = deep.deepOptions(values);
      if (E.isLeft(o)) return o;
      const r = deep.runDeep(o.right, hooks);
      if (E.isLeft(r)) return E.left(failure(r.left));
      for (const l of deep.deepSummary(r.right)) line(io.stdout, l);
      return E.right(ExitCode.ok);
    }
    const opts = demoOptions(values);
    if (E.isLeft(opts)) return opts;
    const result = runDemo(opts.right, hooks);
    if (E.isLeft(result)) return E.left(failure(result.left));
    for (const l of summary(result.right)) line(io.stdout, l);
    if (values.pairs !== undefined) {
      const written = writeTestPairs(values.pairs, opts.right);
      if (E.isLeft(written)) return E.left(failure(written.left));
      line(io.stdout, `pairs     ${values.pairs} (${written.right} held-out test pairs)`);
    }
    return E.right(ExitCode.ok);
  },
});
