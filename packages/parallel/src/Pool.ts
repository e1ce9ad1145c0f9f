/**
 * A pool of workers that explain many inputs, platform-neutral (a `Platform` supplies the threads). Starting a
 * pool sends each worker the model — its weights once, in shared memory where the platform allows — and the
 * composite as data (`CompositeSpec`), which each worker turns into derived rules. A run cuts its inputs into
 * batches of `batchSize`, keeps every worker busy with two batches in hand (so none waits for the next
 * message), and delivers one outcome per input in input order, whatever order the batches finish in: a heatmap,
 * or that input's own error. A batch that throws in a worker (a custom hook's exception) fails its own inputs
 * (`WorkerFailed`), and the worker lives on. A worker that dies costs only the batch it was explaining: it is
 * replaced, and the batches it had not started go to a worker again. An AbortSignal stops the run: the workers are stopped at once (a batch in progress
 * cannot be interrupted otherwise) and the pool is closed.
 *
 * A heatmap is the row for its input of `DT.explain(model, batch, composite)`, batch being the readable inputs
 * of its batch; when `DT.explain` refuses that batch, of `DT.explain` of the input alone. It does not depend on
 * the number of workers, and equals a single-threaded explanation of the same batches bit for bit.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { CompositeSpec } from "./CompositeSpec.ts";
import { toModelData } from "./ModelData.ts";
import type { Heatmap, Outcome, Sample } from "./Outcome.ts";
import { type InputError, message, type ParallelError } from "./ParallelError.ts";
import { inThread, type Platform, type WorkerPort } from "./Platform.ts";
import type { ServeOptions } from "./serve.ts";
import type { BatchTarget, Item, Request, Response } from "./internal/protocol.ts";

/** Options of a pool. */
export interface PoolOptions {
  readonly model: L.Model;
  readonly composite: CompositeSpec;
  /** How many workers: a count (0: in the calling thread, one batch per event-loop task), or "auto": one per core (default). */
  readonly workers?: number | "auto";
  /** Violated preconditions and non-finite values become warnings (default false: that input's error). */
  readonly lenient?: boolean;
  /** Biases as relevance sinks (see `DT.ExplainOptions.biasSink`). */
  readonly biasSink?: boolean;
  /** A custom worker module: one that calls `serve({ strategies, decode, encode })`. Default: the package's own worker. */
  readonly worker?: URL;
  /** With `workers: 0`, the hooks a worker module would give `serve`. */
  readonly hooks?: ServeOptions;
  /** Data for a custom worker module's hooks (structured-cloneable), given to them as `ctx.options`. */
  readonly workerOptions?: unknown;
}

/** The inputs of a run: a batch tensor [N, ...inputShape], or samples one by one (an iterable or async iterable). */
export type Inputs = T.Tensor | Iterable<Sample> | AsyncIterable<Sample>;

/** Which output is explained, for models ending in a vector of scores: the largest, one class for all, or one per input. */
export type ManyTarget = "argmax" | number | readonly number[];

/** Options of a run. */
export interface RunOptions {
  /** Inputs per batch (default 64): each is one `DT.explainHeatmap` call in a worker (`DT.explain`'s heatmap, bit for bit). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly target?: ManyTarget;
  /** The index of the first input (default 0): outcomes, and errors' sample numbers, count from it (e.g. resuming at input k). */
  readonly firstIndex?: number;
}

/** A started pool. */
export interface Pool {
  /** The number of workers (0: the calling thread). */
  readonly workers: number;
  /** The platform's name ("node", "browser", "in-thread"). */
  readonly platform: string;
  /**
   * Explains `inputs`: one outcome per input, in input order, as they become ready. Left for options out of
   * range or a closed pool. When `signal` fires, the outcomes stop after the last batch finished in order, and
   * the pool is closed.
   */
  readonly explain: <P = unknown>(inputs: Inputs, opts?: RunOptions) => E.Either<ParallelError, AsyncIterable<Outcome<P>>>;
  /** Stops the workers (idempotent). */
  readonly close: () => Promise<void>;
}

/** How many times a worker slot is restarted after dying before it is given up. */
const MAX_RESTARTS = 3;
/** Batches each worker holds at once: one in progress and the next one already delivered. */
const IN_HAND = 2;
const DEFAULT_BATCH = 64;

const invalid = (option: string, expected: string, found: unknown): ParallelError => ({ _tag: "InvalidOptions", option, expected, found: JSON.stringify(found) ?? String(found) });

/** The number of workers an option asks for. */
export const workerCount = (workers: number | "auto" | undefined, cores: number): E.Either<ParallelError, number> => {
  if (workers === undefined || workers === "auto") return E.right(Math.max(1, cores));
  return Number.isSafeInteger(workers) && workers >= 0 ? E.right(workers) : E.left(invalid("workers", 'an integer ≥ 0 or "auto"', workers));
};

interface Job {
  readonly resolve: (outcomes: Outcome<unknown>[] | undefined) => void;
  readonly start: number;
  readonly count: number;
  readonly request: Request;
  /** Buffers moved to the worker with it: a job that moved its inputs cannot be sent again. */
  readonly transfer: readonly ArrayBuffer[];
  /** Workers that died holding it. */
  deaths: number;
}

interface Slot {
  readonly index: number;
  port: WorkerPort;
  readonly jobs: Map<number, Job>;
  restarts: number;
  dead: boolean;
}

/** Outcomes from a worker's reply: each heatmap a view of the batch's buffer. */
const outcomesOf = (job: Job, r: Extract<Response, { _tag: "Done" }>, d: number): Outcome<unknown>[] =>
  r.items.map((item: Item, k) => {
    const index = job.start + k;
    const payload = r.payloads?.[k];
    if (item._tag === "Failed") return { index, result: E.left(item.error), payload };
    const h: Heatmap = { f: item.f, R: r.R.subarray(k * d, (k + 1) * d), biasRelevance: item.biasRelevance, consistency: item.consistency, warnings: item.warnings };
    return { index, result: E.right(h), payload };
  });

const failedAll = (job: Job, reason: string): Outcome<unknown>[] =>
  Array.from({ length: job.count }, (_, k) => {
    const error: InputError = { _tag: "WorkerFailed", index: job.start + k, reason };
    return { index: job.start + k, result: E.left(error), payload: undefined };
  });

const isTensor = (u: Inputs): u is T.Tensor => typeof u === "object" && u !== null && "dtype" in u && "shape" in u && "data" in u;
const isTyped = (s: Sample): s is Float64Array | Float32Array => s instanceof Float64Array || s instanceof Float32Array;
const isShared = (a: Float64Array | Float32Array): boolean => typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;

/** A batch as it is posted, with what it transfers. */
interface Outgoing {
  readonly start: number;
  readonly count: number;
  readonly values?: Float64Array | Float32Array;
  readonly samples?: readonly Sample[];
  readonly transfer: readonly ArrayBuffer[];
}

/**
 * A batch's buffer: in shared memory where the platform has it (posted without a copy, and still here to be sent
 * again should its worker die), else an ArrayBuffer that is moved to the worker.
 */
const batchBuffer = (dtype: T.DType, length: number, share: boolean): { readonly values: Float64Array | Float32Array; readonly transfer: readonly ArrayBuffer[] } => {
  if (!share) {
    const values = T.alloc(dtype, length);
    return { values, transfer: [values.buffer as ArrayBuffer] };
  }
  const bytes = new SharedArrayBuffer(length * (dtype === "float32" ? 4 : 8));
  return { values: dtype === "float32" ? new Float32Array(bytes) : new Float64Array(bytes), transfer: [] };
};

/** The batches of a tensor: views when its data is shared (no copy), else one copy per batch. */
async function* tensorBatches(x: T.Tensor, size: number, d: number, dtype: T.DType, share: boolean): AsyncGenerator<Outgoing> {
  const N = x.shape[0]!;
  for (let start = 0; start < N; start += size) {
    const count = Math.min(size, N - start);
    const view = x.data.subarray(start * d, (start + count) * d);
    if (x.dtype === dtype && isShared(view)) yield { start, count, values: view, transfer: [] };
    else {
      const b = batchBuffer(dtype, count * d, share);
      b.values.set(view);
      yield { start, count, ...b };
    }
  }
}

/** The batches of samples: typed arrays of the right length packed into one buffer (moved), others sent as they are. */
async function* sampleBatches(inputs: Iterable<Sample> | AsyncIterable<Sample>, size: number, d: number, dtype: T.DType, share: boolean): AsyncGenerator<Outgoing> {
  let start = 0;
  let held: Sample[] = [];
  const flush = (): Outgoing => {
    const batch = held;
    held = [];
    const at = start;
    start += batch.length;
    if (batch.every((s) => isTyped(s) && s.length === d)) {
      const b = batchBuffer(dtype, batch.length * d, share);
      batch.forEach((s, k) => b.values.set(s as Float64Array | Float32Array, k * d));
      return { start: at, count: batch.length, ...b };
    }
    return { start: at, count: batch.length, samples: batch, transfer: [] };
  };
  for await (const s of inputs) {
    held.push(s);
    if (held.length === size) yield flush();
  }
  if (held.length > 0) yield flush();
}

const targetOf = (t: ManyTarget | undefined, start: number, count: number): BatchTarget => {
  if (t === undefined) return undefined;
  if (t === "argmax") return { _tag: "argmax" };
  const classes = typeof t === "number" ? new Array<number>(count).fill(t) : t.slice(start, start + count);
  return { _tag: "classes", classes };
};

const checkTarget = (t: ManyTarget | undefined): E.Either<ParallelError, void> =>
  t === undefined || t === "argmax" || (typeof t === "number" && Number.isSafeInteger(t) && t >= 0) || (Array.isArray(t) && t.every((c) => Number.isSafeInteger(c) && c >= 0))
    ? E.right(undefined)
    : E.left(invalid("target", '"argmax", a class index ≥ 0, or one class index per input', t));

/** Starts a pool: every worker rebuilds the model and the composite, or the first one's refusal is the Left. */
export const startPool = async (platform: Platform, options: PoolOptions): Promise<E.Either<ParallelError, Pool>> => {
  const count = workerCount(options.workers, platform.cores());
  if (E.isLeft(count)) return count;
  const threads = count.right === 0 ? inThread(options.hooks) : platform;
  const n = Math.max(1, count.right);
  const model = options.model;
  const dtype = L.modelDType(model) ?? "float64";
  const d = T.Shape.size(model.inputShape);
  const init = (index: number): Request => ({
    _tag: "Init",
    worker: index,
    model: toModelData(model, { share: threads.shareMemory() }),
    composite: options.composite,
    settings: { lenient: options.lenient ?? false, biasSink: options.biasSink ?? false },
    options: options.workerOptions,
  });
  // Shared weights: one copy for every worker (toModelData copies each tensor into shared memory once).
  const data = init(0);
  let closed = false;
  let nextId = 0;
  const slots: Slot[] = [];
  let ready: (r: E.Either<ParallelError, void>) => void = () => undefined;
  let waiting = n;

  const attach = (slot: Slot): void => {
    slot.port.onMessage((m) => {
      if (m._tag === "Ready") {
        if (--waiting === 0) ready(E.right(undefined));
        return;
      }
      if (m._tag === "InitFailed") {
        slot.dead = true;
        for (const job of slot.jobs.values()) job.resolve(failedAll(job, message(m.error)));
        slot.jobs.clear();
        ready(E.left(m.error));
        return;
      }
      const job = slot.jobs.get(m.id);
      if (job === undefined) return;
      slot.jobs.delete(m.id);
      slot.restarts = 0;
      job.resolve(m._tag === "Threw" ? failedAll(job, m.reason) : outcomesOf(job, m, d));
    });
    slot.port.onFailure((reason) => {
      // A worker takes its batches in order, and the platform reports its death after the replies it posted
      // (Node drains a dead worker's port before "exit"): the oldest batch it still held is the one it died on,
      // and fails; the others had not started, and go to a worker again when their inputs are still here
      // (shared memory, samples) — or fail, when they were moved to the dead worker.
      const [fatal, ...waiting] = [...slot.jobs.entries()].sort(([a], [b]) => a - b).map(([, job]) => job);
      slot.jobs.clear();
      fatal?.resolve(failedAll(fatal, reason));
      if (closed) return;
      ready(E.left({ _tag: "WorkerFailed", worker: slot.index, reason }));
      if (++slot.restarts > MAX_RESTARTS) slot.dead = true;
      else {
        slot.port = threads.spawn(options.worker);
        attach(slot);
        slot.port.post({ ...data, worker: slot.index } as Request, []);
      }
      for (const job of waiting) {
        if (job.transfer.length > 0) job.resolve(failedAll(job, `worker ${slot.index} died with its inputs (${reason})`));
        // Should a platform report a death before a reply, a batch is sent again at most twice.
        else if (++job.deaths > 2) job.resolve(failedAll(job, `three workers died holding it (${reason})`));
        else send(job);
      }
    });
  };

  for (let i = 0; i < n; i++) {
    const slot: Slot = { index: i, port: threads.spawn(options.worker), jobs: new Map(), restarts: 0, dead: false };
    slots.push(slot);
    attach(slot);
    slot.port.post({ ...data, worker: i } as Request, []);
  }
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const s of slots) for (const job of s.jobs.values()) job.resolve(undefined);
    await Promise.all(slots.map((s) => s.port.terminate()));
  };
  const started = await new Promise<E.Either<ParallelError, void>>((resolve) => (ready = resolve));
  ready = () => undefined;
  if (E.isLeft(started)) {
    await close();
    return started;
  }

  /** Sends a job to the least busy live worker. */
  function send(job: Job): void {
    const live = slots.filter((s) => !s.dead);
    if (closed) return job.resolve(undefined);
    if (live.length === 0) return job.resolve(failedAll(job, "every worker died (see the earlier errors)"));
    const slot = live.reduce((a, s) => (s.jobs.size < a.jobs.size ? s : a));
    const id = nextId++;
    slot.jobs.set(id, job);
    slot.port.post({ ...job.request, id } as Request, job.transfer);
  }

  /** Sends a batch (its inputs counted from `first`); resolves with its outcomes, or undefined when cancelled. */
  const dispatch = (b: Outgoing, target: BatchTarget, first: number): Promise<Outcome<unknown>[] | undefined> =>
    new Promise((resolve) => {
      const start = first + b.start;
      const request: Request = { _tag: "Batch", id: -1, start, count: b.count, target, ...(b.values === undefined ? {} : { values: b.values }), ...(b.samples === undefined ? {} : { samples: b.samples }) };
      send({ resolve, start, count: b.count, request, transfer: b.transfer, deaths: 0 });
    });

  const explain = <P>(inputs: Inputs, opts: RunOptions = {}): E.Either<ParallelError, AsyncIterable<Outcome<P>>> => {
    if (closed) return E.left({ _tag: "Closed" });
    const size = opts.batchSize ?? DEFAULT_BATCH;
    if (!(Number.isSafeInteger(size) && size >= 1)) return E.left(invalid("batchSize", "an integer ≥ 1", size));
    const t = checkTarget(opts.target);
    if (E.isLeft(t)) return t;
    const first = opts.firstIndex ?? 0;
    if (!(Number.isSafeInteger(first) && first >= 0)) return E.left(invalid("firstIndex", "an integer ≥ 0", first));
    if (isTensor(inputs) && (inputs.shape.length < 1 || T.Shape.size(inputs.shape.slice(1)) !== d)) {
      return E.left(invalid("inputs", `a batch [N, ${model.inputShape.join(", ")}]`, inputs.shape));
    }
    const signal = opts.signal;
    const onAbort = (): void => void close();
    async function* run(): AsyncGenerator<Outcome<P>> {
      signal?.addEventListener("abort", onAbort, { once: true });
      const share = threads.shareMemory();
      const batches = isTensor(inputs) ? tensorBatches(inputs, size, d, dtype, share) : sampleBatches(inputs, size, d, dtype, share);
      try {
        if (signal?.aborted === true) return void (await close());
        const pending: Promise<Outcome<unknown>[] | undefined>[] = [];
        let exhausted = false;
        for (;;) {
          while (!exhausted && !closed && pending.length < IN_HAND * n) {
            const next = await batches.next();
            if (next.done === true) exhausted = true;
            else pending.push(dispatch(next.value, targetOf(opts.target, next.value.start, next.value.count), first));
          }
          const head = pending.shift();
          if (head === undefined) return;
          const outcomes = await head;
          if (outcomes === undefined) return;
          for (const o of outcomes) yield o as Outcome<P>;
        }
      } finally {
        signal?.removeEventListener("abort", onAbort);
        // Stops reading the inputs (an async source can release its file).
        await batches.return(undefined);
      }
    }
    return E.right(run());
  };

  return E.right({ workers: count.right, platform: threads.name, explain, close });
};
