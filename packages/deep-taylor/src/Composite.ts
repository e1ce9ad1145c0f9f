/**
 * A composite assigns a rule to every layer, as data (zennit's vocabulary): a rule for the first affine layer,
 * one for the others, overrides by layer index or kind, and the choice for max pooling. Presets give the
 * deck's relevance models.
 * @module
 */
import { isAffine, type Kind, type Model } from "@dtd/layers";
import { deriveRule } from "./deriveRule.ts";
import type { Rule } from "./Rule.ts";
import { zPlus } from "./strategies.ts";

/** How max pooling redistributes: to each window's winner (as zennit and iNNvestigate do) or proportionally. */
export type MaxPoolMode = "winnerTakeAll" | "proportional";

/** Rule assignment for a whole network. */
export interface Composite {
  /** The rule of the first Dense/Conv2d layer (the one that touches the input domain). */
  readonly first: Rule;
  /** The rule of every other Dense/Conv2d layer. */
  readonly rest: Rule;
  /** Overrides by layer index (highest precedence). */
  readonly byIndex?: Readonly<Record<number, Rule>>;
  /** Overrides by kind ("dense" | "conv2d"), applied to layers other than the first. */
  readonly byKind?: Readonly<Partial<Record<Kind, Rule>>>;
  /** Max pooling: winner-take-all (default) or proportional. */
  readonly maxPool?: MaxPoolMode;
  /** Stabiliser ε for every rule (default 0: exact). */
  readonly epsilon?: number;
}

/** One rule everywhere. */
export const uniform = (rule: Rule, opts: { maxPool?: MaxPoolMode } = {}): Composite => ({ first: rule, rest: rule, ...opts });

/**
 * The deck's training-free relevance model: z⁺ above the first layer, and w² or zᵇ (the rule given) in the
 * first; pooling layers redistribute proportionally, R_j = x_j / Σ_j' x_j' · R_k.
 */
export const trainingFree = (first: Rule): Composite => ({ first, rest: deriveRule(zPlus), maxPool: "proportional" });

/** The index of the first Dense/Conv2d layer, or −1. */
export const firstAffineIndex = (model: Model): number => model.layers.findIndex(isAffine);

/** The rule assigned to affine layer `index`. */
export const ruleFor = (c: Composite, model: Model, index: number): Rule => {
  const byIndex = c.byIndex?.[index];
  if (byIndex !== undefined) return byIndex;
  if (index === firstAffineIndex(model)) return c.first;
  return c.byKind?.[model.layers[index]!.kind] ?? c.rest;
};
