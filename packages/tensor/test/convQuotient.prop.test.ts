/**
 * conv2dBackpropInputQuotient (ops/conv.ts): J_xᵀ·(R / (s + K)) with eq. (4)'s quotient formed inside the
 * transposed convolution must equal conv2dBackpropInput(divNoNanSum(R, s, K)) bit for bit — on the native kernel
 * (installed by vitest.setup.ts; absent, the fallback is that composition itself) and on the two-op fallback for
 * K shapes the kernel does not take — with exact zeros and cancelling denominators (s + K = 0: no relevance
 * passes), batches, strides and padding, in both dtypes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { conv2dBackpropInput, conv2dBackpropInputQuotient, divNoNanSum, installNativeKernels, nativeKernels } from "@dtd/tensor/unsafe";

interface Case {
  readonly xShape: [number, number, number, number];
  readonly wShape: [number, number, number, number];
  readonly outShape: number[];
  readonly kShape: number[] | undefined;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dtype: T.DType;
  readonly seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 5 }),
    o: fc.integer({ min: 1, max: 9 }),
    h: fc.integer({ min: 3, max: 12 }),
    w: fc.integer({ min: 3, max: 40 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    pad: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
    form: fc.constantFrom("none", "sample", "sampleNoBatch", "suffix"),
    dtype: fc.constantFrom("float32" as const, "float64" as const),
    seed: fc.nat(),
  })
  .map((r) => {
    const oh = Math.floor((r.h + 2 * r.pad[0] - r.kh) / r.stride[0]) + 1;
    const ow = Math.floor((r.w + 2 * r.pad[1] - r.kw) / r.stride[1]) + 1;
    const sample = [r.o, oh, ow];
    const kShape = r.form === "none" ? undefined : r.form === "sample" ? [1, ...sample] : r.form === "sampleNoBatch" ? sample : [ow];
    return {
      xShape: [r.n, r.c, r.h, r.w] as [number, number, number, number],
      wShape: [r.o, r.c, r.kh, r.kw] as [number, number, number, number],
      outShape: [r.n, ...sample],
      kShape,
      stride: r.stride,
      padding: r.pad,
      dtype: r.dtype,
      seed: r.seed,
    };
  });

/** A tensor of `shape` by a seeded generator: exact zeros and halves mixed into U[−4, 4] (one seed per case keeps shrinking cheap). */
const tensorOf = (shape: readonly number[], dtype: T.DType, rng: T.Random.Rng): T.Tensor => {
  const picks = [0, 1, -1, 0.5, -0.5];
  const n = shape.reduce((p, d) => p * d, 1);
  const data = Array.from({ length: n }, () => (T.Random.int(rng, 3) === 0 ? picks[T.Random.int(rng, picks.length)]! : T.Random.uniform(rng) * 8 - 4));
  return T.of(data, shape, dtype);
};

/** s such that s + K cancels to exactly 0 at some entries (where K is given). */
const cancelling = (s: T.Tensor, K: T.Tensor | undefined, rng: T.Random.Rng): T.Tensor => {
  if (K === undefined) return s;
  const Kb = T.broadcastTo(K, s.shape);
  const data = Array.from(s.data, (v, i) => (T.Random.int(rng, 4) === 0 ? -Kb.data[i]! : v));
  return T.of(data, s.shape, s.dtype);
};

const fusedEqualsComposed = (c: Case): void => {
  const rng = T.Random.make(c.seed);
  const R = tensorOf(c.outShape, c.dtype, rng);
  const K = c.kShape === undefined ? undefined : tensorOf(c.kShape, c.dtype, rng);
  const s = cancelling(tensorOf(c.outShape, c.dtype, rng), K, rng);
  const w = tensorOf(c.wShape, c.dtype, rng);
  const opts = { stride: c.stride, padding: c.padding };
  const composed = conv2dBackpropInput(divNoNanSum(R, s, K), w, c.xShape, opts);
  const fused = conv2dBackpropInputQuotient(R, s, K, w, c.xShape, opts);
  expect(fused.dtype).toBe(c.dtype);
  expect(fused.shape).toEqual(c.xShape);
  // Bit-identity is the claim: the same quotients, then the same product.
  expect(Array.from(fused.data)).toEqual(Array.from(composed.data));
};

describe("conv2dBackpropInputQuotient", () => {
  test("equals conv2dBackpropInput(divNoNanSum(R, s, K)) to the bit: no K, one sample's K, a suffix K; zero denominators; both dtypes", () => {
    fc.assert(fc.property(caseArb, fusedEqualsComposed), { numRuns: 100 });
  });

  test("with the native kernels installed, one sample's K (or none) takes the fused kernel, once a call", () => {
    const installed = nativeKernels();
    const fused = installed?.conv2dBackpropInputQuotient;
    if (installed === undefined || fused === undefined) return; // DTD_KERNELS=wasm: the property above covers the fallback
    let calls = 0;
    installNativeKernels({ ...installed, conv2dBackpropInputQuotient: (...args) => (calls++, fused(...args)) });
    try {
      fc.assert(
        fc.property(
          caseArb.filter((c) => c.kShape === undefined || c.kShape.length === 3 || c.kShape.length === 4),
          (c) => {
            const before = calls;
            fusedEqualsComposed(c);
            expect(calls).toBe(before + 1);
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      installNativeKernels(installed);
    }
  });

  test("refuses R of the wrong shape and s of another shape than R", () => {
    const w = T.zeros([2, 1, 3, 3]);
    const R = T.zeros([1, 2, 3, 3]);
    expect(() => conv2dBackpropInputQuotient(T.zeros([1, 2, 4, 3]), T.zeros([1, 2, 4, 3]), undefined, w, [1, 1, 5, 5])).toThrow(/conv2dBackpropInputQuotient/);
    expect(() => conv2dBackpropInputQuotient(R, T.zeros([1, 2, 3, 1]), undefined, w, [1, 1, 5, 5])).toThrow(/s of R's shape/);
  });
});
