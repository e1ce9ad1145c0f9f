/**
 * Random valid models of every layer kind, for round-trip and fuzz properties. fast-check draws a plan (input
 * shape, a list of steps, a pool of values); the plan is turned into a graph whose shapes fit — a chain, with
 * `add` and `concat` steps joining the current output with an earlier one of a fitting shape (or with itself) —
 * so every generated model builds. Values come from fc.double / fc.float, so they include -0, subnormals and the
 * extremes of the dtype: exactly what a round trip must preserve.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
import { unsafeMake } from "@dtd/tensor/unsafe";
import { LAYER_TYPES } from "@dtd/model-io";

interface Step {
  readonly kind: L.Kind;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly flag: boolean;
  readonly p: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(...LAYER_TYPES),
  a: fc.nat(5),
  b: fc.nat(5),
  c: fc.nat(3),
  flag: fc.boolean(),
  p: fc.oneof(fc.constantFrom(1, 2, 3), fc.double({ min: 1, max: 1e6, noNaN: true })),
});

const values = (dtype: T.DType): fc.Arbitrary<number[]> =>
  fc.array(dtype === "float32" ? fc.float({ noNaN: true, noDefaultInfinity: true }) : fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 32 });

/** Tensors filled by cycling through a pool of values. */
const filler = (dtype: T.DType, pool: readonly number[]) => {
  let k = 0;
  return (shape: number[]): T.Tensor => {
    const data = T.alloc(dtype, T.Shape.size(shape));
    for (let i = 0; i < data.length; i++) data[i] = pool[k++ % pool.length]!;
    return unsafeMake(shape, data);
  };
};

/** The layer a step asks for at the current shape, or undefined when that kind does not fit there. */
const layerFor = (s: Step, shape: readonly number[], tensor: (shape: number[]) => T.Tensor): L.Layer | undefined => {
  const chw = shape.length === 3;
  const [c, h, w] = shape as [number, number, number];
  const window = (): readonly [number, number] => [1 + (s.a % h), 1 + (s.b % w)];
  const strideOf = (): readonly [number, number] => [1 + (s.c % 2), 1 + ((s.a + s.c) % 3)];
  switch (s.kind) {
    case "dense":
      return chw ? undefined : L.dense(tensor([shape[0]!, 1 + s.a]), tensor([1 + s.a]));
    case "conv2d": {
      if (!chw) return undefined;
      const padding = s.flag ? ([s.c % 2, (s.c >> 1) % 2] as const) : ([0, 0] as const);
      const kh = 1 + (s.a % (h + 2 * padding[0]));
      const kw = 1 + (s.b % (w + 2 * padding[1]));
      const out = 1 + (s.b % 3);
      return L.conv2d(tensor([out, c, kh, kw]), tensor([out]), s.flag ? { stride: strideOf(), padding } : {});
    }
    case "relu":
      return L.relu;
    case "flatten":
      return L.flatten;
    case "sumPool":
      return chw && s.flag ? L.sumPool({ kernel: window(), ...(s.c > 0 ? { stride: strideOf() } : {}) }) : L.sumPool();
    case "pNormPool":
      return chw && s.flag ? L.pNormPool(s.p, { kernel: window(), ...(s.c > 0 ? { stride: strideOf() } : {}) }) : L.pNormPool(s.p);
    case "maxPool2d": {
      if (!chw) return undefined;
      const [kh, kw] = window();
      // −∞ padding (each pad below the window) on some steps.
      const padding = s.flag && s.c > 0 ? ([s.a % kh, s.b % kh, s.c % kw, (s.a + s.b) % kw] as const) : undefined;
      return L.maxPool2d([kh, kw], s.flag ? strideOf() : undefined, padding === undefined ? {} : { padding });
    }
    case "avgPool2d":
      return chw ? L.avgPool2d(window(), s.flag ? strideOf() : undefined) : undefined;
    case "select":
      return chw ? undefined : L.select(s.a % shape[0]!);
    case "scaleShift":
      return L.scaleShift(tensor([shape[0]!]), tensor([shape[0]!]));
    case "depthwiseConv2d": {
      if (!chw) return undefined;
      const padding = s.flag ? ([s.c % 2, (s.c >> 1) % 2] as const) : ([0, 0] as const);
      const m = 1 + (s.b % 2);
      const W = tensor([c, m, 1 + (s.a % (h + 2 * padding[0])), 1 + (s.b % (w + 2 * padding[1]))]);
      return L.depthwiseConv2d(W, tensor([c * m]), s.flag ? { stride: strideOf(), padding } : {});
    }
    case "clippedRelu":
      return L.clippedRelu(s.p);
    case "globalAvgPool":
      return chw ? L.globalAvgPool : undefined;
    case "globalMaxPool":
      return chw ? L.globalMaxPool : undefined;
    case "batchNorm": {
      const n = shape[0]!;
      return L.batchNorm({ scale: tensor([n]), shift: tensor([n]), mean: tensor([n]), variance: T.abs(tensor([n])), epsilon: s.flag ? 1e-3 : s.p });
    }
    case "pad2d":
      return chw ? L.pad2d([s.a % 2, s.b % 2, s.c % 2, s.flag ? 1 : 0]) : undefined;
    case "identity":
      return L.identityLayer;
    case "add":
    case "concat":
      return undefined;
  }
};

/** A join of the current output with an earlier one of a fitting shape (or with itself). */
const joinFor = (s: Step, positions: readonly { readonly name: string; readonly shape: readonly number[] }[]): L.NodeSpec | undefined => {
  const cur = positions[positions.length - 1]!;
  const fits =
    s.kind === "add"
      ? positions.filter((p) => T.Shape.equals(p.shape, cur.shape))
      : s.kind === "concat"
        ? positions.filter((p) => p.shape.length === cur.shape.length && p.shape.every((d, a) => a === 0 || d === cur.shape[a]))
        : [];
  if (fits.length === 0) return undefined;
  const other = fits[s.a % fits.length]!;
  const inputs = s.flag ? [other.name, cur.name] : [cur.name, other.name, ...(s.c > 1 ? [cur.name] : [])];
  return { layer: s.kind === "add" ? L.add : L.concat(0), inputs };
};

/** A random valid model and its dtype. */
export const model: fc.Arbitrary<{ model: L.Model; dtype: T.DType }> = fc
  .constantFrom<T.DType>("float32", "float64")
  .chain((dtype) =>
    fc.record({
      dtype: fc.constant(dtype),
      image: fc.boolean(),
      dims: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
      steps: fc.array(step, { maxLength: 8 }),
      pool: values(dtype),
    }),
  )
  .map(({ dtype, image, dims, steps, pool }) => {
    const tensor = filler(dtype, pool);
    const inputShape = image ? [...dims] : [dims[0] * dims[1]];
    const nodes: L.NodeSpec[] = [];
    const positions: { name: string; shape: readonly number[] }[] = [{ name: L.INPUT, shape: inputShape }];
    for (const s of steps) {
      const shape = positions[positions.length - 1]!.shape;
      const join = joinFor(s, positions);
      const layer = join === undefined ? layerFor(s, shape, tensor) : undefined;
      if (join === undefined && layer === undefined) continue;
      // Every node is named: a later join may refer to it (a join's own name is its index, others' are given).
      const name = `n${nodes.length}`;
      const spec: L.NodeSpec = join === undefined ? { name, layer: layer!, inputs: [positions[positions.length - 1]!.name] } : { ...join, name };
      const inputShapes = ("inputs" in spec ? spec.inputs ?? [] : []).map((r) => positions.find((p) => p.name === r)!.shape);
      const out = L.inferShape("layer" in spec ? spec.layer : spec, inputShapes);
      if (E.isLeft(out)) throw new Error(`arbitrary bug: ${s.kind} on ${inputShapes.map(T.showShape).join(", ")}: ${out.left}`);
      nodes.push(spec);
      positions.push({ name, shape: out.right });
    }
    const built = L.build(inputShape, nodes);
    if (E.isLeft(built)) throw new Error(`arbitrary bug: ${L.message(built.left)}`);
    return { model: built.right, dtype };
  });

/** Free-form metadata: JSON objects. */
export const metadata: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

/** A model with every kind of layer (a graph: a residual add and a concatenation), for example-based tests. */
export const everyKind = (dtype: T.DType): L.Model => {
  const rng = T.Random.make(5);
  const r = (shape: number[]) => T.astype(T.Random.normalTensor(rng, shape, 0, 1), dtype);
  const variance = (n: number) => T.astype(T.Random.uniformTensor(rng, [n], 0.5, 2), dtype);
  const layers: L.NodeSpec[] = [
    L.node("conv", L.conv2d(r([4, 2, 3, 3]), r([4]), { stride: [1, 2], padding: [1, 0] })),
    L.scaleShift(r([4]), r([4])),
    L.node("act", L.relu),
    L.node("dw", L.depthwiseConv2d(r([4, 1, 3, 1]), r([4]), { padding: [1, 0] })),
    L.batchNorm({ scale: r([4]), shift: r([4]), mean: r([4]), variance: variance(4), epsilon: 1e-3 }),
    L.node("clip", L.clippedRelu(6)),
    L.node("sum", L.add, ["clip", "act"]),
    L.node("drop", L.identityLayer),
    L.node("cat", L.concat(0), ["drop", "act"]),
    L.maxPool2d([2, 1]),
    L.pad2d([0, 1, 1, 0]),
    L.avgPool2d([2, 1], [1, 1]),
    L.sumPool({ kernel: [1, 1] }),
    L.node("pn", L.pNormPool(3, { kernel: [1, 2], stride: [1, 1] })),
    L.node("gap", L.globalAvgPool, ["pn"]),
    L.node("gmp", L.globalMaxPool, ["pn"]),
    L.node("both", L.concat(), ["gap", "gmp"]),
    L.flatten,
    L.dense(r([16, 3]), r([3])),
    L.relu,
    L.select(1),
  ];
  const built = L.build([2, 7, 5], layers);
  if (E.isLeft(built)) throw new Error(L.message(built.left));
  return built.right;
};
