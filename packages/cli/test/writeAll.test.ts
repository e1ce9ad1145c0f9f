/**
 * writeAll: every byte of every buffer, in order — past IOV_MAX buffers, empty ones, views of one buffer (joined
 * where contiguous), and short writes (a fake writev that takes only part of what it is given).
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

test("contiguous views of one buffer go as one; views out of order, apart or of other buffers stay apart, in order", () => {
  const calls: Uint8Array[][] = [];
  const writev = (_fd: number, bs: Uint8Array[]): number => {
    calls.push(bs);
    return bs.reduce((n, b) => n + b.length, 0);
  };
  const a = Uint8Array.from({ length: 12 }, (_, i) => i);
  const b = Uint8Array.of(100, 101);
  const parts = [a.subarray(0, 3), a.subarray(3, 3), a.subarray(3, 5), a.subarray(5, 9), b, a.subarray(9, 12), a.subarray(0, 2), a.subarray(3, 4)];
  writeAll(-1, parts, writev);
  expect(calls.length).toBe(1);
  expect(calls[0]!.map((v) => [v.buffer === a.buffer ? "a" : "b", v.byteOffset, v.length])).toEqual([["a", 0, 9], ["b", 0, 2], ["a", 9, 3], ["a", 0, 2], ["a", 3, 1]]);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }), (bytes, cuts) => {
      const views = cuts.map(([x, y]) => bytes.subarray(Math.min(x, y) % bytes.length, Math.max(x, y) % (bytes.length + 1)));
      const got: Uint8Array[][] = [];
      writeAll(-1, views, (_fd, bs) => (got.push(bs), bs.reduce((n, v) => n + v.length, 0)));
      expect(concat(got.flat())).toEqual(concat(views));
    }),
  );
});
