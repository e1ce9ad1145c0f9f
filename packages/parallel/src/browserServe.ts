/**
 * `serve` for Web Worker modules: answers the pool on the worker's global scope. A custom worker module calls it
 * with its hooks and is given to the pool as `worker`.
 * @module
 */
import { type ServeOptions, serveOn } from "./serve.ts";
import type { Request, Response } from "./internal/protocol.ts";

/** The slice of a dedicated worker's global scope used here. */
interface WorkerScope {
  onmessage: ((e: { readonly data: Request }) => void) | null;
  postMessage: (message: Response, transfer: ArrayBuffer[]) => void;
}

/** Whether this code runs in a dedicated worker (not on a page, not in Node). */
const inWorker = (): boolean => {
  const ctor = (globalThis as { constructor?: { name?: string } }).constructor?.name;
  return ctor === "DedicatedWorkerGlobalScope";
};

/** Serves the pool from this Web Worker (does nothing elsewhere, so importing it is harmless). */
export const serve = (options: ServeOptions = {}): void => {
  if (!inWorker()) return;
  const scope = globalThis as unknown as WorkerScope;
  serveOn({ post: (m, transfer) => scope.postMessage(m, [...transfer]), listen: (h) => (scope.onmessage = (e) => h(e.data)) }, options);
};
