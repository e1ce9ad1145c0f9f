/**
 * The heatmap section: every registered implementation on every selected (net, rule, batch, dtype), timed by the
 * harness. Peers are first checked against the independent float64 gradient × input of `reference.ts`.
 * @module
 */
import type { DType } from "@dtd/tensor";
import { heatmapsPerSecond, measure, type TimingOptions } from "./harness.ts";
import type { Impl, Job } from "./Impl.ts";
import { buildNet, type F64, makeInput, type NetName, type NetSpec } from "./nets.ts";
import { gradientTimesInput } from "./reference.ts";
import type { ResultRow } from "./report.ts";

/** What to run. */
export interface HeatmapPlan {
  readonly nets: readonly NetName[];
  readonly batches: readonly number[];
  readonly dtypes: readonly DType[];
  readonly timing: TimingOptions;
}

/** A peer's heatmaps compared with the reference gradient × input (batch {@link checkBatch}). */
export interface PeerCheck {
  readonly impl: string;
  readonly net: NetName;
  readonly batch: number;
  /** max |R − R_ref| / max |R_ref|. */
  readonly rel_max_err: number;
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
}

/** Batch used for the correctness check of the peers. */
export const checkBatch = 2;

/** Accepted relative error of a float32 peer against the float64 reference. */
export const checkTolerance = 1e-4;

/** The dtypes an implementation runs: the selected ones it supports; a peer with none of them runs its own. */
export const dtypesFor = (impl: Impl, selected: readonly DType[]): readonly DType[] => {
  const common = impl.dtypes.filter((d) => selected.includes(d));
  return common.length > 0 || impl.kind === "dtd" ? common : impl.dtypes;
};

const relMaxErr = (x: Float64Array, ref: Float64Array): number => {
  if (x.length !== ref.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - ref[i]!));
    m = Math.max(m, Math.abs(ref[i]!));
  }
  return Number.isNaN(d) ? Infinity : m === 0 ? d : d / m;
};

const checkPeer = (impl: Impl, net: NetSpec, dtype: DType, rule: Job["rule"]): PeerCheck => {
  const x = makeInput(net, checkBatch, 7);
  const prepared = impl.prepare({ net, rule, batch: checkBatch, dtype, x });
  try {
    const got = prepared.heatmaps?.();
    const err = got === undefined ? Infinity : relMaxErr(got, gradientTimesInput(net, x));
    return { impl: impl.name, net: net.name, batch: checkBatch, rel_max_err: err, ok: err <= checkTolerance };
  } finally {
    prepared.dispose();
  }
};

const fmtErr = (e: number): string => (Number.isFinite(e) ? e.toExponential(1) : String(e));

/** Runs the section, calling `onRow` as each measurement completes (for progressive printing). */
export const runHeatmaps = async (
  impls: readonly Impl[],
  plan: HeatmapPlan,
  onRow: (row: ResultRow, notes: string) => void,
  onInfo: (line: string) => void,
): Promise<HeatmapOutcome> => {
  const nets = plan.nets.map((n) => buildNet(n));
  const inputs = new Map<string, F64>();
  const inputFor = (net: NetSpec, batch: number): F64 => {
    const key = `${net.name}/${batch}`;
    const x = inputs.get(key) ?? makeInput(net, batch);
    inputs.set(key, x);
    return x;
  };
  const outcome: HeatmapOutcome = { results: [], checks: [], memory: [], impls: {} };
  for (const impl of impls) {
    const dtypes = dtypesFor(impl, plan.dtypes);
    if (dtypes.length === 0) continue;
    await impl.setup();
    outcome.impls[impl.name] = { kind: impl.kind, ...(await impl.describe()) };
    for (const net of nets) {
      if (impl.kind === "peer") {
        const c = checkPeer(impl, net, dtypes[0]!, net.rules[0]!);
        outcome.checks.push(c);
        onInfo(`check ${impl.name} net ${net.name}: max|R − R_ref|/max|R_ref| = ${fmtErr(c.rel_max_err)} against float64 gradient × input`);
        if (!c.ok) {
          throw new Error(`${impl.name} on net ${net.name}: expected heatmaps within ${checkTolerance} of the reference gradient × input, found relative error ${fmtErr(c.rel_max_err)}`);
        }
      }
      for (const batch of plan.batches)
        for (const rule of net.rules)
          for (const dtype of dtypes) {
            const prepared = impl.prepare({ net, rule, batch, dtype, x: inputFor(net, batch) });
            try {
              const before = prepared.liveTensors?.();
              const t = measure(prepared.run, plan.timing);
              const after = prepared.liveTensors?.();
              const row: ResultRow = {
                impl: impl.name, net: net.name, rule, batch, dtype, threads: 1,
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
    }
  }
  return outcome;
};
