/**
 * The dtd implementation under benchmark: deep Taylor heatmaps with @dtd/deep-taylor's derived rules, forward
 * pass included (`explainHeatmap` runs the model, checks preconditions, then propagates, keeping only the heatmap). Net A: z⁺ or zᵇ in its one
 * Dense layer; nets B and C: zᵇ in the first layer, z⁺ above, max pooling winner-take-all, f = the top logit.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import type { Impl, Job, Prepared } from "./Impl.ts";
import type { NetSpec, Rule } from "./nets.ts";

const cast = (t: T.Tensor, dtype: T.DType): T.Tensor => (t.dtype === dtype ? t : T.astype(t, dtype));

/** The bench net as a dtd model in `dtype`. */
export const toModel = (net: NetSpec, dtype: T.DType): L.Model => {
  const layers = net.layers.map((l): L.Layer => {
    switch (l.kind) {
      case "dense":
        return L.dense(cast(l.W, dtype), cast(l.b, dtype));
      case "conv2d":
        return L.conv2d(cast(l.W, dtype), cast(l.b, dtype));
      case "relu":
        return L.relu;
      case "maxPool2d":
        return L.maxPool2d([l.size, l.size]);
      case "flatten":
        return L.flatten;
      case "sumPool":
        return L.sumPool();
    }
  });
  const m = L.build(net.inputShape, layers);
  if (E.isLeft(m)) throw new Error(`bench net ${net.name}: ${L.message(m.left)}`);
  return m.right;
};

const zb = (net: NetSpec): DT.Rule => {
  const s = DT.zB(Math.min(0, net.box.lo), Math.max(0, net.box.hi));
  if (E.isLeft(s)) throw new Error(s.left);
  return DT.deriveRule(s.right);
};

/** The composite of a bench rule configuration. */
export const compositeFor = (net: NetSpec, rule: Rule): DT.Composite => {
  const zPlus = DT.deriveRule(DT.zPlus);
  switch (rule) {
    case "zplus":
      return DT.uniform(zPlus);
    case "zb":
      return DT.uniform(zb(net));
    case "zb+zplus":
      return DT.layerwise({ first: zb(net), rest: zPlus, maxPool: "winnerTakeAll" });
  }
};

/** dtd deep Taylor decomposition. */
export const dtdImpl: Impl = {
  name: "dtd",
  kind: "dtd",
  method: "deepTaylor",
  threads: 1,
  dtypes: ["float32", "float64"],
  setup: async () => undefined,
  describe: async () => ({ rules: "derived from root-point strategies (eq. 4)", preconditions: "checked, lenient" }),
  prepare: (job: Job): Prepared => {
    const model = toModel(job.net, job.dtype);
    const composite = compositeFor(job.net, job.rule);
    const x = cast(job.x, job.dtype);
    const opts: DT.ExplainOptions = job.net.output === "topLogit" ? { lenient: true, target: { _tag: "argmax" } } : { lenient: true };
    const once = (): T.Tensor => {
      // The heatmap is what the bench compares (as the peers return it): explainHeatmap hands each layer's
      // activations and relevances back for the next call's reuse instead of keeping them in an Explanation.
      const e = DT.explainHeatmap(model, x, composite, opts);
      if (E.isLeft(e)) throw new Error(DT.message(e.left));
      return e.right.R;
    };
    return { run: () => void once(), dispose: () => {}, heatmaps: () => Float64Array.from(once().data) };
  },
};
