/**
 * Random graph networks that meet the rules' preconditions by construction (b ≤ 0; every affine node reads ReLU
 * outputs, poolings or concatenations of them, or the input; f(x) ≥ 0 through a final ReLU and sum pooling):
 * residual blocks with identity and projection skips, nested skips, Inception-style concatenations (with a
 * pad2d and a max pooling branch), depthwise-separable blocks, and global pooling heads. Weights come from a
 * seeded stream chosen by fast-check.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";

/** The blocks a graph is made of. */
export type Block = "residual" | "projection" | "nested" | "concat" | "separable";

/** Options of the graph arbitrary. */
export interface GraphOptions {
  readonly blocks?: readonly Block[];
  /** Blocks in a row (default 1..2). */
  readonly maxBlocks?: number;
  /** The bias range (default [−0.2, 0]: b ≤ 0). */
  readonly bias?: readonly [number, number];
  readonly dtype?: T.DType;
}

/** Builds a graph node by node: names the nodes, infers their shapes, draws their weights. */
const builder = (rng: T.Random.Rng, bias: readonly [number, number], dtype: T.DType, inputShape: readonly number[]) => {
  const nodes: L.NodeSpec[] = [];
  const shapes = new Map<string, readonly number[]>([[L.INPUT, inputShape]]);
  const shape = (name: string): readonly number[] => shapes.get(name)!;
  /** Adds a node reading `inputs`; returns its name. */
  const add = (layer: L.Layer, inputs: readonly string[]): string => {
    const name = `${layer.kind}${nodes.length}`;
    const out = L.inferShape(layer, inputs.map(shape));
    if (E.isLeft(out)) throw new Error(`graph arbitrary bug: ${layer.kind} on ${inputs.map((i) => T.showShape(shape(i))).join(", ")}: ${out.left}`);
    nodes.push(L.node(name, layer, inputs));
    shapes.set(name, out.right);
    return name;
  };
  const biasOf = (n: number): T.Tensor => T.Random.uniformTensor(rng, [n], bias[0], bias[1], dtype);
  const conv = (from: string, out: number, k: number, opts: { stride?: number; padding?: number } = {}): string => {
    const c = shape(from)[0]!;
    const W = T.Random.normalTensor(rng, [out, c, k, k], 0, 1 / Math.sqrt(c * k * k), dtype);
    const s = opts.stride ?? 1;
    const p = opts.padding ?? 0;
    return add(L.conv2d(W, biasOf(out), { stride: [s, s], padding: [p, p] }), [from]);
  };
  const depthwise = (from: string, m: number): string => {
    const c = shape(from)[0]!;
    return add(L.depthwiseConv2d(T.Random.normalTensor(rng, [c, m, 3, 3], 0, 1 / 3, dtype), biasOf(c * m), { padding: [1, 1] }), [from]);
  };
  const dense = (from: string, out: number): string => {
    const f = shape(from)[0]!;
    return add(L.dense(T.Random.normalTensor(rng, [f, out], 0, 1 / Math.sqrt(f), dtype), biasOf(out)), [from]);
  };
  const relu = (from: string): string => add(L.relu, [from]);
  const width = (): number => 1 + T.Random.int(rng, 3);
  return { rng, nodes, shape, add, conv, depthwise, dense, relu, width };
};
type Builder = ReturnType<typeof builder>;

/** relu(conv(relu(conv(x))) + x): an identity skip. */
const residual = (g: Builder, x: string): string => {
  const c = g.shape(x)[0]!;
  const inner = g.conv(g.relu(g.conv(x, g.width(), 3, { padding: 1 })), c, 3, { padding: 1 });
  return g.relu(g.add(L.add, [inner, x]));
};

/** relu(conv(relu(conv_s(x))) + conv1×1_s(x)): a projection skip (new width, stride 1 or 2). */
const projection = (g: Builder, x: string): string => {
  const out = g.width();
  const s = g.shape(x)[1]! >= 4 && g.rng.next() < 0.5 ? 2 : 1;
  const inner = g.conv(g.relu(g.conv(x, g.width(), 3, { stride: s, padding: 1 })), out, 3, { padding: 1 });
  return g.relu(g.add(L.add, [inner, g.conv(x, out, 1, { stride: s })]));
};

/** A residual block whose inner branch holds another residual block (nested skips). */
const nested = (g: Builder, x: string): string => {
  const c = g.shape(x)[0]!;
  const inner = g.conv(residual(g, g.relu(g.conv(x, g.width(), 3, { padding: 1 }))), c, 1);
  return g.relu(g.add(L.add, [x, inner]));
};

/**
 * Inception-style: 1×1 conv, 3×3 conv and pooling branches, concatenated. The pooling branch is pad2d (zeros) then
 * 2×2 max pooling with stride 1, or 3×3 max pooling with stride 1 and −∞ padding 1 (Inception's pool branch).
 */
const concat = (g: Builder, x: string): string => {
  const a = g.relu(g.conv(x, g.width(), 1));
  const b = g.relu(g.conv(x, g.width(), 3, { padding: 1 }));
  // One draw decides both the order and the pooling (the generator's stream is as it was before padded pooling).
  const r = g.rng.next();
  const pool = r < 0.25 || r >= 0.75 ? g.add(L.maxPool2d([3, 3], [1, 1], { padding: [1, 1, 1, 1] }), [x]) : g.add(L.maxPool2d([2, 2], [1, 1]), [g.add(L.pad2d([0, 1, 0, 1]), [x])]);
  return g.add(L.concat(0), r < 0.5 ? [a, b, pool] : [pool, a, b]);
};

/** MobileNet-style: depthwise 3×3, ReLU, pointwise 1×1, ReLU. */
const separable = (g: Builder, x: string): string => g.relu(g.conv(g.relu(g.depthwise(x, 1 + T.Random.int(g.rng, 2))), g.width(), 1));

const blockOf: { readonly [B in Block]: (g: Builder, x: string) => string } = { residual, projection, nested, concat, separable };

/** A graph network on CHW inputs: a conv stem, blocks, global pooling, a dense detection layer and sum pooling. */
export const graphNetwork = (opts: GraphOptions = {}): fc.Arbitrary<L.Model> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 4, max: 6 }),
      fc.array(fc.constantFrom(...(opts.blocks ?? (["residual", "projection", "nested", "concat", "separable"] as const))), { minLength: 1, maxLength: opts.maxBlocks ?? 2 }),
      fc.boolean(),
    )
    .map(([seed, c, hw, blocks, maxHead]) => {
      const g = builder(T.Random.make(seed), opts.bias ?? [-0.2, 0], opts.dtype ?? "float64", [c, hw, hw]);
      let x = g.relu(g.conv(L.INPUT, g.width(), 3, { padding: 1 }));
      for (const b of blocks) x = blockOf[b](g, x);
      const pooled = g.add(maxHead ? L.globalMaxPool : L.globalAvgPool, [x]);
      g.add(L.sumPool(), [g.relu(g.dense(pooled, g.width()))]);
      const m = L.build([c, hw, hw], g.nodes);
      if (E.isLeft(m)) throw new Error(`graph arbitrary bug: ${L.message(m.left)}`);
      return m.right;
    });
