/**
 * Starting worker threads before anything else is loaded (`@dtd/parallel/prestart`, Node): this module loads
 * only Node's platform, none of the libraries, so that a program can start its workers first thing — they load
 * their code on the other cores while the program loads its own — and hand them to a pool later
 * (`startPoolOn(prestarted, options)` from `@dtd/parallel`).
 * @module
 */
import { nodePlatform } from "./nodePlatform.ts";
import { type Prestarted, prestartOn } from "./prestart.ts";

export type { Prestarted } from "./prestart.ts";

/** Starts `count` worker threads now, for a pool started later with `startPoolOn(prestarted, …)` (see `prestart.ts`). */
export const prestart = (o: { readonly count: number; readonly worker?: URL }): Prestarted => prestartOn(nodePlatform, o);
