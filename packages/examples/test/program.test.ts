/**
 * The repository's `dtd`: the CLI's commands and the examples, each example's summary the loaded command's, and
 * every example answering --help.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { entries, memoryIo } from "@dtd/cli";
import { examples, run, table } from "../src/program.ts";

describe("the examples' command table", () => {
  test.each(examples.map((e) => e.name))("%s: the listed summary and name are the loaded command's", async (name) => {
    const entry = examples.find((e) => e.name === name)!;
    const command = await entry.load();
    expect(command.name).toBe(entry.name);
    expect(command.summary).toBe(entry.summary);
  });

  test("the CLI's commands first, then the examples; no name twice", () => {
    expect(table.map((e) => e.name)).toEqual([...entries.map((e) => e.name), "demo", "graphs", "real-model", "titanic"]);
    expect(new Set(table.map((e) => e.name)).size).toBe(table.length);
  });

  test("dtd --help lists the commands and the examples", async () => {
    const io = memoryIo();
    expect(await run(["--help"], io)).toBe(0);
    for (const c of ["explain", "check", "train", "demo", "graphs", "real-model", "titanic", "help"]) expect(io.out()).toMatch(new RegExp(`^  ${c}\\s`, "m"));
  });

  test.each(examples.map((e) => e.name))("dtd %s --help loads the example and prints its help", async (name) => {
    const io = memoryIo();
    expect(await run([name, "--help"], io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^dtd ${name} — `));
  });
});

describe("from the repository root", () => {
  test("pnpm dtd --version and pnpm dtd --help: the built executable of this package, with the examples", async () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const pnpm = (...args: string[]) => promisify(execFile)("pnpm", args, { cwd: root, encoding: "utf8" });
    const version = await pnpm("dtd", "--version");
    expect(version.stdout.trim().split("\n").at(-1)).toMatch(/^dtd \d+\.\d+\.\d+$/);
    const help = await pnpm("dtd", "--help");
    for (const c of ["explain", "import", "demo", "real-model", "titanic"]) expect(help.stdout).toMatch(new RegExp(`^  ${c}\\s`, "m"));
  });
});
