/**
 * The flags of `dtd explain` over many inputs (a folder, a .jsonl or a .npy file as --input).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type CliError, usage } from "../CliError.ts";
import type { Flags } from "../Command.ts";
import { integerFlag } from "../integerFlag.ts";

/**
 * The most worker threads `--workers` takes. Each worker is a JavaScript engine with its own heap (~16 MB before
 * it explains anything): `--workers 999` once took 16 GB and a load of 280 on a 2-core machine. More workers than
 * cores add memory and start-up, not speed; the bound only stops a typo from exhausting the machine.
 */
export const maxWorkers = 256;

export const manyFlags = {
  out: { type: "string", value: "FILE", description: "many inputs: the JSONL file of the results, one line per input in input order, written as they finish" },
  workers: { type: "string", value: "N|auto", description: `many inputs: worker threads, at most one per batch (default auto: one per core; 0: this thread; at most ${maxWorkers})` },
  "batch-size": { type: "string", value: "N", description: "many inputs: inputs explained together by a worker (default 64)" },
  "png-dir": { type: "string", value: "DIR", description: "many inputs: also draw each explanation as DIR/<index>.png" },
  resume: { type: "boolean", description: "many inputs: keep the results already in --out (e.g. of a run that was killed) and explain the rest" },
} as const satisfies Flags;

/** The options of a run over many inputs. */
export interface ManyOptions {
  readonly out: string;
  readonly workers: number | "auto";
  readonly batchSize: number;
  readonly pngDir: string | undefined;
  readonly resume: boolean;
}

/** The options from the flags (usage errors first). */
export const parseManyOptions = (values: { readonly out: string | undefined; readonly workers: string | undefined; readonly "batch-size": string | undefined; readonly "png-dir": string | undefined; readonly resume: boolean }): E.Either<CliError, ManyOptions> => {
  if (values.out === undefined) return E.left(usage("explaining many inputs writes JSONL: give --out FILE (one line per input, in input order)"));
  const workers = values.workers === undefined || values.workers === "auto" ? E.right<CliError, number | "auto">("auto") : integerFlag("workers", values.workers, 0);
  if (E.isLeft(workers)) return workers;
  if (workers.right !== "auto" && workers.right > maxWorkers)
    return E.left(usage(`--workers: expected an integer from 0 to ${maxWorkers} (one worker per core is the fastest; each is an engine with its own memory), found "${values.workers}"`));
  const batchSize = integerFlag("batch-size", values["batch-size"] ?? "64", 1);
  if (E.isLeft(batchSize)) return batchSize;
  return E.right({ out: values.out, workers: workers.right, batchSize: batchSize.right, pngDir: values["png-dir"], resume: values.resume });
};

/** The flags that only make sense with many inputs, when given with one. */
export const manyOnly = (values: { readonly out: string | undefined; readonly workers: string | undefined; readonly "batch-size": string | undefined; readonly "png-dir": string | undefined; readonly resume: boolean }): string[] =>
  (["out", "workers", "batch-size", "png-dir", "resume"] as const).filter((k) => (k === "resume" ? values[k] : values[k] !== undefined)).map((k) => `--${k}`);
