/**
 * @dtd/parallel for Node — explain many inputs on every core with `worker_threads`. The same API as the browser
 * entry point (`index.ts`); `@dtd/parallel` resolves here under Node's "node" export condition.
 *
 * @example
 * import * as P from "@dtd/parallel";
 * const r = await P.explainMany(model, inputs, P.uniform(P.zPlus), { workers: "auto" });
 * @module
 */
import type * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type { CompositeSpec } from "./CompositeSpec.ts";
import { explainManyOn, type ManyOptions } from "./explainMany.ts";
import type { Outcome } from "./Outcome.ts";
import type { ParallelError } from "./ParallelError.ts";
import { nodePlatform } from "./nodePlatform.ts";
import { type Inputs, type Pool, type PoolOptions, startPool as startPoolOn } from "./Pool.ts";

export * from "./core.ts";
export { serve } from "./nodeServe.ts";
export { nodePlatform as platform } from "./nodePlatform.ts";

/** Starts a pool of worker threads (see `Pool.ts`). */
export const startPool = (options: PoolOptions): Promise<E.Either<ParallelError, Pool>> => startPoolOn(nodePlatform, options);

/** Explains every input on a pool of worker threads, in input order (see `explainMany.ts`). */
export const explainMany: <P = unknown>(model: L.Model, inputs: Inputs, composite: CompositeSpec, opts?: ManyOptions<P>) => Promise<E.Either<ParallelError, Outcome<P>[]>> = explainManyOn(nodePlatform);

export { prestart } from "./nodePrestart.ts";
