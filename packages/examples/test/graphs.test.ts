/**
 * The graph networks of `dtd graphs` (docs/graphs.md): built, their batch norms' statistics set from digits,
 * trained a few steps under their constraints — after which every batch norm folds into the conv before it
 * with a bias ≤ 0, so the canonized network meets z⁺'s and zᵇ's preconditions and is explained conservatively
 * and positively with adds split by the rules.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { DIGIT_PIXELS } from "@dtd/datasets";
import { loadMnist } from "@dtd/datasets/node";
import { constraints, initGraph, setBatchNormStatistics } from "../src/graphs/networks.ts";
import { consistencyTable } from "../src/graphs/report.ts";

/** 40 digits, 4 of each class, and their labels. */
const digits = (() => {
  const mnist = loadMnist();
  const x = new Float64Array(40 * DIGIT_PIXELS);
  const y = new Float64Array(40);
  for (let k = 0; k < 40; k++) {
    const c = k % 10;
    x.set(mnist.images[c]!.subarray(Math.floor(k / 10) * DIGIT_PIXELS, (Math.floor(k / 10) + 1) * DIGIT_PIXELS), k * DIGIT_PIXELS);
    y[k] = c;
  }
  return { x: T.of(x, [40, 1, 28, 28]), y: T.of(y, [40]) };
})();

describe.each(["resnet", "inception"] as const)("the %s-style network", (arch) => {
  const init = setBatchNormStatistics(initGraph(arch, 3), digits.x);
  const trained = L.fit(init, digits, { loss: L.softmaxCrossEntropy, optimizer: L.adam({ learningRate: 0.01 }), batchSize: 8, steps: 4, seed: 1, constraints });
  test("batch norm statistics are set (variance > 0, mean ≥ 0) and stay fixed in training", () => {
    if (E.isLeft(trained)) throw new Error(L.trainErrorMessage(trained.left));
    const before = init.layers.filter((l): l is L.BatchNorm => l.kind === "batchNorm");
    const after = trained.right.model.layers.filter((l): l is L.BatchNorm => l.kind === "batchNorm");
    expect(before.length).toBe(arch === "resnet" ? 6 : 7);
    before.forEach((b, i) => {
      expect(Math.min(...b.mean.data)).toBeGreaterThanOrEqual(0);
      expect(Math.min(...b.variance.data)).toBeGreaterThan(0);
      expect(Array.from(after[i]!.mean.data)).toEqual(Array.from(b.mean.data));
      expect(Array.from(after[i]!.variance.data)).toEqual(Array.from(b.variance.data));
    });
  });
  test("canonized (each fold checked: f unchanged on the digits): every batch norm folds, every bias is ≤ 0", () => {
    if (E.isLeft(trained)) throw new Error(L.trainErrorMessage(trained.left));
    const c = L.canonizeChecked(trained.right.model, digits.x);
    if (E.isLeft(c)) throw new Error(L.message(c.left));
    expect(c.right.kept).toEqual([]);
    expect(c.right.model.layers.some((l) => l.kind === "batchNorm")).toBe(false);
    for (const l of c.right.model.layers) if (L.isAffine(l)) expect(Math.max(...l.b.data)).toBeLessThanOrEqual(0);
  });
  test("explained with adds split by the rules: conservative and positive for w², z⁺ and zᵇ first", () => {
    if (E.isLeft(trained)) throw new Error(L.trainErrorMessage(trained.left));
    const table = consistencyTable(trained.right.model, T.slice(digits.x, [0, 0, 0, 0], [10, 1, 28, 28]));
    if (E.isLeft(table)) throw new Error(table.left);
    for (const row of table.right.filter((r) => r.add === "rules")) {
      expect(row.consistency.shareConsistent, row.method).toBe(1);
      expect(row.leaking, row.method).toBe(0);
    }
  });
});

