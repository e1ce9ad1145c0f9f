/**
 * `pnpm bench`: heatmaps per second of the registered implementations (dtd, and the TensorFlow.js peer) on nets
 * A, B, C, the ratio dtd / peer, and the kernel section. See the package README for how to read the output.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { writeFileSync } from "node:fs";
import { describeInstalled, message as nativeMessage, useNativeKernels } from "@dtd/native";
import { cliErrorMessage, type CliOptions, parseArgs, usage } from "./cli.ts";
import { fullTiming, quickTiming, type TimingOptions } from "./harness.ts";
import { checkTolerance, type HeatmapOutcome, runHeatmaps } from "./heatmaps.ts";
import { allImpls, dtdImpls } from "./impls.ts";
import type { KernelRow } from "./kernels.ts";
import { machineMeta } from "./meta.ts";
import { defaultSeed } from "./nets.ts";
import { closeTorchProcesses, torchGemm } from "./peer/torch.ts";
import { type ImplInfo, kernelHeader, kernelLine, medianRatios, medianRows, ratioLine, ratios, resultHeader, resultLine } from "./report.ts";

/** Timing of the kernel section: few calls, since the naive 1024³ loop takes seconds per call. */
const kernelTiming: TimingOptions = { warmupRuns: 1, warmupSeconds: 0, minRuns: 3, minSeconds: 2 };

const notes = [
  "heatmaps_per_s = batch / median_s; one call computes the whole batch of heatmaps from the input, forward pass included",
  "implementations take turns within each configuration (same inputs, one after the other), and --rounds repeats the whole sequence; with several rounds, rows and ratios are medians over rounds",
  "JavaScript peer = gradient × input with TensorFlow.js 4.22 (@tensorflow/tfjs: tfjs-core + gradients + cpu backend; plus @tensorflow/tfjs-backend-wasm), heatmap read back with dataSync inside the timed call; float32 only",
  "native peer = PyTorch (python3-torch, OpenBLAS) in a Python process timing its own calls: torch-dt = deep Taylor with dtd's rules (modified-weight forward passes + autograd, src/peer/torch_peer.py), torch-gxi = gradient × input; -1t / -2t = 1 / 2 threads",
  "ratio = dtd heatmaps/s ÷ the fastest row of a peer group (tfjs: the faster backend) on the same net, rule, batch and round, in dtd's dtype where the peer has it (tfjs: float32 only)",
  "dtd and tfjs run on one thread (tfjs-wasm pinned with setThreadsCount(1)); dtd-pool is dtd on a worker pool (@dtd/parallel), one worker per core, each explaining its share of the batch (started outside the timing)",
  "tfjs and torch-gxi rows carry the rule of the dtd configuration they are the baseline for; they compute gradient × input",
];

const implInfo: ImplInfo = (name) => {
  const impl = allImpls().find((i) => i.name === name);
  return { kind: impl?.kind ?? "peer", group: impl?.group ?? name };
};

/** Loaded only when the kernel section runs, so that `--no-kernels` does not load the matmul kernels. */
const kernelSection = async (o: CliOptions): Promise<{ rows: KernelRow[]; checks: { dtype: string; n: number; rel_max_diff: number }[] }> => {
  const { gradientKernels, kernelCaseRow, matmulRows } = await import("./kernels.ts");
  const n = o.quick ? 256 : 1024;
  const timing: TimingOptions = { ...(o.quick ? quickTiming : kernelTiming), clock: o.clock };
  console.log(`\n## Kernels — matmul ${n}×${n}, GFLOP/s = 2n³ / median s / 1e9; ratio = dtd / naive i-j-k (same run)\n`);
  console.log(kernelHeader);
  const rows: KernelRow[] = [];
  const checks: { dtype: string; n: number; rel_max_diff: number }[] = [];
  for (const dtype of o.dtypes) {
    const r = matmulRows(n, dtype, timing);
    checks.push({ dtype, n, rel_max_diff: r.relDiff });
    for (const k of r.rows) console.log(kernelLine(k));
    // By name: with native kernels installed a dtd-wasm row sits between dtd and naive-ijk.
    const dtd = r.rows.find((k) => k.impl === "dtd");
    const naive = r.rows.find((k) => k.impl === "naive-ijk");
    if (dtd && naive) console.log(`  → dtd / naive = ${(dtd.gflops / naive.gflops).toFixed(2)}× (products agree to ${r.relDiff.toExponential(1)} relative)`);
    rows.push(...r.rows);
    const blas = o.impls.some((i) => i.startsWith("torch")) ? await torchGemm(n, dtype, timing) : "not selected (--impl)";
    if (typeof blas === "string") console.log(`  torch.mm (OpenBLAS): skipped: ${blas}`);
    else {
      const k: KernelRow = { kernel: "matmul", impl: "torch-1t", n, dtype, median_s: blas.median, min_s: blas.min, iqr_s: blas.iqr, runs: blas.n, gflops: (2 * n ** 3) / blas.median / 1e9 };
      console.log(kernelLine(k));
      if (dtd) console.log(`  → dtd / torch.mm on 1 thread (${dtype === "float32" ? "sgemm" : "dgemm"}) = ${(100 * dtd.gflops / k.gflops).toFixed(0)}%`);
      rows.push(k);
    }
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
    { nets: o.nets, batches: o.batches, dtypes: o.dtypes, timing, rounds: o.rounds },
    (row, n) => console.log(`${resultLine(row, n)}${o.rounds > 1 ? `, round ${row.round}` : ""}`),
    (line) => console.log(`  (${line})`),
  );
  if (o.rounds > 1) {
    console.log(`\nmedians over ${o.rounds} rounds\n`);
    console.log(resultHeader);
    for (const r of medianRows(out.results)) console.log(resultLine(r, `${r.runs} runs in ${o.rounds} rounds`));
  }
  const q = medianRatios(ratios(out.results, implInfo));
  if (q.length > 0) {
    console.log(`\nratio = dtd heatmaps/s ÷ the peer group's fastest heatmaps/s${o.rounds > 1 ? " (median of the per-round ratios)" : ""}\n`);
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
  // dtd's products run on the native kernels (@dtd/native) unless DTD_KERNELS=wasm; the pool's workers do the same.
  const installed = useNativeKernels();
  if (E.isLeft(installed)) {
    console.error(`pnpm bench: ${nativeMessage(installed.left)}`);
    process.exitCode = 2;
    return;
  }
  const dtdKernels = describeInstalled(installed.right);
  const timing: TimingOptions = { ...(o.quick ? quickTiming : fullTiming), clock: o.clock };
  const machine = machineMeta();
  console.log(`# dtd bench${o.quick ? " (--quick: smoke run, not figures to quote)" : ""}`);
  console.log(`node ${machine.node} · ${machine.cpu} × ${machine.logical_cpus} · ${machine.platform}/${machine.arch} · ${machine.date} · commit ${machine.commit ?? "n/a"}`);
  console.log(`dtd kernels: ${dtdKernels} (DTD_KERNELS=auto|native|wasm chooses)`);
  console.log(`timing: warm-up ≥ ${timing.warmupRuns} calls & ≥ ${timing.warmupSeconds} s, then ≥ ${timing.minRuns} calls & ≥ ${timing.minSeconds} s; median per call of ${o.clock === "cpu" ? "the process's CPU time (process.cpuUsage; time.process_time in the torch peer)" : "elapsed time (performance.now; time.perf_counter in the torch peer)"}`);
  const heat = o.sections === "kernels" ? undefined : await heatmapSection(o, timing);
  const kern = o.sections === "heatmaps" ? undefined : await kernelSection(o);
  await closeTorchProcesses();
  if (o.json !== undefined) {
    const perRound = heat ? ratios(heat.results, implInfo) : [];
    const doc = {
      meta: {
        ...machine,
        quick: o.quick,
        dtd_kernels: dtdKernels,
        seed: defaultSeed,
        rounds: o.rounds,
        timing,
        kernel_timing: { ...(o.quick ? quickTiming : kernelTiming), clock: o.clock },
        dtd_registered: dtdImpls.map((i) => i.name),
        impls: heat?.impls ?? {},
        skipped: heat?.skipped ?? {},
        peer_checks: { tolerance: checkTolerance, results: heat?.checks ?? [] },
        memory: heat?.memory ?? [],
        kernel_checks: kern?.checks ?? [],
        notes,
      },
      results: heat?.results ?? [],
      results_median: heat ? medianRows(heat.results) : [],
      ratios: perRound,
      ratios_median: medianRatios(perRound),
      kernels: kern?.rows ?? [],
    };
    writeFileSync(o.json, JSON.stringify(doc, null, 2) + "\n");
    console.log(`\nwrote ${o.json}`);
  }
};

try {
  await main(process.argv.slice(2));
} catch (e) {
  await closeTorchProcesses();
  // Report here: the tfjs wasm runtime installs an uncaughtException handler that would dump its whole source.
  console.error(`pnpm bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
}
