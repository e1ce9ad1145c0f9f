/**
 * Composites as ordered matchers (first match wins, kinds' defaults, refusals), and graph relevance computed by
 * hand: an add split proportionally and by the rules, a concatenation's slices, an unfolded batch norm's
 * absorbed shift, and a canonized residual block explained conservatively.
 */
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

const built = (shape: number[], nodes: readonly L.NodeSpec[]): L.Model => {
  const m = L.build(shape, nodes);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};
const zPlus = DT.deriveRule(DT.zPlus);
const w2 = DT.deriveRule(DT.w2);
const tight = { atol: 1e-14, rtol: 1e-14 };
const right = <A>(r: E.Either<DT.DtdError, A>): A => {
  if (E.isLeft(r)) throw new Error(DT.message(r.left));
  return r.right;
};

/** An Inception-like graph: two convs read the input, a third reads their concatenation. */
const branches = built([1, 3, 3], [
  L.node("a", L.conv2d(T.ones([1, 1, 1, 1]), T.zeros([1]))),
  L.node("b", L.conv2d(T.ones([1, 1, 1, 1]), T.zeros([1])), ["input"]),
  L.node("pool", L.maxPool2d([1, 1]), ["input"]),
  L.node("cat", L.concat(), ["a", "b", "pool"]),
  L.node("mix", L.conv2d(T.ones([1, 3, 1, 1]), T.zeros([1]))),
  L.node("act", L.relu),
  L.node("out", L.sumPool()),
]);

describe("composites", () => {
  test("first match wins; the first affine nodes are those that read the input (through pooling, too)", () => {
    const names = (c: DT.Composite) => right(DT.assign(c, branches)).map((a) => (a._tag === "Rule" ? a.rule.name : a._tag));
    expect(DT.firstAffineNodes(branches)).toEqual([0, 1]);
    expect(names(DT.layerwise({ first: w2, rest: zPlus }))).toEqual(["w2", "w2", "WinnerTakeAll", "PassThrough", "zplus", "PassThrough", "Proportional"]);
    const c = DT.composite([
      { match: DT.byName("b"), use: zPlus },
      { match: DT.byKind("maxPool2d"), use: DT.proportional },
      { match: DT.range(4, 5), use: w2 },
      { match: DT.affine, use: zPlus },
    ]);
    expect(names(c)).toEqual(["zplus", "zplus", "Proportional", "PassThrough", "w2", "PassThrough", "Proportional"]);
  });
  test("refusals: a name the model lacks, a rule for a ReLU, a range outside the model, an affine node without a rule", () => {
    const msg = (c: DT.Composite) => {
      const r = DT.assign(c, branches);
      return E.isLeft(r) ? DT.message(r.left) : "assigned";
    };
    expect(msg(DT.composite([{ match: DT.byName("nope"), use: zPlus }]))).toMatch(/^the composite does not fit the model: an entry names node "nope", which the model does not have \(its nodes: a, b, pool, cat, mix, act, out\)$/);
    expect(msg(DT.composite([{ match: DT.byKind("relu"), use: zPlus }, { match: DT.affine, use: zPlus }]))).toBe(
      'the composite does not fit the model: an entry gives rule zplus to layer 5 "act" (relu), which takes PassThrough',
    );
    expect(msg(DT.composite([{ match: DT.range(3, 9), use: zPlus }]))).toMatch(/expected a range of node indices within \[0, 7\], found \[3, 9\)/);
    expect(msg(DT.composite([{ match: DT.byName("a", "b"), use: zPlus }]))).toBe('layer 4 "mix" (conv2d) cannot be explained: the composite assigns it no rule (add an entry that matches it)');
  });
  test("ruleFor and the presets uniform / trainingFree keep their meaning on chains", () => {
    const chain = built([3], L.sequential(L.detection(T.of([1, -2, 2, 1, -1, 3], [3, 2]), T.of([-1, -0.5], [2])), L.sumPool()));
    expect(DT.ruleFor(DT.trainingFree(w2), chain, 0)?.name).toBe("w2");
    expect(DT.ruleFor(DT.uniform(zPlus), chain, 0)?.name).toBe("zplus");
    expect(DT.ruleFor(DT.uniform(zPlus), chain, 1)).toBeUndefined();
  });
});

describe("relevance at fan-out, add and concat, by hand", () => {
  test("the concatenation gives each input its slice; the input receives the sum over the three branches", () => {
    // x ≥ 0, every weight 1: a = b = pool = x, mix = 3x, f = 3 Σx; z⁺ splits mix's R = 3x into x, x, x.
    const x = T.of([1, 2, 0, 3, 0.5, 1, 2, 0, 1], [1, 1, 3, 3]);
    const e = right(DT.explain(branches, x, DT.uniform(zPlus)));
    expectAllClose(e.f, [31.5], tight);
    for (const name of ["a", "b", "pool"]) expectAllClose(e.relevances[L.positionOf(branches, name)!]!, x, tight);
    expectAllClose(e.R, T.mul(x, 3), tight);
  });
  /** relu(fc(x) + x) on 2 inputs, fc = x·W + b with W = [[1, 2], [−1, 0]] (w_ij inputs × outputs), b = (0, −1). */
  const residual = built([2], [L.node("fc", L.dense(T.of([1, 2, -1, 0], [2, 2]), T.of([0, -1], [2]))), L.node("sum", L.add, ["fc", "input"]), L.relu, L.sumPool()]);
  const x = T.of([2, 1], [1, 2]);
  // fc = (2 − 1, 4 − 1) = (1, 3); sum = (3, 4); f = 7.
  test("proportional: R_fc = fc / sum · R = (1, 3), R_skip = x / sum · R = (2, 1)", () => {
    const e = right(DT.explain(residual, x, DT.uniform(zPlus)));
    expectAllClose(e.f, [7], tight);
    expectAllClose(e.relevances[1]!, [1, 3], tight);
    // z⁺ through fc: unit 0 (1·x₁ only positive: 2) → (1, 0); unit 1 (2·x₁ = 4) → (3, 0); plus the skip (2, 1)
    expectAllClose(e.R, [1 + 3 + 2, 1], tight);
  });
  test("by the rules: shares are fc's z⁺ denominators Σ x w⁺ = (2, 4) and the identity's x = (2, 1)", () => {
    const e = right(DT.explain(residual, x, DT.uniform(zPlus, { add: "rules" })));
    // unit 0: R = 3 split 2 : 2 → fc 1.5, skip 1.5; unit 1: R = 4 split 4 : 1 → fc 3.2, skip 0.8
    expectAllClose(e.relevances[1]!, [1.5, 3.2], tight);
    expectAllClose(e.R, [1.5 + 3.2 + 1.5, 0.8], tight);
    expectAllClose(T.sum(e.R), 7, tight);
  });
});

describe("batch norms", () => {
  const rng = T.Random.make(13);
  const bn = (n: number, lo = 0.5) =>
    L.batchNorm({ scale: T.Random.uniformTensor(rng, [n], lo, 2), shift: T.Random.uniformTensor(rng, [n], -0.3, 0.3), mean: T.Random.uniformTensor(rng, [n], -0.2, 0.2), variance: T.Random.uniformTensor(rng, [n], 0.5, 2) });
  /** conv → BN → ReLU → conv → BN, + the block's input, ReLU, global pooling, dense score. */
  const block = built([2, 4, 4], [
    L.node("c1", L.conv2d(T.Random.normalTensor(rng, [2, 2, 3, 3], 0, 0.4), T.zeros([2]), { padding: [1, 1] })),
    L.node("bn1", bn(2)),
    L.node("r1", L.relu),
    L.node("c2", L.conv2d(T.Random.normalTensor(rng, [2, 2, 3, 3], 0, 0.4), T.zeros([2]), { padding: [1, 1] })),
    L.node("bn2", bn(2)),
    L.node("sum", L.add, ["bn2", "input"]),
    L.node("r2", L.relu),
    L.node("gap", L.globalAvgPool),
    L.node("score", L.dense(T.ones([2, 1]), T.zeros([1]))),
  ]);
  const x = T.Random.uniformTensor(rng, [3, 2, 4, 4], 0, 1);
  test("canonized, the block is explained conservatively (z⁺, adds by the rules), to float64 rounding", () => {
    const c = L.canonizeChecked(block, x);
    if (E.isLeft(c)) throw new Error(L.message(c.left));
    expect(c.right.folded.map((f) => `${f.node}→${f.into.join(",")}`)).toEqual(["bn1→c1", "bn2→c2"]);
    const e = right(DT.explain(c.right.model, x, DT.uniform(zPlus, { add: "rules" }), { lenient: true }));
    const rows = DT.Consistency.perSample(e.f, e.R, e.tolerance);
    expect(rows.every((r) => r.conservative)).toBe(true);
    expect(DT.Consistency.leaks(c.right.model.nodes, e)).toEqual([]);
  });
  test("unfolded, each batch norm passes s·x / y · R and its shift absorbs the rest: Σ R + absorbed = f", () => {
    const e = right(DT.explain(block, x, DT.uniform(zPlus), { lenient: true }));
    const sums = T.sum(e.R, { axes: [1, 2, 3] });
    expectAllClose(T.add(sums, T.of(e.biasRelevance, [3])), e.f, { atol: 1e-12, rtol: 1e-12 });
    const leaks = DT.Consistency.leaks(block.nodes, e);
    expect(new Set(leaks.map((l) => l.name))).toEqual(new Set(["bn2", "bn1"]));
    expect(leaks.every((l) => l.absorbed)).toBe(true);
  });
});
