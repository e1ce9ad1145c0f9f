/**
 * Workers started ahead of their pool. Starting a worker costs the time to load its modules (the libraries, a
 * custom worker's hooks): a few hundred milliseconds that the calling thread would otherwise wait for after
 * preparing the model. Started first, the workers load their code on the other cores while this thread reads
 * the model and the inputs; `startPoolOn(prestarted, …)` then takes them (a pool asking for more workers, or
 * for another module, has the rest started as usual), and `release` stops those no pool took.
 * @module
 */
import type { Platform, WorkerPort } from "./Platform.ts";

/** A platform whose first workers are already running. */
export interface Prestarted extends Platform {
  /** Stops the workers no pool has taken (idempotent); a program that gives up before its pool calls it. */
  readonly release: () => Promise<void>;
}

/**
 * A started port whose death before the pool listens is kept and reported when it does (a pool would otherwise
 * wait for a worker that is gone).
 */
const holding = (port: WorkerPort): WorkerPort => {
  let died: string | undefined;
  let report: ((reason: string) => void) | undefined;
  port.onFailure((reason) => (report === undefined ? (died = reason) : report(reason)));
  return {
    ...port,
    onFailure: (h) => {
      report = h;
      if (died !== undefined) queueMicrotask(() => h(died!));
    },
  };
};

/** Starts `count` workers running `worker` (the package's own by default) now, for a pool started later on `platform`. */
export const prestartOn = (platform: Platform, o: { readonly count: number; readonly worker?: URL }): Prestarted => {
  const ready: WorkerPort[] = Array.from({ length: o.count }, () => holding(platform.spawn(o.worker)));
  const href = o.worker?.href;
  return {
    name: platform.name,
    cores: platform.cores,
    shareMemory: platform.shareMemory,
    spawn: (module) => (module?.href === href ? ready.shift() : undefined) ?? platform.spawn(module),
    release: async () => {
      await Promise.all(ready.splice(0).map((p) => p.terminate()));
    },
  };
};
