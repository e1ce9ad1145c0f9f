/**
 * The planning step of eq. (4): how to compute what the reference derivation (`deriveRule.ts`) computes term by
 * term with fewer passes, decided once per strategy from its terms' data. A plan is data; `planned.ts` runs it.
 * The simplifications, and what they cost in exactness (test/plan.prop.test.ts holds each to the reference):
 * - **grouping by weight**: the forward passes of terms on the input x are summed into one pass per modified
 *   weight, W⁺ and W⁻ with equal coefficients folded into W; the transposed passes of every term are grouped
 *   the same way, sign masks on W⁺ and W⁻ (or on W when every mask takes both signs), so a rule's sign-mask terms
 *   cost at most two transposed products. Sums in another order: equal to the reference within rounding.
 * - **reusing z − b**: when the input terms sum to linear(x; W) itself, the layer's own output z (given to the
 *   propagation) minus b stands for that pass. Within rounding.
 * - **constant-term caching**: the forward passes of constant modifiers (zᵇ's −l and −h, w²'s 1), and −b when
 *   z is reused, are summed once per layer into K [1, ...out] and reused on every call: bit-identical to
 *   computing K afresh.
 * - **stacked transposed products**: a rule with several groups (zᵇ: W⁺ and W⁻) takes them in one transposed
 *   product whose weights are the groups' stacked along the input axis, so c is read once and the product is
 *   wider (conv2d layers). Each block is its group's own sum: within rounding of the sum over groups.
 * - **one-pass quotient**: c = R / (s + K) (or R / s) in one pass (`divNoNanSum` of `@dtd/tensor/unsafe`, native when
 *   installed): bit-identical to an add and a division.
 * A plan of one term on the input (or a custom modifier) computes the reference's own operations: bit-identical
 * to it (`exact`), unless z − b stands in for its pass.
 * @module
 */
import * as T from "@dtd/tensor";
import { IdentityMemo } from "@dtd/tensor/unsafe";
import type { DirectionTerm, InputModifier, WeightSelector } from "../Strategy.ts";
import { idOf } from "./affineCache.ts";

/**
 * A modified weight tensor a plan multiplies by: W⁺, W⁻, W, W⊙W, or a function selector's g(W)⊙W or q(W).
 * `key` names it in the per-layer caches; `byFunction` parts are recomputed on every call and cached by value.
 */
export interface Part {
  readonly key: string;
  readonly make: (W: T.Tensor) => T.Tensor;
  readonly byFunction: boolean;
}
export const POS: Part = { key: "+", make: (W) => T.positivePart(W), byFunction: false };
export const NEG: Part = { key: "-", make: (W) => T.negativePart(W), byFunction: false };
export const ALL: Part = { key: "W", make: (W) => W, byFunction: false };
const SQUARE: Part = { key: "W²", make: (W) => T.mul(W, W), byFunction: false };

type FunctionSelector = WeightSelector & { readonly _tag: "Custom" | "Modified" };
const functionParts = IdentityMemo.make<FunctionSelector, Part>();
const functionPart = (g: FunctionSelector): Part =>
  functionParts.get(g, "part", "", () => {
    const make = g._tag === "Custom" ? (W: T.Tensor) => T.map(W, (w) => g.g(w) * w) : (W: T.Tensor) => T.map(W, (w) => g.q(w));
    return { key: `g${idOf(g)}`, make, byFunction: true };
  });

/** A weighted sum Σ coef·part standing for one selector's modified weight g(W)⊙W. */
export const partsOf = (g: WeightSelector): [Part, number][] => {
  switch (g._tag) {
    case "Custom":
    case "Modified":
      return [[functionPart(g), 1]];
    case "Weight":
      return [[SQUARE, 1]];
    case "SignMask":
      return g.positive === 1 && g.negative === 1 ? [[ALL, 1]] : g.positive === 1 ? [[POS, 1]] : g.negative === 1 ? [[NEG, 1]] : [];
  }
};

/** One transposed product of steps 3–4: linear(·; part)ᵀ c, times the sum of the modifiers grouped on it. */
export interface BackGroup {
  readonly part: Part;
  readonly inputs: readonly InputModifier[];
}

/** How eq. (4) is computed for one strategy's terms. */
export interface Plan {
  /** Step 1 on x: Σ coef·linear(x; part), one pass per part (W⁺ and W⁻ with equal coefficients folded into W). */
  readonly onInput: readonly (readonly [Part, number])[];
  /** The input terms include linear(x; W) exactly once: z − b stands for that pass when z is given. */
  readonly reusesZ: boolean;
  /** Step 1 of custom modifiers: evaluated on every call. */
  readonly custom: readonly DirectionTerm[];
  /** Step 1 of constant modifiers: summed once per layer into K. */
  readonly constants: readonly DirectionTerm[];
  /** Steps 3–4: one transposed product per part. */
  readonly back: readonly BackGroup[];
  /**
   * Steps 3–4 of several groups in one transposed product, their weights stacked along the input axis (conv2d
   * layers; dense and depthwise ones take a product per group): c is read once and the product is G times wider.
   */
  readonly stacked: boolean;
  /** The plan computes the reference's own operations, so it equals the reference bit for bit (unless z is reused). */
  readonly exact: boolean;
}

/** Sums the input terms' parts by weight, W⁺ and W⁻ with equal coefficients folded into W. */
const inputPasses = (terms: readonly DirectionTerm[]): [Part, number][] => {
  const coef = new Map<Part, number>();
  for (const t of terms) if (t.input._tag === "Input") for (const [p, c] of partsOf(t.weight)) coef.set(p, (coef.get(p) ?? 0) + c);
  const pos = (coef.get(POS) ?? 0) + (coef.get(ALL) ?? 0);
  const neg = (coef.get(NEG) ?? 0) + (coef.get(ALL) ?? 0);
  const signed: [Part, number][] = pos === neg ? (pos === 0 ? [] : [[ALL, pos]]) : ([[POS, pos], [NEG, neg]] as [Part, number][]).filter(([, c]) => c !== 0);
  const others = [...coef.entries()].filter(([p]) => p !== POS && p !== NEG && p !== ALL);
  return [...signed, ...others];
};

/** Groups every term's transposed product by weight: sign masks on W⁺ and W⁻, or on W when every mask takes both. */
const backGroups = (terms: readonly DirectionTerm[]): BackGroup[] => {
  const groups = new Map<Part, InputModifier[]>();
  const addTo = (p: Part, a: InputModifier) => groups.set(p, [...(groups.get(p) ?? []), a]);
  const everyMaskTakesBoth = terms.every((t) => t.weight._tag !== "SignMask" || (t.weight.positive === 1) === (t.weight.negative === 1));
  for (const t of terms) {
    const g = t.weight;
    if (g._tag !== "SignMask") for (const [p] of partsOf(g)) addTo(p, t.input);
    else if (everyMaskTakesBoth) {
      if (g.positive === 1) addTo(ALL, t.input);
    } else {
      if (g.positive === 1) addTo(POS, t.input);
      if (g.negative === 1) addTo(NEG, t.input);
    }
  }
  return [...groups.entries()].map(([part, inputs]) => ({ part, inputs }));
};

/** The plan of a split direction's terms. */
export const planOf = (terms: readonly DirectionTerm[]): Plan => {
  const onInput = inputPasses(terms);
  const only = terms.length === 1 ? terms[0] : undefined;
  return {
    onInput,
    reusesZ: onInput.some(([p, c]) => p === ALL && c === 1),
    custom: terms.filter((t) => t.input._tag === "Custom"),
    constants: terms.filter((t) => t.input._tag === "Constant"),
    back: backGroups(terms),
    stacked: true,
    exact: only !== undefined && only.input._tag !== "Constant",
  };
};
