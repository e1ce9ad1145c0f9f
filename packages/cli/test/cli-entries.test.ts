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
