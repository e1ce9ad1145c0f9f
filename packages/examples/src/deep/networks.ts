/**
 * The deep networks of the deck's Section 4 experiment ("Application to Deep Networks"; Montavon et al. 2017,
 * Sec. 5), on the same 28×56 MNIST pairs as the one-layer demo. Each is a stack of detection layers
 * x_j = max(0, Σ_i x_i w_ij + b_j) with b_j ≤ 0 (projected after every step: z⁺ and zᵇ need it in every layer
 * they explain), sum pooling between them, and a sum at the top, so f(x) ≥ 0 is the evidence for a 0–3 digit:
 *
 * - `mlp`: 1568 → 256 → 64 → Σ (two fully connected detection layers);
 * - `cnn`: conv 5×5 (8 maps) → 2×2 sum pooling → conv 5×5 (12 maps) → 2×2 sum pooling → 64 dense detection
 *   units → Σ (the convolutional variant; three detection layers).
 *
 * Trained with the demo's hinge loss on fresh pairs (`trainDetector`), plain SGD, batch 20, He-normal weights
 * scaled by `initScale`, biases 0. Recipes are data; the fingerprint names the cached model. Step counts keep the
 * cold run within a few minutes on 2 cores (measured in docs/mnist-deep.md).
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import { type LossName } from "../kit/index.ts";
import type { Structure } from "../demo/cache.ts";
import type { MinMaxPlacement } from "./minMax.ts";

/** The networks. */
export const DEEP_NETS = ["mlp", "cnn"] as const;
export type DeepNetId = (typeof DEEP_NETS)[number];

/** A deep network and its training recipe, as data. */
export interface DeepNet {
  readonly id: DeepNetId;
  /** "1568 → 256 → 64 → Σ" in reports. */
  readonly architecture: string;
  /** The same in the pictures' bitmap font (ASCII, Σ, ×). */
  readonly label: string;
  readonly inputShape: readonly number[];
  /** The layers with zero parameters (shapes only); `initialDeep` draws the weights. */
  readonly layers: L.Sequential;
  readonly batchSize: number;
  readonly loss: LossName;
  readonly learningRate: number;
  readonly initScale: number;
  readonly defaultSteps: number;
  /** Where the min-max relevance model sits (positions in the explanation's relevances). */
  readonly minMax: MinMaxPlacement;
}

const conv = (out: number, inp: number): L.Conv2d => L.conv2d(T.zeros([out, inp, 5, 5]), T.zeros([out]), { padding: [2, 2] });

/** Every network of the experiment. */
export const deepNets: { readonly [K in DeepNetId]: DeepNet } = {
  mlp: {
    id: "mlp",
    architecture: "1568 → 256 ReLU → 64 ReLU → Σ (b ≤ 0)",
    label: "mlp: 1568-256-64-Σ",
    inputShape: [1568],
    layers: L.sequential(L.detection(T.zeros([1568, 256]), T.zeros([256])), L.detection(T.zeros([256, 64]), T.zeros([64])), L.sumPool()),
    batchSize: 20,
    loss: "hinge",
    learningRate: 0.01,
    initScale: 0.3,
    defaultSteps: 6000,
    // positions: 0 pixels, 2 the first detection layer's output (input of dense 2), 4 the second's (input of Σ)
    minMax: { target: 2, context: 4, units: 128 },
  },
  cnn: {
    id: "cnn",
    architecture: "conv 5×5 ×8 ReLU → sum-pool 2×2 → conv 5×5 ×12 ReLU → sum-pool 2×2 → 64 ReLU → Σ (b ≤ 0)",
    label: "cnn: conv 5×5×8, pool 2×2, conv 5×5×12, pool 2×2, 64, Σ",
    inputShape: [1, 28, 56],
    layers: L.sequential(
      conv(8, 1),
      L.relu,
      L.sumPool({ kernel: [2, 2] }),
      conv(12, 8),
      L.relu,
      L.sumPool({ kernel: [2, 2] }),
      L.flatten,
      L.detection(T.zeros([12 * 7 * 14, 64]), T.zeros([64])),
      L.sumPool(),
    ),
    batchSize: 20,
    loss: "hinge",
    learningRate: 0.01,
    initScale: 0.3,
    defaultSteps: 1500,
    // positions: 3 the first block's pooled output [8, 14, 28] (input of conv 2), 9 the 64 dense units (input of Σ)
    minMax: { target: 3, context: 9, units: 128 },
  },
};

/** A short, file-name-safe summary of a recipe, e.g. "mlp-b20-hinge-lr0.01-init0.3". */
export const deepFingerprint = (n: DeepNet): string => `${n.id}-b${n.batchSize}-${n.loss}-lr${n.learningRate}-init${n.initScale}`;

/** The untrained network: He-normal weights × initScale from `seed`, biases 0. */
export const initialDeep = (n: DeepNet, seed: number): L.Model => {
  const built = L.initModel(n.inputShape, n.layers, { seed, scheme: "he", bias: 0 });
  // The shapes above are fixed and consistent: a Left here is a bug in this module.
  if (E.isLeft(built)) throw new Error(`initialDeep(${n.id}): ${L.message(built.left)}`);
  const scaled = L.paramTree(built.right).map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === "W" ? T.mul(v, n.initScale) : v])));
  return L.withParamTree(built.right, scaled);
};

/** The structure a cached copy must have. */
export const deepStructure = (n: DeepNet): Structure => {
  const m = L.build(n.inputShape, n.layers);
  if (E.isLeft(m)) throw new Error(`deepStructure(${n.id}): ${L.message(m.left)}`);
  return { kinds: m.right.layers.map((l) => l.kind), shapes: m.right.shapes };
};
