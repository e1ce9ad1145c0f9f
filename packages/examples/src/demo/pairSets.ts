/**
 * Working with sets of MNIST pairs in the examples: batches in a model's input shape, scores in chunks, subsets,
 * and which pairs the heatmap grid shows.
 * @module
 */
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import * as L from "@dtd/layers";
import { PAIR_PIXELS, type PairSet } from "@dtd/datasets";

/** 0, 1, …, n − 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Pairs s … s + n − 1 of a set as a batch in the model's input shape ([n, 1568] or [n, 1, 28, 56]: the same values). */
export const batchOf = (model: L.Model, set: PairSet, s: number, n: number): T.Tensor => unsafeMake([n, ...model.inputShape], set.x.slice(s * PAIR_PIXELS, (s + n) * PAIR_PIXELS));

/** Forward pass over a pair set in chunks (bounded memory), returning f [N]. */
export const scores = (model: L.Model, set: PairSet, chunk = 500): Float64Array => {
  const f = new Float64Array(set.count);
  for (let s = 0; s < set.count; s += chunk) {
    const n = Math.min(chunk, set.count - s);
    f.set(L.forward(model, batchOf(model, set, s, n)).output.data, s);
  }
  return f;
};

/** The samples `idx` of a pair set, in that order. */
export const subset = (set: PairSet, idx: readonly number[]): PairSet => {
  const x = new Float64Array(idx.length * PAIR_PIXELS);
  idx.forEach((i, k) => x.set(set.x.subarray(i * PAIR_PIXELS, (i + 1) * PAIR_PIXELS), k * PAIR_PIXELS));
  return { count: idx.length, x, labels: Float64Array.from(idx, (i) => set.labels[i]!), meta: idx.map((i) => set.meta[i]!) };
};

/** Rows of the grid: the first positives (about three quarters) and negatives of the explained pairs. */
export const gridRows = (set: PairSet, count: number): number[] => {
  const wantPos = Math.round(count * 0.75);
  const pos: number[] = [];
  const neg: number[] = [];
  set.meta.forEach((m, i) => (m.label === 1 ? pos : neg).push(i));
  const p = pos.slice(0, Math.max(wantPos, count - neg.length));
  const n = neg.slice(0, count - p.length);
  return [...p, ...n].sort((a, b) => a - b);
};

/** A grid row's label: the two digits, the 0–3 digit in brackets, and f(x). */
export const rowLabel = (set: PairSet, i: number, f: number): string => {
  const m = set.meta[i]!;
  const show = (d: number, side: "left" | "right"): string => (m.label === 1 && m.side === side ? `[${d}]` : `${d}`);
  return `${show(m.left.digit, "left")} ${show(m.right.digit, "right")}\nf=${f.toFixed(2)}`;
};
