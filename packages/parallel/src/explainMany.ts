/**
 * `explainMany(platform)(model, inputs, composite, opts)`: start a pool, explain every input, close the pool —
 * for when the inputs fit in memory and the results are wanted all at once. (For streams, or to keep the
 * workers for several runs, use `startPool` and `pool.explain`.)
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type { CompositeSpec } from "./CompositeSpec.ts";
import type { Outcome } from "./Outcome.ts";
import type { ParallelError } from "./ParallelError.ts";
import type { Platform } from "./Platform.ts";
import { type Inputs, type PoolOptions, type RunOptions, startPool } from "./Pool.ts";

/** Options of explainMany: the pool's and the run's, and a callback per outcome as it arrives (in input order). */
export interface ManyOptions<P = unknown> extends Omit<PoolOptions, "model" | "composite">, RunOptions {
  readonly onResult?: (outcome: Outcome<P>) => void;
}

/**
 * Every input's outcome, in input order: its heatmap or its own error. Left when the pool cannot start (a model
 * or composite a worker refuses, options out of range), or when `signal` fired (`Aborted`, with the number of
 * outcomes delivered to `onResult` before).
 */
export const explainManyOn =
  (platform: Platform) =>
  async <P = unknown>(model: L.Model, inputs: Inputs, composite: CompositeSpec, opts: ManyOptions<P> = {}): Promise<E.Either<ParallelError, Outcome<P>[]>> => {
    const { onResult, batchSize, signal, target, firstIndex, ...poolOptions } = opts;
    const pool = await startPool(platform, { model, composite, ...poolOptions });
    if (E.isLeft(pool)) return pool;
    try {
      const run = pool.right.explain<P>(inputs, {
        ...(batchSize === undefined ? {} : { batchSize }),
        ...(signal === undefined ? {} : { signal }),
        ...(target === undefined ? {} : { target }),
        ...(firstIndex === undefined ? {} : { firstIndex }),
      });
      if (E.isLeft(run)) return run;
      const out: Outcome<P>[] = [];
      for await (const o of run.right) {
        out.push(o);
        onResult?.(o);
      }
      return signal?.aborted === true ? E.left({ _tag: "Aborted", completed: out.length }) : E.right(out);
    } finally {
      await pool.right.close();
    }
  };
