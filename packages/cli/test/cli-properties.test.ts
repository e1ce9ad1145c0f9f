/**
 * `dtd check --properties`: a rule property-tested on random networks, in-process. A sound rule passes; a wrong
 * rule of the user's own (a module) fails with the node, neuron, step and where its root leaves the domain, and the
 * smallest failing case is written as a model file and an input file that `dtd check` then opens.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../src/Io.ts";
import { run } from "../src/run.ts";
import { writeFiles } from "./cliFixtures.ts";

const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};
const fixture = fileURLToPath(new URL("./fixtures/wPlusSquared.strategy.ts", import.meta.url));

describe("dtd check --properties", () => {
  test("a sound rule of the deck: every property holds, exit 0", async () => {
    const r = await dtd("check", "--properties", "--rule", "zplus", "--runs", "6", "--seed", "1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("rule zplus: 4 of 4 properties hold");
  });
  test("a wrong rule of your own: the failure, the smallest failing case, its files — which dtd check opens", async () => {
    const out = join(writeFiles({}).dir!, "cases");
    const r = await dtd("check", "--properties", "--strategy", fixture, "--runs", "30", "--seed", "7", "--out", out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}FAIL {2}rootsAreRoots/m);
    expect(r.stdout).toMatch(/first: layer 0 \(dense, rule w\+\^2\), sample \d, neuron \d+: outsideDomain — the root at s = [\d.e-]+ leaves the domain at input unit \d+ \(x̃ = -[\d.e-]+, expected x ≥ 0\)/);
    expect(r.stdout).toContain("smallest failing case (shrunk by fast-check; replay with seed 7");
    const model = join(out, "rootsAreRoots.model.json");
    const input = join(out, "rootsAreRoots.input.json");
    expect(r.stdout).toContain(`saved    ${model} and ${input}`);
    expect(existsSync(model) && existsSync(input)).toBe(true);
    expect(JSON.parse(readFileSync(model, "utf8")).metadata.counterexample).toMatch(/^rule w\+\^2, property rootsAreRoots: \d+ root violation/);
    // The deck's rules on that network and input: z⁺ holds everywhere (the network meets its preconditions).
    const again = await dtd("check", "--model", model, "--input", input, "--first-rule", "zplus", "--rule", "zplus");
    expect(again.stdout).toMatch(/^result\s+every check holds$/m);
  });
  test("refusals: no rule, both, a model given, a module without a strategy", async () => {
    expect((await dtd("check", "--properties")).stderr).toMatch(/--properties needs exactly one of --rule \(w2, zplus, zb\) and --strategy FILE/);
    expect((await dtd("check", "--properties", "--rule", "zplus", "--model", "m.json")).stderr).toMatch(/--model and --input do not apply/);
    expect((await dtd("check", "--properties", "--rule", "zb")).stderr).toMatch(/needs numbers --low and --high/);
    expect((await dtd("check", "--properties", "--rule", "zplus", "--runs", "0")).stderr).toMatch(/--runs: expected an integer ≥ 1, found "0"/);
    const p = writeFiles({ "empty.mjs": "export const x = 1;\n" });
    const r = await dtd("check", "--properties", "--strategy", p["empty.mjs"]!);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--strategy: expected .*empty\.mjs to export a Strategy as its default export or as `strategy`/);
  });
});
