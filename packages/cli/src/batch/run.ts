/**
 * `dtd explain` over many inputs: a folder, a .jsonl or a .npy file as --input. The model and the rules are read
 * and checked once, as for one input; then a pool of worker threads (@dtd/parallel) explains the inputs in
 * batches — each worker reading and decoding its inputs, and formatting its records and pictures — while this
 * thread writes each batch's records to --out, with one write, the moment the batch's turn comes (input order),
 * so that a run killed at input 9,000 leaves the records of the batches before it, complete, and `--resume`
 * goes on from there. A progress bar with the
 * rate and the time left goes to stderr; the summary of the set (conservation, positivity, consistency, the
 * failures) to stdout.
 * @module
 */
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as T from "@dtd/tensor";
import * as P from "@dtd/parallel";
import { type CliError, ExitCode, failure, usage } from "../CliError.ts";
import type { Values } from "../Command.ts";
import { type Io, line } from "../Io.ts";
import { featureNames, loadModel } from "../loadModel.ts";
import { canonizeFor, withTarget } from "../pipeline.ts";
import { startProgress } from "../progress.ts";
import { compositeSpecOf, type ExplainFlags, parseSpec, type Spec } from "../spec.ts";
import { type ManyOptions, type manyFlags, parseManyOptions } from "./flags.ts";
import { recordLine, statsOf } from "./records.ts";
import { alreadyDone } from "./resume.ts";
import { openSource } from "./sources.ts";
import { add, allExplained, emptySummary, summaryLines } from "./summary.ts";
import { hooks, type Payload, type WorkerOptions } from "./hooks.ts";
import { writeAll } from "./writeAll.ts";
import { takeEarly, workerModule } from "./early.ts";


/** "zplus", "zb + zplus". */
const label = (rule: string, first: string | undefined): string => (first !== undefined && first !== rule ? `${first} + ${rule}` : rule);

type ManyValues = Values<ExplainFlags & typeof manyFlags & { readonly png: { readonly type: "string"; readonly description: string } }>;

/**
 * Explains every input of a folder, .jsonl or .npy file. The workers are started first, so that they load their
 * code on the other cores while this thread reads the model and the inputs; those no pool took (a refusal before
 * the run) are stopped at the end.
 */
export const runMany = async (values: ManyValues, io: Io): Promise<E.Either<CliError, ExitCode>> => {
  const opts = parseManyOptions(values);
  if (E.isLeft(opts)) return opts;
  if (values.image !== undefined) return E.left(usage("--image explains one photo; many inputs come from --input (a folder, a .jsonl or a .npy file)"));
  if (values.json || values.png !== undefined) return E.left(usage(`${values.json ? "--json" : "--png"} is for one input; many inputs are written to --out (JSONL)${values.png !== undefined ? " and --png-dir" : ""}`));
  const parsed = parseSpec(values);
  if (E.isLeft(parsed)) return parsed;
  if (parsed.right.rules === undefined) return E.left(usage(`--method ${parsed.right.method}: many inputs are explained with deep Taylor rules (--rule); run the baselines one input at a time`));
  const workers = opts.right.workers === "auto" ? availableParallelism() : opts.right.workers;
  // Before the inputs are counted only the workers that can run at once are started; runOn starts the others
  // that the batches can use.
  // Started already, most often, from the command line (early.ts), while this command's code was loading.
  const threads = takeEarly() ?? (workers > 0 ? P.prestart({ count: Math.min(workers, availableParallelism()), worker: workerModule }) : undefined);
  try {
    return await runOn(threads, { ...opts.right, workers }, parsed.right, io);
  } finally {
    await threads?.release();
  }
};

const runOn = async (threads: P.Prestarted | undefined, o: ManyOptions & { readonly workers: number }, parsed: Spec, io: Io): Promise<E.Either<CliError, ExitCode>> => {
  const model = await loadModel(parsed.modelPath);
  const prepared = pipe(
    E.Do,
    E.bind("loaded", () => model),
    E.bind("targeted", ({ loaded }) => withTarget(parsed, loaded)),
    E.bind("source", ({ loaded }) => E.mapLeft(failure)(openSource(parsed.input.path, loaded.model.inputShape, loaded.dtype))),
    E.bind("first", ({ source }) => E.mapLeft(failure)(source.first())),
    E.bind("canonical", ({ targeted, loaded, first }) => canonizeFor(targeted.spec, targeted.model, T.astype(T.of(first, [1, ...loaded.model.inputShape]), loaded.dtype))),
    E.bind("composite", ({ targeted, canonical }) => compositeSpecOf(targeted.spec.rules!, canonical.model)),
    E.bind("done", () => (o.resume ? E.mapLeft(failure)(alreadyDone(o.out, o.batchSize)) : E.right({ count: 0, stats: [], dropped: 0 }))),
  );
  if (E.isLeft(prepared)) return prepared;
  const { loaded, targeted, source, canonical, composite, done } = prepared.right;
  const spec = targeted.spec;
  const rules = spec.rules!;
  [...(spec.notes ?? []), ...targeted.notes, ...(loaded.imported?.notes ?? []), ...canonical.notes].forEach((n) => line(io.stderr, `note: ${n}`));
  if (done.dropped > 0) line(io.stderr, `note: ${o.out}: ${done.dropped} record${done.dropped === 1 ? "" : "s"} of a batch the stopped run left incomplete dropped (explained again, in the batch an uninterrupted run puts them in)`);
  if (done.count > source.total) return E.left(failure(`--resume: ${o.out} holds ${done.count} records, but ${parsed.input.path} has only ${source.total} inputs`));
  if (o.pngDir !== undefined) mkdirSync(o.pngDir, { recursive: true });

  const names = featureNames(loaded.metadata);
  const workerOptions: WorkerOptions = { paths: source.kind === "folder", png: o.pngDir !== undefined, label: label(rules.rule, rules.firstRule), ...(names === undefined ? {} : { featureNames: names }) };
  const remaining = source.total - done.count;
  // At most one worker per batch: a worker that would get no batch only costs its start-up and its memory.
  const workers = o.workers === 0 ? 0 : Math.max(1, Math.min(o.workers, Math.ceil(remaining / o.batchSize)));
  const poolOptions: P.PoolOptions = { model: canonical.model, composite, workers, lenient: spec.lenient, biasSink: spec.biasSink, worker: workerModule, hooks, workerOptions };
  const pool = await (threads === undefined ? P.startPool(poolOptions) : P.startPoolOn(threads, poolOptions));
  if (E.isLeft(pool)) return E.left(failure(P.message(pool.left)));
  const target = rules.target === undefined ? undefined : rules.target._tag === "argmax" ? ("argmax" as const) : rules.target.classes[0]!;
  const summary = emptySummary();
  done.stats.forEach((s) => add(summary, s));
  let fd: number | undefined;
  const t0 = performance.now();
  let n = 0;
  try {
    fd = openSync(o.out, o.resume ? "a" : "w");
    const run = pool.right.explain<Payload>(source.from(done.count), { batchSize: o.batchSize, firstIndex: done.count, ...(target === undefined ? {} : { target }) });
    if (E.isLeft(run)) return E.left(failure(P.message(run.left)));
    const where = `${pool.right.workers === 0 ? "this thread" : `${pool.right.workers} worker${pool.right.workers === 1 ? "" : "s"}`}, batches of ${o.batchSize}`;
    line(io.stderr, `explaining ${remaining} input${remaining === 1 ? "" : "s"} of ${parsed.input.path}${done.count > 0 ? ` (${done.count} already in ${o.out})` : ""} on ${where}`);
    const bar = remaining > 0 ? startProgress({ label: "explaining", total: remaining, stream: io.stderr, eta: true }) : undefined;
    // A batch's records are written together, in one system call, as soon as its last one is in: whole lines, and
    // whole batches, the unit `--resume` goes on from. One write per record cost the main thread 2000 system
    // calls for the MNIST demo's set (~40 ms, and ~25 ms more in close): time that two workers on a two-core
    // machine wait for (docs/performance.md, "Every core").
    const lines: Uint8Array[] = [];
    for await (const outcome of run.right) {
      lines.push(outcome.payload?.line ?? Buffer.from(`${recordLine(outcome, source.file(outcome.index))}\n`));
      if ((outcome.index - done.count + 1) % o.batchSize === 0 || outcome.index === source.total - 1) writeAll(fd, lines.splice(0));
      if (o.pngDir !== undefined && outcome.payload?.png !== undefined) writeFileSync(join(o.pngDir, `${String(outcome.index).padStart(6, "0")}.png`), outcome.payload.png);
      add(summary, statsOf(outcome));
      n++;
      bar?.update(n, { throughput: n / ((performance.now() - t0) / 1000) });
    }
    writeAll(fd, lines);
    bar?.stop();
  } catch (u) {
    return E.left(failure(`${o.out}: ${u instanceof Error ? u.message : String(u)}`));
  } finally {
    if (fd !== undefined) closeSync(fd);
    await pool.right.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  summaryLines(summary, { biasSink: spec.biasSink }).forEach((s) => line(io.stdout, s));
  line(io.stdout, `  wrote ${o.out} (${summary.inputs} records${done.count > 0 ? `, ${n} of them now` : ""})${o.pngDir === undefined ? "" : ` and pictures in ${o.pngDir}`}; ${n} in ${seconds.toFixed(1)} s (${(n / seconds).toFixed(1)}/s)`);
  return E.right(allExplained(summary) ? ExitCode.ok : ExitCode.failure);
};
