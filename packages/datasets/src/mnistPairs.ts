/**
 * The deck's MNIST task ("Example MNIST: Setting", after Montavon et al. 2017): detect a handwritten digit
 * 0–3 in a 28×56 image that shows two MNIST digits side by side.
 *
 * Reading of the task used here:
 * - a positive sample (label 1) is a target digit 0–3 beside a distracting digit 4–9, the target's side (left
 *   or right) chosen at random with probability 1/2;
 * - a negative sample (label 0) is two distracting digits 4–9 (two different digit images);
 * - every digit is drawn uniformly from the digits of its group in the pool (so classes keep their MNIST
 *   frequencies), and all choices come from a seeded stream: the same seed gives identical samples.
 * The image is 28 rows × 56 columns, flattened row-major into 1568 values: pixel (r, c) is at r·56 + c, the left
 * digit fills columns 0–27 and the right digit columns 28–55. As a CHW tensor its shape is [1, 28, 56]. The
 * network of the deck has 1568 inputs, 400 hidden ReLUs and one output, trained by 300,000 SGD steps of
 * batch 20, which is why {@link pairSampler} streams fresh pairs instead of materialising a data set.
 * A good explanation puts the relevance on the 0–3 digit and little on the distractor: the metadata of
 * each sample ({@link PairMeta}) says where the target is.
 * @module
 */
import * as T from "@dtd/tensor";
import { DIGIT_PIXELS, DIGIT_SIDE, type MnistPool } from "./mnist.ts";

/** Height of a pair image. */
export const PAIR_HEIGHT = DIGIT_SIDE;
/** Width of a pair image (two digits). */
export const PAIR_WIDTH = 2 * DIGIT_SIDE;
/** Values per pair image, 28 × 56 = 1568. */
export const PAIR_PIXELS = PAIR_HEIGHT * PAIR_WIDTH;
/** The CHW shape of one pair image. */
export const PAIR_SHAPE = [1, PAIR_HEIGHT, PAIR_WIDTH] as const;

/** A digit image of the pool: its class and its index within the class. */
export interface DigitRef {
  readonly digit: number;
  readonly index: number;
}

/** What a sample shows. For a positive, `target` is the 0–3 class and `side` where it is; for a negative both are null. */
export interface PairMeta {
  readonly label: 0 | 1;
  readonly target: number | null;
  /** The 4–9 class(es): one for a positive, two (left, right) for a negative. */
  readonly distractors: readonly number[];
  readonly side: "left" | "right" | null;
  readonly left: DigitRef;
  readonly right: DigitRef;
}

/** `count` samples: x is count × 1568 row-major, labels are 1 or 0. */
export interface PairSet {
  readonly count: number;
  readonly x: Float64Array;
  readonly labels: Float64Array;
  readonly meta: readonly PairMeta[];
}

/** Options of {@link makePairs}. */
export interface PairOptions {
  readonly count: number;
  readonly seed: number;
  /** Fraction of positives, in [0, 1] (default 0.5); makePairs makes exactly round(count × fraction). */
  readonly positiveFraction?: number;
}

/** Streams fresh random pairs. */
export interface PairSampler {
  /** `size` new samples, each positive with probability `positiveFraction`. */
  readonly nextBatch: (size: number) => PairSet;
  /** Writes labels.length new samples into preallocated arrays (no metadata, no allocation): for training loops. */
  readonly fillBatch: (x: Float64Array, labels: Float64Array) => void;
}

/** Draws digits uniformly from one group of classes of a pool. */
interface Group {
  readonly draw: (rng: T.Random.Rng) => DigitRef;
  readonly size: number;
}

const group = (pool: MnistPool, classes: readonly number[]): Group => {
  const ends: number[] = [];
  let size = 0;
  for (const c of classes) {
    size += pool.indices[c]?.length ?? 0;
    ends.push(size);
  }
  const draw = (rng: T.Random.Rng): DigitRef => {
    let k = T.Random.int(rng, size);
    let g = 0;
    while (k >= ends[g]!) g++;
    k -= g === 0 ? 0 : ends[g - 1]!;
    const digit = classes[g]!;
    return { digit, index: pool.indices[digit]![k]! };
  };
  return { draw, size };
};

const TARGETS = [0, 1, 2, 3] as const;
const DISTRACTORS = [4, 5, 6, 7, 8, 9] as const;

const groups = (pool: MnistPool): { readonly targets: Group; readonly distractors: Group } => {
  const targets = group(pool, TARGETS);
  const distractors = group(pool, DISTRACTORS);
  if (targets.size < 1 || distractors.size < 2) {
    throw new RangeError(`mnistPairs: expected a pool with at least one digit 0–3 and two digits 4–9, found ${targets.size} and ${distractors.size}`);
  }
  return { targets, distractors };
};

/** Draws the two digits of one sample with the given label. */
const drawPair = (rng: T.Random.Rng, g: ReturnType<typeof groups>, label: 0 | 1): PairMeta => {
  if (label === 1) {
    const target = g.targets.draw(rng);
    const distractor = g.distractors.draw(rng);
    const side = rng.next() < 0.5 ? "left" : "right";
    const [left, right] = side === "left" ? [target, distractor] : [distractor, target];
    return { label, target: target.digit, distractors: [distractor.digit], side, left, right };
  }
  const left = g.distractors.draw(rng);
  let right = g.distractors.draw(rng);
  while (right.digit === left.digit && right.index === left.index) right = g.distractors.draw(rng);
  return { label, target: null, distractors: [left.digit, right.digit], side: null, left, right };
};

/** Copies the two digits of `m` side by side into `x` at sample offset `s`. */
const writePair = (pool: MnistPool, m: PairMeta, x: Float64Array, s: number): void => {
  const left = pool.classes.images[m.left.digit]!;
  const right = pool.classes.images[m.right.digit]!;
  const lo = m.left.index * DIGIT_PIXELS;
  const ro = m.right.index * DIGIT_PIXELS;
  const base = s * PAIR_PIXELS;
  for (let r = 0; r < DIGIT_SIDE; r++) {
    const row = base + r * PAIR_WIDTH;
    const src = r * DIGIT_SIDE;
    for (let c = 0; c < DIGIT_SIDE; c++) {
      x[row + c] = left[lo + src + c]!;
      x[row + DIGIT_SIDE + c] = right[ro + src + c]!;
    }
  }
};

const checkFraction = (op: string, f: number): void => {
  if (!(f >= 0 && f <= 1)) throw new RangeError(`${op}: expected positiveFraction in [0, 1], found ${f}`);
};

/** The pixels of one sample, given its metadata (e.g. to redraw a sample from a saved {@link PairMeta}). */
export const renderPair = (pool: MnistPool, m: PairMeta): Float64Array => {
  const x = new Float64Array(PAIR_PIXELS);
  writePair(pool, m, x, 0);
  return x;
};

/** A fixed set of `count` pairs (e.g. an evaluation set): exactly round(count × positiveFraction) positives, in random order. */
export const makePairs = (pool: MnistPool, options: PairOptions): PairSet => {
  const { count, seed } = options;
  const positiveFraction = options.positiveFraction ?? 0.5;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`makePairs: expected a non-negative integer count, found ${count}`);
  checkFraction("makePairs", positiveFraction);
  const g = groups(pool);
  const rng = T.Random.make(seed);
  const order = T.Random.permutation(rng.fork(), count);
  const draws = rng.fork();
  const nPositive = Math.round(count * positiveFraction);
  const x = new Float64Array(count * PAIR_PIXELS);
  const labels = new Float64Array(count);
  const meta: PairMeta[] = [];
  for (let s = 0; s < count; s++) {
    const label = order[s]! < nPositive ? 1 : 0;
    const m = drawPair(draws, g, label);
    writePair(pool, m, x, s);
    labels[s] = label;
    meta.push(m);
  }
  return { count, x, labels, meta };
};

/**
 * An endless seeded stream of pairs for training. The default 80 % training pools allow about 31 M distinct
 * positive and 22 M distinct negative ordered pairs ({@link distinctPairs}), far more than the 6 M samples of
 * 300,000 steps of batch 20, so pairs are drawn afresh rather than from a fixed set.
 */
export const pairSampler = (pool: MnistPool, seed: number, positiveFraction = 0.5): PairSampler => {
  checkFraction("pairSampler", positiveFraction);
  const g = groups(pool);
  const rng = T.Random.make(seed);
  const next = (): PairMeta => drawPair(rng, g, rng.next() < positiveFraction ? 1 : 0);
  const nextBatch = (size: number): PairSet => {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`nextBatch: expected a non-negative integer size, found ${size}`);
    const x = new Float64Array(size * PAIR_PIXELS);
    const labels = new Float64Array(size);
    const meta: PairMeta[] = [];
    for (let s = 0; s < size; s++) {
      const m = next();
      writePair(pool, m, x, s);
      labels[s] = m.label;
      meta.push(m);
    }
    return { count: size, x, labels, meta };
  };
  const fillBatch = (x: Float64Array, labels: Float64Array): void => {
    if (x.length !== labels.length * PAIR_PIXELS) {
      throw new RangeError(`fillBatch: expected x of ${labels.length} × ${PAIR_PIXELS} = ${labels.length * PAIR_PIXELS} values for ${labels.length} labels, found ${x.length}`);
    }
    for (let s = 0; s < labels.length; s++) {
      const m = next();
      writePair(pool, m, x, s);
      labels[s] = m.label;
    }
  };
  return { nextBatch, fillBatch };
};

/** The number of distinct ordered pairs a pool allows: 2·N₀₋₃·N₄₋₉ positives plus N₄₋₉·(N₄₋₉ − 1) negatives. */
export const distinctPairs = (pool: MnistPool): { readonly positives: number; readonly negatives: number } => {
  const t = group(pool, TARGETS).size;
  const d = group(pool, DISTRACTORS).size;
  return { positives: 2 * t * d, negatives: d * (d - 1) };
};
