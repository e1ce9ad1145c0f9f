/**
 * Writing many buffers at once: `dtd explain` over many inputs writes each batch's records with one `writev`.
 * @module
 */
import { writevSync } from "node:fs";

/** The most buffers one writev takes (IOV_MAX on Linux and macOS): more fail with EINVAL. */
const IOV_MAX = 1024;

/**
 * Writes the buffers whole and in order at the file's position: writev, at most IOV_MAX buffers at a time, going
 * on after a short write (which a regular file rarely gives, but may). `writev` is `fs.writevSync` but in tests.
 */
export const writeAll = (fd: number, buffers: readonly Uint8Array[], writev: (fd: number, b: Uint8Array[]) => number = writevSync): void => {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    const chunk = rest.slice(0, IOV_MAX);
    let written = writev(fd, chunk);
    let k = 0;
    while (k < chunk.length && written >= chunk[k]!.length) written -= chunk[k++]!.length;
    rest = k < chunk.length ? [chunk[k]!.subarray(written), ...rest.slice(k + 1)] : rest.slice(k);
  }
};
