/**
 * Writing many buffers at once: `dtd explain` over many inputs writes each batch's records with one `writev`.
 * @module
 */
import { writevSync } from "node:fs";

/** The most buffers one writev takes (IOV_MAX on Linux and macOS): more fail with EINVAL. */
const IOV_MAX = 1024;

/** The non-empty buffers, each run of contiguous views of one ArrayBuffer joined into one view (the same bytes). */
const joined = (buffers: readonly Uint8Array[]): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (const b of buffers) {
    if (b.length === 0) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.buffer === b.buffer && last.byteOffset + last.length === b.byteOffset) out[out.length - 1] = new Uint8Array(b.buffer, last.byteOffset, last.length + b.length);
    else out.push(b);
  }
  return out;
};

/**
 * Writes the buffers whole and in order at the file's position: writev, at most IOV_MAX buffers at a time, going
 * on after a short write (which a regular file rarely gives, but may). Views that follow each other in one buffer
 * (a batch's records, formatted into one buffer by a worker) go as one. `writev` is `fs.writevSync` but in tests.
 */
export const writeAll = (fd: number, buffers: readonly Uint8Array[], writev: (fd: number, b: Uint8Array[]) => number = writevSync): void => {
  let rest = joined(buffers);
  while (rest.length > 0) {
    const chunk = rest.slice(0, IOV_MAX);
    let written = writev(fd, chunk);
    let k = 0;
    while (k < chunk.length && written >= chunk[k]!.length) written -= chunk[k++]!.length;
    rest = k < chunk.length ? [chunk[k]!.subarray(written), ...rest.slice(k + 1)] : rest.slice(k);
  }
};
