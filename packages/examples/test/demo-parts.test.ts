/**
 * The MNIST example's parts on hand-made inputs: the detection hinge and its gradient, the threshold search,
 * the share of relevance per image half, the cache's refusals, the claims' verdicts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { unsafeMake } from "@dtd/tensor/unsafe";
import type { Consistency } from "@dtd/deep-taylor";
import { accuracy, chooseThreshold } from "../src/kit/index.ts";
import { cacheFile, lookup } from "../src/demo/cache.ts";
import { checkClaims } from "../src/demo/claims.ts";
import { checkDeepClaims } from "../src/deep/claims.ts";
import type { AopcResult, MethodAopc } from "../src/demo/aopc.ts";
import { samekClaim } from "../src/demo/samek.ts";
import { aopc } from "@dtd/evaluate";
import { halfShares, targetShare } from "../src/demo/halves.ts";
import { RECIPE } from "../src/demo/network.ts";
import { PAIR_PIXELS, PAIR_WIDTH, type PairMeta } from "@dtd/datasets";

/** Dataset consistency with every check passing, except what `over` says. */
const stats = (over: Partial<Consistency.DatasetConsistency>): Consistency.DatasetConsistency => ({
  samples: 10,
  meanRelativeConservationError: 0,
  maxAbsConservationError: 0,
  shareConservative: 1,
  sharePositive: 1,
  shareConsistent: 1,
  shareFinite: 1,
  mostNegativeRelevance: 0,
  ...over,
});
const halves = (target: number) => ({ target, distractor: 1 - target, samples: 5, majority: 4 });

describe("chooseThreshold", () => {
  test("finds the midpoint that separates separable scores", () => {
    const t = chooseThreshold([0.1, 0.9, 0.2, 0.8], [0, 1, 0, 1]);
    expect(t.trainAccuracy).toBe(1);
    expect(t.t).toBeCloseTo(0.5, 12);
    expect(accuracy([0.1, 0.9, 0.2, 0.8], [0, 1, 0, 1], t.t)).toBe(1);
  });

  test("maximises accuracy when the classes overlap, and handles ties and all-one-class data", () => {
    // Sorted: 0.1(0) 0.3(1) 0.4(0) 0.6(1) 0.7(1): t ∈ (0.1, 0.3) and t ∈ (0.4, 0.6) both get 4 of 5; the smaller wins.
    const t = chooseThreshold([0.6, 0.1, 0.4, 0.3, 0.7], [1, 0, 0, 1, 1]);
    expect(t.trainAccuracy).toBeCloseTo(0.8, 12);
    expect(t.t).toBeCloseTo(0.2, 12);
    // Equal scores cannot be split: the threshold never lands between them.
    const tied = chooseThreshold([1, 1, 1], [1, 0, 1]);
    expect(tied.trainAccuracy).toBeCloseTo(2 / 3, 12);
    expect(accuracy([1, 1, 1], [1, 0, 1], tied.t)).toBeCloseTo(2 / 3, 12);
    expect(chooseThreshold([0, 0], [0, 0]).trainAccuracy).toBe(1);
  });

  test("refuses empty or mismatched inputs", () => {
    expect(() => chooseThreshold([], [])).toThrow(/at least one/);
    expect(() => accuracy([1, 2], [1], 0)).toThrow(/as many labels as scores/);
  });
});

describe("halves", () => {
  const meta = (side: "left" | "right" | null): PairMeta => ({
    label: side === null ? 0 : 1,
    target: side === null ? null : 2,
    distractors: [7],
    side,
    left: { digit: 2, index: 0 },
    right: { digit: 7, index: 0 },
  });
  test("measures the share of |R| on the target's half", () => {
    const R = new Float64Array(2 * PAIR_PIXELS);
    R[0] = 3; // sample 0, row 0, column 0: left half
    R[PAIR_WIDTH - 1] = -1; // sample 0, right half (negative counts by its size)
    R[PAIR_PIXELS + 5 * PAIR_WIDTH + 40] = 2; // sample 1, right half
    const t = unsafeMake([2, PAIR_PIXELS], R);
    expect(targetShare(t, 0, "left")).toBeCloseTo(0.75, 15);
    expect(targetShare(t, 0, "right")).toBeCloseTo(0.25, 15);
    expect(targetShare(t, 1, "right")).toBe(1);
    const h = halfShares(t, [meta("left"), meta("left")]);
    expect(h.samples).toBe(2);
    expect(h.target).toBeCloseTo((0.75 + 0) / 2, 15);
    expect(h.majority).toBe(1);
  });

  test("skips negatives and maps without relevance", () => {
    const t = unsafeMake([2, PAIR_PIXELS], new Float64Array(2 * PAIR_PIXELS));
    const h = halfShares(t, [meta(null), meta("right")]);
    expect(h.samples).toBe(0);
    expect(Number.isNaN(h.target)).toBe(true);
  });
});

describe("cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "dtd-cache-"));
  const key = { recipe: RECIPE, seed: 3, steps: 10 };
  test("names the file by recipe, seed and steps", () => {
    expect(cacheFile(dir, key)).toBe(join(dir, "mnist-h400-b20-hinge-lr0.003-init0.1-seed3-steps10.json"));
  });
  test("a missing file is a miss; a broken one is unusable, with the reason", () => {
    expect(lookup(cacheFile(dir, key), key)._tag).toBe("Miss");
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ not json");
    const found = lookup(path, key);
    expect(found._tag).toBe("Unusable");
    if (found._tag === "Unusable") expect(found.reason.length).toBeGreaterThan(0);
  });
});

describe("claims", () => {
  const titles = { w2: "w²", zplus: "z⁺", zb: "zᵇ", sensitivity: "sens", simpleTaylor: "taylor" };
  test("follow the numbers: each verdict flips when its number does", () => {
    const good = {
      consistency: {
        w2: stats({}),
        zplus: stats({}),
        zb: stats({}),
        sensitivity: stats({ shareConservative: 0.1, meanRelativeConservationError: 0.4 }),
        simpleTaylor: stats({ shareConservative: 0.2, sharePositive: 0, mostNegativeRelevance: -0.1 }),
      },
      halves: { zplus: halves(0.8), zb: halves(0.7) },
      titles,
    };
    expect(checkClaims(good).map((c) => c.holds)).toEqual([true, true, true, true, true]);
    const bad = {
      ...good,
      consistency: { ...good.consistency, zb: stats({ shareConservative: 0.9, sharePositive: 0.5 }), sensitivity: stats({}), simpleTaylor: stats({ sharePositive: 0.5 }) },
      halves: { zplus: halves(0.4), zb: halves(0.7) },
    };
    expect(checkClaims(bad).map((c) => c.holds)).toEqual([false, false, false, false, false]);
  });
});

describe("the deep experiment's claims (the deck's Section 4)", () => {
  const ids = ["tf-w2", "tf-zb", "zplus", "mm-w2", "mm-zb"] as const;
  const good = {
    consistency: { ...Object.fromEntries(ids.map((id) => [id, stats({})])), "mm-w2": stats({ shareConservative: 0.1, meanRelativeConservationError: 0.2 }), "mm-zb": stats({ shareConservative: 0.1 }) },
    halves: Object.fromEntries(ids.map((id) => [id, halves(0.7)])),
    titles: Object.fromEntries(ids.map((id) => [id, id])),
    modelled: { "mm-w2": stats({}), "mm-zb": stats({}) },
    fitError: { "mm-w2": 0.15, "mm-zb": 0.15 },
    rules: ["zb", "", "zplus", "", ""],
    roots: { violations: 0, active: 40, pairs: 2, neuronsPerLayer: 400 },
    maxBias: -0.01,
  };
  test("follow the numbers: each verdict flips when its number does", () => {
    expect(checkDeepClaims(good).map((c) => c.holds)).toEqual([true, true, true, true, true]);
    const bad = {
      ...good,
      consistency: { ...good.consistency, "tf-zb": stats({ sharePositive: 0.9, shareConsistent: 0.9 }), "mm-zb": stats({}) },
      rules: ["zb", "", "w2", "", ""],
      maxBias: 0.5,
      halves: { ...good.halves, "mm-w2": halves(0.4) },
    };
    expect(checkDeepClaims(bad).map((c) => c.holds)).toEqual([false, false, false, false, false]);
    // The roots claim also fails on a violation, and when no active neuron was checked at all.
    expect(checkDeepClaims({ ...good, roots: { ...good.roots, violations: 1 } })[1]!.holds).toBe(false);
    expect(checkDeepClaims({ ...good, roots: { ...good.roots, active: 0 } })[1]!.holds).toBe(false);
    // Min-max not conservative w.r.t. its own R̂ is not "approximately consistent" either.
    expect(checkDeepClaims({ ...good, modelled: { ...good.modelled, "mm-w2": stats({ shareConservative: 0.5 }) } })[2]!.holds).toBe(false);
  });
});

describe("Samek et al.'s finding, checked", () => {
  /** A method whose per-pair AOPCs are `morf` (MoRF) and whose random order's are `random` (curves of one step). */
  const method = (id: string, morf: readonly number[], random: readonly number[]): MethodAopc => {
    const curve = (v: readonly number[]) => ({ ...aopc(v.flatMap((a) => [0, -2 * a]), v.length), meanCurve: new Float64Array(2) });
    return { id, title: id, label: id, idx: morf.map((_, i) => i), morf: curve(morf), lerf: curve(morf.map(() => 0)), random: curve(random), vsRandom: { difference: 0, standardError: 0 }, seconds: 0 };
  };
  const result = (methods: readonly MethodAopc[]): AopcResult => ({ settings: { patch: 4, steps: 1, seed: 1, replacement: "zero" }, selected: [0, 1, 2, 3], methods });
  const floor = [0.1, 0.2, 0.1, 0.2];
  test("holds only when every rule beats the baseline and the random order by more than two standard errors", () => {
    const sens = method("sensitivity", [1, 1.2, 0.9, 1.1], floor);
    const good = samekClaim(result([method("a", [2, 2.3, 1.8, 2.1], floor), method("b", [1.5, 1.6, 1.4, 1.7], floor), sens]), { rules: ["a", "b"], against: "sensitivity" });
    expect(good.holds).toBe(true);
    expect(good.evidence).toContain("MoRF AOPC over 4 pairs: a 2.050");
    const tie = samekClaim(result([method("a", [1, 1.2, 0.9, 1.1], floor), sens]), { rules: ["a"], against: "sensitivity" });
    expect(tie.holds).toBe(false);
    expect(samekClaim(result([sens]), { rules: ["a"], against: "sensitivity" }).holds).toBe(false);
  });
});
