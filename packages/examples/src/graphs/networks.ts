/**
 * Two graph networks for MNIST digits (1×28×28, 10 class logits), built to be explained by deep Taylor
 * decomposition after canonization (docs/graphs.md):
 *
 * - ResNet-style: a stride-2 stem conv → BN → ReLU, a residual block with an identity skip, a residual block
 *   with a stride-2 projection skip (1×1 conv → BN), global average pooling, a dense head;
 * - Inception-style: the same stem, then four branches joined along the channels — a 1×1 conv, a 1×1 → 3×3 conv
 *   pair, a depthwise 3×3 → pointwise 1×1 pair, and a max pooling branch (asymmetric pad2d, 2×2 pooling with
 *   stride 1, 1×1 conv) — then max pooling, global average pooling and a dense head.
 *
 * Every conv is followed by a batch norm before its ReLU (or its add). The batch norms' statistics are set from
 * the training data once, at initialisation (mean ≥ 0 and the variance of their inputs), and kept fixed; their
 * scales are kept ≥ 0 and their shifts ≤ 0, the convs' and dense layers' biases ≤ 0. Then every batch norm
 * folds exactly into the conv before it with a bias b' = (b − μ)·γ/σ + β ≤ 0: the canonized network meets the
 * z⁺ and zᵇ rules' precondition b ≤ 0 (Montavon et al. 2017, Propositions 2–3) without giving up batch norm.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";

/** The two architectures. */
export type Architecture = "resnet" | "inception";

/**
 * Adam's learning rate per architecture: the Inception-style network starts slower (its loss stays near ln 10 for
 * ~100 steps at 0.003; at 0.01 it is 1.35 after 300 steps against 1.66).
 */
export const learningRates: { readonly [A in Architecture]: number } = { resnet: 0.003, inception: 0.01 };

const conv = (out: number, inC: number, k: number, opts: { stride?: number; padding?: number } = {}): L.Conv2d =>
  L.conv2d(T.zeros([out, inC, k, k]), T.zeros([out]), { stride: [opts.stride ?? 1, opts.stride ?? 1], padding: [opts.padding ?? 0, opts.padding ?? 0] });
const bn = (c: number): L.BatchNorm => L.batchNorm({ scale: T.ones([c]), shift: T.zeros([c]), mean: T.zeros([c]), variance: T.ones([c]), epsilon: 1e-5 });

/** The ResNet-style network's nodes (parameters zero: `initGraph` draws them). */
const resnetNodes = (): L.NodeSpec[] => [
  L.node("stem", conv(8, 1, 3, { stride: 2, padding: 1 })),
  L.node("stem_bn", bn(8)),
  L.node("stem_relu", L.relu),
  // block 1: identity skip
  L.node("b1_conv1", conv(8, 8, 3, { padding: 1 })),
  L.node("b1_bn1", bn(8)),
  L.node("b1_relu1", L.relu),
  L.node("b1_conv2", conv(8, 8, 3, { padding: 1 })),
  L.node("b1_bn2", bn(8)),
  L.node("b1_add", L.add, ["b1_bn2", "stem_relu"]),
  L.node("b1_relu", L.relu),
  // block 2: stride-2 projection skip
  L.node("b2_conv1", conv(16, 8, 3, { stride: 2, padding: 1 })),
  L.node("b2_bn1", bn(16)),
  L.node("b2_relu1", L.relu),
  L.node("b2_conv2", conv(16, 16, 3, { padding: 1 })),
  L.node("b2_bn2", bn(16)),
  L.node("b2_proj", conv(16, 8, 1, { stride: 2 }), ["b1_relu"]),
  L.node("b2_proj_bn", bn(16)),
  L.node("b2_add", L.add, ["b2_bn2", "b2_proj_bn"]),
  L.node("b2_relu", L.relu),
  L.node("gap", L.globalAvgPool),
  L.node("logits", L.dense(T.zeros([16, 10]), T.zeros([10]))),
];

/** The Inception-style network's nodes. */
const inceptionNodes = (): L.NodeSpec[] => [
  L.node("stem", conv(8, 1, 3, { stride: 2, padding: 1 })),
  L.node("stem_bn", bn(8)),
  L.node("stem_relu", L.relu),
  L.node("a_conv", conv(6, 8, 1)),
  L.node("a_bn", bn(6)),
  L.node("a_relu", L.relu),
  L.node("b_reduce", conv(4, 8, 1), ["stem_relu"]),
  L.node("b_reduce_bn", bn(4)),
  L.node("b_reduce_relu", L.relu),
  L.node("b_conv", conv(6, 4, 3, { padding: 1 })),
  L.node("b_bn", bn(6)),
  L.node("b_relu", L.relu),
  L.node("c_depthwise", L.depthwiseConv2d(T.zeros([8, 1, 3, 3]), T.zeros([8]), { padding: [1, 1] }), ["stem_relu"]),
  L.node("c_depthwise_bn", bn(8)),
  L.node("c_depthwise_relu", L.relu),
  L.node("c_pointwise", conv(6, 8, 1)),
  L.node("c_pointwise_bn", bn(6)),
  L.node("c_relu", L.relu),
  L.node("d_pad", L.pad2d([0, 1, 0, 1]), ["stem_relu"]),
  L.node("d_pool", L.maxPool2d([2, 2], [1, 1])),
  L.node("d_conv", conv(6, 8, 1)),
  L.node("d_bn", bn(6)),
  L.node("d_relu", L.relu),
  L.node("mixed", L.concat(0), ["a_relu", "b_relu", "c_relu", "d_relu"]),
  L.node("pool", L.maxPool2d([2, 2])),
  L.node("gap", L.globalAvgPool),
  L.node("logits", L.dense(T.zeros([24, 10]), T.zeros([10]))),
];

/** The untrained network: He-normal weights from `seed`, zero biases, batch norms at their identity. */
export const initGraph = (arch: Architecture, seed: number): L.Model => {
  const built = L.initModel([1, 28, 28], arch === "resnet" ? resnetNodes() : inceptionNodes(), { seed, scheme: "he", bias: 0 });
  // The architectures above are fixed and consistent: a Left here is a bug in this module.
  if (E.isLeft(built)) throw new Error(`initGraph: ${L.message(built.left)}`);
  return built.right;
};

/** Per-channel mean and variance of a batch [N, C, H, W] (or [N, C]). */
const channelStats = (t: T.Tensor): { readonly mean: Float64Array; readonly variance: Float64Array } => {
  const [N, C] = t.shape as [number, number];
  const plane = t.data.length / (N * C);
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    let s2 = 0;
    for (let n = 0; n < N; n++) {
      for (let k = (n * C + c) * plane; k < (n * C + c + 1) * plane; k++) {
        s += t.data[k]!;
        s2 += t.data[k]! * t.data[k]!;
      }
    }
    const m = s / (N * plane);
    mean[c] = m;
    variance[c] = Math.max(s2 / (N * plane) - m * m, 0);
  }
  return { mean, variance };
};

/**
 * Sets every batch norm's statistics from a batch of training inputs, in node order (each with the ones before
 * it already set): the variance of its input per channel, and its mean clipped at 0 (mean ≥ 0 keeps the folded
 * bias ≤ 0, see the module comment).
 */
export const setBatchNormStatistics = (model: L.Model, x: T.Tensor): L.Model => {
  let m = model;
  m.nodes.forEach((n, i) => {
    if (n.layer.kind !== "batchNorm") return;
    const input = L.forward(m, x).activations[m.sources[i]![0]!]!;
    const { mean, variance } = channelStats(input);
    const layer: L.BatchNorm = { ...n.layer, mean: T.of(mean.map((v) => Math.max(v, 0)), [mean.length]), variance: T.of(variance, [variance.length]) };
    m = L.withLayers(
      m,
      m.layers.map((l, k) => (k === i ? layer : l)),
    );
  });
  return m;
};

/** The constraints of training: b ≤ 0, batch norm scales ≥ 0 and shifts ≤ 0, statistics fixed. */
export const constraints: readonly L.Constraint[] = [
  L.nonPositiveBias(L.ofKind("dense", "conv2d", "depthwiseConv2d")),
  L.clampParam("scale", 0, Infinity, L.ofKind("batchNorm")),
  L.clampParam("shift", -Infinity, 0, L.ofKind("batchNorm")),
  L.frozen(L.ofKind("batchNorm"), ["mean", "variance"]),
];
