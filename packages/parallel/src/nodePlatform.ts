/**
 * Node's threads for the pool: `worker_threads`, one per core by default (`os.availableParallelism()`), memory
 * shared through SharedArrayBuffer. Workers inherit the process's flags (e.g. `--conditions=dtd-dist`, under
 * which the workspace runs its own build). When the worker module is TypeScript — in the workspace, where the
 * packages run from their sources — the worker first registers tsx (a development dependency), since Node 20
 * runs no TypeScript and a worker does not inherit the loader of its parent; the published package is
 * JavaScript and spawns its worker directly.
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Platform, WorkerPort } from "./Platform.ts";
import type { Response } from "./internal/protocol.ts";
import { failureLatch } from "./internal/failureLatch.ts";

const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";

/** The package's own worker module. */
export const defaultWorker: URL = new URL(`./internal/nodeWorker.${extension}`, import.meta.url);

/** Registers tsx in the worker, then imports the worker module (CommonJS: eval'd workers are scripts). */
const BOOT = `
const { workerData } = require("node:worker_threads");
import(workerData.tsx).then((m) => { m.register(); return import(workerData.module); });
`;

/** tsx's ESM API (`tsx/esm/api`, its "import" target: require.resolve would give the CommonJS one). */
const tsxApi = (): string => {
  const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
  const target = (JSON.parse(readFileSync(manifest, "utf8")) as { exports: Record<string, { import: { default: string } }> }).exports["./esm/api"]!.import.default;
  return pathToFileURL(join(dirname(manifest), target)).href;
};
let tsx: string | undefined;

const start = (module: URL): Worker =>
  module.pathname.endsWith(".ts") ? new Worker(BOOT, { eval: true, workerData: { tsx: (tsx ??= tsxApi()), module: module.href } }) : new Worker(module);

/** A worker_threads worker as a pool's port. */
const port = (w: Worker): WorkerPort => {
  const { fail, onFailure, terminated } = failureLatch();
  // The death is reported on "exit", after Node has delivered every message the worker posted (it drains the
  // port first): the pool then knows exactly which batches were answered. "error" only says why.
  let why: string | undefined;
  w.on("error", (e: unknown) => (why ??= e instanceof Error ? e.message : String(e)));
  w.on("messageerror", (e: unknown) => (why ??= `a message could not be read: ${e instanceof Error ? e.message : String(e)}`));
  w.on("exit", (code: number) => fail(why ?? `the worker exited with code ${code}`));
  return {
    post: (message, transfer) => w.postMessage(message, [...transfer]),
    onMessage: (h) => void w.on("message", (m: Response) => h(m)),
    onFailure,
    terminate: async () => {
      terminated();
      await w.terminate();
    },
  };
};

/** Node's platform. */
export const nodePlatform: Platform = {
  name: "node",
  cores: () => availableParallelism(),
  shareMemory: () => true,
  spawn: (module) => port(start(module ?? defaultWorker)),
};
