/**
 * docs/rule-gallery.md: every claim of its table checked against the kit, every code block a region of
 * docs/examples/gallery.ts, and the three new rules under 15 lines each. The example is imported at run time
 * (`docFiles.ts`: this package's type check does not follow it out of the package).
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Arb, Kit } from "@dtd/deep-taylor/testing";
import { blocksOf, importAt, loadRaw, regionsOf } from "./docFiles.ts";

interface Gallery {
  readonly gallery: readonly (readonly [string, DT.Strategy])[];
}
const loadGallery = async (): Promise<Gallery["gallery"]> => ((await importAt("../../../docs/examples/gallery.ts")) as Gallery).gallery;

/** The table rows of the page by rule name: its cells by column header. */
const tableOf = (markdown: string): Map<string, Record<string, string>> => {
  const lines = markdown.split("\n").filter((l) => l.startsWith("| "));
  const cells = (l: string) => l.slice(2, -2).split(" | ");
  const header = cells(lines[0]!);
  return new Map(lines.slice(2).map((l) => [cells(l)[0]!, Object.fromEntries(cells(l).map((c, k) => [header[k]!, c]))]));
};

/** The claim as a boolean. */
const yes = (cell: string | undefined): boolean => {
  expect(cell === "yes" || cell === "no", `a yes/no cell, found ${cell}`).toBe(true);
  return cell === "yes";
};

/** q_ij as the table writes it, for one weight w_ij and input x_i (the test's own eq. 4, independent of the rules). */
const qOf: Readonly<Record<string, (x: number, w: number) => number>> = {
  "w²": (_x, w) => w * w,
  "z⁺": (x, w) => x * Math.max(0, w),
  "zᵇ (l = −1, h = 2)": (x, w) => x * w + Math.max(0, w) - 2 * Math.min(0, w),
  flat: () => 1,
  "z⁻": (x, w) => x * Math.min(0, w),
  "γ (γ = 0.25)": (x, w) => x * (w + 0.25 * Math.max(0, w)),
  "w² in [−1, 2]ᵈ": (_x, w) => w * w,
};

/** R_i = Σ_j q_ij / Σ_i' q_i'j · R_j on a Dense layer, for one sample. */
const eq4 = (q: (x: number, w: number) => number, W: T.Tensor, x: ArrayLike<number>, R: ArrayLike<number>): number[] => {
  const [nIn, nOut] = W.shape as [number, number];
  const out = new Array<number>(nIn).fill(0);
  for (let j = 0; j < nOut; j++) {
    let s = 0;
    for (let i = 0; i < nIn; i++) s += q(x[i]!, W.data[i * nOut + j]!);
    if (s !== 0) for (let i = 0; i < nIn; i++) out[i] = out[i]! + (q(x[i]!, W.data[i * nOut + j]!) / s) * R[j]!;
  }
  return out;
};

/** The rule in every affine layer: accepted, conservative, and no relevance on units that did not fire. */
const safeAboveRelu = (strategy: DT.Strategy): boolean => {
  const rule = DT.deriveRule(strategy);
  const run = fc.check(
    fc.property(Arb.networkWithInputs(strategy.domain, { kinds: ["dense", "conv"] }), ({ model, x }) => {
      const e = DT.explain(model, x, DT.uniform(rule));
      if (E.isLeft(e)) return false;
      if (DT.Consistency.leaks(model.nodes, e.right).length > 0) return false;
      return DT.Diagnostics.inactiveRelevance(model, e.right).every((r) => r.share.every((s) => Math.abs(s) <= 1e-12));
    }),
    { numRuns: 30, seed: 16 },
  );
  return !run.failed;
};

describe("docs/rule-gallery.md", () => {
  test("every code block is a region of docs/examples/gallery.ts; each new rule takes under 15 lines", async () => {
    const source = await loadRaw("../../../docs/examples/gallery.ts");
    const regions = regionsOf(source);
    const markdown = await loadRaw("../../../docs/rule-gallery.md");
    const blocks = blocksOf(markdown);
    expect([...blocks.keys()]).toEqual(["flat", "z-minus", "gamma", "w2-box"]);
    expect((markdown.match(/^```ts$/gm) ?? []).length).toBe(blocks.size);
    for (const [name, code] of blocks) expect(code, name).toBe(regions.get(name));
    for (const name of ["flat", "z-minus", "gamma"]) expect(regions.get(name)!.trimEnd().split("\n").length, name).toBeLessThan(15);
  });

  test("the table lists the gallery's rules, in order", async () => {
    const table = tableOf(await loadRaw("../../../docs/rule-gallery.md"));
    expect([...table.keys()]).toEqual((await loadGallery()).map(([name]) => name));
  });

  test("each rule derives to the q_ij of its row (eq. 4 written from the table, random Dense layers)", async () => {
    for (const [name, strategy] of await loadGallery()) {
      const rule = DT.deriveRule(strategy);
      for (let seed = 0; seed < 10; seed++) {
        const rng = T.Random.make(seed);
        const [nIn, nOut] = [1 + T.Random.int(rng, 6), 1 + T.Random.int(rng, 4)];
        const layer = L.dense(T.Random.normalTensor(rng, [nIn, nOut]), T.zeros([nOut]));
        const x = T.of(strategy.domain.sample(rng, nIn), [1, nIn]);
        const R = T.Random.uniformTensor(rng, [1, nOut], 0, 1);
        expectAllClose(rule.propagate(layer, x, R), eq4(qOf[name]!, layer.W, x.data, R.data), { atol: 1e-12, rtol: 1e-9 });
      }
    }
  });

  test("conservative, positive, roots in 𝒳: as the table says (the rule first, z⁺ above)", async () => {
    const table = tableOf(await loadRaw("../../../docs/rule-gallery.md"));
    for (const [name, strategy] of await loadGallery()) {
      const row = table.get(name)!;
      const report = Kit.checkRule(strategy, { numRuns: 25, seed: 2017, properties: ["conservative", "positive", "rootsAreRoots"] });
      const held = Object.fromEntries(report.properties.map((p) => [p.name, p.ok]));
      expect({ name, ...held }).toEqual({ name, conservative: yes(row["conservative"]), positive: yes(row["positive"]), rootsAreRoots: yes(row["roots in 𝒳"]) });
    }
  });

  test("above a ReLU: as the table says (the rule in every layer)", async () => {
    const table = tableOf(await loadRaw("../../../docs/rule-gallery.md"));
    for (const [name, strategy] of await loadGallery()) expect({ name, safe: safeAboveRelu(strategy) }).toEqual({ name, safe: yes(table.get(name)!["above a ReLU"]) });
  });
});
