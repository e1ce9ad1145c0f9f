import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { avgPool2d, maxPool2d, pool2dOutputShape, sumPool2d } from "@dtd/tensor";
import { avgPool2dTranspose, maxPool2dGather, maxPool2dScatter, sumPool2dTranspose } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import { gather, maxPool2dForward, scatterAdd, sumPool2dForward, sumPool2dTranspose as sumPoolTransposeKernel } from "../src/internal/kernels/pool2d.ts";
import { maxPoolRef, type PoolGeo, pooledSize, sumPoolRef, sumPoolTransposeRef } from "./poolReference.ts";

const geometries: (PoolGeo & { name: string })[] = [
  { name: "2×2 stride 2 on 28×28, batch 2", n: 2, c: 3, h: 28, w: 28, kh: 2, kw: 2, sh: 2, sw: 2 },
  { name: "odd input 7×9, 2×2 stride 2 (last row and column dropped)", n: 1, c: 2, h: 7, w: 9, kh: 2, kw: 2, sh: 2, sw: 2 },
  { name: "overlapping 3×3 stride 1", n: 2, c: 1, h: 6, w: 5, kh: 3, kw: 3, sh: 1, sw: 1 },
  { name: "non-square 2×3 window, stride 1×2", n: 3, c: 2, h: 5, w: 8, kh: 2, kw: 3, sh: 1, sw: 2 },
  { name: "window as large as the image", n: 1, c: 4, h: 3, w: 4, kh: 3, kw: 4, sh: 1, sw: 1 },
  { name: "1×1 window", n: 1, c: 1, h: 3, w: 3, kh: 1, kw: 1, sh: 1, sw: 1 },
];

describe("2×2 max pooling kernel: one copy per element type", () => {
  test("float32 and float64 interleaved, and mixed input/output types, give the definition's maxima and argmax", () => {
    const rng = T.Random.make(61);
    const geo = { n: 2, c: 3, h: 9, w: 8, kh: 2, kw: 2, sh: 2, sw: 2 };
    const [oh, ow] = pooledSize(geo);
    const g = { ...geo, oh, ow };
    const x64 = T.Random.uniformTensor(rng, [geo.n, geo.c, geo.h, geo.w], -1, 1).data;
    const x32 = Float32Array.from(x64);
    const ref = maxPoolRef(x32, geo);
    for (const [x, out] of [
      [x64, new Float64Array(ref.y.length)],
      [x32, new Float32Array(ref.y.length)],
      [x32, new Float64Array(ref.y.length)],
      [x64, new Float32Array(ref.y.length)],
    ] as const) {
      const argmax = new Int32Array(ref.y.length);
      maxPool2dForward(x, g, out, argmax);
      const want = x === x64 ? maxPoolRef(x64, geo) : ref;
      expect(Array.from(argmax)).toEqual(Array.from(want.argmax));
      expect(Array.from(out)).toEqual(Array.from(out instanceof Float32Array ? Float32Array.from(want.y) : want.y));
    }
  });
});

describe("pool2d kernels against the definition", () => {
  for (const dtype of T.dtypes) {
    for (const geo of geometries) {
      test(`${dtype}: ${geo.name}`, () => {
        const rng = T.Random.make(41);
        const [oh, ow] = pooledSize(geo);
        const g = { ...geo, oh, ow };
        // Values on a coarse grid so that windows contain ties.
        const x = T.alloc(dtype, geo.n * geo.c * geo.h * geo.w);
        for (let i = 0; i < x.length; i++) x[i] = T.Random.int(rng, 5) - 2;
        const dy = T.Random.uniformTensor(rng, [geo.n, geo.c, oh, ow], -1, 1, dtype).data;
        const ref = maxPoolRef(x, geo);
        const y = T.alloc(dtype, ref.y.length);
        const argmax = new Int32Array(ref.y.length);
        maxPool2dForward(x, g, y, argmax);
        expect(Array.from(argmax)).toEqual(Array.from(ref.argmax));
        expectAllClose(y, ref.y, { atol: 0 });
        const dx = T.alloc(dtype, x.length);
        scatterAdd(dy, argmax, dx);
        const dxRef = new Float64Array(x.length);
        ref.argmax.forEach((xi, yi) => (dxRef[xi] = dxRef[xi]! + dy[yi]!));
        expectAllClose(dx, dxRef, { atol: 1e-6 });
        const gathered = T.alloc(dtype, argmax.length);
        gather(x, argmax, gathered);
        expectAllClose(gathered, ref.y, { atol: 0 });
        const s = T.alloc(dtype, ref.y.length);
        sumPool2dForward(x, g, s);
        expectAllClose(s, sumPoolRef(x, geo), { atol: 0 });
        const st = T.alloc(dtype, x.length).fill(Number.NaN);
        sumPoolTransposeKernel(dy, g, st);
        expectAllClose(st, sumPoolTransposeRef(dy, geo), { atol: 1e-6 });
      });
    }
  }

  test("ties go to the first maximum in row-major window order; a NaN propagates", () => {
    const g = { n: 1, c: 1, h: 2, w: 4, kh: 2, kw: 2, sh: 2, sw: 2, oh: 1, ow: 2 };
    const x = new Float64Array([1, 3, 3, 0, 3, 2, Number.NaN, 9]);
    const y = new Float64Array(2);
    const argmax = new Int32Array(2);
    maxPool2dForward(x, g, y, argmax);
    expect(Array.from(argmax)).toEqual([1, 6]);
    expect(y[0]).toBe(3);
    expect(Number.isNaN(y[1])).toBe(true);
  });

  test("the same for windows other than 2×2 (the general loop): 2×3 windows, a tie, a NaN after the maximum", () => {
    const g = { n: 1, c: 1, h: 2, w: 6, kh: 2, kw: 3, sh: 2, sw: 3, oh: 1, ow: 2 };
    const x = new Float64Array([1, 3, 0, 5, 9, 1, 3, 2, 3, 1, Number.NaN, 0]);
    const y = new Float64Array(2);
    const argmax = new Int32Array(2);
    maxPool2dForward(x, g, y, argmax);
    expect(Array.from(argmax)).toEqual([1, 10]);
    expect(y[0]).toBe(3);
    expect(Number.isNaN(y[1])).toBe(true);
  });
});

describe("pooling ops", () => {
  const x = T.of([1, 5, 2, 0, 3, 4, 8, 1, 0, 2, 7, 6, 9, 1, 1, 3], [1, 1, 4, 4]);

  test("max, sum and average pooling of a 4×4 image, by hand", () => {
    const { y, argmax } = maxPool2d(x, { kernel: [2, 2] });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectAllClose(y, [5, 8, 9, 7]);
    expect(Array.from(argmax)).toEqual([1, 6, 12, 10]);
    expectAllClose(sumPool2d(x, { kernel: [2, 2] }), [13, 11, 12, 17]);
    expectAllClose(avgPool2d(x, { kernel: [2, 2] }), [3.25, 2.75, 3, 4.25]);
    expectAllClose(sumPool2d(x, { kernel: [3, 3], stride: [1, 1] }), [32, 35, 35, 33]);
  });

  test("scatter routes dy to the maxima; gather reads another input through the same routing", () => {
    const { argmax } = maxPool2d(x, { kernel: [2, 2] });
    const dx = maxPool2dScatter(T.of([1, 2, 3, 4], [1, 1, 2, 2]), argmax, x.shape);
    expect(dx.shape).toEqual([1, 1, 4, 4]);
    expectAllClose(dx, [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 3, 0, 0, 0]);
    const z = T.of(Array.from({ length: 16 }, (_, i) => 100 + i), [1, 1, 4, 4]);
    const g = maxPool2dGather(z, argmax, [1, 1, 2, 2]);
    expectAllClose(g, [101, 106, 112, 110]);
  });

  test("overlapping windows: scatter sums dy at a shared maximum", () => {
    const img = T.of([0, 0, 0, 0, 9, 0, 0, 0, 0], [1, 3, 3]);
    const { y, argmax } = maxPool2d(img, { kernel: [2, 2], stride: [1, 1] });
    expect(y.shape).toEqual([1, 2, 2]);
    expect(Array.from(argmax)).toEqual([4, 4, 4, 4]);
    const dx = maxPool2dScatter(T.of([1, 2, 3, 4], [1, 2, 2]), argmax, img.shape);
    expectAllClose(dx, [0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });

  test("padded max pooling, by hand: the padding acts as −∞ (a negative image keeps its own maxima), PyTorch's resnet stem", () => {
    const neg = T.of([-5, -1, -3, -2, -4, -6, -9, -8, -7], [1, 3, 3]);
    const { y, argmax } = maxPool2d(neg, { kernel: [3, 3], stride: [2, 2], padding: [1, 1, 1, 1] });
    expect(y.shape).toEqual([1, 2, 2]);
    expectAllClose(y, [-1, -1, -2, -4]);
    expect(Array.from(argmax)).toEqual([1, 1, 3, 4]);
    expect(pool2dOutputShape([1, 3, 3], { kernel: [3, 3], stride: [2, 2], padding: [1, 1, 1, 1] })).toEqual([1, 2, 2]);
    const asym = maxPool2d(neg, { kernel: [2, 2], stride: [2, 2], padding: [0, 1, 0, 1] });
    expectAllClose(asym.y, [-1, -3, -8, -7]);
  });

  test("transposes of sum and average pooling, by hand", () => {
    const dy = T.of([1, 2, 3, 4], [1, 2, 2]);
    const dx = sumPool2dTranspose(dy, [1, 3, 3] as [1, 3, 3], { kernel: [2, 2], stride: [1, 1] });
    const typed: T.Tensor<[1, 3, 3]> = dx;
    expectAllClose(typed, [1, 3, 2, 4, 10, 6, 3, 7, 4]);
    expectAllClose(avgPool2dTranspose(dy, [1, 3, 3], { kernel: [2, 2], stride: [1, 1] }), [0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1]);
  });

  test("CHW and NCHW agree; float32 stays float32; inputs untouched", () => {
    const rng = T.Random.make(42);
    const chw = T.Random.uniformTensor(rng, [3, 6, 6], -1, 1, "float32");
    const copy = Array.from(chw.data);
    const a = maxPool2d(chw, { kernel: [2, 3] });
    const b = maxPool2d(T.reshape(chw, [1, 3, 6, 6]), { kernel: [2, 3] });
    expect(a.y.shape).toEqual([3, 3, 2]);
    expect(a.y.dtype).toBe("float32");
    expectAllClose(a.y.data, b.y.data, { atol: 0 });
    expect(Array.from(a.argmax)).toEqual(Array.from(b.argmax));
    expect(pool2dOutputShape(chw.shape, { kernel: [2, 3] })).toEqual([3, 3, 2]);
    expect(avgPool2d(chw, { kernel: [2, 2] }).data).toBeInstanceOf(Float32Array);
    expect(Array.from(chw.data)).toEqual(copy);
  });

  describe("errors", () => {
    test("kernel larger than the input", () => {
      expect(() => maxPool2d(x, { kernel: [5, 2] })).toThrow("maxPool2d: invalid argument: expected a kernel no larger than the input 4x4, found kernel 5x2");
      expect(() => avgPool2d(x, { kernel: [2, 5] })).toThrow("avgPool2d: invalid argument: expected a kernel no larger than the input 4x4, found kernel 2x5");
    });
    test("padding: non-negative, smaller than the window (every window keeps an input element)", () => {
      expect(() => maxPool2d(x, { kernel: [2, 2], padding: [2, 0, 0, 0] })).toThrow(
        "maxPool2d: invalid argument: expected a padding [top, bottom, left, right] of non-negative integers smaller than the window 2x2, found [2, 0, 0, 0]",
      );
      expect(() => maxPool2d(x, { kernel: [2, 2], padding: [0, 0, -1, 0] })).toThrow("smaller than the window 2x2, found [0, 0, -1, 0]");
      expect(() => maxPool2d(T.zeros([1, 1, 1, 1]), { kernel: [3, 3], padding: [1, 0, 1, 0] })).toThrow("expected a kernel no larger than the padded input 2x2, found kernel 3x3");
    });
    test("non-positive kernel or stride", () => {
      expect(() => sumPool2d(x, { kernel: [0, 2] })).toThrow("sumPool2d: invalid argument: expected a kernel of positive integers, found [0, 2]");
      expect(() => sumPool2d(x, { kernel: [2, 2], stride: [2, -1] })).toThrow("sumPool2d: invalid argument: expected a stride of positive integers, found [2, -1]");
    });
    test("ranks", () => {
      expect(() => maxPool2d(T.zeros([4, 4]), { kernel: [2, 2] })).toThrow(
        "maxPool2d: invalid argument: expected x of rank 4 (NCHW) or 3 (CHW), found rank 2 (shape [4, 4])",
      );
    });
    test("transposes check dy against the pooled shape", () => {
      expect(() => sumPool2dTranspose(T.zeros([1, 1, 3, 2]), [1, 1, 4, 4], { kernel: [2, 2] })).toThrow(
        "sumPool2dTranspose: shape mismatch: expected dy of shape [1, 1, 2, 2] (the pooled shape of x [1, 1, 4, 4]), found [1, 1, 3, 2]",
      );
      expect(() => avgPool2dTranspose(T.zeros([1, 1, 2, 2]), [1, 1, 4, 4], { kernel: [3, 3] })).toThrow("avgPool2dTranspose: shape mismatch");
    });
    test("scatter and gather check the routing", () => {
      const { argmax } = maxPool2d(x, { kernel: [2, 2] });
      expect(() => maxPool2dScatter(T.zeros([1, 1, 3, 1]), argmax, x.shape)).toThrow(
        "maxPool2dScatter: invalid argument: expected argmax with one entry per element of dy [1, 1, 3, 1] (3), found 4 entries",
      );
      expect(() => maxPool2dScatter(T.zeros([4]), argmax, [1, 1, 3, 4])).toThrow(
        "maxPool2dScatter: invalid argument: expected argmax indices in [0, 12), found 12 at position 2",
      );
      expect(() => maxPool2dGather(T.zeros([2, 2]), argmax, [1, 1, 2, 2])).toThrow(
        "maxPool2dGather: invalid argument: expected argmax indices in [0, 4), found 6 at position 1",
      );
      expect(() => maxPool2dGather(x, argmax, [1, 2, 2, 2])).toThrow(
        "maxPool2dGather: invalid argument: expected argmax with one entry per element of yShape [1, 2, 2, 2] (8), found 4 entries",
      );
    });
    test("indices are checked in the loop that reads them: negative ones too, in either dtype", () => {
      const bad = Int32Array.of(0, 3, -1, 2);
      for (const dtype of ["float32", "float64"] as const) {
        expect(() => maxPool2dScatter(T.ones([4], dtype), bad, [2, 2])).toThrow("maxPool2dScatter: invalid argument: expected argmax indices in [0, 4), found -1 at position 2");
        expect(() => maxPool2dGather(T.ones([4], dtype), bad, [4])).toThrow("maxPool2dGather: invalid argument: expected argmax indices in [0, 4), found -1 at position 2");
        expect(Array.from(maxPool2dScatter(T.of([1, 2, 3, 4], [4], dtype), Int32Array.of(3, 3, 0, 1), [2, 2]).data)).toEqual([3, 4, 0, 3]);
      }
    });
  });
});
