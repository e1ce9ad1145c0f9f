import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { constant, Dtd, message, regionPerturbation } from "@dtd/evaluate";

// A network that reads input 1 only: f(x) = max(0, 2·x_1) (a dense unit with weights [0, 2, 0], ReLU, sum).
const model = L.build([3], L.sequential(L.detection(T.of([0, 2, 0], [3, 1]), T.of([0], [1])), L.sumPool()));
if (E.isLeft(model)) throw new Error(L.message(model.left));

const r = regionPerturbation({
  score: Dtd.modelScore(model.right),                                          // a batch → f per row
  x: T.of([1, 2, 0.5, 0.5, 1, 2, 2, 0.25, 1], [3, 3]),                         // three inputs
  relevance: Dtd.deepTaylor(model.right, DT.uniform(DT.deriveRule(DT.zPlus))), // their z⁺ heatmaps
  replacement: constant(0),                                                    // a removed input becomes 0
  seed: 1,
});
if (E.isLeft(r)) throw new Error(message(r.left));
// MoRF removes input 1 first: f falls to 0 at once, the largest AOPC possible, 3/4 of ⟨f(x)⟩ = 1.625.
for (const [o, c] of Object.entries(r.right.curves)) console.log(o, c.aopc.toFixed(4), "±", c.standardError.toFixed(4));
console.log("score calls:", r.right.scoreCalls);
