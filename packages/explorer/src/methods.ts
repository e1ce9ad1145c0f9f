/**
 * The methods the page offers, as data: a deep Taylor method is one rule per affine layer (w², z⁺ or zᵇ on a
 * box) and a max-pooling mode — the deck's presets (w², z⁺, zᵇ, the training-free relevance models) and a
 * per-layer composite are all this one shape — and the baselines are named. Data only (the page's menu);
 * composite.ts turns a spec into rules.
 * @module
 */
import type * as DT from "@dtd/deep-taylor";

/** A rule of one affine layer. */
export type RuleId = "w2" | "zplus" | "zb";

/** The baselines of the deck (Montavon et al. 2017, Sec. 2). */
export type BaselineId = "sensitivity" | "gradientXInput" | "simpleTaylor";

/** What to explain with. */
export type MethodSpec =
  | {
      readonly _tag: "DeepTaylor";
      /** The rule of each affine layer, in order (the first touches the input domain). */
      readonly rules: readonly RuleId[];
      readonly maxPool: DT.MaxPoolMode;
      /** zᵇ's box [l, h] (the input's range: [0, 1] for pixels). */
      readonly box: readonly [number, number];
    }
  | { readonly _tag: "Baseline"; readonly baseline: BaselineId };

/** The rules' names as the page shows them. */
export const ruleLabels: { readonly [R in RuleId]: string } = { w2: "w²", zplus: "z⁺", zb: "zᵇ" };

/** The presets of the method menu. */
export type PresetId = "zplus" | "w2" | "zb" | "trainingFreeZb" | "trainingFreeW2" | "perLayer" | BaselineId;

/** A preset: its label, and the spec it means for a model with `affine` affine layers. */
export interface Preset {
  readonly label: string;
  readonly spec: (affine: number, box: readonly [number, number], perLayer: readonly RuleId[]) => MethodSpec;
}

const firstThen = (first: RuleId, rest: RuleId, affine: number): RuleId[] => Array.from({ length: affine }, (_, i) => (i === 0 ? first : rest));
const deepTaylor = (rules: readonly RuleId[], maxPool: DT.MaxPoolMode, box: readonly [number, number]): MethodSpec => ({ _tag: "DeepTaylor", rules, maxPool, box });

/** The method menu, in order. */
export const presets: { readonly [P in PresetId]: Preset } = {
  zplus: { label: "z⁺-rule (every layer)", spec: (n, box) => deepTaylor(firstThen("zplus", "zplus", n), "winnerTakeAll", box) },
  w2: { label: "w²-rule (every layer)", spec: (n, box) => deepTaylor(firstThen("w2", "w2", n), "winnerTakeAll", box) },
  zb: { label: "zᵇ-rule (first layer, on the box), z⁺ above", spec: (n, box) => deepTaylor(firstThen("zb", "zplus", n), "winnerTakeAll", box) },
  trainingFreeZb: { label: "training-free: zᵇ first, z⁺ above, proportional pooling", spec: (n, box) => deepTaylor(firstThen("zb", "zplus", n), "proportional", box) },
  trainingFreeW2: { label: "training-free: w² first, z⁺ above, proportional pooling", spec: (n, box) => deepTaylor(firstThen("w2", "zplus", n), "proportional", box) },
  perLayer: { label: "per layer: a rule for each layer", spec: (n, box, perLayer) => deepTaylor(firstThen("zplus", "zplus", n).map((r, i) => perLayer[i] ?? r), "winnerTakeAll", box) },
  sensitivity: { label: "baseline: sensitivity analysis (∂f/∂xₚ)²", spec: () => ({ _tag: "Baseline", baseline: "sensitivity" }) },
  gradientXInput: { label: "baseline: gradient × input", spec: () => ({ _tag: "Baseline", baseline: "gradientXInput" }) },
  simpleTaylor: { label: "baseline: simple Taylor decomposition (nearest root)", spec: () => ({ _tag: "Baseline", baseline: "simpleTaylor" }) },
};

/** The ids in menu order. */
export const presetIds = Object.keys(presets) as PresetId[];

/** A short name of a spec, e.g. "z⁺", "zᵇ / z⁺ ×2, proportional", "sensitivity". */
export const specName = (spec: MethodSpec): string => {
  if (spec._tag === "Baseline") return spec.baseline;
  const names = spec.rules.map((r) => ruleLabels[r]);
  const runs: string[] = [];
  for (let i = 0; i < names.length; ) {
    let j = i;
    while (j < names.length && names[j] === names[i]) j++;
    runs.push(j - i > 1 ? `${names[i]} ×${j - i}` : names[i]!);
    i = j;
  }
  return `${runs.join(" / ") || "no affine layer"}${spec.maxPool === "proportional" ? ", proportional" : ""}`;
};
