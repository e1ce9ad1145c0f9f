/**
 * The rule gallery (docs/rule-gallery.md): the deck's three rules and four more, each a strategy — a domain, a
 * direction, a segment — from which `deriveRule` derives eq. (4). The page's code blocks are the regions of this
 * file, and packages/deep-taylor/test/gallery.test.ts checks every claim of its table against the kit.
 *
 * Run it: pnpm tsx docs/examples/gallery.ts
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Kit } from "@dtd/deep-taylor/testing";

const zbBox = DT.zB(-1, 2);
if (E.isLeft(zbBox)) throw new Error(zbBox.left);
/** The deck's zᵇ-rule on the box [−1, 2]ᵈ. */
export const zb = zbBox.right;

// #region flat
/** Flat, 𝒳 = ℝᵈ: the modified weight q_ij = v_ij w_ij = 1 itself (v = 1/w, no guard needed at w = 0). */
export const flat: DT.Strategy = {
  name: "flat",
  domain: L.Domain.real,
  direction: DT.split(DT.term("1", DT.constantInput(1), DT.modifiedWeight(() => 1))),
  segment: Infinity,
  requiresNonPositiveBias: false,
};
// #endregion

// #region z-minus
/** z⁻, 𝒳 = ℝ₋ᵈ: the segment from x to {x_i 1[w_ij > 0]}, a root when b_j ≤ 0 (Σ_i x_i w_ij⁺ ≤ 0 there). */
export const zMinus: DT.Strategy = {
  name: "z-",
  domain: L.Domain.nonPositive,
  direction: DT.split(DT.term("x", DT.input, DT.signMask(0, 1, 1))),
  segment: 1,
  requiresNonPositiveBias: true,
};
// #endregion

// #region gamma
/** γ, 𝒳 = ℝ₊ᵈ: z⁺'s segment with the positive weights favoured, q_ij = x_i (w_ij + γ w_ij⁺) (zennit's Gamma). */
export const gamma = (g: number): DT.Strategy => ({
  name: `gamma ${g}`,
  domain: L.Domain.nonNegative,
  direction: DT.split(DT.term("x", DT.input, DT.modifiedWeight((w) => w + g * Math.max(0, w)))),
  segment: 1,
  requiresNonPositiveBias: true,
});
// #endregion

// #region w2-box
/** w² with bounds, 𝒳 = [−1, 2]ᵈ: w²'s direction v = w on zᵇ's box — the line x − s·w is not kept inside it. */
export const w2InBox: DT.Strategy = { ...DT.w2, name: "w2 in [-1, 2]", domain: zb.domain };
// #endregion

/** The gallery, in the page's order, by the names its table uses. */
export const gallery: readonly (readonly [string, DT.Strategy])[] = [
  ["w²", DT.w2],
  ["z⁺", DT.zPlus],
  ["zᵇ (l = −1, h = 2)", zb],
  ["flat", flat],
  ["z⁻", zMinus],
  ["γ (γ = 0.25)", gamma(0.25)],
  ["w² in [−1, 2]ᵈ", w2InBox],
];

if (typeof process !== "undefined" && process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  for (const [, strategy] of gallery) console.log(Kit.formatReport(Kit.checkRule(strategy, { numRuns: 50 })), "\n");
}
