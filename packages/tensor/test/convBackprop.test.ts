/**
 * conv2dBackpropInput with its columns folded in wasm memory (stride 1) against the path it replaces: gemm's
 * columns Wᵀ·dy copied out, then the JavaScript col2im. The claim is bit-identity (the same additions in the same
 * order), so the comparison is exact, in both dtypes. Both run without the native kernels the test setup installs
 * (those take every convolution whole: packages/native/test/conv.test.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as T from "../src/index.ts";
import { convOutputSize, type Conv2dGeometry, conv2dBackpropInput } from "../src/internal/kernels/conv2d.ts";
import { gemm } from "../src/internal/kernels/gemm.ts";
import { installNativeKernels, type NativeKernels, nativeKernels } from "../src/internal/kernels/native.ts";
import { col2im } from "../src/internal/kernels/im2col.ts";
import { expectAllClose } from "../src/testing/index.ts";
import { backpropInputRef } from "./convReference.ts";

type Geo = Omit<Conv2dGeometry, "oh" | "ow" | "sh" | "sw"> & { readonly name: string };

const geometries: readonly Geo[] = [
  { name: "net C conv1 (1 channel, 28×28, 32 filters)", n: 2, c: 1, h: 28, w: 28, o: 32, kh: 3, kw: 3, ph: 0, pw: 0 },
  { name: "net C conv2 (32 channels, 13×13, 64 filters)", n: 2, c: 32, h: 13, w: 13, o: 64, kh: 3, kw: 3, ph: 0, pw: 0 },
  { name: "padding, a 2×4 kernel, 5 filters", n: 3, c: 3, h: 9, w: 7, o: 5, kh: 2, kw: 4, ph: 1, pw: 2 },
  { name: "padding as large as the kernel allows", n: 1, c: 2, h: 5, w: 6, o: 4, kh: 3, kw: 3, ph: 2, pw: 2 },
];

let installed: NativeKernels | undefined;
beforeAll(() => {
  installed = nativeKernels();
  installNativeKernels(undefined);
});
afterAll(() => installNativeKernels(installed));

describe("conv2dBackpropInput folded in wasm", () => {
  for (const dtype of T.dtypes)
    for (const geo of geometries)
      test(`${dtype}: ${geo.name} — equal to gemm's columns folded by the JavaScript col2im, to the bit`, () => {
        const g: Conv2dGeometry = { ...geo, sh: 1, sw: 1, oh: convOutputSize(geo.h, geo.kh, 1, geo.ph), ow: convOutputSize(geo.w, geo.kw, 1, geo.pw) };
        const rng = T.Random.make(9);
        const w = T.Random.uniformTensor(rng, [g.o, g.c, g.kh, g.kw], -1, 1, dtype).data;
        const dy = T.Random.uniformTensor(rng, [g.n, g.o, g.oh, g.ow], -1, 1, dtype).data;
        const ckk = g.c * g.kh * g.kw;
        const plane = g.oh * g.ow;
        const image = g.c * g.h * g.w;
        const want = T.alloc(dtype, g.n * image);
        const cols = T.alloc(dtype, ckk * plane);
        for (let n = 0; n < g.n; n++) {
          gemm({ m: ckk, n: plane, k: g.o, a: { data: w, transpose: true }, b: { data: dy, offset: n * g.o * plane }, out: cols, kernel: "wasm" });
          col2im(cols, g, want, n * image);
        }
        const got = T.alloc(dtype, g.n * image).fill(Number.NaN);
        conv2dBackpropInput(dy, w, g, got);
        expect(got).toEqual(want);
      });
});

/** Images beyond the fold's limits (more than 1024 output positions, or more than the B region holds). */
const large: readonly Geo[] = [
  { name: "3 channels (fewer than a 4-row panel), 40×40, 8 filters, padding 1", n: 2, c: 3, h: 40, w: 40, o: 8, kh: 3, kw: 3, ph: 1, pw: 1 },
  { name: "dy larger than the B region (48×90×90 padded): bands of rows; 432 taps: two k blocks", n: 1, c: 5, h: 92, w: 92, o: 48, kh: 3, kw: 3, ph: 0, pw: 0 },
  { name: "a 2×4 kernel, asymmetric padding, a wide image (1 × 1100)", n: 1, c: 2, h: 2, w: 1100, o: 5, kh: 2, kw: 4, ph: 1, pw: 3 },
];

describe("conv2dBackpropInput of large stride-1 images: the transposed convolution on the implicit-GEMM path", () => {
  for (const dtype of T.dtypes)
    for (const geo of large)
      test(`${dtype}: ${geo.name} — equal to the definition`, () => {
        const g: Conv2dGeometry = { ...geo, sh: 1, sw: 1, oh: convOutputSize(geo.h, geo.kh, 1, geo.ph), ow: convOutputSize(geo.w, geo.kw, 1, geo.pw) };
        const rng = T.Random.make(11);
        const w = T.Random.uniformTensor(rng, [g.o, g.c, g.kh, g.kw], -1, 1, dtype).data;
        const dy = T.Random.uniformTensor(rng, [g.n, g.o, g.oh, g.ow], -1, 1, dtype).data;
        const got = T.alloc(dtype, g.n * g.c * g.h * g.w).fill(Number.NaN);
        conv2dBackpropInput(dy, w, g, got);
        const want = backpropInputRef(dy, w, g);
        expectAllClose(got, want, { atol: dtype === "float64" ? 1e-12 : 2e-5 * Math.max(1, ...Array.from(want, Math.abs)), rtol: 0 });
        // The filters flipped for it are remembered: a second call gives the same bits.
        const again = T.alloc(dtype, got.length);
        conv2dBackpropInput(dy, w, g, again);
        expect(again).toEqual(got);
      });
});
