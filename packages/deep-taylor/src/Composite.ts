/**
 * A composite assigns to every node of a model how it passes relevance down, as data: an ordered list of entries,
 * each a matcher (a node name, a kind, the first affine nodes, the affine nodes, a range of node indices, any
 * node) and what the matched nodes use — a rule derived through eq. (4), or one of the fixed redistributions.
 * The first entry that matches a node, and whose choice applies to the node's kind, wins; a node no entry picks
 * takes its kind's default, and an affine node without a rule is an error (zennit's layer_map,
 * RelevancePropagation.jl's Composite). The deck's relevance models are presets of it.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import { deriveRule } from "./deriveRule.ts";
import type { DtdError } from "./DtdError.ts";
import type { Rule } from "./Rule.ts";
import { zPlus } from "./strategies.ts";

/** How max pooling redistributes: to each window's winner (as zennit and iNNvestigate do) or proportionally. */
export type MaxPoolMode = "winnerTakeAll" | "proportional";

/**
 * What a node does with relevance besides an eq. (4) rule:
 * - `Proportional`: R_i = x_i / Σ_i' x_i' · R over what the node sums (pooling windows; the inputs of an add;
 *   the scaled input of a batch norm, whose shift absorbs the rest);
 * - `WinnerTakeAll`: max pooling's Jacobian, R_in = Jᵀ R (each window's relevance to its maximum);
 * - `PassThrough`: relevance passes unchanged through elementwise activations (ReLU, clipped ReLU, identity)
 *   and is routed by selections (flatten, select, concat's slices, pad2d's interior): R_in = Jᵀ R.
 */
export type Redistribution = { readonly _tag: "Proportional" } | { readonly _tag: "WinnerTakeAll" } | { readonly _tag: "PassThrough" };

/** Proportional redistribution. */
export const proportional: Redistribution = { _tag: "Proportional" };
/** Winner-take-all (max pooling). */
export const winnerTakeAll: Redistribution = { _tag: "WinnerTakeAll" };
/** Relevance passed through (activations) or routed (selections). */
export const passThrough: Redistribution = { _tag: "PassThrough" };

/**
 * What a node uses, resolved: a rule (affine nodes; an add node splits by its inputs' rules, see explain), or a
 * redistribution.
 */
export type Assignment = { readonly _tag: "Rule"; readonly rule: Rule } | Redistribution;

/** Which nodes an entry applies to. */
export type Matcher =
  | { readonly _tag: "Name"; readonly names: readonly string[] }
  | { readonly _tag: "Kind"; readonly kinds: readonly L.Kind[] }
  /** The affine nodes with no other affine node between them and the input: the ones that see the input domain. */
  | { readonly _tag: "FirstAffine" }
  | { readonly _tag: "Affine" }
  /** Node indices from ≤ i < to. */
  | { readonly _tag: "Range"; readonly from: number; readonly to: number }
  | { readonly _tag: "Any" };

/** The nodes of these names. */
export const byName = (...names: readonly string[]): Matcher => ({ _tag: "Name", names });
/** The nodes of these kinds. */
export const byKind = (...kinds: readonly L.Kind[]): Matcher => ({ _tag: "Kind", kinds });
/** The affine nodes that read the input domain (no affine node on any path from the input to them). */
export const firstAffine: Matcher = { _tag: "FirstAffine" };
/** Every affine node (Dense, Conv2d, DepthwiseConv2d). */
export const affine: Matcher = { _tag: "Affine" };
/** Node indices from ≤ i < to. */
export const range = (from: number, to: number): Matcher => ({ _tag: "Range", from, to });
/** Every node. */
export const anyNode: Matcher = { _tag: "Any" };

/** One entry: the matched nodes use a rule or a redistribution. */
export interface Entry {
  readonly match: Matcher;
  readonly use: Rule | Redistribution;
}

/** Rule assignment for a whole model. */
export interface Composite {
  /** First match wins. */
  readonly entries: readonly Entry[];
  /** Stabiliser ε for every rule (default 0: exact). */
  readonly epsilon?: number;
}

/** A composite from its entries. */
export const composite = (entries: readonly Entry[], opts: { readonly epsilon?: number } = {}): Composite => ({ entries, ...opts });

type Choice = Assignment["_tag"];

/** What each kind accepts, the first being its default (none for affine kinds: they need a rule). */
const accepted: { readonly [K in L.Kind]: readonly Choice[] } = {
  dense: ["Rule"],
  conv2d: ["Rule"],
  depthwiseConv2d: ["Rule"],
  relu: ["PassThrough"],
  clippedRelu: ["PassThrough"],
  identity: ["PassThrough"],
  flatten: ["PassThrough"],
  select: ["PassThrough"],
  pad2d: ["PassThrough"],
  concat: ["PassThrough"],
  sumPool: ["Proportional"],
  avgPool2d: ["Proportional"],
  pNormPool: ["Proportional"],
  globalAvgPool: ["Proportional"],
  maxPool2d: ["WinnerTakeAll", "Proportional"],
  globalMaxPool: ["WinnerTakeAll", "Proportional"],
  add: ["Proportional", "Rule"],
  scaleShift: ["Proportional"],
  batchNorm: ["Proportional"],
};

const isRule = (u: Rule | Redistribution): u is Rule => !("_tag" in u);
const assignmentOf = (u: Rule | Redistribution): Assignment => (isRule(u) ? { _tag: "Rule", rule: u } : u);

/** `pure[p]`: position p is computed from the input without an affine node (0, the input, is pure). */
const pureFromInput = (model: L.Model): boolean[] => {
  const pure = [true];
  model.nodes.forEach((n, i) => pure.push(!L.isAffine(n.layer) && model.sources[i]!.every((p) => pure[p]!)));
  return pure;
};

/** The indices of the affine nodes that read the input domain. */
export const firstAffineNodes = (model: L.Model): number[] => {
  const pure = pureFromInput(model);
  return model.nodes.flatMap((n, i) => (L.isAffine(n.layer) && model.sources[i]!.every((p) => pure[p]!) ? [i] : []));
};

const matches = (m: Matcher, model: L.Model, i: number, first: ReadonlySet<number>): boolean => {
  const n = model.nodes[i]!;
  switch (m._tag) {
    case "Name":
      return m.names.includes(n.name);
    case "Kind":
      return m.kinds.includes(n.layer.kind);
    case "FirstAffine":
      return first.has(i);
    case "Affine":
      return L.isAffine(n.layer);
    case "Range":
      return i >= m.from && i < m.to;
    case "Any":
      return true;
  }
};

const describeUse = (u: Rule | Redistribution): string => (isRule(u) ? `rule ${u.name}` : u._tag);

/**
 * The assignment of every node of `model`, or why the composite does not fit it: a name no node has, a range
 * outside the model, a choice a named node or kind cannot take (e.g. a rule for a ReLU), an affine node
 * without a rule.
 */
export const assign = (c: Composite, model: L.Model): E.Either<DtdError, readonly Assignment[]> => {
  const names = new Set(model.nodes.map((n) => n.name));
  for (const e of c.entries) {
    const m = e.match;
    const bad = (reason: string): E.Either<DtdError, never> => E.left({ _tag: "InvalidComposite", reason });
    if (m._tag === "Name") {
      const missing = m.names.find((n) => !names.has(n));
      if (missing !== undefined) return bad(`an entry names node "${missing}", which the model does not have (its nodes: ${[...names].slice(0, 12).join(", ")}${names.size > 12 ? ", …" : ""})`);
    }
    if (m._tag === "Range" && !(Number.isInteger(m.from) && Number.isInteger(m.to) && 0 <= m.from && m.from <= m.to && m.to <= model.nodes.length)) {
      return bad(`expected a range of node indices within [0, ${model.nodes.length}], found [${m.from}, ${m.to})`);
    }
    if (m._tag === "Name" || m._tag === "Kind") {
      const tag = assignmentOf(e.use)._tag;
      const misfit = model.nodes.findIndex((n, k) => matches(m, model, k, new Set()) && !accepted[n.layer.kind].includes(tag));
      if (misfit >= 0) {
        const n = model.nodes[misfit]!;
        return bad(`an entry gives ${describeUse(e.use)} to ${L.nodeLabel(misfit, n.name, n.layer.kind)}, which takes ${accepted[n.layer.kind].join(" or ")}`);
      }
    }
  }
  const first = new Set(firstAffineNodes(model));
  const out: Assignment[] = [];
  for (let i = 0; i < model.nodes.length; i++) {
    const n = model.nodes[i]!;
    const ok = accepted[n.layer.kind];
    const entry = c.entries.find((e) => matches(e.match, model, i, first) && ok.includes(assignmentOf(e.use)._tag));
    if (entry !== undefined) out.push(assignmentOf(entry.use));
    else if (ok[0] !== "Rule") out.push({ _tag: ok[0]! } as Redistribution);
    else return E.left({ _tag: "UnsupportedLayer", layer: i, name: n.name, kind: n.layer.kind, reason: "the composite assigns it no rule (add an entry that matches it)" });
  }
  return E.right(out);
};

/** The rule node `index` uses, or undefined (a node without a rule, or a composite that does not fit). */
export const ruleFor = (c: Composite, model: L.Model, index: number): Rule | undefined => {
  const a = assign(c, model);
  const at = E.isRight(a) ? a.right[index] : undefined;
  return at?._tag === "Rule" ? at.rule : undefined;
};

/** Options of the layer-wise presets. */
export interface LayerwiseOptions {
  /** The rule of the affine nodes that read the input domain. */
  readonly first: Rule;
  /** The rule of every other affine node. */
  readonly rest: Rule;
  /** Max pooling (and global max pooling): winner-take-all (default) or proportional. */
  readonly maxPool?: MaxPoolMode;
  /**
   * Add nodes: proportional to their inputs (default, R_a = a / Σ_b b · R), or `"rules"`: each input's share is
   * its rule's eq. (4) denominator — an affine input by its own rule, any other by `rest` as an identity
   * connection — which makes the add and the affine nodes before it one eq. (4) neuron.
   */
  readonly add?: "proportional" | "rules";
  readonly epsilon?: number;
}

/** `first` on the affine nodes that read the input, `rest` on the other affine nodes; pooling and adds as chosen. */
export const layerwise = (o: LayerwiseOptions): Composite =>
  composite(
    [
      { match: firstAffine, use: o.first },
      { match: affine, use: o.rest },
      ...(o.maxPool === "proportional" ? [{ match: byKind("maxPool2d", "globalMaxPool"), use: proportional }] : []),
      ...(o.add === "rules" ? [{ match: byKind("add"), use: o.rest }] : []),
    ],
    o.epsilon === undefined ? {} : { epsilon: o.epsilon },
  );

/** One rule on every affine node. */
export const uniform = (rule: Rule, opts: { readonly maxPool?: MaxPoolMode; readonly add?: "proportional" | "rules" } = {}): Composite =>
  layerwise({ first: rule, rest: rule, ...opts });

/**
 * The deck's training-free relevance model: z⁺ above the first layer, and w² or zᵇ (the rule given) in the
 * first; pooling layers redistribute proportionally, R_j = x_j / Σ_j' x_j' · R_k.
 */
export const trainingFree = (first: Rule, opts: { readonly add?: "proportional" | "rules" } = {}): Composite =>
  layerwise({ first, rest: deriveRule(zPlus), maxPool: "proportional", ...opts });

/** The max pooling mode a composite gives a node of kind maxPool2d (for reports). */
export const maxPoolModeOf = (assignments: readonly Assignment[], model: L.Model): MaxPoolMode | undefined => {
  const i = model.nodes.findIndex((n) => n.layer.kind === "maxPool2d" || n.layer.kind === "globalMaxPool");
  return i < 0 ? undefined : assignments[i]!._tag === "Proportional" ? "proportional" : "winnerTakeAll";
};
