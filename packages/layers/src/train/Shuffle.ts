/**
 * Seeded mini-batches over a data set `{ x: [N, ...], y: [N, ...] }`: every epoch visits each example once, in
 * an order drawn from its own stream forked from `Random.make(seed)` (Fisher–Yates), so the same seed gives the
 * same batches in the same order on every platform.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";

/** Examples `x` [N, ...] with their targets `y` [N, ...] (row n of y belongs to row n of x). */
export interface Dataset {
  readonly x: T.Tensor;
  readonly y: T.Tensor;
}

/** A mini-batch: inputs and targets. */
export interface Batch {
  readonly x: T.Tensor;
  readonly y: T.Tensor;
}

/** A mini-batch drawn from a data set, with where it came from. */
export interface EpochBatch extends Batch {
  /** The epoch (from 0). */
  readonly epoch: number;
  /** The batch's position within its epoch (from 0). */
  readonly index: number;
  /** The rows of the data set it holds. */
  readonly rows: Int32Array;
}

/** The number of examples, or why x and y do not form a data set. */
export const datasetSize = (data: Dataset): E.Either<string, number> => {
  if (data.x.shape.length < 1 || data.y.shape.length < 1) {
    return E.left(`expected x and y with a leading example axis, found x ${T.showShape(data.x.shape)} and y ${T.showShape(data.y.shape)}`);
  }
  const n = data.x.shape[0]!;
  if (n < 1) return E.left(`expected at least one example, found x ${T.showShape(data.x.shape)}`);
  if (data.y.shape[0] !== n) return E.left(`expected as many targets as examples (${n}), found y ${T.showShape(data.y.shape)}`);
  return E.right(n);
};

/** Rows `rows` of t (along axis 0), copied in that order. */
export const takeRows = (t: T.Tensor, rows: ArrayLike<number>): T.Tensor => {
  const n = t.shape[0] ?? 0;
  const width = T.Shape.size(t.shape.slice(1));
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (!Number.isInteger(r) || r < 0 || r >= n) T.fail({ _tag: "InvalidArgument", op: "takeRows", expected: `a row in [0, ${n - 1}]`, found: String(r) });
  }
  const out = T.alloc(t.dtype, rows.length * width);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    out.set(t.data.subarray(r * width, (r + 1) * width), k * width);
  }
  return unsafeMake([rows.length, ...t.shape.slice(1)], out);
};

/** Options of the batch iterator. */
export interface BatchOptions {
  readonly batchSize: number;
  readonly seed: number;
  /** Number of epochs (default: without end). */
  readonly epochs?: number;
  /** Drop each epoch's last, smaller batch (default false: keep it). */
  readonly dropRemainder?: boolean;
  /** Shuffle every epoch (default true; false visits rows in order). */
  readonly shuffle?: boolean;
}

/** Batches per epoch: ⌈N / B⌉, or ⌊N / B⌋ when the remainder is dropped. */
export const batchesPerEpoch = (n: number, batchSize: number, dropRemainder = false): number =>
  dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);

/**
 * The mini-batches of a data set, epoch after epoch. Throws at once (not on the first draw) on a batch size that
 * is not a positive integer, on a data set that does not hold together, or when dropping the remainder would
 * leave no batch at all.
 */
export const batches = (data: Dataset, opts: BatchOptions): Generator<EpochBatch, void, undefined> => {
  const op = "batches";
  const n = E.getOrElse((reason: string): number => T.fail({ _tag: "InvalidArgument", op, expected: "a data set", found: reason }))(datasetSize(data));
  const size = opts.batchSize;
  if (!Number.isInteger(size) || size < 1) T.fail({ _tag: "InvalidArgument", op, expected: "a batch size that is a positive integer", found: String(size) });
  const perEpoch = batchesPerEpoch(n, size, opts.dropRemainder ?? false);
  if (perEpoch === 0) T.fail({ _tag: "InvalidArgument", op, expected: `a batch size ≤ ${n} (the data set) when dropping remainders`, found: String(size) });
  return generate(data, n, size, perEpoch, opts);
};

function* generate(data: Dataset, n: number, size: number, perEpoch: number, opts: BatchOptions): Generator<EpochBatch, void, undefined> {
  const root = T.Random.make(opts.seed);
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; opts.epochs === undefined || epoch < opts.epochs; epoch++) {
    const order = (opts.shuffle ?? true) ? T.Random.permutation(root.fork(), n) : identity;
    for (let index = 0; index < perEpoch; index++) {
      const rows = order.slice(index * size, Math.min(n, (index + 1) * size));
      yield { x: takeRows(data.x, rows), y: takeRows(data.y, rows), epoch, index, rows };
    }
  }
}
