/**
 * What a perturbed value is replaced with (Samek et al. 2017 replace a region by uniform noise):
 *
 * - `uniformNoise`: a value drawn uniformly from [low, high] — the input box, e.g. [0, 1] for pixels;
 * - `constantValue`: a fixed value, e.g. 0 (black) or a reference image (one value per input unit).
 *
 * Bounds and values are a number for every input unit, or one number per unit (flat, in the input's layout).
 *
 * The replacement values of sample n are drawn once per sample, from a stream seeded by (seed, n) alone, for all
 * of its units — before any ordering is applied. Every ordering therefore puts the *same* value into a given
 * unit (common random numbers): curves of different orderings differ only by the order, never by the noise, and
 * after all regions are perturbed every ordering reaches the same input x⁽ᴸ⁾.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { EvaluateError } from "./EvaluateError.ts";
import { streamFor } from "./internal/streams.ts";

/** A bound or value: one number for every unit, or one per unit. */
export type PerUnit = number | ArrayLike<number>;

/** The replacement of perturbed values. */
export type Replacement =
  | { readonly _tag: "uniform"; readonly low: PerUnit; readonly high: PerUnit }
  | { readonly _tag: "constant"; readonly value: PerUnit };

/** Uniform noise in [low, high]. */
export const uniformNoise = (low: PerUnit, high: PerUnit): Replacement => ({ _tag: "uniform", low, high });

/** A constant (or a reference input). */
export const constantValue = (value: PerUnit): Replacement => ({ _tag: "constant", value });

const at = (v: PerUnit, p: number): number => (typeof v === "number" ? v : v[p]!);

/** Checks a replacement against the per-sample size: lengths, finiteness, low ≤ high. */
export const checkReplacement = (r: Replacement, size: number): E.Either<EvaluateError, Replacement> => {
  const parts: readonly (readonly [string, PerUnit])[] = r._tag === "uniform" ? [["low", r.low], ["high", r.high]] : [["value", r.value]];
  for (const [name, v] of parts) {
    if (typeof v !== "number" && v.length !== size) {
      return E.left({ _tag: "ShapeMismatch", what: `replacement ${name}`, expected: `a number or ${size} numbers (one per input unit)`, found: `${v.length} numbers` });
    }
    const n = typeof v === "number" ? 1 : v.length;
    for (let p = 0; p < n; p++) {
      if (!Number.isFinite(at(v, p))) return E.left({ _tag: "NonFinite", what: `replacement ${name}`, sample: 0, index: p, value: at(v, p) });
    }
  }
  if (r._tag === "uniform") {
    for (let p = 0; p < size; p++) {
      if (!(at(r.low, p) <= at(r.high, p))) {
        return E.left({ _tag: "InvalidOption", option: "replacement", expected: "low ≤ high for every unit", found: `low ${at(r.low, p)} > high ${at(r.high, p)} at flat index ${p}` });
      }
    }
  }
  return E.right(r);
};

/** Writes the `size` replacement values of sample `opts.sample` into `out` from `offset` on. */
export const fillReplacement = (r: Replacement, opts: { readonly seed: number; readonly sample: number; readonly size: number }, out: Float64Array, offset: number): void => {
  const size = opts.size;
  if (r._tag === "constant") {
    for (let p = 0; p < size; p++) out[offset + p] = at(r.value, p);
    return;
  }
  const rng = streamFor(opts.seed, "replacement", opts.sample);
  for (let p = 0; p < size; p++) {
    const lo = at(r.low, p);
    out[offset + p] = lo + (at(r.high, p) - lo) * rng.next();
  }
};
