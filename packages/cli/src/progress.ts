/**
 * Progress of long runs (training, the demo) on stderr. On a terminal: a live bar (cli-progress) with the
 * percentage, the count, the fields (e.g. loss, throughput) and the time left. Elsewhere (a pipe, a file, CI
 * logs): one plain line each time another tenth of the work is done, and a closing line with the elapsed time —
 * no control characters, no flood of lines.
 *
 * @example
 * const bar = startProgress({ label: "training", total: steps });
 * bar.update(step, { loss, throughput: examplesPerSecond });
 * bar.stop();
 * @module
 */
import { SingleBar } from "cli-progress";
import type { OutStream } from "./Io.ts";

/** Named values shown after the count: numbers get 4 significant digits; `throughput` is shown as "N/s". */
export type ProgressFields = Readonly<Record<string, number | string>>;

/** A running progress display. */
export interface Progress {
  /** Sets the work done so far (0 ≤ n ≤ total) and, optionally, the fields. */
  readonly update: (n: number, fields?: ProgressFields) => void;
  /** Ends the display (idempotent): the bar stays on screen; plain output gets its closing line. */
  readonly stop: () => void;
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  readonly label: string;
  /** The amount of work, a positive integer (steps, samples). */
  readonly total: number;
  /** Where to draw (default process.stderr); a bar needs `isTTY`. */
  readonly stream?: OutStream;
  /** Plain output: a line every this fraction of the total (default 0.1). */
  readonly every?: number;
  /** The clock in milliseconds (default Date.now), for the elapsed time of the closing line. */
  readonly now?: () => number;
  /** Plain output: end each line with the time left at the rate so far (a bar always shows it). */
  readonly eta?: boolean;
}

const formatNumber = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4));

/** The fields as "loss 0.1234, 1520/s". */
export const formatFields = (fields: ProgressFields): string =>
  Object.entries(fields)
    .map(([k, v]) => (k === "throughput" && typeof v === "number" ? `${formatNumber(Math.round(v))}/s` : `${k} ${typeof v === "number" ? formatNumber(v) : v}`))
    .join(", ");

const checkOptions = (o: ProgressOptions): void => {
  if (!Number.isInteger(o.total) || o.total < 1) throw new RangeError(`startProgress: expected total to be a positive integer, found ${o.total}`);
  const every = o.every ?? 0.1;
  if (!(every > 0 && every <= 1)) throw new RangeError(`startProgress: expected every in (0, 1], found ${every}`);
};

const tty = (o: ProgressOptions, stream: OutStream): Progress => {
  const bar = new SingleBar({
    stream,
    format: `${o.label} [{bar}] {percentage}% {value}/{total} {fields} eta {eta_formatted}`,
    barCompleteChar: "█",
    barIncompleteChar: "░",
    hideCursor: true,
    fps: 10,
  });
  bar.start(o.total, 0, { fields: "" });
  let stopped = false;
  return {
    update: (n, fields) => {
      if (!stopped) bar.update(n, fields === undefined ? {} : { fields: formatFields(fields) });
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
};

const plain = (o: ProgressOptions, stream: OutStream): Progress => {
  const every = o.every ?? 0.1;
  const now = o.now ?? Date.now;
  const start = now();
  const marks = Math.round(1 / every);
  let lastMark = 0;
  let value = 0;
  let fields: ProgressFields = {};
  let stopped = false;
  const write = (head: string, left = ""): void => {
    const f = formatFields(fields);
    stream.write(`${o.label}: ${head}${f === "" ? "" : `, ${f}`}${left}\n`);
  };
  /** ", eta 12.3 s" at the rate so far. */
  const eta = (): string => {
    const elapsed = (now() - start) / 1000;
    return o.eta === true && value > 0 && value < o.total ? `, eta ${((elapsed * (o.total - value)) / value).toFixed(1)} s` : "";
  };
  return {
    update: (n, next) => {
      if (stopped) return;
      value = Math.min(Math.max(n, 0), o.total);
      if (next !== undefined) fields = next;
      // The mark reached: ⌊n / total · marks⌋, so each tenth (by default) prints once, however updates fall.
      const mark = Math.floor((value * marks) / o.total);
      if (mark > lastMark) {
        lastMark = mark;
        write(`${Math.round((100 * mark) / marks)}% (${value}/${o.total})`, eta());
      }
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      write(`${value === o.total ? "done" : "stopped"}, ${value}/${o.total} in ${((now() - start) / 1000).toFixed(1)} s`);
    },
  };
};

/** Starts a progress display: a bar on a terminal, plain lines every tenth otherwise. */
export const startProgress = (o: ProgressOptions): Progress => {
  checkOptions(o);
  const stream = o.stream ?? process.stderr;
  return stream.isTTY === true ? tty(o, stream) : plain(o, stream);
};
