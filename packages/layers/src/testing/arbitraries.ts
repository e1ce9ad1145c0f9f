/**
 * fast-check arbitraries for layers and models. Weights are drawn from a seeded T.Random stream (fast-check
 * chooses the seed and the sizes), so shrinking works on sizes and seeds and large layers stay cheap.
 * @module
 */
import fc from "fast-check";
import * as T from "@dtd/tensor";
import * as L from "../Layer.ts";

/** A dense layer in → out with N(0, 1/in) weights and biases in [biasLow, biasHigh]. */
export const dense = (nIn: number, nOut: number, bias: readonly [number, number] = [-0.5, 0.5]): fc.Arbitrary<L.Dense> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
    const rng = T.Random.make(seed);
    return L.dense(T.Random.normalTensor(rng, [nIn, nOut], 0, 1 / Math.sqrt(nIn)), T.Random.uniformTensor(rng, [nOut], bias[0], bias[1]));
  });

/** A conv2d layer with OIHW weights, stride and padding. */
export const conv2d = (
  cIn: number,
  cOut: number,
  kernel: readonly [number, number],
  opts: { stride?: readonly [number, number]; padding?: readonly [number, number]; bias?: readonly [number, number] } = {},
): fc.Arbitrary<L.Conv2d> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
    const rng = T.Random.make(seed);
    const fanIn = cIn * kernel[0] * kernel[1];
    const bias = opts.bias ?? [-0.5, 0.5];
    return L.conv2d(T.Random.normalTensor(rng, [cOut, cIn, kernel[0], kernel[1]], 0, 1 / Math.sqrt(fanIn)), T.Random.uniformTensor(rng, [cOut], bias[0], bias[1]), {
      ...(opts.stride ? { stride: opts.stride } : {}),
      ...(opts.padding ? { padding: opts.padding } : {}),
    });
  });

/** A depthwise conv2d layer with weights [c, m, kh, kw], stride and padding. */
export const depthwiseConv2d = (
  c: number,
  m: number,
  kernel: readonly [number, number],
  opts: { stride?: readonly [number, number]; padding?: readonly [number, number]; bias?: readonly [number, number] } = {},
): fc.Arbitrary<L.DepthwiseConv2d> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => {
    const rng = T.Random.make(seed);
    const bias = opts.bias ?? [-0.5, 0.5];
    return L.depthwiseConv2d(T.Random.normalTensor(rng, [c, m, kernel[0], kernel[1]], 0, 1 / Math.sqrt(kernel[0] * kernel[1])), T.Random.uniformTensor(rng, [c * m], bias[0], bias[1]), {
      ...(opts.stride ? { stride: opts.stride } : {}),
      ...(opts.padding ? { padding: opts.padding } : {}),
    });
  });

/** A batch of inputs of a per-sample shape with values uniform in [lo, hi]. */
export const batch = (n: number, shape: readonly number[], lo = -1, hi = 1): fc.Arbitrary<T.Tensor> =>
  fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((seed) => T.Random.uniformTensor(T.Random.make(seed), [n, ...shape], lo, hi));

/** Dense–ReLU blocks of the given widths: widths[0] is the input size. */
export const mlp = (widths: readonly number[], bias: readonly [number, number] = [-0.5, 0.5]): fc.Arbitrary<L.Layer[]> =>
  fc.tuple(...widths.slice(1).map((w, i) => dense(widths[i]!, w, bias))).map((ds) => ds.flatMap((d) => [d, L.relu]));

/** A list of widths: input size, then `depth` hidden sizes, each in [1, maxWidth]. */
export const widths = (depth: { min: number; max: number }, maxWidth = 6): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxWidth }), { minLength: depth.min + 1, maxLength: depth.max + 1 });
