/**
 * Picking up a run that stopped (killed, crashed, out of time on a cluster): the output holds one complete line
 * per input already explained, in input order, because each batch's lines are written whole as soon as the batch
 * is done.
 * A line cut short by the stop is dropped, and so are the records of a batch the stop left incomplete: the run
 * goes on from the first input of that batch, so that every input is explained in the batch an uninterrupted run
 * puts it in — and the output is byte for byte the uninterrupted run's (with the same --batch-size).
 * @module
 */
import { existsSync, readFileSync, truncateSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import type { RecordStats } from "./records.ts";
import { statsOfRecord } from "./records.ts";

/** What an output already holds. */
export interface Done {
  /** The number of records kept (the inputs to skip): whole batches. */
  readonly count: number;
  readonly stats: readonly RecordStats[];
  /** The records dropped: of a batch left incomplete, and a last line cut short (counted as one). */
  readonly dropped: number;
}

/** The records of a JSONL text, each checked to be the record of input `first + k`. */
export const readRecords = (text: string, path: string, first = 0): E.Either<string, RecordStats[]> => {
  const out: RecordStats[] = [];
  const lines = text.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.trim() === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch {
      return E.left(`${path}:${k + 1}: expected a JSON record, found text that does not parse`);
    }
    const s = statsOfRecord(v);
    if (E.isLeft(s)) return E.left(`${path}:${k + 1}: ${s.left}`);
    const index = (v as { readonly index: number }).index;
    if (index !== first + out.length) return E.left(`${path}:${k + 1}: expected the record of input ${first + out.length}, found input ${index}`);
    out.push(s.right);
  }
  return E.right(out);
};

/**
 * What `path` already holds in whole batches of `batchSize` (nothing when it does not exist); the file is cut
 * after the last whole batch.
 */
export const alreadyDone = (path: string, batchSize: number): E.Either<string, Done> => {
  if (!existsSync(path)) return E.right({ count: 0, stats: [], dropped: 0 });
  const text = readFileSync(path, "utf8");
  const records = readRecords(text.slice(0, text.lastIndexOf("\n") + 1), path);
  if (E.isLeft(records)) return records;
  const count = Math.floor(records.right.length / batchSize) * batchSize;
  // The end of record `count`'s line: the count-th newline (records are one non-blank line each).
  let end = 0;
  for (let k = 0; k < count; k++) end = text.indexOf("\n", end) + 1;
  const dropped = records.right.length - count + (text.lastIndexOf("\n") + 1 < text.length ? 1 : 0);
  if (dropped > 0) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  return E.right({ count, stats: records.right.slice(0, count), dropped });
};
