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
import { recycle } from "@dtd/tensor/unsafe";

/**
 * Hands back the memory of `dead` (tensors no step reads again), except where a tensor of `stillRead` or a buffer of
 * `kept` shares it; each buffer once.
 */
export const releaseDead = (dead: readonly T.Tensor[], stillRead: Iterable<T.Tensor | undefined>, kept: readonly ArrayBufferLike[]): void => {
  const live = new Set<ArrayBufferLike>(kept);
  for (const t of stillRead) if (t !== undefined) live.add(t.data.buffer);
  for (const t of dead) {
    if (live.has(t.data.buffer)) continue;
    live.add(t.data.buffer);
    recycle(t.data);
  }
};
