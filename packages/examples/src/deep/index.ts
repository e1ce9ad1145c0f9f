/**
 * `dtd demo deep`: the deck's Section 4 experiment (deep networks, the training-free and min-max relevance
 * models) from the flags of `dtd demo`. Progress goes to stderr; the summary and where the files are to stdout.
 * The pipeline itself is `runDeep` (pipeline.ts).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type CliError, integerFlag, usage } from "@dtd/cli";
import { defaultCacheDir } from "../kit/index.ts";
import { aopcSummary, methodTable, verdict } from "../demo/terminal.ts";
import type { DemoFlagValues } from "../demo/index.ts";
import { DEEP_DEFAULTS } from "./defaults.ts";
import { DEEP_NETS, type DeepNetId } from "./networks.ts";
import type { DeepOptions, DeepResult } from "./pipeline.ts";

export { runDeep, type DeepOptions, type DeepResult } from "./pipeline.ts";

/** The flags of `dtd demo`, which `demo deep` reads. */
export type DeepFlagValues = Omit<DemoFlagValues, "pairs">;

const isNet = (v: string): v is DeepNetId => (DEEP_NETS as readonly string[]).includes(v);


/** Options from the flags. */
export const deepOptions = (v: DeepFlagValues): E.Either<CliError, DeepOptions> => {
  if (v.full) return E.left(usage("--full is the one-layer demo's schedule; give demo deep --steps N"));
  const nets = (v.nets ?? DEEP_NETS.join(",")).split(",").map((s) => s.trim());
  const bad = nets.find((n) => !isNet(n));
  if (bad !== undefined || nets.length === 0 || new Set(nets).size !== nets.length) {
    return E.left(usage(`--nets: expected distinct networks among ${DEEP_NETS.join(", ")}, separated by commas, found "${v.nets}"`));
  }
  const steps = v.steps === undefined ? E.right(undefined) : integerFlag("steps", v.steps, 1);
  const seed = integerFlag("seed", v.seed, 0);
  const testCount = integerFlag("test-count", v["test-count"] ?? String(DEEP_DEFAULTS.testCount), 1);
  const taylorCount = integerFlag("taylor-count", v["taylor-count"] ?? String(DEEP_DEFAULTS.taylorCount), 1);
  if (E.isLeft(steps)) return steps;
  if (E.isLeft(seed)) return seed;
  if (E.isLeft(testCount)) return testCount;
  if (E.isLeft(taylorCount)) return taylorCount;
  const s = steps.right;
  return E.right({
    seed: seed.right,
    nets: nets.filter(isNet),
    steps: s === undefined ? {} : Object.fromEntries(nets.map((n) => [n, s])),
    testCount: testCount.right,
    accuracyCount: Math.max(2000, testCount.right),
    calibrationCount: 2000,
    gridCount: 8,
    taylorCount: Math.min(taylorCount.right, testCount.right),
    taylorMaxIterations: 30,
    minMax: { pairs: 3000, steps: 1000, batchSize: 50, learningRate: 0.0003, initScale: 0.03 },
    rootPairs: 4,
    outDir: v.out ?? DEEP_DEFAULTS.out,
    cacheDir: defaultCacheDir(),
    retrain: v.retrain,
  });
};

/** The summary printed on stdout. */
export const deepSummary = (d: DeepResult): string[] => [
  ...d.nets.flatMap((r) => [
    `${r.net.id}: ${r.net.architecture}`,
    `  test accuracy  ${(100 * r.testAccuracy).toFixed(2)} % on ${d.options.accuracyCount} held-out pairs; model ${r.fromCache ? "from the cache" : `trained in ${r.training.seconds?.toFixed(1) ?? "?"} s`}: ${r.modelPath}`,
    `  min-max model  ⟨(R̂ − R)²⟩ ${r.minMax.lossBefore.toPrecision(3)} → ${r.minMax.lossAfter.toPrecision(3)} on training pairs, ${r.minMax.testLoss.toPrecision(3)} on test pairs (fit ${r.minMax.seconds.toFixed(1)} s)`,
    "",
    ...methodTable(r.methods),
    "",
    ...r.aopc.flatMap(aopcSummary),
    "",
    "  claims:",
    ...[...r.claims, ...r.aopcClaims].map((c) => verdict(c, "    ")),
    "",
  ]),
  `report  ${d.report}`,
  `(${d.seconds.toFixed(1)} s)`,
];
