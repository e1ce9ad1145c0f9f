/**
 * fast-check arbitraries for deep Taylor decomposition: networks and inputs that meet each rule's
 * preconditions by construction (b ≤ 0; inputs in the rule's domain; f(x) ≥ 0 through a final ReLU + sum
 * pooling), Dense and Conv2d chains, shallow and deep, and graphs (residual, concatenating, depthwise blocks:
 * `graphs.ts`). Weights come from a seeded stream chosen by fast-check.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";
import type { DomainT } from "@dtd/layers";
import { type Block, graphNetwork } from "./graphs.ts";

export { type Block, graphNetwork } from "./graphs.ts";

/** What kind of network: a chain of Dense layers, a small CNN, or a graph of blocks. */
export type NetworkKind = "dense" | "conv" | "graph";

/** Options of the network arbitrary. */
export interface NetworkOptions {
  readonly kinds?: readonly NetworkKind[];
  /** Number of affine layers before the pooling output (Dense: 1..maxDepth; Conv: convs then one Dense). */
  readonly maxDepth?: number;
  readonly maxWidth?: number;
  /** The bias range; the default [−0.2, 0] keeps b ≤ 0 (Propositions 2 and 3). */
  readonly bias?: readonly [number, number];
  /** The output: global sum pooling (detection-pooling, default) or a selected unit after a ReLU. */
  readonly output?: "sumPool" | "select";
  /** The dtype of the parameters (default float64); draw inputs in the same dtype (`inputsIn`). */
  readonly dtype?: T.DType;
  /** The blocks of "graph" networks (default: all). */
  readonly blocks?: readonly Block[];
}

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const build = (shape: readonly number[], layers: L.Sequential, dtype: T.DType = "float64"): L.Model => {
  const typed = layers.map((l) => L.withParams(l, Object.fromEntries(Object.entries(L.paramsOf(l)).map(([k, t]) => [k, T.astype(t, dtype)]))));
  const m = L.build(shape, typed);
  if (E.isLeft(m)) throw new Error(L.message(m.left));
  return m.right;
};

const head = (rng: T.Random.Rng, width: number, opts: NetworkOptions): L.Layer[] =>
  opts.output === "select" ? [L.select(T.Random.int(rng, width))] : [L.sumPool()];

/** A Dense–ReLU network with `depth` detection layers on inputs of size `d`, ending in the output head. */
const denseNet = (opts: NetworkOptions): fc.Arbitrary<L.Model> =>
  fc
    .tuple(seedArb, fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 1, max: opts.maxWidth ?? 6 }), { minLength: 1, maxLength: opts.maxDepth ?? 3 }))
    .map(([seed, d, widths]) => {
      const rng = T.Random.make(seed);
      const [bl, bh] = opts.bias ?? [-0.2, 0];
      const sizes = [d, ...widths];
      const layers = widths.flatMap((w, k) =>
        L.detection(T.Random.normalTensor(rng, [sizes[k]!, w], 0, 1 / Math.sqrt(sizes[k]!)), T.Random.uniformTensor(rng, [w], bl, bh)),
      );
      return build([d], [...layers, ...head(rng, widths[widths.length - 1]!, opts)], opts.dtype);
    });

/** A small CNN: 1–2 conv–ReLU blocks (random kernel, stride, padding, optional pooling), flatten, Dense–ReLU, head. */
const convNet = (opts: NetworkOptions): fc.Arbitrary<L.Model> =>
  fc
    .tuple(
      seedArb,
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 4, max: 7 }),
      fc.integer({ min: 1, max: Math.min(2, opts.maxDepth ?? 2) }),
      fc.constantFrom<"none" | "sum" | "avg" | "max">("none", "sum", "avg", "max"),
    )
    .map(([seed, c, hw, convs, pool]) => {
      const rng = T.Random.make(seed);
      const [bl, bh] = opts.bias ?? [-0.2, 0];
      const layers: L.Layer[] = [];
      let shape = [c, hw, hw];
      for (let k = 0; k < convs; k++) {
        const out = 1 + T.Random.int(rng, 3);
        const kh = 1 + T.Random.int(rng, Math.min(3, shape[1]!));
        const kw = 1 + T.Random.int(rng, Math.min(3, shape[2]!));
        const conv = L.conv2d(
          T.Random.normalTensor(rng, [out, shape[0]!, kh, kw], 0, 1 / Math.sqrt(shape[0]! * kh * kw)),
          T.Random.uniformTensor(rng, [out], bl, bh),
          { stride: [1 + T.Random.int(rng, 2), 1 + T.Random.int(rng, 2)], padding: [T.Random.int(rng, 2), T.Random.int(rng, 2)] },
        );
        layers.push(conv, L.relu);
        shape = build(shape, [conv]).shapes[1]!.slice();
        if (pool !== "none" && k === convs - 1 && shape[1]! >= 2 && shape[2]! >= 2) {
          const pl = pool === "sum" ? L.sumPool({ kernel: [2, 2] }) : pool === "avg" ? L.avgPool2d([2, 2]) : L.maxPool2d([2, 2]);
          layers.push(pl);
          shape = build(shape, [pl]).shapes[1]!.slice();
        }
      }
      const flat = T.Shape.size(shape);
      const w = 1 + T.Random.int(rng, opts.maxWidth ?? 4);
      layers.push(L.flatten, ...L.detection(T.Random.normalTensor(rng, [flat, w], 0, 1 / Math.sqrt(flat)), T.Random.uniformTensor(rng, [w], bl, bh)));
      return build([c, hw, hw], [...layers, ...head(rng, w, opts)], opts.dtype);
    });

/** Networks that meet the b ≤ 0 precondition and end in a non-negative score. */
export const network = (opts: NetworkOptions = {}): fc.Arbitrary<L.Model> =>
  fc
    .constantFrom(...(opts.kinds ?? ["dense", "conv"]))
    .chain((k) =>
      k === "dense"
        ? denseNet(opts)
        : k === "conv"
          ? convNet(opts)
          : graphNetwork({ ...(opts.blocks ? { blocks: opts.blocks } : {}), ...(opts.bias ? { bias: opts.bias } : {}), ...(opts.dtype ? { dtype: opts.dtype } : {}) }),
    );

/**
 * A batch of `n` inputs of a per-sample shape inside a domain, drawn by the domain's own sampler (ℝᵈ: N(0, 1);
 * ℝ₊ᵈ: U[0, 2] with some exact zeros; box: U[l, h]; …), in `dtype` (float32 values are drawn in float64 and
 * rounded: a box's edge may move by a rounding, which the preconditions' boundary tolerance allows).
 */
export const inputsIn = (domain: DomainT, shape: readonly number[], n = 2, dtype: T.DType = "float64"): fc.Arbitrary<T.Tensor> =>
  seedArb.map((seed) => {
    const rng = T.Random.make(seed);
    const size = T.Shape.size(shape);
    const data = new Float64Array(n * size);
    for (let k = 0; k < n; k++) data.set(domain.sample(rng, size), k * size);
    return T.astype(T.of(data, [n, ...shape]), dtype);
  });

/** A network together with a batch of inputs from `domain`. */
export const networkWithInputs = (domain: DomainT, opts: NetworkOptions = {}): fc.Arbitrary<{ model: L.Model; x: T.Tensor }> =>
  network(opts).chain((model) => inputsIn(domain, model.inputShape, 2, opts.dtype).map((x) => ({ model, x })));
