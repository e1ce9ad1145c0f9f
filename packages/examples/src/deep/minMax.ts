/**
 * The min-max relevance model in the deep-network experiment, fitted as the deck describes ("Min-Max Relevance
 * Model"; Montavon et al. 2017, Sec. 5.1) with @dtd/deep-taylor/minMax:
 *
 *   y_j = max(0, Σ_i x_i v_ij + a_j),   a_j = min(0, Σ_l R_l v_lj + d_j),   R̂_k = Σ_j y_j,
 *   {v_ij, v_lj, d_j} = argmin ⟨(R̂_k − R_k)²⟩.
 *
 * Here the modelled relevance R_k is the total relevance that the upper layers' z⁺ decomposition assigns to the
 * output of the network's first detection(-pooling) block — equal to f(x), since z⁺ conserves — the inputs x_i
 * are the pixels, and the top-down context R_l is the relevance of the network's top detection layer (`context`).
 * The model is fitted on training pairs (never on test pairs) and then explained with the one-layer rules:
 * pooling R_j = y_j, detection R_i = Σ_j q_ij / Σ_i' q_i'j · R_j with q from w² or zᵇ (v in place of w). Its heatmap
 * conserves R̂_k exactly, and f(x) only as well as the fit: Σ_i R_i − f(x) = R̂_k − f(x).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { adam } from "@dtd/layers";
import * as DT from "@dtd/deep-taylor";
import { accumulatedTerms } from "@dtd/deep-taylor";
import { MinMax as MM } from "@dtd/deep-taylor";
import { type PairSet } from "@dtd/datasets";
import { type Heatmaps, type Hooks, type Method } from "../kit/index.ts";
import { batchOf } from "../demo/pairSets.ts";

/** Where the model sits in a network: positions in `Explanation.relevances` (0: the input). */
export interface MinMaxPlacement {
  /** R_k: the relevance at this position, summed over its units. */
  readonly target: number;
  /** R_l: every unit of the relevance at this position. */
  readonly context: number;
  /** The model's detection units j. */
  readonly units: number;
}

/** How the model is fitted. */
export interface MinMaxFitSettings {
  /** Training pairs the data come from. */
  readonly pairs: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** V and V_l start He-normal times this factor (d = 0): small enough that R̂_k starts below R_k, so Adam's first steps raise units instead of silencing them all. */
  readonly initScale: number;
  readonly seed: number;
}

/** A fitted model and how the fit went. */
export interface MinMaxFitted {
  readonly params: MM.MinMaxParams;
  readonly placement: MinMaxPlacement;
  readonly settings: MinMaxFitSettings;
  /** ⟨(R̂_k − R_k)²⟩ on the training data before and after fitting, and ⟨R_k²⟩ for scale. */
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly meanSquaredTarget: number;
  readonly seconds: number;
}

/** The terms the model's explanation accumulates (its rounding tolerance): those of its detection-pooling layer. */
export const minMaxTerms = (fitted: MinMaxFitted): number => {
  const [inputs, units] = fitted.params.V.shape as [number, number];
  const m = L.build([inputs], L.sequential(L.detection(fitted.params.V, T.zeros([units], fitted.params.V.dtype)), L.sumPool()));
  if (E.isLeft(m)) throw new Error(`minMaxTerms: ${L.message(m.left)}`);
  return accumulatedTerms(m.right);
};

/** The upper layers' decomposition that gives R_k and R_l: z⁺ everywhere (the training-free model's upper part). */
const upper = (): DT.Composite => DT.trainingFree(DT.deriveRule(DT.zPlus));

/** The model's data (x_i, R_l, R_k) for a batch of the network's inputs. */
const dataOf = (model: L.Model, x: T.Tensor, placement: MinMaxPlacement): E.Either<string, MM.MinMaxData> =>
  E.mapLeft(DT.message)(MM.minMaxData(model, x, upper(), { input: 0, target: { layer: placement.target }, context: { layer: placement.context } }));

/** The data of a pair set, explained in chunks (bounded memory). */
export const minMaxDataOf = (model: L.Model, set: PairSet, placement: MinMaxPlacement, chunk = 100): E.Either<string, MM.MinMaxData> => {
  const parts: MM.MinMaxData[] = [];
  for (let s = 0; s < set.count; s += chunk) {
    const d = dataOf(model, batchOf(model, set, s, Math.min(chunk, set.count - s)), placement);
    if (E.isLeft(d)) return d;
    parts.push(d.right);
  }
  return E.right({ x: T.concat(parts.map((p) => p.x), 0), Rl: T.concat(parts.map((p) => p.Rl), 0), Rk: T.concat(parts.map((p) => p.Rk), 0) });
};

/** Fits the model on training pairs (Adam, mini-batches), starting from seeded He-normal V, V_l (× initScale) and d = 0. */
export const fitMinMaxModel = (model: L.Model, train: PairSet, placement: MinMaxPlacement, settings: MinMaxFitSettings, hooks: Hooks): E.Either<string, MinMaxFitted> => {
  const t0 = performance.now();
  const data = minMaxDataOf(model, train, placement);
  if (E.isLeft(data)) return data;
  const d = data.right;
  const inputs = T.Shape.size(model.inputShape);
  const he = MM.initMinMax({ inputs, context: d.Rl.shape[1]!, units: placement.units }, settings.seed);
  const init: MM.MinMaxParams = { V: T.mul(he.V, settings.initScale), Vl: T.mul(he.Vl, settings.initScale), d: he.d };
  const bar = hooks.progress("fitting the min-max model", settings.steps);
  const fit = MM.fitMinMax(init, d, {
    optimizer: adam({ learningRate: settings.learningRate }),
    steps: settings.steps,
    batchSize: settings.batchSize,
    seed: settings.seed,
    onStep: (step, loss) => {
      if (step % 10 === 0 || step === settings.steps) bar.update(step, { loss });
    },
  });
  bar.stop();
  if (E.isLeft(fit)) return E.left(`fitting the min-max model: ${fit.left._tag}${"reason" in fit.left ? `: ${fit.left.reason}` : ""}`);
  let sq = 0;
  for (const v of d.Rk.data) sq += v * v;
  return E.right({
    params: fit.right.params,
    placement,
    settings,
    lossBefore: MM.minMaxLoss(init, d),
    lossAfter: MM.minMaxLoss(fit.right.params, d),
    meanSquaredTarget: sq / Math.max(1, d.Rk.data.length),
    seconds: (performance.now() - t0) / 1000,
  });
};

/**
 * The min-max model as an explanation method: the context R_l from the network's upper layers, then the model's
 * pooling and detection rules down to the pixels. f is the network's score; `modelled` is R̂_k.
 */
export const minMaxMethod = (fitted: MinMaxFitted, m: { readonly id: string; readonly label: string; readonly title: string; readonly rule: DT.Rule }): Method => ({
  id: m.id,
  label: m.label,
  title: m.title,
  deepTaylor: true,
  explain: (model, x) =>
    E.flatMap((d: MM.MinMaxData): E.Either<string, Heatmaps> => {
      const e = MM.explainMinMax(fitted.params, d.x, d.Rl, m.rule);
      if (E.isLeft(e)) return E.left(DT.message(e.left));
      // R_k is f(x) up to rounding (z⁺ conserves): the network's own score is what the heatmap must add up to.
      const f = T.reshape(L.forward(model, x).output, [x.shape[0]!]);
      return E.right({ f, R: e.right.R, modelled: e.right.Rhat });
    })(dataOf(model, x, fitted.placement)),
});
