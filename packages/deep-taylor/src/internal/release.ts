/**
 * The memory of `explainHeatmap`: the reverse sweep reads the activation and the relevance at a position for the
 * last time at the node that produced that position (its consumers come later in topological order, so the sweep
 * has passed them), after which nothing reads them again: they go back to @dtd/tensor's allocator (`recycle`), and
 * the next large allocation of their size — the next call's same layer, in a loop over inputs — takes their memory
 * instead of fresh pages. What shares memory with a tensor still to be read (positions up to the current node: a
 * reshape, a pass-through relevance) or returned (the input, the scores) is left alone.
 * @module
 */
import type * as T from "@dtd/tensor";
import { recycle, recycleFrom } from "@dtd/tensor/unsafe";

/** The sweep's tensors by position (as `Explanation`'s), and the buffers explain returns. */
export interface Sweep {
  readonly activations: readonly T.Tensor[];
  readonly relevances: readonly (T.Tensor | undefined)[];
  readonly kept: readonly ArrayBufferLike[];
}

/**
 * After node i of the reverse sweep: hands back the memory of position i + 1's activation and relevance, read for
 * the last time, except where a tensor at a position up to i (still to be read) or a kept buffer shares it; each
 * buffer once.
 */
export const releaseAfter = (i: number, { activations, relevances, kept }: Sweep): void => {
  const dead = [activations[i + 1], relevances[i + 1]].filter((t): t is T.Tensor => t !== undefined && t.data.length >= recycleFrom);
  // Small arrays are never kept (recycle ignores them): no bookkeeping for them (a Dense net's whole sweep).
  if (dead.length === 0) return;
  const live = new Set<ArrayBufferLike>(kept);
  for (let q = 0; q <= i; q++) {
    live.add(activations[q]!.data.buffer);
    const r = relevances[q];
    if (r !== undefined) live.add(r.data.buffer);
  }
  for (const t of dead) {
    if (live.has(t.data.buffer)) continue;
    live.add(t.data.buffer);
    recycle(t.data);
  }
};
