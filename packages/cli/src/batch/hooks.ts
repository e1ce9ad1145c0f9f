/**
 * The hooks of `dtd explain`'s workers over many inputs (@dtd/parallel's `serve`): read each input — a JSON line,
 * or a folder's PNG or JSON file, read from disk in the worker — and turn each result into its JSONL record and,
 * with --png-dir, its picture as PNG bytes. All of it runs on every core; the main thread only writes.
 * `worker.ts` serves them in a worker thread; with --workers 0 the pool runs them in the main thread.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import type { Encodable, Encoded, ServeOptions } from "@dtd/parallel";
import * as Png from "@dtd/viz/png";
import { readBytes } from "../jsonNumbers.ts";
import { picture } from "../picture.ts";
import { decodeSample } from "../readInput.ts";
import { recordLine } from "./records.ts";

/** What the main thread tells its workers. */
export interface WorkerOptions {
  /** Samples are file paths to read (a folder's files), not the sample's bytes. */
  readonly paths: boolean;
  /** Also draw each explanation as a PNG. */
  readonly png: boolean;
  /** Names of vector features, for bar charts. */
  readonly featureNames?: readonly string[];
  /** The rules, for the pictures' titles. */
  readonly label: string;
}

/**
 * The payload of one input: its record line as UTF-8 bytes, newline included, and with --png-dir its picture.
 * Bytes, not a string: they are moved to the main thread (a string would be copied into its heap, and encoded
 * again by the write), which then hands a batch's lines to one `writev` as they are.
 */
export interface Payload {
  readonly line: Uint8Array;
  readonly png?: Uint8Array;
}

const utf8 = new TextEncoder();

const bytesOf = (s: Encoded, paths: boolean): E.Either<string, Uint8Array> =>
  paths ? readBytes(String(s.data)) : E.right(typeof s.data === "string" ? utf8.encode(s.data) : s.data);

/** The picture of a result as PNG bytes, for --png-dir (none for an input that failed or has non-finite values). */
const pictureOf = (e: Encodable, model: L.Model, o: WorkerOptions): Uint8Array | undefined => {
  const r = e.outcome.result;
  if (E.isLeft(r) || e.x === undefined || !r.right.consistency.finite) return undefined;
  const img = picture({
    inputShape: model.inputShape,
    x: Float64Array.from(e.x),
    R: Float64Array.from(r.right.R),
    title: `${o.label}: f(x) = ${r.right.f.toPrecision(6)}`,
    ...(o.featureNames === undefined ? {} : { featureNames: o.featureNames }),
  });
  return Png.encodePng(img);
};

/** The hooks. */
export const hooks: ServeOptions = {
  decode: (s, ctx) => {
    const o = ctx.options as WorkerOptions;
    return E.flatMap(bytesOf(s, o.paths), (bytes) => decodeSample(s.name ?? "input", bytes, ctx.inputShape, ctx.dtype));
  },
  encodeBatch: (results, ctx) => {
    const o = ctx.options as WorkerOptions;
    // The batch's lines in one buffer (views of it are the payloads' lines), moved to the main thread once: one
    // allocation and one transfer per batch instead of one per record.
    const texts = results.map((r) => `${recordLine(r.outcome, o.paths ? r.name : undefined)}\n`);
    const lines = new Uint8Array(texts.reduce((n, t) => n + Buffer.byteLength(t), 0));
    let at = 0;
    const payloads = texts.map((t, k): Payload => {
      const line = lines.subarray(at, (at += utf8.encodeInto(t, lines.subarray(at)).written));
      const png = o.png ? pictureOf(results[k]!, ctx.model, o) : undefined;
      return png === undefined ? { line } : { line, png };
    });
    return { payloads, transfer: [lines.buffer as ArrayBuffer, ...payloads.flatMap((p) => (p.png === undefined ? [] : [p.png.buffer as ArrayBuffer]))] };
  },
};
