/**
 * The kernel section: matrix product throughput, GFLOP/s = 2n³ / median seconds / 10⁹, for `matmul` from
 * @dtd/tensor against a naive i-j-k triple loop measured in the same run (the ratio dtd / naive), float32 and
 * float64. Inputs are uniform in [−1, 1], seeded; the two products are compared before their figures are kept.
 * @module
 */
import * as AD from "@dtd/autodiff";
import * as T from "@dtd/tensor";
import { matmul } from "@dtd/tensor";
import { installNativeKernels, nativeKernels } from "@dtd/tensor/unsafe";
import { measure, type TimingOptions } from "./harness.ts";
import { batchShapes, productCase, thinShapes } from "./kernelsThin.ts";

/** One kernel measurement. */
export interface KernelRow {
  readonly kernel: string;
  readonly impl: string;
  readonly n: number;
  readonly dtype: T.DType;
  readonly median_s: number;
  readonly min_s: number;
  readonly iqr_s: number;
  readonly runs: number;
  /** Floating-point operations per second / 10⁹ at the median. */
  readonly gflops: number;
}

/**
 * A timed kernel that is not a matrix product: `prepare` returns the closure to time.
 * The MLP 784-512-512-10 batch-128 gradient timing (autodiff) is one of them ({@link gradientKernels}).
 */
export interface KernelCase {
  readonly kernel: string;
  readonly impl: string;
  /** Problem size reported in the `n` column (e.g. the batch). */
  readonly n: number;
  readonly dtype: T.DType;
  /** Floating-point operations per call, for GFLOP/s. */
  readonly flops: number;
  readonly prepare: () => () => void;
}

/**
 * One gradient of an MLP 784-512-512-10 (ReLU) on a batch of 128 with respect to all parameters, through
 * @dtd/autodiff: the forward pass and the backward pass. FLOPs: 2·(forward + 2·backward) multiply-adds of the
 * three matrix products.
 */
const mlpGradient = (dtype: T.DType): KernelCase => {
  const sizes = [784, 512, 512, 10];
  const batch = 128;
  const macs = sizes.slice(1).reduce((s, out, i) => s + batch * sizes[i]! * out, 0);
  return {
    kernel: "mlp 784-512-512-10 gradient",
    impl: "dtd",
    n: batch,
    dtype,
    flops: 2 * 3 * macs,
    prepare: () => {
      const rng = T.Random.make(7);
      const params = sizes.slice(1).flatMap((out, i) => [
        T.Random.normalTensor(rng, [sizes[i]!, out], 0, Math.sqrt(2 / sizes[i]!), dtype),
        T.zeros([out], dtype),
      ]);
      const x = T.Random.uniformTensor(rng, [batch, 784], 0, 1, dtype);
      const loss = (...ps: AD.Var[]): AD.Var => {
        let h: AD.Var = AD.constant(x);
        for (let l = 0; l < 3; l++) {
          h = AD.add(AD.matmul(h, ps[2 * l]!), ps[2 * l + 1]!);
          if (l < 2) h = AD.relu(h);
        }
        return AD.mean(AD.square(h));
      };
      const g = AD.valueAndGrad(loss);
      return () => void g(...params);
    },
  };
};

/**
 * The registered non-square cases: the MLP gradient, then the matrix products of the heatmap benchmark (see
 * kernelsThin.ts, which times more of them): one sample through nets A and B (thin products, m = 1) and net A's
 * dense layer at batch 128 — float32 and float64 each.
 */
export const gradientKernels: readonly KernelCase[] = [
  mlpGradient("float32"),
  mlpGradient("float64"),
  ...thinShapes.flatMap((s) => [productCase(s, "float32", "thin"), productCase(s, "float64", "thin")]),
  ...batchShapes.slice(0, 2).flatMap((s) => [productCase(s, "float32", "b128"), productCase(s, "float64", "b128")]),
];

/** C = A·B for row-major n×n matrices, the textbook i-j-k order (inner loop strides B by columns). */
export const naiveMatmul = (a: T.FloatArray, b: T.FloatArray, c: T.FloatArray, n: number): void => {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += a[i * n + k]! * b[k * n + j]!;
      c[i * n + j] = acc;
    }
};

/** Largest |x − y| relative to the largest |y|. */
const relMaxDiff = (x: T.FloatArray, y: T.FloatArray): number => {
  let d = 0, m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    m = Math.max(m, Math.abs(y[i]!));
  }
  return m === 0 ? d : d / m;
};

/** The agreement required between dtd matmul and the naive loop (relative to the largest entry). */
const tolerance: Record<T.DType, number> = { float32: 1e-4, float64: 1e-12 };

const row = (kernel: string, impl: string, n: number, dtype: T.DType, flops: number, fn: () => void, timing: TimingOptions): KernelRow => {
  const t = measure(fn, timing);
  return { kernel, impl, n, dtype, median_s: t.median, min_s: t.min, iqr_s: t.iqr, runs: t.n, gflops: flops / t.median / 1e9 };
};

/** Times `fn` with the native kernels uninstalled (WebAssembly SIMD), then puts them back. */
const withoutNative = <R>(fn: () => R): R => {
  const native = nativeKernels();
  installNativeKernels(undefined);
  try {
    return fn();
  } finally {
    installNativeKernels(native);
  }
};

/**
 * The matmul rows (dtd, then dtd-wasm when native kernels are installed, then naive) for one dtype, after
 * checking that both compute the same product.
 */
export const matmulRows = (n: number, dtype: T.DType, timing: TimingOptions): { rows: KernelRow[]; relDiff: number } => {
  const rng = T.Random.make(1024 + n);
  const a = T.Random.uniformTensor(rng, [n, n], -1, 1, dtype);
  const b = T.Random.uniformTensor(rng, [n, n], -1, 1, dtype);
  const c = T.alloc(dtype, n * n);
  naiveMatmul(a.data, b.data, c, n);
  const relDiff = relMaxDiff(matmul(a, b).data, c);
  if (!(relDiff <= tolerance[dtype])) {
    throw new Error(`kernels: expected dtd matmul to match the naive product within ${tolerance[dtype]} (${dtype}, n=${n}), found ${relDiff}`);
  }
  const flops = 2 * n * n * n;
  return {
    relDiff,
    rows: [
      row("matmul", "dtd", n, dtype, flops, () => void matmul(a, b), timing),
      ...(nativeKernels() === undefined ? [] : [withoutNative(() => row("matmul", "dtd-wasm", n, dtype, flops, () => void matmul(a, b), timing))]),
      row("matmul", "naive-ijk", n, dtype, flops, () => naiveMatmul(a.data, b.data, c, n), timing),
    ],
  };
};

/** Times a registered {@link KernelCase}. */
export const kernelCaseRow = (k: KernelCase, timing: TimingOptions): KernelRow => row(k.kernel, k.impl, k.n, k.dtype, k.flops, k.prepare(), timing);
