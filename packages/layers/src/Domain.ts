/**
 * Input domains of the root-point search (Montavon et al. 2017, Sec. 3): ℝᵈ (the w²-rule), ℝ₊ᵈ (z⁺), and the
 * box 𝓑 = { x : lᵢ ≤ xᵢ ≤ hᵢ } with lᵢ ≤ 0 ≤ hᵢ (zᵇ). Bounds may be scalars or one per feature.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";

/** A bound: one number for every feature, or one per feature (flat, in the input's layout). */
export type Bound = number | T.Tensor;

/** An input domain. */
export type Domain =
  | { readonly _tag: "Real" }
  | { readonly _tag: "NonNegative" }
  | { readonly _tag: "Box"; readonly low: Bound; readonly high: Bound };

/** ℝᵈ */
export const real: Domain = { _tag: "Real" };
/** ℝ₊ᵈ */
export const nonNegative: Domain = { _tag: "NonNegative" };

/** The box l ≤ x ≤ h; requires l ≤ 0 ≤ h elementwise (so that the zᵇ segment ends at a root when b ≤ 0). */
export const box = (low: Bound, high: Bound): E.Either<string, Domain> => {
  const lows = typeof low === "number" ? [low] : Array.from(low.data);
  const highs = typeof high === "number" ? [high] : Array.from(high.data);
  if (typeof low !== "number" && typeof high !== "number" && low.data.length !== high.data.length) {
    return E.left(`box: expected bounds of equal length, found ${low.data.length} and ${high.data.length}`);
  }
  const badLow = lows.findIndex((l) => !(l <= 0) || !Number.isFinite(l));
  if (badLow >= 0) return E.left(`box: expected low ≤ 0 (finite) at every feature, found ${lows[badLow]} at feature ${badLow}`);
  const badHigh = highs.findIndex((h) => !(h >= 0) || !Number.isFinite(h));
  if (badHigh >= 0) return E.left(`box: expected high ≥ 0 (finite) at every feature, found ${highs[badHigh]} at feature ${badHigh}`);
  return E.right({ _tag: "Box", low, high });
};

/** The bound's value at flat feature i. */
export const at = (b: Bound, i: number): number => (typeof b === "number" ? b : b.data[i % b.data.length]!);

/**
 * The first feature of one sample (flat, length d) outside the domain (with tolerance), or undefined; `from`
 * starts the search at a later feature (to list every violation, one after the other).
 */
export const firstOutside = (
  domain: Domain,
  x: ArrayLike<number>,
  tol = 0,
  from = 0,
): { readonly index: number; readonly value: number; readonly expected: string } | undefined => {
  for (let i = from; i < x.length; i++) {
    const v = x[i]!;
    switch (domain._tag) {
      case "Real":
        if (!Number.isFinite(v)) return { index: i, value: v, expected: "a finite number" };
        break;
      case "NonNegative":
        if (!(v >= -tol)) return { index: i, value: v, expected: "x ≥ 0" };
        break;
      case "Box": {
        const l = at(domain.low, i);
        const h = at(domain.high, i);
        if (!(v >= l - tol && v <= h + tol)) return { index: i, value: v, expected: `${l} ≤ x ≤ ${h}` };
        break;
      }
    }
  }
  return undefined;
};

/** True when a sample lies in the domain (with tolerance). */
export const contains = (domain: Domain, x: ArrayLike<number>, tol = 0): boolean => firstOutside(domain, x, tol) === undefined;

/** A short description: "ℝᵈ", "ℝ₊ᵈ", "[l, h]". */
export const show = (domain: Domain): string =>
  domain._tag === "Real" ? "R^d" : domain._tag === "NonNegative" ? "R+^d" : `box [${typeof domain.low === "number" ? domain.low : "l"}, ${typeof domain.high === "number" ? domain.high : "h"}]`;
