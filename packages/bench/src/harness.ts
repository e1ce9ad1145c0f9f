/**
 * The timing loop: warm up, then call the closure until at least `minRuns` calls AND at least `minSeconds` of
 * timed calls, timing each call with `performance.now()`; report the median (and min, IQR) seconds per call.
 * @module
 */
import { type Summary, summarize } from "./stats.ts";

/** How long to warm up and to measure. */
export interface TimingOptions {
  /** Untimed calls before measuring: at least this many … */
  readonly warmupRuns: number;
  /** … and at least this many seconds of them. */
  readonly warmupSeconds: number;
  /** Timed calls: at least this many … */
  readonly minRuns: number;
  /** … and at least this many seconds in total. */
  readonly minSeconds: number;
  /**
   * What a call's time is: "wall" (default), elapsed time; or "cpu", the process's CPU time (user + system). On a
   * shared machine CPU time leaves out the time other processes hold the cores; for a peer on several threads it
   * is their sum, a cost rather than a latency.
   */
  readonly clock?: "wall" | "cpu";
}

/** Default timing for a full run. */
export const fullTiming: TimingOptions = { warmupRuns: 2, warmupSeconds: 0.3, minRuns: 10, minSeconds: 1 };

/** Timing for `--quick`: a smoke run, not a measurement to quote. */
export const quickTiming: TimingOptions = { warmupRuns: 1, warmupSeconds: 0, minRuns: 3, minSeconds: 0.05 };

/** The measured seconds per call. */
export interface Timing extends Summary {
  readonly samples: readonly number[];
}

/** A clock in milliseconds (default `performance.now`); injectable for tests. */
export type Clock = () => number;

const validate = (o: TimingOptions): void => {
  const ok = (v: number, min: number): boolean => Number.isFinite(v) && v >= min;
  if (!ok(o.warmupRuns, 0) || !ok(o.warmupSeconds, 0) || !ok(o.minRuns, 1) || !ok(o.minSeconds, 0)) {
    throw new Error(
      `measure: expected warmupRuns ≥ 0, warmupSeconds ≥ 0, minRuns ≥ 1, minSeconds ≥ 0, found ${JSON.stringify(o)}`,
    );
  }
};

/** The process's CPU time (user + system) in milliseconds. */
export const cpuClock: Clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Times `fn` per `opts` (with opts.clock, unless a clock is given); the closure's result is ignored. */
export const measure = (fn: () => void, opts: TimingOptions, clock: Clock = opts.clock === "cpu" ? cpuClock : () => performance.now()): Timing => {
  validate(opts);
  const warmStart = clock();
  for (let i = 0; i < opts.warmupRuns || clock() - warmStart < opts.warmupSeconds * 1000; i++) fn();
  const samples: number[] = [];
  let totalMs = 0;
  while (samples.length < opts.minRuns || totalMs < opts.minSeconds * 1000) {
    const t0 = clock();
    fn();
    const dtMs = clock() - t0;
    samples.push(dtMs / 1000);
    totalMs += dtMs;
  }
  return { ...summarize(samples), samples };
};

/** `measure` for a call that completes asynchronously (e.g. a worker pool's): each call is awaited before the next. */
export const measureAsync = async (fn: () => Promise<void>, opts: TimingOptions, clock: Clock = opts.clock === "cpu" ? cpuClock : () => performance.now()): Promise<Timing> => {
  validate(opts);
  const warmStart = clock();
  for (let i = 0; i < opts.warmupRuns || clock() - warmStart < opts.warmupSeconds * 1000; i++) await fn();
  const samples: number[] = [];
  let totalMs = 0;
  while (samples.length < opts.minRuns || totalMs < opts.minSeconds * 1000) {
    const t0 = clock();
    await fn();
    const dtMs = clock() - t0;
    samples.push(dtMs / 1000);
    totalMs += dtMs;
  }
  return { ...summarize(samples), samples };
};

/** Heatmaps per second of a batch: batch / median seconds per call. */
export const heatmapsPerSecond = (batch: number, medianSeconds: number): number => batch / medianSeconds;
