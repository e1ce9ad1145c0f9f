import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { batches, datasetSize, fans, initModel, takeRows, zeroConv2d, zeroDense } from "@dtd/layers";

const right = <A>(e: E.Either<L.LayerError, A>): A => {
  if (E.isLeft(e)) throw new Error(L.message(e.left));
  return e.right;
};
const std = (d: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < d.length; i++) m += d[i]!;
  m /= d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i]! - m) ** 2;
  return Math.sqrt(v / d.length);
};

describe("initialisation", () => {
  const layers = [zeroConv2d([4, 2, 3, 3]), L.relu, L.flatten, zeroDense(4 * 4 * 4, 10), L.relu, zeroDense(10, 1)];
  test("fans: Dense [in, out] → (in, out); Conv2d [O, I, KH, KW] → (I·KH·KW, O·KH·KW)", () => {
    expect(fans(zeroDense(400, 300))).toEqual({ fanIn: 400, fanOut: 300 });
    expect(fans(zeroConv2d([8, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 200 });
  });
  test("the same seed gives the same model bit for bit; another seed another one", () => {
    const a = right(initModel([2, 6, 6], layers, { seed: 42 }));
    const b = right(initModel([2, 6, 6], layers, { seed: 42 }));
    const c = right(initModel([2, 6, 6], layers, { seed: 43 }));
    const data = (m: L.Model) => L.paramTree(m).flatMap((r) => Object.values(r).map((x) => x.data));
    // Exact equality is the claim here: seeded draws must reproduce every bit.
    expect(data(a)).toEqual(data(b));
    expect(data(a)[0]).not.toEqual(data(c)[0]);
  });
  test("each layer has its own stream: resizing the last layer leaves the first one's weights unchanged", () => {
    const a = right(initModel([2, 6, 6], layers, { seed: 7 }));
    const b = right(initModel([2, 6, 6], [...layers.slice(0, 5), zeroDense(10, 3)], { seed: 7 }));
    expect(L.paramTree(b)[0]!["W"]!.data).toEqual(L.paramTree(a)[0]!["W"]!.data);
  });
  test("He normal has std √(2/fan_in); Glorot uniform lies in ±√(6/(fan_in+fan_out)) with variance a²/3; biases take the given value", () => {
    const he = right(initModel([400], [zeroDense(400, 300)], { seed: 1, bias: -0.25 })).layers[0]!;
    const glorot = right(initModel([400], [zeroDense(400, 300)], { seed: 1, scheme: "glorot" })).layers[0]!;
    if (he.kind !== "dense" || glorot.kind !== "dense") throw new Error("expected dense layers");
    expect(Math.abs(std(he.W.data) / Math.sqrt(2 / 400) - 1)).toBeLessThan(0.01);
    expect(Array.from(he.b.data).every((v) => v === -0.25)).toBe(true);
    const a = Math.sqrt(6 / 700);
    const g = Array.from(glorot.W.data);
    expect(Math.max(...g.map(Math.abs))).toBeLessThanOrEqual(a);
    expect(Math.max(...g)).toBeGreaterThan(0.99 * a);
    expect(Math.abs(std(g) / (a / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
  });
  test("a conv layer's He std uses fan_in = I·KH·KW; non-affine layers are kept", () => {
    const m = right(initModel([3, 8, 8], [zeroConv2d([64, 3, 5, 5]), L.relu], { seed: 3 }));
    const conv = m.layers[0]!;
    if (conv.kind !== "conv2d") throw new Error("expected a conv layer");
    expect(Math.abs(std(conv.W.data) / Math.sqrt(2 / 75) - 1)).toBeLessThan(0.03);
    expect(m.layers[1]).toBe(L.relu);
  });
  test("a per-layer scheme function and an incompatible architecture (Left from build)", () => {
    const m = right(initModel([4], [zeroDense(4, 4), zeroDense(4, 4)], { seed: 0, scheme: (_l, i) => (i === 0 ? "glorot" : "he") }));
    const w0 = m.layers[0]!.kind === "dense" ? Array.from(m.layers[0].W.data) : [];
    expect(Math.max(...w0.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 8));
    expect(E.isLeft(initModel([3], [zeroDense(4, 4)], { seed: 0 }))).toBe(true);
  });
});

describe("shuffling and mini-batches", () => {
  const n = 7;
  const data = { x: T.of(Array.from({ length: n * 2 }, (_, i) => Math.floor(i / 2)), [n, 2]), y: T.of(Array.from({ length: n }, (_, i) => 10 * i), [n]) };
  const take = (k: number, it: Iterator<{ rows: Int32Array; epoch: number; index: number; x: T.Tensor; y: T.Tensor }>) =>
    Array.from({ length: k }, () => {
      const r = it.next();
      if (r.done === true) throw new Error("ended");
      return r.value;
    });

  test("every epoch visits each row once (batches of 3, 3, 1), x and y rows stay paired", () => {
    const all = take(6, batches(data, { batchSize: 3, seed: 5 }));
    expect(all.map((b) => [b.epoch, b.index, b.rows.length])).toEqual([[0, 0, 3], [0, 1, 3], [0, 2, 1], [1, 0, 3], [1, 1, 3], [1, 2, 1]]);
    for (const epoch of [0, 1]) {
      const rows = all.filter((b) => b.epoch === epoch).flatMap((b) => Array.from(b.rows));
      expect([...rows].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }
    for (const b of all) {
      expect(Array.from(b.x.data)).toEqual(Array.from(b.rows).flatMap((r) => [r, r]));
      expect(Array.from(b.y.data)).toEqual(Array.from(b.rows).map((r) => 10 * r));
      expect(b.x.shape).toEqual([b.rows.length, 2]);
    }
  });
  test("seeded: the same seed gives the same order, epochs differ, another seed differs", () => {
    const big = { x: T.zeros([50, 1]), y: T.zeros([50]) };
    const order = (seed: number, k: number) => take(k, batches(big, { batchSize: 50, seed })).map((b) => Array.from(b.rows));
    const [e0, e1] = order(9, 2);
    expect(order(9, 2)).toEqual([e0, e1]);
    expect(e0).not.toEqual(e1);
    expect(order(10, 1)[0]).not.toEqual(e0);
  });
  test("epochs end the iterator; dropRemainder and shuffle: false", () => {
    const it = batches(data, { batchSize: 3, seed: 0, epochs: 1, dropRemainder: true, shuffle: false });
    expect([...it].map((b) => Array.from(b.rows))).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
  test("refuses a bad batch size at once, and a data set whose x and y disagree", () => {
    expect(() => batches(data, { batchSize: 0, seed: 0 })).toThrow("expected a batch size that is a positive integer, found 0");
    expect(() => batches(data, { batchSize: 8, seed: 0, dropRemainder: true })).toThrow("expected a batch size ≤ 7");
    expect(datasetSize({ x: T.zeros([3, 2]), y: T.zeros([4]) })).toEqual(E.left("expected as many targets as examples (3), found y [4]"));
    expect(() => takeRows(data.x, [7])).toThrow("expected a row in [0, 6], found 7");
  });
});
