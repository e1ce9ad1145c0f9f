/**
 * A deep Taylor spec as a composite of @dtd/deep-taylor: each affine layer's rule, derived from its root-point
 * strategy through eq. (4) (Montavon et al. 2017), by node index.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import type { MethodSpec, RuleId } from "./methods.ts";

/** The node indices of the model's affine layers (dense, conv2d, depthwise conv2d), in order. */
export const affineLayers = (model: L.Model): number[] => model.layers.flatMap((l, i) => (L.isAffine(l) ? [i] : []));

/** The rule of one id, derived from its root-point strategy through eq. (4). */
const ruleOf = (id: RuleId, box: readonly [number, number]): E.Either<string, DT.Rule> => {
  switch (id) {
    case "w2":
      return E.right(DT.deriveRule(DT.w2));
    case "zplus":
      return E.right(DT.deriveRule(DT.zPlus));
    case "zb":
      return E.map(DT.deriveRule)(DT.zB(box[0], box[1]));
  }
};

/** The composite of a deep Taylor spec: each affine layer's rule by index. */
export const compositeOf = (spec: Extract<MethodSpec, { _tag: "DeepTaylor" }>, model: L.Model): E.Either<string, DT.Composite> => {
  const at = affineLayers(model);
  if (spec.rules.length !== at.length) return E.left(`expected a rule for each of the ${at.length} affine layers, found ${spec.rules.length}`);
  const byIndex: Record<number, DT.Rule> = {};
  for (let k = 0; k < at.length; k++) {
    const r = ruleOf(spec.rules[k]!, spec.box);
    if (E.isLeft(r)) return r;
    byIndex[at[k]!] = r.right;
  }
  const names = Object.entries(byIndex).map(([i, rule]) => ({ match: DT.byName(model.nodes[Number(i)]!.name), use: rule }));
  const pools = spec.maxPool === "proportional" ? [{ match: DT.byKind("maxPool2d", "globalMaxPool"), use: DT.proportional }] : [];
  return E.right(DT.composite([...names, ...pools]));
};

