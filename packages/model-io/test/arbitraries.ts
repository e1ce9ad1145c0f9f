/**
 * Random valid models of every layer kind, for round-trip and fuzz properties. fast-check draws a plan (input
 * shape, a list of steps, a pool of values); the plan is turned into a chain of layers whose shapes fit, so
 * every generated model builds. Values come from fc.double / fc.float, so they include -0, subnormals and the
 * extremes of the dtype: exactly what a round trip must preserve.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import * as L from "@dtd/layers";
import * as T from "@dtd/tensor";
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
    return T.unsafeMake(shape, data);
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
    case "maxPool2d":
      return chw ? L.maxPool2d(window(), s.flag ? strideOf() : undefined) : undefined;
    case "avgPool2d":
      return chw ? L.avgPool2d(window(), s.flag ? strideOf() : undefined) : undefined;
    case "select":
      return chw ? undefined : L.select(s.a % shape[0]!);
    case "scaleShift":
      return L.scaleShift(tensor([shape[0]!]), tensor([shape[0]!]));
  }
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
    const layers: L.Layer[] = [];
    let shape: readonly number[] = inputShape;
    for (const s of steps) {
      const l = layerFor(s, shape, tensor);
      if (l === undefined) continue;
      const out = L.outputShape(l, shape);
      if (E.isLeft(out)) throw new Error(`arbitrary bug: ${l.kind} on ${T.showShape(shape)}: ${out.left}`);
      layers.push(l);
      shape = out.right;
    }
    const built = L.build(inputShape, layers);
    if (E.isLeft(built)) throw new Error(`arbitrary bug: ${L.message(built.left)}`);
    return { model: built.right, dtype };
  });

/** Free-form metadata: JSON objects. */
export const metadata: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });

/** A model with every kind of layer, for example-based tests. */
export const everyKind = (dtype: T.DType): L.Model => {
  const rng = T.Random.make(5);
  const r = (shape: number[]) => T.astype(T.Random.normalTensor(rng, shape, 0, 1), dtype);
  const layers: L.Layer[] = [
    L.conv2d(r([4, 2, 3, 3]), r([4]), { stride: [1, 2], padding: [1, 0] }),
    L.scaleShift(r([4]), r([4])),
    L.relu,
    L.maxPool2d([2, 1]),
    L.avgPool2d([2, 1], [1, 1]),
    L.sumPool({ kernel: [1, 1] }),
    L.pNormPool(3, { kernel: [1, 2], stride: [1, 1] }),
    L.flatten,
    L.dense(r([8, 3]), r([3])),
    L.relu,
    L.select(1),
  ];
  const built = L.build([2, 7, 5], layers);
  if (E.isLeft(built)) throw new Error(L.message(built.left));
  return built.right;
};
