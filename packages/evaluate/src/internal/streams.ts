/**
 * Seeded streams per sample and purpose: the random order and the replacement values of sample n depend only on
 * (seed, n), never on how the samples are split into batches or on which orderings are evaluated together.
 * @module
 */
import * as T from "@dtd/tensor";

/** What a stream is for; each purpose gets its own stream, so adding draws to one never shifts the other. */
export type Purpose = "order" | "replacement";

const PURPOSE: { readonly [P in Purpose]: number } = { order: 0x2545f491, replacement: 0x6c8e9cf5 };

/** The stream of sample `n` for `purpose` under `seed` (T.Random.make hashes the mixed 32-bit seed). */
export const streamFor = (seed: number, purpose: Purpose, n: number): T.Random.Rng =>
  T.Random.make((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77) ^ PURPOSE[purpose]) >>> 0);
