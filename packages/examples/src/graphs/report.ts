/**
 * How deep Taylor decomposition fares on a graph network: for each relevance model (w², z⁺, zᵇ in the layers
 * that read the pixels, z⁺ above) and each way of splitting relevance at the residual adds (by the rules'
 * denominators, or in proportion to the inputs), the share of test digits whose heatmap is conservative and
 * positive within the rounding bound, the largest conservation error and the most negative relevance — the
 * network canonized first, as `dtd explain` does.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { Heatmap, type Image } from "@dtd/viz";

/** One row of the table. */
export interface MethodRow {
  readonly method: string;
  readonly add: "rules" | "proportional";
  readonly samples: number;
  /** Samples explained without a violated precondition (f(x) ≥ 0, inputs in the domains, b ≤ 0). */
  readonly preconditionsHold: number;
  readonly consistency: DT.Consistency.DatasetConsistency;
  /** Samples with a node whose relevance does not balance (beyond rounding). */
  readonly leaking: number;
}

/** The three relevance models of the deck, as composites of `dtd explain --first-rule … --rule zplus`. */
const methods = (): readonly { readonly name: string; readonly first: DT.Rule }[] => {
  const zb = DT.zB(0, 1);
  if (E.isLeft(zb)) throw new Error(zb.left);
  return [
    { name: "w² + z⁺", first: DT.deriveRule(DT.w2) },
    { name: "z⁺", first: DT.deriveRule(DT.zPlus) },
    { name: "zᵇ + z⁺", first: DT.deriveRule(zb.right) },
  ];
};

/** The table for a model and a batch of digits [N, 1, 28, 28], each explained at its argmax class. */
export const consistencyTable = (model: L.Model, x: T.Tensor): E.Either<string, readonly MethodRow[]> => {
  const canonized = L.canonizeChecked(model, x);
  if (E.isLeft(canonized)) return E.left(L.message(canonized.left));
  const m = canonized.right.model;
  const rows: MethodRow[] = [];
  for (const { name, first } of methods()) {
    for (const add of ["rules", "proportional"] as const) {
      const c = DT.layerwise({ first, rest: DT.deriveRule(DT.zPlus), add });
      const e = DT.explain(m, x, c, { lenient: true, target: { _tag: "argmax" } });
      if (E.isLeft(e)) return E.left(DT.message(e.left));
      const per = DT.Consistency.perSample(e.right.f, e.right.R, e.right.tolerance);
      const warned = new Set(e.right.warnings.flatMap((w) => (w._tag === "PreconditionViolated" ? [w.sample] : [])));
      const leaking = new Set(DT.Consistency.leaks(m.nodes, e.right).map((l) => l.sample));
      rows.push({ method: name, add, samples: per.length, preconditionsHold: per.length - warned.size, consistency: DT.Consistency.aggregate(per), leaking: leaking.size });
    }
  }
  return E.right(rows);
};

/** The table as text lines. */
export const tableLines = (rows: readonly MethodRow[]): string[] =>
  rows.map((r) => {
    const k = r.consistency;
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
    return `  ${r.method.padEnd(8)} add ${r.add.padEnd(12)} conservative ${pct(k.shareConservative)}, positive ${pct(k.sharePositive)}, largest |ΣR − f| ${k.maxAbsConservationError.toExponential(1)}, most negative R ${k.mostNegativeRelevance.toExponential(1)}, leaking ${r.leaking}/${r.samples}, preconditions hold ${r.preconditionsHold}/${r.samples}`;
  });

/** The heatmap columns of the figure: the three relevance models with adds split by the rules, and z⁺ split proportionally. */
const figureColumns = (): readonly { readonly title: string; readonly first: DT.Rule; readonly add: "rules" | "proportional" }[] => [
  // ASCII titles: the pixel font has no superscripts.
  ...methods().map((m) => ({ title: m.name.replace("²", "2").replaceAll("⁺", "+").replace("ᵇ", "b"), first: m.first, add: "rules" as const })),
  { title: "z+, adds prop.", first: DT.deriveRule(DT.zPlus), add: "proportional" },
];

/**
 * The figure of docs/graphs.md for one network: a row per digit of `x` [n, 1, 28, 28] — the digit, then its
 * heatmaps at its argmax class (white 0, red +, blue −, each scaled to its own largest |R|).
 */
export const heatmapRows = (model: L.Model, x: T.Tensor): E.Either<string, readonly (readonly Image.Image[])[]> => {
  const canonized = L.canonizeChecked(model, x);
  if (E.isLeft(canonized)) return E.left(L.message(canonized.left));
  const n = x.shape[0]!;
  const columns: T.Tensor[] = [];
  for (const col of figureColumns()) {
    const e = DT.explain(canonized.right.model, x, DT.layerwise({ first: col.first, rest: DT.deriveRule(DT.zPlus), add: col.add }), { lenient: true, target: { _tag: "argmax" } });
    if (E.isLeft(e)) return E.left(DT.message(e.left));
    columns.push(e.right.R);
  }
  const sample = (t: T.Tensor, i: number): T.Tensor => T.reshape(T.slice(t, [i, 0, 0, 0], [1, 1, 28, 28]), [1, 28, 28]);
  return E.right(
    Array.from({ length: n }, (_, i) => [Heatmap.input(sample(x, i), { upscale: 4 }), ...columns.map((R) => Heatmap.relevance(sample(R, i), { upscale: 4 }))]),
  );
};

/** The titles of the figure's columns. */
export const figureTitles = (): readonly string[] => ["digit", ...figureColumns().map((c) => c.title)];
