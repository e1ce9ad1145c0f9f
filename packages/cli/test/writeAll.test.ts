/**
 * writeAll: every byte of every buffer, in order — past IOV_MAX buffers, empty ones, and short writes (a fake
 * writev that takes only part of what it is given).
 */
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { expect, test } from "vitest";
import { writeAll } from "../src/batch/writeAll.ts";

const concat = (bs: readonly Uint8Array[]): number[] => bs.flatMap((b) => Array.from(b));

test("writes 3000 buffers (past IOV_MAX), empty ones included, whole and in order to a file", () => {
  const path = join(mkdtempSync(join(tmpdir(), "dtd-writeall-")), "out");
  const buffers = Array.from({ length: 3000 }, (_, i) => Buffer.from(i % 7 === 0 ? "" : `${i}\n`));
  const fd = openSync(path, "w");
  writeAll(fd, buffers);
  closeSync(fd);
  expect(readFileSync(path, "utf8")).toBe(buffers.map(String).join(""));
});

test("goes on after short writes, never writing a byte twice or out of order", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 30 }), fc.array(fc.nat(), { minLength: 1 }), (buffers, takes) => {
      const got: number[] = [];
      let call = 0;
      // Takes at least one byte and at most what it was given, as a real writev of a non-empty list does.
      const writev = (_fd: number, bs: Uint8Array[]): number => {
        const all = concat(bs);
        const n = Math.max(1, Math.min(all.length, takes[call++ % takes.length]! % (all.length + 1)));
        got.push(...all.slice(0, n));
        return n;
      };
      writeAll(-1, buffers, writev);
      expect(got).toEqual(concat(buffers));
    }),
  );
});
