/**
 * n, the number of terms a deep Taylor explanation accumulates, which sets its rounding tolerance
 * (docs/deep-taylor.md, "Rounding: the tolerance of the checks"): per layer, the terms summed in its forward pass
 * (fan-in) and in its relevance pass (fan-out, the outputs each input feeds), plus the products and quotients of
 * eq. (4); and the input's size for the final Σ_p R_p. A table by layer kind, so a kind without an entry is a
 * compile error.
 * @module
 */
import * as T from "@dtd/tensor";
import * as L from "@dtd/layers";

/** Terms accumulated by one layer, from its per-sample input shape and output shape. */
type Terms<K extends L.Kind> = (layer: L.LayerOf<K>, input: readonly number[], output: readonly number[]) => number;

/** How many windows of `kernel` with `stride` cover one position at most (the fan-out of a windowed layer). */
const cover = (kernel: readonly [number, number], stride: readonly [number, number]): number =>
  Math.ceil(kernel[0] / stride[0]) * Math.ceil(kernel[1] / stride[1]);

/** A windowed pooling layer: the window's sum (fan-in) and the windows sharing a position (fan-out), plus the quotient. */
const windowed = (kernel: readonly [number, number] | undefined, stride: readonly [number, number] | undefined, input: readonly number[]): number =>
  kernel === undefined ? T.Shape.size(input) + 3 : kernel[0] * kernel[1] + cover(kernel, stride ?? kernel) + 3;

/** Per kind: fan-in + fan-out + the few operations around them (a bias, a quotient, a product). */
const table: { readonly [K in L.Kind]: Terms<K> } = {
  dense: (l) => l.W.shape[0]! + l.W.shape[1]! + 4,
  conv2d: (l) => {
    const [o, c, kh, kw] = l.W.shape as [number, number, number, number];
    return c * kh * kw + o * cover([kh, kw], l.stride) + 4;
  },
  relu: () => 0,
  flatten: () => 0,
  select: () => 0,
  sumPool: (l, input) => windowed(l.kernel, l.stride, input),
  avgPool2d: (l, input) => windowed(l.kernel, l.stride, input) + 1,
  // |x|ᵖ and the 1/p-th root round a few times more than a sum.
  pNormPool: (l, input) => windowed(l.kernel, l.stride, input) + 4,
  maxPool2d: (l) => l.kernel[0] * l.kernel[1] + cover(l.kernel, l.stride) + 3,
  scaleShift: () => 2,
  depthwiseConv2d: (l) => {
    const [, m, kh, kw] = l.W.shape as [number, number, number, number];
    return kh * kw + m * cover([kh, kw], l.stride) + 4;
  },
  clippedRelu: () => 0,
  identity: () => 0,
  pad2d: () => 0,
  concat: () => 0,
  globalAvgPool: (_l, input) => T.Shape.size(input.slice(1)) + 4,
  globalMaxPool: (_l, input) => T.Shape.size(input.slice(1)) + 3,
  // (x − mean)·s + shift, and the quotient and product of the node's own relevance rule.
  batchNorm: () => 6,
  // The sum of the inputs, then a quotient and a product per input.
  add: () => 8,
};

/**
 * n for a model: Σ over its nodes of their terms (with the shape of their first input), plus one sum per extra
 * consumer of a value (fan-out: relevances from several nodes are added), plus the input's size (Σ_p R_p).
 */
export const accumulatedTerms = (model: L.Model): number => {
  let n = T.Shape.size(model.inputShape);
  model.layers.forEach((layer, i) => {
    n += (table[layer.kind] as Terms<L.Kind>)(layer as never, model.shapes[model.sources[i]![0]!]!, model.shapes[i + 1]!);
  });
  for (const c of L.consumersOf(model)) n += Math.max(0, c.length - 1);
  return n;
};
