/**
 * The trained networks of docs/graphs.md (`dtd graphs`, seed 0, 1500 steps; committed under
 * docs/examples/graphs/) explained from the command line: model files of version 2, canonized on the fly, w²,
 * z⁺ and zᵇ in the first layer with z⁺ above. With adds split by the rules every check holds; split
 * proportionally, the ResNet's heatmap leaks below an add and `dtd check` names the layer.
 */
import { describe, expect, test } from "vitest";
import { memoryIo } from "@dtd/cli";
import { run } from "../src/program.ts";

const file = (name: string): string => decodeURIComponent(new URL(`../../../docs/examples/graphs/${name}`, import.meta.url).pathname);

const dtd = async (...args: string[]) => {
  const io = memoryIo();
  const code = await run(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
};

const rules = { w2: ["--first-rule", "w2", "--rule", "zplus"], zplus: ["--rule", "zplus"], zb: ["--first-rule", "zb", "--rule", "zplus", "--low", "0", "--high", "1"] } as const;

describe.each(["resnet", "inception"])("docs/examples/graphs/%s.json", (net) => {
  test.each(Object.entries(rules))("check with %s, adds by the rules: every check holds on digits 3 and 5", async (_name, flags) => {
    for (const digit of ["digit-3.json", "digit-5.json"]) {
      const r = await dtd("check", "--model", file(`${net}.json`), "--input", file(digit), "--target", "argmax", ...flags, "--add", "rules", "--json");
      const report = JSON.parse(r.stdout) as { ok: boolean; consistency: { conservative: boolean; positive: boolean }; nodes: { ok: boolean } };
      expect(report.consistency.conservative && report.consistency.positive && report.nodes.ok, `${net} ${digit}`).toBe(true);
      expect(report.ok).toBe(true);
      expect(r.code).toBe(0);
    }
  });
});

test("split proportionally, the ResNet leaks below its projection add, and check names the layer", async () => {
  const r = await dtd("check", "--model", file("resnet.json"), "--input", file("digit-3.json"), "--target", "argmax", ...rules.zb);
  expect(r.stdout).toMatch(/^nodes {10}FAIL {2}relevance leaks first at layer 10 "b2_proj" \(conv2d\)/m);
  expect(r.stdout).toMatch(/^ {2}hint: add nodes are split proportionally .* --add rules splits each add/m);
  expect(r.code).toBe(1);
});

test("no add hint where the adds already follow the rules, or where nothing leaks", async () => {
  const byRules = await dtd("check", "--model", file("resnet.json"), "--input", file("digit-3.json"), "--target", "argmax", ...rules.zb, "--add", "rules");
  const inception = await dtd("check", "--model", file("inception.json"), "--input", file("digit-3.json"), "--target", "argmax", ...rules.zb);
  expect(byRules.stdout).not.toContain("hint:");
  expect(inception.stdout).not.toContain("hint:");
});

test("explain says what canonization folded", async () => {
  const r = await dtd("explain", "--model", file("inception.json"), "--input", file("digit-5.json"), "--target", "argmax", ...rules.zplus);
  expect(r.code).toBe(0);
  expect(r.stderr.match(/note: canonized: folded \S+ \(batchNorm\) into \S+, the layer before it/g)?.length).toBe(7);
});
