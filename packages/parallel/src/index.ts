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
import { explainManyOn } from "./explainMany.ts";
import { type PoolOptions, startPool as startPoolOn } from "./Pool.ts";

export * from "./core.ts";
export { serve } from "./browserServe.ts";
export { browserPlatform as platform } from "./browserPlatform.ts";

/** Starts a pool of Web Workers (see `Pool.ts`). */
export const startPool = (options: PoolOptions) => startPoolOn(browserPlatform, options);

/** Explains every input on a pool of Web Workers, in input order (see `explainMany.ts`). */
export const explainMany = explainManyOn(browserPlatform);
