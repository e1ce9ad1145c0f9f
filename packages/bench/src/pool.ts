/**
 * dtd on every core: the same deep Taylor heatmaps as `dtd.ts`, computed by a pool of worker threads
 * (`@dtd/parallel`, one worker per core). One timed call explains the job's whole batch: it is cut into one
 * batch per worker (⌈batch / workers⌉ inputs each), each worker explains its part in one `DT.explain` call, and
 * the call ends when every heatmap is back in this thread. The inputs lie in shared memory (the workers read
 * them in place), the heatmaps come back in transferred buffers; the pool is started (threads spawned, weights
 * shared, rules derived) outside the timing, as a program explaining a data set starts it once. This is the row
 * the "≥ 1× the native peer with the worker pool on all cores against its all-threads figure" is read
 * from (`torch-dt-2t` on this 2-core machine).
 * @module
 */
import { availableParallelism } from "node:os";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as P from "@dtd/parallel";
import { measureAsync } from "./harness.ts";
import type { Impl, Job, Prepared } from "./Impl.ts";
import { toModel } from "./dtd.ts";
import type { NetSpec, Rule } from "./nets.ts";

/** The composite of a bench rule configuration as data for the workers (`compositeFor` in dtd.ts, by name). */
export const compositeSpecFor = (net: NetSpec, rule: Rule): P.CompositeSpec => {
  const zb = P.zB(Math.min(0, net.box.lo), Math.max(0, net.box.hi));
  switch (rule) {
    case "zplus":
      return P.uniform(P.zPlus);
    case "zb":
      return P.uniform(zb);
    case "zb+zplus":
      return P.layerwise({ first: zb, rest: P.zPlus, maxPool: "winnerTakeAll" });
  }
};

/** The job's input in the model's dtype, in a SharedArrayBuffer: the workers read their rows without a copy. */
const sharedInput = (x: T.Tensor, dtype: T.DType): T.Tensor => {
  const n = x.data.length;
  const bytes = new SharedArrayBuffer(n * (dtype === "float32" ? 4 : 8));
  const data = dtype === "float32" ? new Float32Array(bytes) : new Float64Array(bytes);
  data.set(x.data);
  return unsafeMake(x.shape, data);
};

const workers = availableParallelism();

/** dtd deep Taylor decomposition on a worker pool, one worker per core. */
export const poolImpl: Impl = {
  name: "dtd-pool",
  kind: "dtd",
  method: "deepTaylor",
  threads: workers,
  dtypes: ["float32", "float64"],
  setup: async () => undefined,
  describe: async () => ({ workers, transport: "inputs in shared memory, heatmaps transferred", batching: "one batch per worker per call" }),
  prepare: async (job: Job): Promise<Prepared> => {
    const model = toModel(job.net, job.dtype);
    const pool = await P.startPool({ model, composite: compositeSpecFor(job.net, job.rule), workers, lenient: true });
    if (E.isLeft(pool)) throw new Error(`dtd-pool: ${P.message(pool.left)}`);
    const x = sharedInput(job.x, job.dtype);
    const d = T.Shape.size(job.net.inputShape);
    const batchSize = Math.ceil(job.batch / workers);
    const target = job.net.output === "topLogit" ? { target: "argmax" as const } : {};
    /** One call: every heatmap of the batch, written into `out` when given. */
    const once = async (out?: Float64Array): Promise<void> => {
      const run = pool.right.explain(x, { batchSize, ...target });
      if (E.isLeft(run)) throw new Error(`dtd-pool: ${P.message(run.left)}`);
      for await (const o of run.right) {
        if (E.isLeft(o.result)) throw new Error(`dtd-pool: ${P.inputMessage(o.result.left)}`);
        out?.set(o.result.right.R, o.index * d);
      }
    };
    return {
      measure: (timing) => measureAsync(once, timing),
      heatmaps: async () => {
        const out = new Float64Array(job.batch * d);
        await once(out);
        return out;
      },
      dispose: () => void pool.right.close(),
    };
  },
};
