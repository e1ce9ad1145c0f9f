/**
 * Which matrices the thin products keep resident in WebAssembly memory, and where (wasmThin.ts owns the memory;
 * this module only does the bookkeeping, in bytes relative to the start of the resident region).
 *
 * A thin product reads its matrix once, so copying the matrix into wasm memory costs about as much as the product
 * itself (float32 1568×400: 0.18 ms copy + 0.15 ms product). But a dense layer's weights are multiplied again and
 * again: one heatmap of net A runs three thin products over the same two matrices (x·W, x·W⁺, c·W⁺ᵀ). So a
 * matrix seen a second time is copied once into a region of the memory and used from there afterwards.
 *
 * **Immutability assumption.** A resident copy is found by the identity of the caller's typed array (and the
 * range read from it), not by its contents. This is sound because dtd tensors are immutable by convention
 * (Tensor.ts: `data` is never written after construction; @dtd/deep-taylor already caches derived weights keyed
 * by tensor identity on the same assumption). An array mutated in place after it became resident would be read
 * stale: that is NOT supported. Code that reuses a scratch array across products must not pass it as the matrix
 * operand of a thin product, or must call {@link ResidentCache.forget} after writing it.
 *
 * Policy:
 * - admission on second use: the first product over a range only records it, so a per-call temporary used once
 *   never takes space (nor evicts anything);
 * - a budget of bytes ({@link DEFAULT_BUDGET}); a range larger than the budget is never resident;
 * - least-recently-used eviction when a new range does not fit (first fit among the gaps between resident
 *   ranges, so eviction stops as soon as one gap is large enough);
 * - a FinalizationRegistry (where the platform has one) frees the space of a range whose array was garbage
 *   collected; the identity memo of ranges (IdentityMemo.ts, keyed weakly by the array) forgets it at the same time.
 * @module
 */
import type { FloatArray } from "../../DType.ts";
import * as IdentityMemo from "../../IdentityMemo.ts";

/** The default budget of the resident region: 32 MB (e.g. net A's W and W⁺ take 2.5 MB each in float32). */
export const DEFAULT_BUDGET = 32 * 1024 * 1024;

/** Byte alignment of each resident range (one v128). */
const ALIGN = 16;

/** One range of one array: recorded on first use, resident from the second until evicted or collected. */
interface Entry {
  readonly off: number;
  readonly length: number;
  readonly bytes: number;
  /** Byte offset in the resident region while resident, else -1. */
  at: number;
}

/** Usage of the resident region, for tests and benchmarks. */
export interface ResidentStats {
  /** Ranges resident now. */
  readonly count: number;
  /** Bytes they occupy (each rounded up to 16). */
  readonly bytes: number;
  /** Ranges evicted to make room since the cache was created. */
  readonly evictions: number;
  /** Ranges freed because their array was garbage collected. */
  readonly collected: number;
}

/** The cache of one memory region. */
export interface ResidentCache {
  /**
   * The byte offset (in the region) of the resident copy of `mat[off .. off + length)`, or undefined when the
   * range is not resident after this call (its first use, or too large for the budget). When the range becomes
   * resident by this call, `fill(at)` is called first to copy it there; `reserve(end)` is called before that to
   * make the region at least `end` bytes long, and may return false (no memory), in which case nothing is kept.
   */
  readonly lookup: (
    mat: FloatArray,
    off: number,
    length: number,
    reserve: (end: number) => boolean,
    fill: (at: number) => void,
  ) => number | undefined;
  /** The end (bytes, aligned to 16) of the highest resident range: the region above it is free for scratch. */
  readonly top: () => number;
  /** Frees every range of `mat` (after an in-place write, or to release memory early). */
  readonly forget: (mat: FloatArray) => void;
  /** Changes the budget, evicting the resident ranges that end beyond it. */
  readonly setBudget: (bytes: number) => void;
  readonly stats: () => ResidentStats;
}

interface Registry {
  readonly register: (target: object, held: Entry, token: Entry) => void;
  readonly unregister: (token: Entry) => void;
}

/** A cache with `budget` bytes. */
export const makeResidentCache = (budget: number = DEFAULT_BUDGET): ResidentCache => {
  let capacity = budget;
  /** Each array's ranges, one slot per offset. */
  const ranges = IdentityMemo.make<FloatArray, Entry>();
  /** Resident entries, least recently used first (a Set iterates in insertion order). */
  const lru = new Set<Entry>();
  let evictions = 0;
  let collected = 0;

  const release = (e: Entry): void => {
    lru.delete(e);
    e.at = -1;
  };
  const FR = (globalThis as { FinalizationRegistry?: new (cb: (held: Entry) => void) => Registry }).FinalizationRegistry;
  const registry: Registry | undefined =
    FR === undefined
      ? undefined
      : new FR((e) => {
          if (e.at >= 0) {
            release(e);
            collected++;
          }
        });

  const evict = (e: Entry): void => {
    release(e);
    registry?.unregister(e);
    evictions++;
  };

  /** First fit among the gaps between resident ranges, or -1. */
  const findGap = (bytes: number): number => {
    const live = [...lru].sort((x, y) => x.at - y.at);
    let start = 0;
    for (const e of live) {
      if (e.at - start >= bytes) return start;
      start = e.at + e.bytes;
    }
    return capacity - start >= bytes ? start : -1;
  };

  const place = (bytes: number): number => {
    for (;;) {
      const at = findGap(bytes);
      if (at >= 0) return at;
      const oldest = lru.values().next();
      if (oldest.done === true) return -1;
      evict(oldest.value);
    }
  };

  const lookup: ResidentCache["lookup"] = (mat, off, length, reserve, fill) => {
    const slot = String(off);
    const e = ranges.peek(mat, slot, "");
    if (e === undefined || e.length !== length) {
      // First use of this range: only remembered.
      const bytes = Math.ceil((length * mat.BYTES_PER_ELEMENT) / ALIGN) * ALIGN;
      if (e !== undefined && e.at >= 0) evict(e);
      ranges.set(mat, slot, "", { off, length, bytes, at: -1 });
      return undefined;
    }
    if (e.at >= 0) {
      lru.delete(e);
      lru.add(e);
      return e.at;
    }
    if (e.bytes > capacity) return undefined;
    const at = place(e.bytes);
    if (at < 0 || !reserve(at + e.bytes)) return undefined;
    fill(at);
    e.at = at;
    lru.add(e);
    registry?.register(mat, e, e);
    return at;
  };

  const top = (): number => {
    let end = 0;
    for (const e of lru) end = Math.max(end, e.at + e.bytes);
    return end;
  };

  const forget = (mat: FloatArray): void => {
    for (const e of ranges.valuesOf(mat)) if (e.at >= 0) {
      release(e);
      registry?.unregister(e);
    }
    ranges.forget(mat);
  };

  const setBudget = (bytes: number): void => {
    capacity = bytes;
    for (const e of [...lru]) if (e.at + e.bytes > capacity) evict(e);
  };

  const stats = (): ResidentStats => {
    let bytes = 0;
    for (const e of lru) bytes += e.bytes;
    return { count: lru.size, bytes, evictions, collected };
  };

  return { lookup, top, forget, setBudget, stats };
};
