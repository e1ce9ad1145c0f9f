/**
 * Where many inputs come from: a `.npy` array [N, ...] (read whole into shared memory: workers read the samples
 * in place), a `.jsonl` file (one sample per line, a JSON array in the model's input layout, flat or nested;
 * streamed, and parsed in the workers), or a folder of `.png` and `.json` files, one sample each (read as
 * `dtd explain --input` reads one; read and decoded in the workers), in name order. A source knows how many inputs it has
 * before the run (for the progress bar) and can skip the first k (for --resume).
 * @module
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { encoded, type Inputs, type Sample } from "@dtd/parallel";
import { readBytes } from "../jsonNumbers.ts";
import { decodeSample } from "../readInput.ts";
import { readNpy } from "./npy.ts";

/** A source of inputs. */
export interface Source {
  readonly kind: "npy" | "jsonl" | "folder";
  /** The number of inputs. */
  readonly total: number;
  /** The inputs from the k-th on. */
  readonly from: (k: number) => Inputs;
  /** The file of input i, for a folder (the record's "file"). */
  readonly file: (i: number) => string | undefined;
  /** The first input's values (to check canonization on), or why it cannot be read. */
  readonly first: () => E.Either<string, Float64Array>;
}

export { isMany } from "./early.ts";

const CHUNK = 1 << 20;
const NEWLINE = 10;

/** The non-blank lines of a file, streamed in chunks, each with its line number (from 1). */
function* lines(path: string): Generator<{ readonly text: Uint8Array; readonly line: number }> {
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(CHUNK);
    let carry = new Uint8Array(0);
    let line = 0;
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      pos += n;
      const data = carry.length === 0 ? buf.subarray(0, n) : concat(carry, buf.subarray(0, n));
      let start = 0;
      for (let i = data.indexOf(NEWLINE); i >= 0; i = data.indexOf(NEWLINE, start)) {
        line++;
        // Each line is its own copy: a view would post the whole chunk to the worker.
        if (!blank(data, start, i)) yield { text: data.slice(start, i), line };
        start = i + 1;
      }
      carry = data.slice(start);
      if (n === 0) break;
    }
    if (!blank(carry, 0, carry.length)) yield { text: carry, line: line + 1 };
  } finally {
    closeSync(fd);
  }
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

const blank = (d: Uint8Array, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if (d[i] !== 32 && d[i] !== 9 && d[i] !== 13) return false;
  return true;
};

/** Counts the non-blank lines of a file without keeping them. */
const countLines = (path: string): number => {
  let n = 0;
  for (const _ of lines(path)) n++;
  return n;
};

const jsonlSource = (path: string, inputShape: readonly number[], dtype: T.DType): E.Either<string, Source> => {
  const total = countLines(path);
  const name = basename(path);
  function* from(k: number): Generator<Sample> {
    let i = 0;
    for (const l of lines(path)) if (i++ >= k) yield encoded(l.text, `${name}:${l.line}`);
  }
  return E.right({
    kind: "jsonl",
    total,
    from,
    file: () => undefined,
    first: () => {
      for (const l of lines(path)) return decodeSample(`${name}:${l.line}`, l.text, inputShape, dtype);
      return E.left(`${path}: no input (every line is blank)`);
    },
  });
};

const npySource = (path: string, inputShape: readonly number[], dtype: T.DType): E.Either<string, Source> =>
  E.flatMap(readNpy(path, { shared: true }), (a): E.Either<string, Source> => {
    const d = T.Shape.size(inputShape);
    const N = a.shape[0] ?? 0;
    if (a.shape.length < 1 || T.Shape.size(a.shape.slice(1)) !== d) {
      return E.left(`${path}: expected an array [N, ${inputShape.join(", ")}] (or [N, ${d}]: one sample of the model's input per row), found shape (${a.shape.join(", ")})`);
    }
    // In the model's dtype, still in shared memory (a float64 file for a float32 model is rounded once, here).
    let data = a.data;
    if (a.dtype !== dtype) {
      const bytes = new SharedArrayBuffer(a.data.length * (dtype === "float32" ? 4 : 8));
      data = dtype === "float32" ? new Float32Array(bytes) : new Float64Array(bytes);
      data.set(a.data);
    }
    return E.right({
      kind: "npy",
      total: N,
      from: (k) => unsafeMake([N - k, ...inputShape], data.subarray(k * d)),
      file: () => undefined,
      first: () => (N === 0 ? E.left(`${path}: no input (shape (${a.shape.join(", ")}))`) : E.right(Float64Array.from(data.subarray(0, d)))),
    });
  });

const SAMPLE_FILES = [".png", ".json"];

const folderSource = (dir: string, inputShape: readonly number[], dtype: T.DType): E.Either<string, Source> => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => SAMPLE_FILES.includes(extname(f).toLowerCase())).sort();
  } catch (u) {
    return E.left(`cannot read the folder ${dir}: ${u instanceof Error ? u.message : String(u)}`);
  }
  if (names.length === 0) return E.left(`${dir}: expected .png or .json files (one sample each), found none`);
  // The workers read the files themselves (the record is the path): reading and decoding run on every core.
  function* from(k: number): Generator<Sample> {
    for (const f of names.slice(k)) yield encoded(join(dir, f), f);
  }
  return E.right({
    kind: "folder",
    total: names.length,
    from,
    file: (i) => names[i],
    first: () => E.flatMap(readBytes(join(dir, names[0]!)), (b) => decodeSample(names[0]!, b, inputShape, dtype)),
  });
};

/** The source of a path: a folder, a .jsonl or a .npy file. */
export const openSource = (path: string, inputShape: readonly number[], dtype: T.DType): E.Either<string, Source> => {
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return npySource(path, inputShape, dtype);
  if (ext === ".jsonl") {
    try {
      statSync(path);
    } catch {
      return E.left(`cannot read ${path}: no such file`);
    }
    return jsonlSource(path, inputShape, dtype);
  }
  return folderSource(path, inputShape, dtype);
};
