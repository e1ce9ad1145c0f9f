/**
 * The benchmark networks of issue 7, with seeded random weights shared by every implementation.
 *
 *   A — the deck's detection-pooling net: x_j = max(0, Σ_i x_i w_ij + b_j), x_k = Σ_j x_j, 1568 → 400 → 1
 *       (Montavon et al. 2017, Sec. 3; rules z⁺ and zᵇ).
 *   B — MLP 784-512-512-512-10 with ReLU; f = the logit of the top class (zᵇ first layer, z⁺ above).
 *   C — LeNet-like CNN on 1×28×28: conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2,
 *       Dense 1600→128, ReLU, Dense 128→10; f = the logit of the top class (zᵇ first layer, z⁺ above).
 *
 * Weights are He-initialised, w ~ N(0, 2 / fan_in) (He et al. 2015), biases uniform in [−0.05, 0] (the deck's
 * b_j ≤ 0), inputs uniform in [0, 1] = the zᵇ box. Layouts: Dense W is `in × out` (`W[i][j] = w_ij`), conv W is
 * OIHW, activations are NCHW per sample; convolutions have stride 1 and no padding, max-pools stride = size.
 * All parameters are float64; an implementation casts them once, outside the timed call.
 * @module
 */
import * as T from "@dtd/tensor";

/** The nets with seeded random weights (this module). */
export const syntheticNetNames = ["A", "B", "C"] as const;
export type SyntheticNetName = (typeof syntheticNetNames)[number];

/** The benchmark nets: the synthetic ones and the real model of realNet.ts. */
export const netNames = [...syntheticNetNames, "antispoof"] as const;
export type NetName = (typeof netNames)[number];

/** Rule configurations, as named in the JSON output. */
export type Rule = "zplus" | "zb" | "zb+zplus";

/** A float64 tensor of any shape: the parameter type of every net. */
export type F64 = T.Tensor<readonly number[], "float64">;

/** A layer with its parameters. */
export type Layer =
  | { readonly kind: "dense"; readonly inputs: number; readonly outputs: number; readonly W: F64; readonly b: F64 }
  | {
      readonly kind: "conv2d";
      readonly inChannels: number;
      readonly outChannels: number;
      readonly kernel: number;
      readonly W: F64;
      readonly b: F64;
    }
  | { readonly kind: "relu" }
  | { readonly kind: "maxPool2d"; readonly size: number }
  | { readonly kind: "flatten" }
  | { readonly kind: "sumPool" };

type WithoutParams<L> = L extends unknown ? Omit<L, "W" | "b"> : never;

/** A layer without parameters: the architecture only. */
export type LayerArch = WithoutParams<Layer>;

/** What the explained function f is: the sum of the last layer (A), or the top-class logit per sample (B, C). */
export type Output = "sum" | "topLogit";

/** A benchmark network: architecture, parameters, explained output, rule configurations and input box. */
export interface NetSpec {
  readonly name: NetName;
  readonly description: string;
  /** Per-sample input shape: `[1568]`, `[784]` or `[1, 28, 28]` (CHW). */
  readonly inputShape: readonly number[];
  readonly layers: readonly Layer[];
  readonly output: Output;
  /** Rule configurations benchmarked on this net. */
  readonly rules: readonly Rule[];
  /** The zᵇ box: every input lies in [lo, hi]. */
  readonly box: { readonly lo: number; readonly hi: number };
  /** The largest batch the net runs at: a larger requested batch runs at this one (absent: no limit). */
  readonly maxBatch?: number;
  /** Real inputs (the first `batch` of a fixed set) instead of seeded uniform draws from the box. */
  readonly inputs?: (batch: number) => F64;
}

/** The batches a net runs at for the requested ones: each capped at the net's maxBatch, without repeats. */
export const batchesFor = (net: NetSpec, batches: readonly number[]): number[] =>
  [...new Set(batches.map((b) => Math.min(b, net.maxBatch ?? b)))];

interface Arch {
  readonly description: string;
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerArch[];
  readonly output: Output;
  readonly rules: readonly Rule[];
}

const dense = (inputs: number, outputs: number): LayerArch => ({ kind: "dense", inputs, outputs });
const conv = (inChannels: number, outChannels: number, kernel: number): LayerArch => ({ kind: "conv2d", inChannels, outChannels, kernel });
const relu: LayerArch = { kind: "relu" };

const architectures: Record<SyntheticNetName, Arch> = {
  A: {
    description: "deck net: Dense 1568→400, ReLU, sum pooling",
    inputShape: [1568],
    layers: [dense(1568, 400), relu, { kind: "sumPool" }],
    output: "sum",
    rules: ["zplus", "zb"],
  },
  B: {
    description: "MLP 784-512-512-512-10, ReLU, top-class logit",
    inputShape: [784],
    layers: [dense(784, 512), relu, dense(512, 512), relu, dense(512, 512), relu, dense(512, 10)],
    output: "topLogit",
    rules: ["zb+zplus"],
  },
  C: {
    description: "LeNet-like CNN 1×28×28: conv32 3×3, pool2, conv64 3×3, pool2, Dense 1600→128→10",
    inputShape: [1, 28, 28],
    layers: [
      conv(1, 32, 3), relu, { kind: "maxPool2d", size: 2 },
      conv(32, 64, 3), relu, { kind: "maxPool2d", size: 2 },
      { kind: "flatten" }, dense(1600, 128), relu, dense(128, 10),
    ],
    output: "topLogit",
    rules: ["zb+zplus"],
  },
};

/** The architecture (no parameters) of a net: cheap, for shape checks. */
export const architecture = (name: SyntheticNetName): Arch => architectures[name];

const fmt = (s: readonly number[]): string => `[${s.join(", ")}]`;

/** The per-sample output shape of one layer; throws an Error naming what was expected and found. */
export const layerOutputShape = (layer: LayerArch, input: readonly number[]): number[] => {
  switch (layer.kind) {
    case "dense":
      if (input.length !== 1 || input[0] !== layer.inputs) {
        throw new Error(`dense ${layer.inputs}→${layer.outputs}: expected input shape [${layer.inputs}], found ${fmt(input)}`);
      }
      return [layer.outputs];
    case "conv2d": {
      const [c, h, w] = input;
      if (input.length !== 3 || c !== layer.inChannels || h === undefined || w === undefined || h < layer.kernel || w < layer.kernel) {
        throw new Error(
          `conv2d ${layer.inChannels}→${layer.outChannels} ${layer.kernel}×${layer.kernel}: expected input [${layer.inChannels}, H ≥ ${layer.kernel}, W ≥ ${layer.kernel}], found ${fmt(input)}`,
        );
      }
      return [layer.outChannels, h - layer.kernel + 1, w - layer.kernel + 1];
    }
    case "maxPool2d": {
      const [c, h, w] = input;
      if (input.length !== 3 || c === undefined || h === undefined || w === undefined || h < layer.size || w < layer.size) {
        throw new Error(`maxPool2d ${layer.size}: expected input [C, H ≥ ${layer.size}, W ≥ ${layer.size}], found ${fmt(input)}`);
      }
      return [c, Math.floor(h / layer.size), Math.floor(w / layer.size)];
    }
    case "relu":
      return [...input];
    case "flatten":
      return [T.Shape.size(input)];
    case "sumPool":
      if (input.length !== 1) throw new Error(`sumPool: expected a rank-1 input, found ${fmt(input)}`);
      return [1];
  }
};

/** Per-sample shapes through the net: the input shape, then the output shape of every layer. Throws on a mismatch. */
export const shapeChain = (inputShape: readonly number[], layers: readonly LayerArch[]): number[][] => {
  const shapes: number[][] = [[...inputShape]];
  for (const layer of layers) shapes.push(layerOutputShape(layer, shapes[shapes.length - 1]!));
  return shapes;
};

/** The fixed default seed of the benchmark weights and inputs. */
export const defaultSeed = 20170101;

/** Distinct seeds per net (weights) and per (net, batch) (inputs), derived from one base seed. */
const weightSeed = (seed: number, name: NetName): number => seed + 1_000_000 * (netNames.indexOf(name) + 1);
const inputSeed = (seed: number, name: NetName, batch: number): number => weightSeed(seed, name) + 1 + batch;

/** He initialisation: w ~ N(0, 2 / fan_in); biases uniform in [−0.05, 0]. */
const withParams = (rng: T.Random.Rng, layer: LayerArch): Layer => {
  switch (layer.kind) {
    case "dense": {
      const std = Math.sqrt(2 / layer.inputs);
      const W = T.Random.normalTensor(rng.fork(), [layer.inputs, layer.outputs], 0, std, "float64");
      return { ...layer, W, b: T.Random.uniformTensor(rng.fork(), [layer.outputs], -0.05, 0, "float64") };
    }
    case "conv2d": {
      const fanIn = layer.inChannels * layer.kernel * layer.kernel;
      const shape = [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel];
      const W = T.Random.normalTensor(rng.fork(), shape, 0, Math.sqrt(2 / fanIn), "float64");
      return { ...layer, W, b: T.Random.uniformTensor(rng.fork(), [layer.outChannels], -0.05, 0, "float64") };
    }
    default:
      return layer;
  }
};

/** Builds net `name` with weights drawn from `seed` (each net its own stream, each layer a fork of it). */
export const buildNet = (name: SyntheticNetName, seed: number = defaultSeed): NetSpec => {
  const arch = architectures[name];
  shapeChain(arch.inputShape, arch.layers);
  const rng = T.Random.make(weightSeed(seed, name));
  return {
    name,
    description: arch.description,
    inputShape: arch.inputShape,
    layers: arch.layers.map((l) => withParams(rng, l)),
    output: arch.output,
    rules: arch.rules,
    box: { lo: 0, hi: 1 },
  };
};

/** A batch of inputs `[batch, ...inputShape]`: the net's real inputs, else uniform in its box, seeded per (net, batch). */
export const makeInput = (net: NetSpec, batch: number, seed: number = defaultSeed): F64 => {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`makeInput: expected a positive integer batch, found ${batch}`);
  if (net.inputs !== undefined) return net.inputs(batch);
  const rng = T.Random.make(inputSeed(seed, net.name, batch));
  return T.Random.uniformTensor(rng, [batch, ...net.inputShape], net.box.lo, net.box.hi, "float64");
};
