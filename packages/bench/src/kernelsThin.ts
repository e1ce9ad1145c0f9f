/**
 * Matrix-product throughput at the shapes the heatmap benchmark actually runs, GFLOP/s = 2·m·n·k / median s / 10⁹:
 *
 * - thin: one sample through a dense layer, `[1, k] × [k, n]` (forward x·W, the z⁺ denominator x·W⁺) and
 *   `[1, n] × [k, n]ᵀ` (the transposed product c·W⁺ᵀ), for net A (1568→400) and net B (784→512, 512→512);
 * - batch: the same layers at batch 128 (blocked gemm), and the convolutions of net C (im2col + gemm) at batch 128.
 *
 * Both dtypes run in one process, and every case is called once before any is timed, so the kernels see
 * Float32Array and Float64Array operands as they do in `pnpm bench` (a kernel specialised by V8 on one element
 * type alone would look faster here than there). Each case's product is checked against a float64 reference
 * before it is timed. A `js-ref` row times a plain monomorphic loop (axpy rows for x·W, four-accumulator dot
 * products for c·Wᵀ) over Float64Array copies: the yardstick the thin kernels should match.
 *
 * Run: `pnpm tsx packages/bench/src/kernelsThin.ts [thin] [batch] [conv] [--quick] [--cpu]` (default: all three
 * groups; `--cpu` times with process CPU time instead of wall time, for a machine shared with other jobs).
 * @module
 */
import { pathToFileURL } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";
import { conv2d } from "@dtd/tensor";
import { conv2dBackpropFilter, conv2dBackpropInput } from "@dtd/tensor/unsafe";
import { matmul } from "@dtd/tensor";
import { type Clock, fullTiming, measure, quickTiming, type TimingOptions } from "./harness.ts";
import type { KernelCase, KernelRow } from "./kernels.ts";

/** A matrix product case: stored a is [m, k] and b is [k, n], or [n, k] with `transB`. */
interface ProductShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transB: boolean;
}

const label = (s: ProductShape): string => `[${s.m},${s.k}]x[${s.transB ? `${s.n},${s.k}]ᵀ` : `${s.k},${s.n}]`}`;

/** Thin products of issue 7: nets A and B at batch 1. */
export const thinShapes: readonly ProductShape[] = [
  { m: 1, k: 1568, n: 400, transB: false },
  { m: 1, k: 400, n: 1568, transB: true },
  { m: 1, k: 784, n: 512, transB: false },
  { m: 1, k: 512, n: 512, transB: true },
];

/** The same layers at batch 128, and net C's dense layer. */
export const batchShapes: readonly ProductShape[] = [
  { m: 128, k: 1568, n: 400, transB: false },
  { m: 128, k: 400, n: 1568, transB: true },
  { m: 128, k: 784, n: 512, transB: false },
  { m: 128, k: 512, n: 784, transB: true },
  { m: 128, k: 1600, n: 128, transB: false },
];

/** Largest |x − y| relative to the largest |y|. */
const relMaxDiff = (x: T.FloatArray, y: Float64Array): number => {
  let d = 0, mx = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    mx = Math.max(mx, Math.abs(y[i]!));
  }
  return mx === 0 ? d : d / mx;
};

const tolerance: Record<T.DType, number> = { float32: 1e-5, float64: 1e-12 };

const check = (what: string, dtype: T.DType, got: T.FloatArray, want: Float64Array): void => {
  const r = relMaxDiff(got, want);
  if (!(r <= tolerance[dtype])) throw new Error(`kernelsThin: expected ${what} (${dtype}) to match the reference within ${tolerance[dtype]}, found ${r}`);
};

/** op(A)·op(B) from the definition in float64 (A [m, k]; B [k, n] or [n, k] with transB). */
const reference = (s: ProductShape, a: T.FloatArray, b: T.FloatArray): Float64Array => {
  const c = new Float64Array(s.m * s.n);
  for (let i = 0; i < s.m; i++)
    for (let j = 0; j < s.n; j++) {
      let acc = 0;
      for (let p = 0; p < s.k; p++) acc += a[i * s.k + p]! * (s.transB ? b[j * s.k + p]! : b[p * s.n + j]!);
      c[i * s.n + j] = acc;
    }
  return c;
};

/** The yardstick for x·W: out = Σ_p x[p]·W[p, :], four rows of W per pass, over Float64Array only. */
const refAxpy = (k: number, n: number, x: Float64Array, w: Float64Array, out: Float64Array): void => {
  out.fill(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const a0 = x[p]!, a1 = x[p + 1]!, a2 = x[p + 2]!, a3 = x[p + 3]!;
    const r0 = p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    for (let j = 0; j < n; j++) out[j] = out[j]! + a0 * w[r0 + j]! + a1 * w[r1 + j]! + a2 * w[r2 + j]! + a3 * w[r3 + j]!;
  }
  for (; p < k; p++) {
    const a0 = x[p]!, r0 = p * n;
    for (let j = 0; j < n; j++) out[j] = out[j]! + a0 * w[r0 + j]!;
  }
};

/** The yardstick for c·Wᵀ: out[j] = ⟨c, W[j, :]⟩ with four accumulators, over Float64Array only. */
const refDots = (k: number, n: number, c: Float64Array, w: Float64Array, out: Float64Array): void => {
  for (let j = 0; j < n; j++) {
    const r = j * k;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      s0 += c[p]! * w[r + p]!;
      s1 += c[p + 1]! * w[r + p + 1]!;
      s2 += c[p + 2]! * w[r + p + 2]!;
      s3 += c[p + 3]! * w[r + p + 3]!;
    }
    for (; p < k; p++) s0 += c[p]! * w[r + p]!;
    out[j] = s0 + s1 + s2 + s3;
  }
};

const operands = (s: ProductShape, dtype: T.DType, seed: number) => {
  const rng = T.Random.make(seed);
  const a = T.Random.uniformTensor(rng, [s.m, s.k], -1, 1, dtype);
  const b = T.Random.uniformTensor(rng, s.transB ? [s.n, s.k] : [s.k, s.n], -1, 1, dtype);
  return { a, b, want: reference(s, a.data, b.data) };
};

/** dtd `matmul` on one product shape, checked against the float64 reference when prepared. */
export const productCase = (s: ProductShape, dtype: T.DType, group: string): KernelCase => ({
  kernel: `${group} ${label(s)}`,
  impl: "dtd",
  n: s.m,
  dtype,
  flops: 2 * s.m * s.n * s.k,
  prepare: () => {
    const { a, b, want } = operands(s, dtype, 7 + s.k + s.n);
    const run = (): T.Tensor => matmul(a, b, { transposeB: s.transB });
    check(`matmul ${label(s)}`, dtype, run().data, want);
    return () => void run();
  },
});

/** The monomorphic float64 yardstick on one thin shape (m = 1). */
export const refCase = (s: ProductShape): KernelCase => ({
  kernel: `thin ${label(s)}`,
  impl: "js-ref",
  n: s.m,
  dtype: "float64",
  flops: 2 * s.m * s.n * s.k,
  prepare: () => {
    const { a, b, want } = operands(s, "float64", 7 + s.k + s.n);
    const x = Float64Array.from(a.data);
    const w = Float64Array.from(b.data);
    const out = new Float64Array(s.n);
    const run = s.transB ? () => refDots(s.k, s.n, x, w, out) : () => refAxpy(s.k, s.n, x, w, out);
    run();
    check(`js-ref ${label(s)}`, "float64", out, want);
    return run;
  },
});

/** A convolution layer of net C at batch `n`: input c×h×w, o filters of kh×kw, stride 1, no padding. */
interface ConvShape {
  readonly name: string;
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly o: number;
  readonly kh: number;
}

/** Net C's two convolutions at batch 128. */
export const convShapes: readonly ConvShape[] = [
  { name: "conv1 1→32 28²", n: 128, c: 1, h: 28, o: 32, kh: 3 },
  { name: "conv2 32→64 13²", n: 128, c: 32, h: 13, o: 64, kh: 3 },
];

const convDirections = ["fwd", "dx", "dw"] as const;

/** conv2d (fwd), its input adjoint (dx) or filter adjoint (dw) on one conv shape; FLOPs 2·N·O·OH·OW·C·KH·KW. */
export const convCase = (s: ConvShape, dir: (typeof convDirections)[number], dtype: T.DType): KernelCase => {
  const oh = s.h - s.kh + 1;
  return {
    kernel: `conv ${s.name} ${dir}`,
    impl: "dtd",
    n: s.n,
    dtype,
    flops: 2 * s.n * s.o * oh * oh * s.c * s.kh * s.kh,
    prepare: () => {
      const rng = T.Random.make(31 + s.c);
      const xShape = [s.n, s.c, s.h, s.h];
      const wShape = [s.o, s.c, s.kh, s.kh];
      const x = T.Random.uniformTensor(rng, xShape, -1, 1, dtype);
      const w = T.Random.uniformTensor(rng, wShape, -1, 1, dtype);
      const dy = T.Random.uniformTensor(rng, [s.n, s.o, oh, oh], -1, 1, dtype);
      // The three directions are adjoint: ⟨conv(x, w), dy⟩ = ⟨x, J_xᵀ·dy⟩ = ⟨w, J_wᵀ·dy⟩; check before timing.
      const dot = (p: T.FloatArray, q: T.FloatArray): number => {
        let acc = 0;
        for (let i = 0; i < p.length; i++) acc += p[i]! * q[i]!;
        return acc;
      };
      const run =
        dir === "fwd"
          ? (): T.Tensor => conv2d(x, w)
          : dir === "dx"
            ? (): T.Tensor => conv2dBackpropInput(dy, w, xShape)
            : (): T.Tensor => conv2dBackpropFilter(x, dy, wShape);
      const lhs = dot(conv2d(x, w).data, dy.data);
      const rhs = dir === "fwd" ? lhs : dir === "dx" ? dot(x.data, run().data) : dot(w.data, run().data);
      check(`conv ${s.name} ${dir} adjoint`, dtype, new Float64Array([rhs]), new Float64Array([lhs]));
      return () => void run();
    },
  };
};

/** The registered groups: thin products (with the yardstick), batch-128 products, batch-128 convolutions. */
export const groups = {
  thin: thinShapes.flatMap((s) => [productCase(s, "float32", "thin"), productCase(s, "float64", "thin"), refCase(s)]),
  batch: batchShapes.flatMap((s) => [productCase(s, "float32", "b128"), productCase(s, "float64", "b128")]),
  conv: convShapes.flatMap((s) => convDirections.flatMap((d) => [convCase(s, d, "float32"), convCase(s, d, "float64")])),
} as const satisfies Record<string, readonly KernelCase[]>;

export type Group = keyof typeof groups;

/** Process CPU time (user + system) in milliseconds: steadier than wall time on a machine shared with other jobs. */
export const cpuClock: Clock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Times the cases of `names`: all are prepared and called once first (both dtypes, every shape), then each is
 * measured in turn with `clock` (wall time by default).
 */
export const runGroups = (
  names: readonly Group[],
  timing: TimingOptions,
  onRow: (r: KernelRow) => void = () => {},
  clock?: Clock,
): KernelRow[] => {
  const cases = names.flatMap((g) => groups[g]);
  const prepared = cases.map((k) => ({ k, fn: k.prepare() }));
  for (const { fn } of prepared) fn();
  return prepared.map(({ k, fn }) => {
    const t = measure(fn, timing, clock);
    const row: KernelRow = {
      kernel: k.kernel,
      impl: k.impl,
      n: k.n,
      dtype: k.dtype,
      median_s: t.median,
      min_s: t.min,
      iqr_s: t.iqr,
      runs: t.n,
      gflops: k.flops / t.median / 1e9,
    };
    onRow(row);
    return row;
  });
};

const line = (r: KernelRow): string =>
  `${r.kernel.padEnd(34)}${r.impl.padEnd(8)}${r.dtype.padEnd(9)}${(r.median_s * 1e3).toFixed(3).padStart(10)}${(r.min_s * 1e3).toFixed(3).padStart(10)}${r.gflops.toFixed(2).padStart(9)}`;

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = process.argv.slice(2);
  const asked = args.filter((a): a is Group => a in groups);
  const names: Group[] = asked.length > 0 ? asked : ["thin", "batch", "conv"];
  const timing: TimingOptions = args.includes("--quick") ? quickTiming : { ...fullTiming, minSeconds: 0.5 };
  // As `pnpm bench` does: the native kernels unless DTD_KERNELS=wasm.
  const { describeInstalled, message, useNativeKernels } = await import("@dtd/native");
  const installed = useNativeKernels();
  console.log(`dtd kernels: ${E.isLeft(installed) ? message(installed.left) : describeInstalled(installed.right)}`);
  console.log(`${"case".padEnd(34)}${"impl".padEnd(8)}${"dtype".padEnd(9)}${"median ms".padStart(10)}${"min ms".padStart(10)}${"GFLOP/s".padStart(9)}`);
  runGroups(names, timing, (r) => console.log(line(r)), args.includes("--cpu") ? cpuClock : undefined);
}
