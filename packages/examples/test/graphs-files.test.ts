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

describe("--rule-at: rules by node name", () => {
  const explain = async (...flags: string[]) => {
    const r = await dtd("explain", "--model", file("resnet.json"), "--input", file("digit-3.json"), "--target", "argmax", "--add", "rules", "--json", ...flags);
    return { ...r, relevance: r.code === 0 ? (JSON.parse(r.stdout) as { relevance: number[] }).relevance : [] };
  };
  test("naming the one node that reads the input is --first-rule (w², and zᵇ with its box)", async () => {
    const [byName, byPlace] = await Promise.all([explain("--rule", "zplus", "--rule-at", "stem=w2"), explain(...rules.w2)]);
    expect(byName.code).toBe(0);
    expect(byName.relevance).toEqual(byPlace.relevance);
    const [zbByName, zbByPlace] = await Promise.all([explain("--rule", "zplus", "--rule-at", "stem=zb", "--low", "0", "--high", "1"), explain(...rules.zb)]);
    expect(zbByName.code).toBe(0);
    expect(zbByName.relevance).toEqual(zbByPlace.relevance);
  });
  test("a node inside the network changes the heatmap, and the explanation stays conservative", async () => {
    const [plain, mixed] = await Promise.all([explain(...rules.zb), explain(...rules.zb, "--rule-at", "b1_conv1=w2,b2_proj=w2")]);
    expect(mixed.code).toBe(0);
    expect(mixed.relevance).not.toEqual(plain.relevance);
    const r = await dtd("check", "--model", file("resnet.json"), "--input", file("digit-3.json"), "--target", "argmax", "--add", "rules", ...rules.zb, "--rule-at", "b1_conv1=w2", "--json");
    expect((JSON.parse(r.stdout) as { consistency: { conservative: boolean } }).consistency.conservative).toBe(true);
  });
  test("refused with the names it accepts: an unknown node, a node without a rule, a bad pair, a name twice, zb without a box", async () => {
    const unknown = await explain("--rule", "zplus", "--rule-at", "nosuch=w2");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--rule-at: expected a dense, conv2d or depthwiseConv2d node of the model, found no node of that name for "nosuch" \(such nodes: stem, b1_conv1/);
    const notAffine = await explain("--rule", "zplus", "--rule-at", "b1_add=w2");
    expect(notAffine.code).toBe(2);
    expect(notAffine.stderr).toMatch(/found a add node for "b1_add"/);
    for (const [v, msg] of [
      ["stem", /expected NODE=RULE \(comma-separated\), found "stem"/],
      ["stem=w3", /--rule-at: stem: expected one of w2, zplus, zb, found "w3"/],
      ["stem=w2,stem=zplus", /node "stem" is given twice/],
      ["stem=zb", /the zb rule needs the box/],
    ] as const) {
      const r = await explain("--rule", "zplus", "--rule-at", v);
      expect(r.code, v).toBe(2);
      expect(r.stderr, v).toMatch(msg);
    }
  });
});
