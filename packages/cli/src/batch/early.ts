/**
 * The workers of `dtd explain` over many inputs, started before the command's libraries load. Loading them
 * (~730 kB of bundled code, ~0.1 s of this thread) came first, and the workers were started only then, when
 * `runMany` ran: started from the raw command line instead, they load their own code on the other cores
 * meanwhile. Only `--input` (a folder, a .jsonl or a .npy file) and `--workers` are read here, leniently; the
 * command parses and checks everything as usual, takes the workers (`takeEarly`), and those it does not take —
 * a refused command line, `--help` — are stopped when the command ends (`releaseEarly`).
 * This module loads no library: only Node's platform of @dtd/parallel.
 * @module
 */
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { parseArgs } from "node:util";
import { type Prestarted, prestart } from "@dtd/parallel/prestart";

const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";

/** The worker module of `dtd explain` over many inputs (`worker.ts`; `worker.js` beside the bundle's chunks). */
export const workerModule = new URL(`./worker.${extension}`, import.meta.url);

/** Whether a path names many inputs (a folder, a .jsonl or a .npy file) rather than one sample. */
export const isMany = (path: string): boolean => {
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl" || ext === ".npy") return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

let early: Prestarted | undefined;

/**
 * Starts the workers that `dtd explain <argv>` will ask for, when it explains many inputs: `--workers N` or auto
 * (one per core), never more than the cores. Anything it cannot read starts nothing (the command says what is wrong).
 */
export const startEarly = (argv: readonly string[]): void => {
  let values: { readonly input?: string | boolean; readonly workers?: string | boolean; readonly help?: string | boolean };
  try {
    values = parseArgs({ args: [...argv], options: { input: { type: "string" }, workers: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: false, allowPositionals: true }).values;
  } catch {
    return;
  }
  if (values.help === true || typeof values.input !== "string" || !isMany(values.input)) return;
  const w = values.workers;
  const workers = w === undefined || w === "auto" ? availableParallelism() : typeof w === "string" && /^\d+$/.test(w) ? Number(w) : 0;
  const count = Math.min(workers, availableParallelism());
  if (count > 0 && early === undefined) early = prestart({ count, worker: workerModule });
};

/** The workers started early, for the run to take (once); undefined when none were. */
export const takeEarly = (): Prestarted | undefined => {
  const e = early;
  early = undefined;
  return e;
};

/** Stops the workers started early that no run took. */
export const releaseEarly = async (): Promise<void> => {
  await takeEarly()?.release();
};
