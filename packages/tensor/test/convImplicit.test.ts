/**
 * The implicit-GEMM forward convolution (convImplicit.ts) against the unfolded product it replaces: im2col, then
 * gemm on the wasm path (kernel "wasm": the native kernels fuse multiply-adds), then the bias added. The claim is bit-identity (same sums in the same order), so the
 * comparison is exact, in both dtypes, over geometries that cross every edge of its blocking.
 */
import { describe, expect, test } from "vitest";
import * as T from "../src/index.ts";
import { convOutputSize, type Conv2dGeometry } from "../src/internal/kernels/conv2d.ts";
import { implicitConv } from "../src/internal/kernels/convImplicit.ts";
import { gemm } from "../src/internal/kernels/gemm.ts";
import { im2col } from "../src/internal/kernels/im2col.ts";

type Geo = Omit<Conv2dGeometry, "oh" | "ow" | "sh" | "sw"> & { readonly name: string };

const geometries: readonly Geo[] = [
  { name: "net C conv1 (1 channel, 28×28, 32 filters)", n: 2, c: 1, h: 28, w: 28, o: 32, kh: 3, kw: 3, ph: 0, pw: 0 },
  { name: "net C conv2 (32 channels, 13×13, 64 filters)", n: 2, c: 32, h: 13, w: 13, o: 64, kh: 3, kw: 3, ph: 0, pw: 0 },
  { name: "padding, 5 filters (a partial 4-row panel), a 2×4 kernel", n: 3, c: 3, h: 9, w: 7, o: 5, kh: 2, kw: 4, ph: 1, pw: 2 },
  { name: "two k blocks (48·9 = 432 taps), positions off multiples of 8", n: 1, c: 48, h: 12, w: 11, o: 6, kh: 3, kw: 3, ph: 0, pw: 0 },
  { name: "several row blocks (padded width 300: 3 rows per block), 1×1 kernel", n: 1, c: 2, h: 9, w: 298, o: 5, kh: 1, kw: 1, ph: 1, pw: 1 },
  { name: "more filters than a row block (70 > 64), output 2×2", n: 2, c: 4, h: 4, w: 4, o: 70, kh: 3, kw: 3, ph: 0, pw: 0 },
];

/** The unfolded product: y = W · im2col(x) per image, then + bias (as conv2d did before the implicit path). */
const unfolded = (x: T.FloatArray, w: T.FloatArray, g: Conv2dGeometry, y: T.FloatArray, bias: T.FloatArray | undefined): void => {
  const ckk = g.c * g.kh * g.kw;
  const plane = g.oh * g.ow;
  const cols = new Float64Array(ckk * plane);
  for (let n = 0; n < g.n; n++) {
    im2col(x, n * g.c * g.h * g.w, g, cols);
    gemm({ m: g.o, n: plane, k: ckk, a: { data: w }, b: { data: cols, lifetime: "scratch" }, out: y, outOffset: n * g.o * plane, kernel: "wasm" });
    if (bias !== undefined) for (let o = 0; o < g.o; o++) for (let q = 0; q < plane; q++) y[n * g.o * plane + o * plane + q] = y[n * g.o * plane + o * plane + q]! + bias[o]!;
  }
};

describe("implicit-GEMM convolution", () => {
  for (const dtype of T.dtypes)
    for (const geo of geometries)
      for (const withBias of [false, true])
        test(`${dtype}, ${withBias ? "bias" : "no bias"}: ${geo.name} — equal to the unfolded product to the bit`, () => {
          const g: Conv2dGeometry = { ...geo, sh: 1, sw: 1, oh: convOutputSize(geo.h, geo.kh, 1, geo.ph), ow: convOutputSize(geo.w, geo.kw, 1, geo.pw) };
          const rng = T.Random.make(5);
          const x = T.Random.uniformTensor(rng, [g.n, g.c, g.h, g.w], -1, 1, dtype).data;
          const w = T.Random.uniformTensor(rng, [g.o, g.c, g.kh, g.kw], -1, 1, dtype).data;
          const bias = withBias ? T.Random.uniformTensor(rng, [g.o], -1, 1, dtype).data : undefined;
          const size = g.n * g.o * g.oh * g.ow;
          const want = T.alloc(dtype, size);
          unfolded(x, w, g, want, bias);
          const got = T.alloc(dtype, size).fill(Number.NaN);
          const conv = implicitConv(g, got);
          if (conv === undefined) throw new Error("expected the implicit path to apply under Node (WebAssembly SIMD, stride 1)");
          for (let n = 0; n < g.n; n++) conv(x, n * g.c * g.h * g.w, w, got, n * g.o * g.oh * g.ow, bias);
          expect(got).toEqual(want);
        });

  test("it declines stride 2, thin products and more filters than gemm packs at once (the unfolded path runs)", () => {
    const g: Conv2dGeometry = { n: 1, c: 1, h: 8, w: 8, o: 4, kh: 3, kw: 3, sh: 2, sw: 1, ph: 0, pw: 0, oh: 3, ow: 6 };
    expect(implicitConv(g, new Float32Array(0))).toBeUndefined();
    const s1 = { ...g, sh: 1, oh: 6 };
    expect(implicitConv({ ...s1, o: 513 }, new Float32Array(0))).toBeUndefined();
    expect(implicitConv({ ...s1, o: 3 }, new Float32Array(0))).toBeUndefined();
    expect(implicitConv({ ...s1, h: 4, w: 4, kh: 4, kw: 4, oh: 1, ow: 1 }, new Float32Array(0))).toBeUndefined();
    expect(implicitConv(s1, new Float32Array(0))).toBeDefined();
  });
});
