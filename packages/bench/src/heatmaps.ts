/**
 * The heatmap section: every registered implementation on every selected (net, rule, batch, dtype), timed by the
 * harness. The implementations take turns within each configuration (dtd, then each peer, on the same inputs),
 * and `rounds` repeats the whole sequence, so that a drift of the machine's speed reaches every implementation
 * alike. Peers are first checked: gradient × input against the independent float64 loops of `reference.ts`,
 * deep Taylor against dtd's own float64 heatmaps.
 * @module
 */
import type { DType } from "@dtd/tensor";
import { dtdImpl } from "./dtd.ts";
import { heatmapsPerSecond, measure, type Timing, type TimingOptions } from "./harness.ts";
import type { Impl, Job, Prepared } from "./Impl.ts";
import { batchesFor, buildNet, type F64, makeInput, type NetName, type NetSpec, type Rule } from "./nets.ts";
import { antispoofNet } from "./realNet.ts";
import { gradientTimesInput } from "./reference.ts";
import type { ResultRow } from "./report.ts";

/** What to run. */
export interface HeatmapPlan {
  readonly nets: readonly NetName[];
  readonly batches: readonly number[];
  readonly dtypes: readonly DType[];
  readonly timing: TimingOptions;
  /** How many times the whole interleaved sequence runs (default 1). */
  readonly rounds?: number;
}

/** A peer's heatmaps compared with an independent computation of its method (batch {@link checkBatch}). */
export interface PeerCheck {
  readonly impl: string;
  readonly net: NetName;
  readonly batch: number;
  readonly dtype: DType;
  /** max |R − R_ref| / max |R_ref|. */
  readonly rel_max_err: number;
  readonly tolerance: number;
  readonly ok: boolean;
}

/** Live library tensors after `prepare` and after the timed calls: equal when memory stays flat. */
export interface MemoryCheck {
  readonly impl: string;
  readonly net: NetName;
  readonly batch: number;
  readonly live_before: number;
  readonly live_after: number;
}

export interface HeatmapOutcome {
  readonly results: ResultRow[];
  readonly checks: PeerCheck[];
  readonly memory: MemoryCheck[];
  readonly impls: Record<string, Record<string, string | number | boolean>>;
  /** Implementations that could not run here, with the reason. */
  readonly skipped: Record<string, string>;
}

/** Batch used for the correctness check of the peers. */
export const checkBatch = 2;

/**
 * Accepted relative error of a peer's check: a float32 peer against a float64 reference, or a float64 peer
 * (deep Taylor in another library: the same sums in another order) against dtd's float64 heatmaps.
 */
export const checkTolerance: Record<DType, number> = { float32: 1e-4, float64: 1e-9 };

/** The dtypes an implementation runs: the selected ones it supports; a peer with none of them runs its own. */
export const dtypesFor = (impl: Impl, selected: readonly DType[]): readonly DType[] => {
  const common = impl.dtypes.filter((d) => selected.includes(d));
  return common.length > 0 || impl.kind === "dtd" ? common : impl.dtypes;
};

/** max |x − ref| / max |ref| (∞ for a length mismatch or a NaN). */
export const relMaxErr = (x: Float64Array, ref: Float64Array): number => {
  if (x.length !== ref.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - ref[i]!));
    m = Math.max(m, Math.abs(ref[i]!));
  }
  return Number.isNaN(d) ? Infinity : m === 0 ? d : d / m;
};

/** dtd's float64 deep Taylor heatmaps of a job: the reference of deep Taylor peers. */
export const dtdReference = async (net: NetSpec, rule: Rule, x: F64): Promise<Float64Array> => {
  const p = await dtdImpl.prepare({ net, rule, batch: x.shape[0]!, dtype: "float64", x });
  return await p.heatmaps!();
};

/** A bench net by name: the real model read from its package, or a synthetic one built from the seed. */
export const netFor = (name: NetName): NetSpec => (name === "antispoof" ? antispoofNet() : buildNet(name));

const checkPeer = async (impl: Impl, net: NetSpec, rule: Rule): Promise<PeerCheck> => {
  const dtype: DType = impl.dtypes.includes("float64") ? "float64" : impl.dtypes[0]!;
  const x = makeInput(net, checkBatch, 7);
  const prepared = await impl.prepare({ net, rule, batch: checkBatch, dtype, x });
  try {
    const got = await prepared.heatmaps?.();
    const ref = impl.method === "deepTaylor" ? await dtdReference(net, rule, x) : gradientTimesInput(net, x);
    const err = got === undefined ? Infinity : relMaxErr(got, ref);
    return { impl: impl.name, net: net.name, batch: checkBatch, dtype, rel_max_err: err, tolerance: checkTolerance[dtype], ok: err <= checkTolerance[dtype] };
  } finally {
    prepared.dispose();
  }
};

const fmtErr = (e: number): string => (Number.isFinite(e) ? e.toExponential(1) : String(e));

const timeJob = (prepared: Prepared, timing: TimingOptions): Timing | Promise<Timing> =>
  "run" in prepared ? measure(prepared.run, timing) : prepared.measure(timing);

/** Runs the section, calling `onRow` as each measurement completes (for progressive printing). */
export const runHeatmaps = async (
  impls: readonly Impl[],
  plan: HeatmapPlan,
  onRow: (row: ResultRow, notes: string) => void,
  onInfo: (line: string) => void,
): Promise<HeatmapOutcome> => {
  const nets = plan.nets.map(netFor);
  const inputs = new Map<string, F64>();
  const inputFor = (net: NetSpec, batch: number): F64 => {
    const key = `${net.name}/${batch}`;
    const x = inputs.get(key) ?? makeInput(net, batch);
    inputs.set(key, x);
    return x;
  };
  const outcome: HeatmapOutcome = { results: [], checks: [], memory: [], impls: {}, skipped: {} };
  const ready: Impl[] = [];
  for (const impl of impls) {
    if (dtypesFor(impl, plan.dtypes).length === 0) continue;
    const skip = await impl.setup();
    if (skip !== undefined) {
      outcome.skipped[impl.name] = skip;
      onInfo(`${impl.name} skipped: ${skip}`);
      continue;
    }
    outcome.impls[impl.name] = { kind: impl.kind, method: impl.method, threads: impl.threads, ...(await impl.describe()) };
    ready.push(impl);
  }
  for (const net of nets)
    for (const impl of ready) {
      if (impl.kind !== "peer") continue;
      await impl.activate?.();
      const c = await checkPeer(impl, net, net.rules[0]!);
      outcome.checks.push(c);
      const against = impl.method === "deepTaylor" ? "dtd's float64 deep Taylor" : "float64 gradient × input";
      onInfo(`check ${impl.name} net ${net.name} ${c.dtype}: max|R − R_ref|/max|R_ref| = ${fmtErr(c.rel_max_err)} against ${against}`);
      if (!c.ok) {
        throw new Error(`${impl.name} on net ${net.name}: expected heatmaps within ${c.tolerance} of ${against}, found relative error ${fmtErr(c.rel_max_err)}`);
      }
    }
  const dtypes = [...new Set(ready.flatMap((impl) => dtypesFor(impl, plan.dtypes)))];
  const rounds = plan.rounds ?? 1;
  for (let round = 1; round <= rounds; round++)
    for (const net of nets)
      for (const batch of batchesFor(net, plan.batches))
        for (const rule of net.rules)
          for (const dtype of dtypes)
            for (const impl of ready) {
              if (!dtypesFor(impl, plan.dtypes).includes(dtype)) continue;
              await impl.activate?.();
              const job: Job = { net, rule, batch, dtype, x: inputFor(net, batch) };
              const prepared = await impl.prepare(job);
              try {
                const before = prepared.liveTensors?.();
                const t = await timeJob(prepared, plan.timing);
                const after = prepared.liveTensors?.();
                const row: ResultRow = {
                  impl: impl.name, net: net.name, rule, batch, dtype, threads: impl.threads, round,
                  median_s: t.median, heatmaps_per_s: heatmapsPerSecond(batch, t.median), min_s: t.min, iqr_s: t.iqr, runs: t.n,
                };
                outcome.results.push(row);
                const notes: string[] = [`${t.n} runs`];
                if (before !== undefined && after !== undefined) {
                  outcome.memory.push({ impl: impl.name, net: net.name, batch, live_before: before, live_after: after });
                  notes.push(before === after ? `tensors flat (${after})` : `TENSOR LEAK ${before}→${after}`);
                }
                onRow(row, notes.join(", "));
              } finally {
                prepared.dispose();
              }
            }
  return outcome;
};
