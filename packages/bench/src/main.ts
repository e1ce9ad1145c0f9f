/**
 * `pnpm bench`: heatmaps per second of the registered implementations (dtd, and the TensorFlow.js peer) on nets
 * A, B, C, the ratio dtd / peer, and the kernel section. See the package README for how to read the output.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { writeFileSync } from "node:fs";
import { cliErrorMessage, type CliOptions, parseArgs, usage } from "./cli.ts";
import { fullTiming, quickTiming, type TimingOptions } from "./harness.ts";
import { checkTolerance, type HeatmapOutcome, runHeatmaps } from "./heatmaps.ts";
import { allImpls, dtdImpls } from "./impls.ts";
import type { KernelRow } from "./kernels.ts";
import { machineMeta } from "./meta.ts";
import { defaultSeed } from "./nets.ts";
import { kernelHeader, kernelLine, ratioLine, ratios, resultHeader, resultLine } from "./report.ts";

/** Timing of the kernel section: few calls, since the naive 1024³ loop takes seconds per call. */
const kernelTiming: TimingOptions = { warmupRuns: 1, warmupSeconds: 0, minRuns: 3, minSeconds: 2 };

const notes = [
  "heatmaps_per_s = batch / median_s; one call computes the whole batch of heatmaps from the input, forward pass included",
  "peer = gradient × input with TensorFlow.js 4.22 (@tensorflow/tfjs: tfjs-core + gradients + cpu backend; plus @tensorflow/tfjs-backend-wasm), heatmap read back with dataSync inside the timed call",
  "tfjs has no float64: peer rows are float32, and float64 dtd rows are compared against the peer's float32 figures",
  "ratio = dtd heatmaps/s ÷ the faster tfjs backend's heatmaps/s on the same net, rule and batch",
  "threads = 1: tfjs-wasm pinned with setThreadsCount(1); the tfjs cpu backend and dtd are single-threaded JavaScript",
  "peer rows carry the rule of the dtd configuration they are the baseline for; the peer itself always computes gradient × input",
];

/** Loaded only when the kernel section runs, so that `--no-kernels` does not load the matmul kernels. */
const kernelSection = async (o: CliOptions): Promise<{ rows: KernelRow[]; checks: { dtype: string; n: number; rel_max_diff: number }[] }> => {
  const { gradientKernels, kernelCaseRow, matmulRows } = await import("./kernels.ts");
  const n = o.quick ? 256 : 1024;
  const timing = o.quick ? quickTiming : kernelTiming;
  console.log(`\n## Kernels — matmul ${n}×${n}, GFLOP/s = 2n³ / median s / 1e9; ratio = dtd / naive i-j-k (same run)\n`);
  console.log(kernelHeader);
  const rows: KernelRow[] = [];
  const checks: { dtype: string; n: number; rel_max_diff: number }[] = [];
  for (const dtype of o.dtypes) {
    const r = matmulRows(n, dtype, timing);
    checks.push({ dtype, n, rel_max_diff: r.relDiff });
    for (const k of r.rows) console.log(kernelLine(k));
    const [dtd, naive] = r.rows;
    if (dtd && naive) console.log(`  → dtd / naive = ${(dtd.gflops / naive.gflops).toFixed(2)}× (products agree to ${r.relDiff.toExponential(1)} relative)`);
    rows.push(...r.rows);
  }
  const grads = gradientKernels.filter((k) => o.dtypes.includes(k.dtype));
  if (grads.length === 0) console.log("MLP 784-512-512-10 batch-128 gradient: not measured (no case registered in kernels.ts gradientKernels)");
  for (const k of grads) {
    const row = kernelCaseRow(k, timing);
    console.log(kernelLine(row));
    rows.push(row);
  }
  return { rows, checks };
};

const heatmapSection = async (o: CliOptions, timing: TimingOptions): Promise<HeatmapOutcome> => {
  console.log(`\n## Heatmaps — nets ${o.nets.join(",")}, batch ${o.batches.join(",")}, dtype ${o.dtypes.join(",")}\n`);
  if (dtdImpls.length === 0) console.log("dtd: no implementation registered yet (src/impls.ts dtdImpls) — no dtd rows, no ratios.\n");
  console.log(resultHeader);
  const selected = allImpls().filter((i) => o.impls.includes(i.name));
  const out = await runHeatmaps(
    selected,
    { nets: o.nets, batches: o.batches, dtypes: o.dtypes, timing },
    (row, n) => console.log(resultLine(row, n)),
    (line) => console.log(`  (${line})`),
  );
  const kinds = new Map(allImpls().map((i) => [i.name, i.kind] as const));
  const q = ratios(out.results, (name) => kinds.get(name) ?? "peer");
  if (q.length > 0) {
    console.log("\nratio = dtd heatmaps/s ÷ faster tfjs backend's heatmaps/s\n");
    for (const r of q) console.log(ratioLine(r));
  }
  console.log("");
  for (const note of notes) console.log(`note: ${note}`);
  return out;
};

const main = async (argv: readonly string[]): Promise<void> => {
  const parsed = parseArgs(argv);
  if (E.isLeft(parsed)) {
    console.error(`pnpm bench: ${cliErrorMessage(parsed.left)}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const o = parsed.right;
  if (o.help) {
    console.log(usage);
    return;
  }
  const timing = o.quick ? quickTiming : fullTiming;
  const machine = machineMeta();
  console.log(`# dtd bench${o.quick ? " (--quick: smoke run, not figures to quote)" : ""}`);
  console.log(`node ${machine.node} · ${machine.cpu} × ${machine.logical_cpus} · ${machine.platform}/${machine.arch} · ${machine.date} · commit ${machine.commit ?? "n/a"}`);
  console.log(`timing: warm-up ≥ ${timing.warmupRuns} calls & ≥ ${timing.warmupSeconds} s, then ≥ ${timing.minRuns} calls & ≥ ${timing.minSeconds} s; median of performance.now() per call`);
  const heat = o.sections === "kernels" ? undefined : await heatmapSection(o, timing);
  const kern = o.sections === "heatmaps" ? undefined : await kernelSection(o);
  if (o.json !== undefined) {
    const kinds = new Map(allImpls().map((i) => [i.name, i.kind] as const));
    const doc = {
      meta: {
        ...machine,
        quick: o.quick,
        seed: defaultSeed,
        threads: 1,
        timing,
        kernel_timing: o.quick ? quickTiming : kernelTiming,
        dtd_registered: dtdImpls.map((i) => i.name),
        impls: heat?.impls ?? {},
        peer_checks: { tolerance: checkTolerance, results: heat?.checks ?? [] },
        memory: heat?.memory ?? [],
        kernel_checks: kern?.checks ?? [],
        notes,
      },
      results: heat?.results ?? [],
      ratios: heat ? ratios(heat.results, (name) => kinds.get(name) ?? "peer") : [],
      kernels: kern?.rows ?? [],
    };
    writeFileSync(o.json, JSON.stringify(doc, null, 2) + "\n");
    console.log(`\nwrote ${o.json}`);
  }
};

try {
  await main(process.argv.slice(2));
} catch (e) {
  // Report here: the tfjs wasm runtime installs an uncaughtException handler that would dump its whole source.
  console.error(`pnpm bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
