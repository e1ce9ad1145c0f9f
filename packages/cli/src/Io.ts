/**
 * Where a command writes: `stdout` for the output it was asked for (a report, a JSON object, help), `stderr` for
 * everything else (warnings, progress, notes, error messages). Commands never touch `process` directly, so they
 * run in-process in tests with {@link memoryIo}.
 * @module
 */
// The declarations use Node's global `NodeJS` namespace: the reference makes a consumer's TypeScript load
// @types/node for them (TypeScript 6+ loads no @types package unless asked; `preserve` keeps it in the .d.ts).
/// <reference types="node" preserve="true" />
import { Writable } from "node:stream";

/** A writable stream that may be a terminal. */
export type OutStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** The streams of a command. */
export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
}

/** The process's own streams. */
export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr });

/** Writes a line (a trailing newline is added). */
export const line = (stream: OutStream, text = ""): void => {
  stream.write(`${text}\n`);
};

/** An in-memory stream that records what is written to it. */
export interface Recorder {
  readonly stream: OutStream;
  /** Everything written so far. */
  readonly text: () => string;
}

/** A recording stream; `isTTY` pretends to be a terminal (or not). */
export const recorder = (isTTY = false): Recorder => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === "string" ? chunk : chunk.toString("utf8"));
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY, columns: 100 }), text: () => chunks.join("") };
};

/** Streams that record, for running commands in-process; `text()` reads what each received. */
export const memoryIo = (opts: { readonly stderrIsTTY?: boolean } = {}): Io & { readonly out: () => string; readonly err: () => string } => {
  const out = recorder(false);
  const err = recorder(opts.stderrIsTTY ?? false);
  return { stdout: out.stream, stderr: err.stream, out: out.text, err: err.text };
};
