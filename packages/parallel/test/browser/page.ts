/**
 * The test page of @dtd/parallel's browser platform (test/browser.test.ts drives it in Chromium): it explains
 * seeded inputs of the fixtures' networks on a pool of Web Workers and in this thread (`workers: 0`), and hands
 * the outcomes to the test, which compares them bit for bit with DT.explain in Node. It also writes what it did
 * on the page, for the screenshot.
 */
import * as E from "fp-ts/lib/Either.js";
import * as P from "@dtd/parallel";
import { denseNet, inputs } from "../fixtures/nets.ts";
import type { CancelReply, Plain, RunReply, RunRequest } from "./cases.ts";
import workerUrl from "./worker.ts?worker&url";

const worker = new URL(workerUrl, location.href);

const plain = (o: P.Outcome): Plain =>
  E.isRight(o.result) ? { index: o.index, f: o.result.right.f, R: Array.from(o.result.right.R) } : { index: o.index, error: o.result.left._tag, message: P.inputMessage(o.result.left) };

const log = (line: string): void => {
  document.querySelector("#log")!.textContent += `${line}\n`;
};

const sameBits = (a: readonly Plain[], b: readonly Plain[]): boolean =>
  a.length === b.length &&
  a.every((x, i) => {
    const y = b[i]!;
    if ("error" in x || "error" in y) return "error" in x && "error" in y && x.error === y.error && x.index === y.index;
    return x.index === y.index && Object.is(x.f, y.f) && x.R.length === y.R.length && x.R.every((v, k) => Object.is(v, y.R[k]));
  });

const explainAll = async (r: RunRequest, workers: number): Promise<{ readonly outcomes: Plain[]; readonly pool: P.Pool }> => {
  const model = P.fromModelData(r.model);
  if (E.isLeft(model)) throw new Error("the model sent does not build");
  const pool = await P.startPool({ model: model.right, composite: P.uniform(P.zPlus), workers, worker });
  if (E.isLeft(pool)) throw new Error(P.message(pool.left));
  try {
    const run = pool.right.explain(r.xs, { batchSize: r.batchSize });
    if (E.isLeft(run)) throw new Error(P.message(run.left));
    const outcomes: Plain[] = [];
    for await (const o of run.right) outcomes.push(plain(o));
    return { outcomes, pool: pool.right };
  } finally {
    await pool.right.close();
  }
};

/** Explains on `r.workers` Web Workers and in this thread. */
const run = async (r: RunRequest): Promise<RunReply> => {
  const t0 = performance.now();
  const pooled = await explainAll(r, r.workers);
  const t1 = performance.now();
  const thread = await explainAll(r, 0);
  const failed = pooled.outcomes.filter((o) => "error" in o).map((o) => `${o.index}: ${"error" in o ? o.error : ""}`);
  log(
    `${r.model.inputShape.join("×")} → ${r.model.nodes.map((n) => n.layer.kind).join(", ")}: ${r.xs.length} inputs in batches of ${r.batchSize}: ${pooled.pool.workers} Web Workers (${pooled.pool.platform}, ` +
      `${crossOriginIsolated ? "weights and inputs in shared memory" : "not cross-origin isolated: weights copied once, batches transferred"}) in ` +
      `${(t1 - t0).toFixed(0)} ms; ${failed.length === 0 ? "no input failed" : `failed alone: ${failed.join(", ")}`}; ` +
      `bit for bit this thread's: ${sameBits(pooled.outcomes, thread.outcomes) ? "yes" : "NO"}`,
  );
  return { platform: pooled.pool.platform, workers: pooled.pool.workers, isolated: crossOriginIsolated, shared: P.platform.shareMemory(), cores: navigator.hardwareConcurrency, pool: pooled.outcomes, thread: thread.outcomes };
};

/** Aborts a run of 400 inputs after `after` outcomes; then asks the pool for another run. */
const cancel = async (after: number): Promise<CancelReply> => {
  const model = denseNet();
  const pool = await P.startPool({ model, composite: P.uniform(P.zPlus), workers: 2, worker });
  if (E.isLeft(pool)) throw new Error(P.message(pool.left));
  const ac = new AbortController();
  const seen: number[] = [];
  const r = pool.right.explain(inputs(model, 400), { batchSize: 4, signal: ac.signal });
  if (E.isLeft(r)) throw new Error(P.message(r.left));
  for await (const o of r.right) {
    seen.push(o.index);
    if (seen.length === after) ac.abort();
  }
  const again = pool.right.explain(inputs(model, 2));
  log(`cancelled after ${after} outcomes: ${seen.length} delivered, in order; the pool is then ${E.isLeft(again) ? again.left._tag : "still open"}`);
  return { seen, again: E.isLeft(again) ? again.left._tag : "Right" };
};

(window as unknown as { dtdParallel: unknown }).dtdParallel = { run, cancel };
document.querySelector("#status")!.textContent = `ready: ${navigator.hardwareConcurrency} logical cores, ${crossOriginIsolated ? "cross-origin isolated (SharedArrayBuffer)" : "not cross-origin isolated"}`;
