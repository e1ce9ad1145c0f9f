/**
 * The three deep Taylor rules on tabular inputs, each a root-point strategy (Montavon et al. 2017, Sec. 3):
 *
 * - zᵇ, 𝒳 = 𝓑 = {l ≤ x ≤ h}: the root of neuron j is the corner l_i 1[w_ij > 0] + h_i 1[w_ij < 0] of the box,
 *   q_ij = x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻ = (x_i − l_i)·w_ij⁺ + (h_i − x_i)·|w_ij⁻|. Here 𝓑 is the data's own box
 *   (the training range of every feature, @dtd/datasets's TitanicScaling), so the root is a passenger the data allows.
 * - w², 𝒳 = ℝᵈ: the nearest root x − R_j w_j / ‖w_j‖², q_ij = w_ij², whatever x is.
 * - z⁺, 𝒳 = ℝ₊ᵈ: the root x_i 1[w_ij < 0] (switch off what speaks for survival), q_ij = x_i w_ij⁺.
 *
 * zᵇ comes first: it is the report's default (see ./claims.ts for why). Each is used as the deck's training-free
 * relevance model prescribes: the rule in the first layer, z⁺ above it, sum pooling R_j = x_j. Explanations are
 * computed leniently — a violated precondition (z⁺ on standardised inputs, which are negative below the mean) is
 * recorded as a warning, and the consistency check shows what it costs.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import type * as L from "@dtd/layers";
import { Domain } from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";

/** The rules, the default first. */
export const RULE_IDS = ["zb", "w2", "zplus"] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Names in reports (Markdown) and pictures (ASCII plus ²), and the domain each rule assumes. */
export const RULE_NAMES: { readonly [K in RuleId]: { readonly title: string; readonly label: string; readonly domain: string } } = {
  zb: { title: "zᵇ-rule", label: "zb", domain: "the box 𝓑 of the training range" },
  w2: { title: "w²-rule", label: "w²", domain: "ℝᵈ" },
  zplus: { title: "z⁺-rule", label: "z+", domain: "ℝ₊ᵈ" },
};

/** The box of the features in scaled units: l_i ≤ x_i ≤ h_i. */
export interface FeatureBox {
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/** A bound as a tensor of the input's per-sample shape [d]. */
const bound = (v: Float64Array): T.Tensor => unsafeMake([v.length], v);

/** Each rule's strategy; zᵇ's box is `box`. Left when the box does not contain 0 (zᵇ needs l ≤ 0 ≤ h). */
export const ruleStrategies = (box: FeatureBox): E.Either<string, { readonly [K in RuleId]: DT.Strategy }> =>
  E.map((zb: DT.Strategy) => ({ zb, w2: DT.w2, zplus: DT.zPlus }))(DT.zB(bound(box.low), bound(box.high)));

/** The composite of a strategy: it in the first layer, z⁺ above (the training-free relevance model). */
const composite = (strategy: DT.Strategy): DT.Composite => DT.trainingFree(DT.deriveRule(strategy));

/** Explains the batch x leniently: violated preconditions are warnings of the explanation. */
export const explainWith = (model: L.Model, x: T.Tensor, strategy: DT.Strategy): E.Either<string, DT.Explanation> =>
  E.mapLeft(DT.message)(DT.explain(model, x, composite(strategy), { lenient: true }));

/**
 * Checks every active neuron's root point (verifyRoots) with the rule's own search direction and segment but
 * the data's box as the domain: is it a root, on the segment, and a passenger the data allows?
 */
export const rootsInBox = (model: L.Model, x: T.Tensor, strategy: DT.Strategy, box: FeatureBox): E.Either<string, DT.RootVerification> => {
  const domain = Domain.box(bound(box.low), bound(box.high));
  if (E.isLeft(domain)) return domain;
  return E.mapLeft(DT.message)(DT.verifyRoots(model, x, composite({ ...strategy, domain: domain.right }), { maxListed: 0 }));
};
