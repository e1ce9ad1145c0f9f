/**
 * The browser's threads for the pool: module Web Workers, one per logical core by default
 * (`navigator.hardwareConcurrency`). Weights are shared through SharedArrayBuffer when the page is cross-origin
 * isolated (served with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
 * require-corp`); otherwise each worker receives its own copy, once, when it starts. The default worker module
 * is found next to this file (`new URL("./internal/browserWorker.js", import.meta.url)`); a bundler that
 * cannot follow it, or a page that wants its own hooks, passes `worker` (a module URL) to the pool.
 * @module
 */
import type { Platform, WorkerPort } from "./Platform.ts";
import type { Request, Response } from "./internal/protocol.ts";
import { failureLatch } from "./internal/failureLatch.ts";

/** The slice of the DOM's Worker used here (the package compiles without the DOM library). */
interface WebWorker {
  postMessage: (message: Request, transfer: ArrayBuffer[]) => void;
  terminate: () => void;
  onmessage: ((e: { readonly data: Response }) => void) | null;
  onerror: ((e: { readonly message?: string; preventDefault?: () => void }) => void) | null;
  onmessageerror: (() => void) | null;
}
type WebWorkerConstructor = new (url: URL, options: { type: "module"; name?: string }) => WebWorker;

interface BrowserGlobals {
  readonly Worker?: WebWorkerConstructor;
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly crossOriginIsolated?: boolean;
}
const g = globalThis as BrowserGlobals;

/** The package's own worker module. */
export const defaultWorker = (): URL => new URL("./internal/browserWorker.js", import.meta.url);

const port = (w: WebWorker): WorkerPort => {
  const { fail, onFailure, terminated } = failureLatch();
  w.onerror = (e) => {
    e.preventDefault?.();
    fail(e.message ?? "the worker failed (a script error, or its module could not be loaded)");
  };
  w.onmessageerror = () => fail("a message could not be read");
  return {
    post: (message, transfer) => w.postMessage(message, [...transfer]),
    onMessage: (h) => (w.onmessage = (e) => h(e.data)),
    onFailure,
    terminate: async () => {
      terminated();
      w.terminate();
    },
  };
};

/** The browser's platform. */
export const browserPlatform: Platform = {
  name: "browser",
  cores: () => g.navigator?.hardwareConcurrency ?? 1,
  shareMemory: () => typeof SharedArrayBuffer !== "undefined" && g.crossOriginIsolated === true,
  spawn: (module) => {
    const W = g.Worker;
    if (W === undefined) throw new Error("@dtd/parallel: this environment has no Web Workers (use workers: 0, or the Node entry point)");
    return port(new W(module ?? defaultWorker(), { type: "module", name: "dtd-parallel" }));
  },
};
