/**
 * @dtd/parallel — explain many inputs on every core. This entry point is the browser's (Web Workers); Node
 * resolves `@dtd/parallel` to `node.ts` (worker_threads), which has the same API.
 *
 * @example
 * import * as P from "@dtd/parallel";
 * const r = await P.explainMany(model, inputs, P.uniform(P.zPlus), { workers: "auto" });
 * @module
 */
import { browserPlatform } from "./browserPlatform.ts";
import type * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type { CompositeSpec } from "./CompositeSpec.ts";
import { explainManyOn, type ManyOptions } from "./explainMany.ts";
import type { Outcome } from "./Outcome.ts";
import type { ParallelError } from "./ParallelError.ts";
import { type Inputs, type Pool, type PoolOptions, startPool as startPoolOn } from "./Pool.ts";
import { type Prestarted, prestartOn } from "./prestart.ts";

export * from "./core.ts";
export { serve } from "./browserServe.ts";
export { browserPlatform as platform } from "./browserPlatform.ts";

/** Starts a pool of Web Workers (see `Pool.ts`). */
export const startPool = (options: PoolOptions): Promise<E.Either<ParallelError, Pool>> => startPoolOn(browserPlatform, options);

/** Explains every input on a pool of Web Workers, in input order (see `explainMany.ts`). */
export const explainMany: <P = unknown>(model: L.Model, inputs: Inputs, composite: CompositeSpec, opts?: ManyOptions<P>) => Promise<E.Either<ParallelError, Outcome<P>[]>> = explainManyOn(browserPlatform);

/** Starts `count` Web Workers now, for a pool started later with `startPoolOn(prestarted, …)` (see `prestart.ts`). */
export const prestart = (o: { readonly count: number; readonly worker?: URL }): Prestarted => prestartOn(browserPlatform, o);
