/**
 * A composite as data, for workers. A `DT.Composite` holds derived rules, and a rule holds functions (its
 * strategy's weight selectors, its propagation), which cannot be posted to a worker (structured cloning refuses
 * functions). A `CompositeSpec` says the same thing with strategies named instead of derived: the deck's w², z⁺
 * and zᵇ (its box as numbers or tensors), or a strategy registered by name in a custom worker module
 * (`serve({ strategies })`). Each worker rebuilds the composite with {@link toComposite}, deriving every rule
 * through eq. (4) itself (Montavon et al. 2017, Sec. 3) — the same rules, so the same numbers, as in the thread
 * that asked.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import type { ParallelError } from "./ParallelError.ts";

/** A root-point strategy as data. */
export type StrategySpec =
  /** w², 𝒳 = ℝᵈ. */
  | { readonly _tag: "w2" }
  /** z⁺, 𝒳 = ℝ₊ᵈ. */
  | { readonly _tag: "zplus" }
  /** zᵇ, 𝒳 = {l ≤ x ≤ h}: bounds are numbers or tensors of the layer input's per-sample shape. */
  | { readonly _tag: "zb"; readonly low: L.Bound; readonly high: L.Bound }
  /** A strategy a custom worker module registered under this name (`serve({ strategies: { [name]: … } })`). */
  | { readonly _tag: "named"; readonly name: string };

/** What the matched nodes use: the rule derived from a strategy, or a fixed redistribution. */
export type UseSpec = { readonly _tag: "Rule"; readonly strategy: StrategySpec } | DT.Redistribution;

/** One entry: a matcher (already data in @dtd/deep-taylor) and what the matched nodes use. */
export interface EntrySpec {
  readonly match: DT.Matcher;
  readonly use: UseSpec;
}

/** A composite as data: first match wins, as in `DT.composite`. */
export interface CompositeSpec {
  readonly entries: readonly EntrySpec[];
  readonly epsilon?: number;
}

/** The w² strategy. */
export const w2: StrategySpec = { _tag: "w2" };
/** The z⁺ strategy. */
export const zPlus: StrategySpec = { _tag: "zplus" };
/** The zᵇ strategy on the box [low, high]. */
export const zB = (low: L.Bound, high: L.Bound): StrategySpec => ({ _tag: "zb", low, high });
/** A strategy registered by name in the worker module. */
export const named = (name: string): StrategySpec => ({ _tag: "named", name });

/** The rule derived from a strategy. */
export const rule = (strategy: StrategySpec): UseSpec => ({ _tag: "Rule", strategy });

/** A composite spec from its entries. */
export const compositeSpec = (entries: readonly EntrySpec[], opts: { readonly epsilon?: number } = {}): CompositeSpec => ({ entries, ...opts });

/** Options of {@link layerwise}: `DT.LayerwiseOptions` with strategies instead of rules. */
export interface LayerwiseSpecOptions {
  readonly first: StrategySpec;
  readonly rest: StrategySpec;
  readonly maxPool?: DT.MaxPoolMode;
  readonly add?: "proportional" | "rules";
  readonly epsilon?: number;
}

/** `DT.layerwise` as data: `first` on the affine nodes that read the input, `rest` on the others. */
export const layerwise = (o: LayerwiseSpecOptions): CompositeSpec =>
  compositeSpec(
    [
      { match: DT.firstAffine, use: rule(o.first) },
      { match: DT.affine, use: rule(o.rest) },
      ...(o.maxPool === "proportional" ? [{ match: DT.byKind("maxPool2d", "globalMaxPool"), use: DT.proportional }] : []),
      ...(o.add === "rules" ? [{ match: DT.byKind("add"), use: rule(o.rest) }] : []),
    ],
    o.epsilon === undefined ? {} : { epsilon: o.epsilon },
  );

/** `DT.uniform` as data: one strategy's rule on every affine node. */
export const uniform = (strategy: StrategySpec, opts: { readonly maxPool?: DT.MaxPoolMode; readonly add?: "proportional" | "rules" } = {}): CompositeSpec =>
  layerwise({ first: strategy, rest: strategy, ...opts });

/** Strategies a worker knows by name, besides the deck's three. */
export type StrategyRegistry = Readonly<Record<string, DT.Strategy>>;

const strategyOf = (s: StrategySpec, registry: StrategyRegistry): E.Either<ParallelError, DT.Strategy> => {
  switch (s._tag) {
    case "w2":
      return E.right(DT.w2);
    case "zplus":
      return E.right(DT.zPlus);
    case "zb":
      return E.mapLeft((reason: string): ParallelError => ({ _tag: "InvalidStrategy", strategy: "zb", reason }))(DT.zB(s.low, s.high));
    case "named": {
      const found = Object.hasOwn(registry, s.name) ? registry[s.name] : undefined;
      if (found === undefined) {
        const known = Object.keys(registry);
        return E.left({ _tag: "InvalidStrategy", strategy: s.name, reason: `no strategy of that name is registered in the worker (${known.length === 0 ? "none is" : `registered: ${known.join(", ")}`}; see serve({ strategies }))` });
      }
      return E.right(found);
    }
  }
};

/**
 * The composite of a spec: every rule derived once (entries naming the same strategy object share one rule).
 * Left for a zᵇ box that is not a box (l ≤ 0 ≤ h) or a name the registry lacks. Whether the composite fits a
 * model is `DT.assign`'s to say.
 */
export const toComposite = (spec: CompositeSpec, registry: StrategyRegistry = {}): E.Either<ParallelError, DT.Composite> => {
  const derived = new Map<StrategySpec, DT.Rule>();
  const entries: DT.Entry[] = [];
  for (const e of spec.entries) {
    if (e.use._tag !== "Rule") {
      entries.push({ match: e.match, use: e.use });
      continue;
    }
    let r = derived.get(e.use.strategy);
    if (r === undefined) {
      const s = strategyOf(e.use.strategy, registry);
      if (E.isLeft(s)) return s;
      r = DT.deriveRule(s.right);
      derived.set(e.use.strategy, r);
    }
    entries.push({ match: e.match, use: r });
  }
  return E.right(DT.composite(entries, spec.epsilon === undefined ? {} : { epsilon: spec.epsilon }));
};
