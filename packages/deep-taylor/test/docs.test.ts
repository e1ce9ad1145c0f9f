/**
 * The pages cannot drift from the code: docs/examples/new-rule.ts is run and its results checked by hand, every
 * code block of docs/how-to-new-rule.md is a region of that file, the code blocks of the root README and of this
 * package's README are regions of docs/examples/readme-*.ts (type-checked by tsconfig.root.json, run here), and the
 * worked example of docs/deep-taylor.md is recomputed. Files outside the package are imported at run time
 * (`docFiles.ts`), so this package's type check needs neither Node's types nor the examples (tsconfig.root.json
 * type-checks them).
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Baselines as B } from "@dtd/deep-taylor";
import { blocksOf, importAt, loadRaw, regionsOf, resolve } from "./docFiles.ts";

/** The report of the example, as far as this test reads it. */
interface Report {
  readonly f: number;
  readonly R: readonly number[];
  readonly sumR: number;
  readonly p2: readonly number[];
  readonly wPower: Readonly<Record<"conservative" | "positive" | "rootsAreRoots" | "matchesNaiveEq4", string>>;
  readonly zRule: Readonly<Record<"conservative" | "positive", string>>;
  readonly wPlusSquared: Readonly<Record<"conservative" | "positive" | "rootsAreRoots", string>>;
  readonly report: string;
}
const isReport = (r: unknown): r is Report =>
  typeof r === "object" && r !== null && ["f", "R", "sumR", "p2", "wPower", "zRule", "wPlusSquared", "report"].every((k) => k in r);

/** Where the example saves its counterexamples (.cache is ignored by git). */
const casesDir = resolve("../../../.cache/how-to-counterexamples");

const runExample = async (numRuns: number): Promise<Report> => {
  const m = await importAt("../../../docs/examples/new-rule.ts");
  const run = typeof m === "object" && m !== null && "prototypeNewRule" in m ? m.prototypeNewRule : undefined;
  if (typeof run !== "function") throw new Error("expected docs/examples/new-rule.ts to export a function prototypeNewRule");
  const report: unknown = run(numRuns, casesDir);
  if (!isReport(report)) throw new Error(`unexpected report: ${JSON.stringify(report)}`);
  return report;
};

/** The ```text block after `marker` on a page. */
const textBlockAfter = (markdown: string, marker: string): string[] => {
  const at = markdown.indexOf(marker);
  const m = /```text\n([\s\S]*?)^```$/m.exec(markdown.slice(at));
  if (at < 0 || m === null) throw new Error(`no text block after "${marker}"`);
  return m[1]!.replace(/\n$/, "").split("\n");
};

describe("docs/examples/new-rule.ts", () => {
  test("derives the w⁴-rule and explains the deck's network as computed by hand; w² at p = 2", async () => {
    const r = await runExample(15);
    expectAllClose(r.f, 4.5, { atol: 1e-12 });
    // R_j = [3.5, 1]; column sums of w⁴: 1 + 16 + 1 = 18 and 16 + 1 + 81 = 98
    expectAllClose(r.R, [3.5 / 18 + 16 / 98, (3.5 * 16) / 18 + 1 / 98, 3.5 / 18 + 81 / 98], { atol: 1e-12 });
    expectAllClose(r.sumR, 4.5, { atol: 1e-12 });
    const m = L.build([3], L.sequential(L.detection(T.of([1, -2, 2, 1, -1, 3], [3, 2]), T.of([-1, -0.5], [2])), L.sumPool()));
    if (E.isLeft(m)) throw new Error("build");
    const w2 = DT.explain(m.right, T.of([1, 2, 0.5], [1, 3]), DT.uniform(DT.deriveRule(DT.w2)));
    if (E.isLeft(w2)) throw new Error(DT.message(w2.left));
    expectAllClose(r.p2, w2.right.R, { atol: 1e-12 });
    // the property reports the page quotes
    expect(r.wPower).toEqual({ conservative: "ok", positive: "ok", rootsAreRoots: "ok", matchesNaiveEq4: "ok" });
    expect(r.zRule.conservative).toBe("ok");
    expect(r.zRule.positive).toMatch(/^not positive \(sample \d+\): min_p R_p = -\d.*; negative relevance first appears in .* passed down by layer \d+ \(\w+, rule z\): unit \d+ of sample \d+ receives R = -\d/);
    expect(r.wPlusSquared.conservative).toBe("ok");
    expect(r.wPlusSquared.positive).toBe("ok");
    expect(r.wPlusSquared.rootsAreRoots).toMatch(/^\d+ root violation\(s\) among \d+ active neurons; first: layer 0 \((dense|conv2d), rule w\+\^2\), sample \d+, neuron \d+: outsideDomain — the root at s = [\d.e-]+ leaves the domain at input unit \d+ \(x̃ = -[\d.e-]+, expected x ≥ 0\)/);
    // the report as the page shows it (seeded: the same text, with the example's folder for "out")
    const page = textBlockAfter(await loadRaw("../../../docs/how-to-new-rule.md"), "For the w⁺² rule (seed 2017");
    expect(r.report.split(`${casesDir}/`).join("out/").split("\n")).toEqual(page);
    expect(r.report).toContain(`${casesDir}/rootsAreRoots.model.json and ${casesDir}/rootsAreRoots.input.json`);
  });
});

describe("docs/how-to-new-rule.md", () => {
  test("every code block is a region of the example, and every region is shown", async () => {
    const regions = regionsOf(await loadRaw("../../../docs/examples/new-rule.ts"));
    const blocks = blocksOf(await loadRaw("../../../docs/how-to-new-rule.md"));
    expect([...regions.keys()].sort()).toEqual(["explain", "imports", "not-positive", "outside-domain", "properties", "report", "strategy"]);
    expect([...blocks.keys()].sort()).toEqual([...regions.keys()].sort());
    for (const [name, code] of regions) expect(blocks.get(name), `region ${name}`).toBe(code);
  });
  test("has no code block outside the regions", async () => {
    const markdown = await loadRaw("../../../docs/how-to-new-rule.md");
    expect((markdown.match(/^```ts$/gm) ?? []).length).toBe(blocksOf(markdown).size);
  });
});

describe("the READMEs' code blocks", () => {
  const cases = [
    ["../../../README.md", { readme: "../../../docs/examples/readme-rule.ts", graph: "../../../docs/examples/readme-graph.ts" }],
    ["../README.md", { "at-a-glance": "../../../docs/examples/readme-deep-taylor.ts" }],
  ] as const;
  test.each(cases)("%s: every ts block is a region of an example (type-checked by tsconfig.root.json)", async (page, examples) => {
    const markdown = await loadRaw(page);
    expect([...blocksOf(markdown).keys()]).toEqual(Object.keys(examples));
    expect((markdown.match(/^```ts$/gm) ?? []).length).toBe(Object.keys(examples).length);
    for (const [region, example] of Object.entries(examples)) expect(blocksOf(markdown).get(region), region).toBe(regionsOf(await loadRaw(example)).get(region));
  });
  test("run, they compute what their comments say", async () => {
    const rule = (await importAt("../../../docs/examples/readme-rule.ts")) as { readmeRule: { f: number; R: number[] } };
    expectAllClose(rule.readmeRule.f, 4.5, { atol: 1e-12 });
    expectAllClose(rule.readmeRule.R, [0.7, 3.5 * 0.8 + 2 / 3.5, 1.5 / 3.5], { atol: 1e-12 });
    const glance = (await importAt("../../../docs/examples/readme-deep-taylor.ts")) as { atAGlance: { consistent: boolean; violations: number; refused: string; R: number[] } };
    expect(glance.atAGlance.consistent).toBe(true);
    expect(glance.atAGlance.violations).toBe(0);
    expect(glance.atAGlance.refused).toBe("precondition of rule zplus violated at layer 0 (dense), input unit 1 of sample 0: expected x ≥ 0, found -2");
    const graph = (await importAt("../../../docs/examples/readme-graph.ts")) as { readmeGraph: { rows?: { consistent: boolean; f: number }[]; leaks?: number; error?: string } };
    expect(graph.readmeGraph.error).toBeUndefined();
    expect(graph.readmeGraph.rows!.map((r) => r.consistent)).toEqual([true, true]);
    expect(graph.readmeGraph.rows!.some((r) => r.f > 0)).toBe(true); // something to explain
    expect(graph.readmeGraph.leaks).toBe(0);
  });
});

describe("docs/deep-taylor.md", () => {
  const deckNet = (): L.Model => {
    const m = L.build([3], L.sequential(L.detection(T.of([1, -2, 2, 1, -1, 3], [3, 2]), T.of([-1, -0.5], [2])), L.sumPool()));
    if (E.isLeft(m)) throw new Error(L.message(m.left));
    return m.right;
  };
  const x = T.of([1, 2, 0.5], [1, 3]);
  /** The rows `| label | R_1 | R_2 | R_3 | Σ R |` of the page's tables. */
  const tableRows = async (): Promise<Map<string, readonly number[]>> => {
    const markdown = await loadRaw("../../../docs/deep-taylor.md");
    return new Map([...markdown.matchAll(/^\| ([^|\d][^|]*?) \| (-?[\d.]+) \| (-?[\d.]+) \| (-?[\d.]+) \| (-?[\d.]+) \|$/gm)].map((m) => [m[1]!, [2, 3, 4, 5].map((k) => Number(m[k]))]));
  };
  const expectRow = (row: readonly number[] | undefined, R: T.Tensor): void => {
    expect(row).toBeDefined();
    expectAllClose(R, row!.slice(0, 3), { atol: 5e-4 }); // the page rounds to three decimals
    expectAllClose(T.sum(R), row![3]!, { atol: 1e-9 });
  };

  test("the worked example's deep Taylor heatmaps are what the rules compute", async () => {
    const rows = await tableRows();
    const zb = DT.zB(-1, 2);
    if (E.isLeft(zb)) throw new Error(zb.left);
    const cases = [["w²", DT.w2], ["z⁺", DT.zPlus], ["zᵇ (l = −1, h = 2)", zb.right]] as const;
    for (const [label, strategy] of cases) {
      const e = DT.explain(deckNet(), x, DT.uniform(DT.deriveRule(strategy)));
      if (E.isLeft(e)) throw new Error(DT.message(e.left));
      expectRow(rows.get(label), e.right.R);
    }
  });
  test("the worked example's baselines are what the baselines compute", async () => {
    const rows = await tableRows();
    const cases = [["sensitivity", B.sensitivity], ["gradient × input", B.gradientXInput], ["simple Taylor", B.simpleTaylor]] as const;
    for (const [label, method] of cases) {
      const e = method(deckNet(), x);
      if (E.isLeft(e)) throw new Error(DT.message(e.left));
      expectRow(rows.get(label), e.right.R);
    }
  });
});
