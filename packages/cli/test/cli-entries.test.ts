/**
 * The command table lists each command's summary without loading it (so `dtd --help` loads no library): each
 * summary must be the one the loaded command declares.
 */
import { describe, expect, test } from "vitest";
import { entries } from "../src/run.ts";

describe("the command table", () => {
  test.each(entries.map((e) => e.name))("%s: the listed summary and name are the loaded command's", async (name) => {
    const entry = entries.find((e) => e.name === name)!;
    const command = await entry.load();
    expect(command.name).toBe(entry.name);
    expect(command.summary).toBe(entry.summary);
  });
});

describe("each command's help", () => {
  // A description's two-column list ("  name  text", continuation lines indented further) names each entry once:
  // check's help once listed its preconditions and roots twice (an old and a newer wording, one after the other).
  test.each(entries.map((e) => e.name))("%s: no entry of a listed section appears twice", async (name) => {
    const command = await entries.find((e) => e.name === name)!.load();
    const heads = (command.description ?? "").split("\n").flatMap((line) => /^ {2}([a-z][\w-]*) {2,}\S/.exec(line)?.[1] ?? []);
    expect(heads.filter((h, i) => heads.indexOf(h) !== i)).toEqual([]);
  });
});
