import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { conv2d, conv2dOutputShape } from "@dtd/tensor";
import { conv2dBackpropFilter, conv2dBackpropInput } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import { conv2dBackpropFilter as bpFilterKernel, conv2dBackpropInput as bpInputKernel, conv2dForward } from "../src/internal/kernels/conv2d.ts";
import { backpropFilterRef, backpropInputRef, convRef, type Geo, outSize } from "./convReference.ts";

const geometries: (Geo & { name: string })[] = [
  { name: "1×1 image, 1×1 kernel", n: 1, c: 1, h: 1, w: 1, o: 1, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },
  { name: "LeNet conv1 shape, batch 2", n: 2, c: 1, h: 28, w: 28, o: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 },
  { name: "odd sizes, stride 2, padding 1", n: 3, c: 3, h: 7, w: 9, o: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { name: "non-square kernel, mixed strides and paddings", n: 2, c: 2, h: 11, w: 8, o: 3, kh: 2, kw: 5, sh: 1, sw: 3, ph: 0, pw: 2 },
  { name: "kernel as large as the padded input", n: 1, c: 2, h: 3, w: 4, o: 2, kh: 5, kw: 4, sh: 1, sw: 1, ph: 1, pw: 0 },
  { name: "many channels (k > 256 in the product)", n: 2, c: 33, h: 9, w: 9, o: 7, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
  { name: "stride larger than the kernel", n: 1, c: 1, h: 10, w: 10, o: 2, kh: 2, kw: 2, sh: 3, sw: 4, ph: 0, pw: 1 },
  // o ≥ 4 and OH·OW ≥ 4: the forward pass unfolds straight into gemm's packed panels.
  { name: "packed forward: 5 output channels, padding, stride on one axis", n: 2, c: 3, h: 9, w: 8, o: 5, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 2 },
  { name: "packed forward: two k blocks (c·kh·kw = 432) and two column blocks (38·38 = 1444)", n: 1, c: 48, h: 40, w: 40, o: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 },
];

const tol = (dtype: T.DType) => (dtype === "float64" ? { atol: 1e-12, rtol: 1e-12 } : { atol: 2e-5, rtol: 1e-5 });

describe("conv2d kernels against the definition", () => {
  for (const dtype of T.dtypes) {
    for (const geo of geometries) {
      test(`${dtype}: ${geo.name}`, () => {
        const rng = T.Random.make(31);
        const [oh, ow] = outSize(geo);
        const g = { ...geo, oh, ow };
        const x = T.Random.uniformTensor(rng, [geo.n, geo.c, geo.h, geo.w], -1, 1, dtype).data;
        const w = T.Random.uniformTensor(rng, [geo.o, geo.c, geo.kh, geo.kw], -1, 1, dtype).data;
        const dy = T.Random.uniformTensor(rng, [geo.n, geo.o, oh, ow], -1, 1, dtype).data;
        const y = T.alloc(dtype, dy.length).fill(Number.NaN);
        conv2dForward(x, w, g, y);
        expectAllClose(y, convRef(x, w, geo), tol(dtype));
        const dx = T.alloc(dtype, x.length).fill(Number.NaN);
        bpInputKernel(dy, w, g, dx);
        expectAllClose(dx, backpropInputRef(dy, w, geo), tol(dtype));
        const dw = T.alloc(dtype, w.length).fill(Number.NaN);
        bpFilterKernel(x, dy, g, dw);
        expectAllClose(dw, backpropFilterRef(x, dy, geo), tol(dtype));
      });
    }
  }
});

describe("conv2d", () => {
  test("a 3×3 image with a 2×2 kernel, by hand", () => {
    const x = T.of([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = T.of([1, 0, 0, -1], [1, 1, 2, 2]);
    const y = conv2d(x, w);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectAllClose(y, [-4, -4, -4, -4]);
    // padding 1, stride 2: windows at rows/cols −1 and 1 of the image.
    const p = conv2d(x, w, { padding: [1, 1], stride: [2, 2] });
    expect(p.shape).toEqual([1, 1, 2, 2]);
    expectAllClose(p, [-1, -3, -7, -4]);
  });

  test("a CHW image gives a rank-3 result equal to the batch-of-one result", () => {
    const rng = T.Random.make(32);
    const x = T.Random.uniformTensor(rng, [2, 6, 5] as [2, 6, 5], -1, 1);
    const w = T.Random.uniformTensor(rng, [3, 2, 3, 2], -1, 1);
    const y: T.Tensor<[number, number, number]> = conv2d(x, w, { stride: [2, 1], padding: [1, 0] });
    expect(y.shape).toEqual([3, 3, 4]);
    expect(conv2dOutputShape(x.shape, w.shape, { stride: [2, 1], padding: [1, 0] })).toEqual([3, 3, 4]);
    const batched = conv2d(T.reshape(x, [1, 2, 6, 5]), w, { stride: [2, 1], padding: [1, 0] });
    expectAllClose(y.data, batched.data, { atol: 0 });
    const dy = T.Random.uniformTensor(rng, [3, 3, 4], -1, 1);
    const dx = conv2dBackpropInput(dy, w, x.shape, { stride: [2, 1], padding: [1, 0] });
    expect(dx.shape).toEqual([2, 6, 5]);
    const dw = conv2dBackpropFilter(x, dy, w.shape, { stride: [2, 1], padding: [1, 0] });
    expect(dw.shape).toEqual([3, 2, 3, 2]);
    const geo = { n: 1, c: 2, h: 6, w: 5, o: 3, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 0 };
    expectAllClose(dx, backpropInputRef(dy.data, w.data, geo), { atol: 1e-12 });
    expectAllClose(dw, backpropFilterRef(x.data, dy.data, geo), { atol: 1e-12 });
  });

  test("float32 in, float32 out; inputs untouched", () => {
    const rng = T.Random.make(33);
    const x = T.Random.uniformTensor(rng, [2, 3, 5, 5], -1, 1, "float32");
    const w = T.Random.uniformTensor(rng, [4, 3, 3, 3], -1, 1, "float32");
    const xCopy = Array.from(x.data);
    const y = conv2d(x, w, { padding: [1, 1] });
    expect(y.dtype).toBe("float32");
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(Array.from(x.data)).toEqual(xCopy);
    const dx = conv2dBackpropInput(y, w, x.shape, { padding: [1, 1] });
    expect(dx.dtype).toBe("float32");
    expect(dx.data).not.toBe(x.data);
  });

  test("an empty batch gives an empty result and a zero filter gradient", () => {
    const x = T.zeros([0, 2, 4, 4]);
    const w = T.ones([3, 2, 3, 3]);
    expect(conv2d(x, w).shape).toEqual([0, 3, 2, 2]);
    expectAllClose(conv2dBackpropFilter(x, T.zeros([0, 3, 2, 2]), w.shape), new Float64Array(54));
  });

  describe("errors", () => {
    const x = T.zeros([1, 3, 5, 5]);
    const w = T.zeros([2, 3, 3, 3]);
    test("channel mismatch names both shapes", () => {
      expect(() => conv2d(x, T.zeros([2, 4, 3, 3]))).toThrow(
        "conv2d: shape mismatch: expected the input channels of x [1, 3, 5, 5] to equal the filter's in-channels of w [2, 4, 3, 3], found 3 != 4",
      );
    });
    test("kernel larger than the padded input", () => {
      expect(() => conv2d(x, T.zeros([2, 3, 8, 3]), { padding: [1, 1] })).toThrow(
        "conv2d: invalid argument: expected a non-empty kernel no larger than the padded input 7x7, found kernel 8x3",
      );
      expect(() => conv2d(x, T.zeros([2, 3, 0, 3]))).toThrow("expected a non-empty kernel no larger than the padded input 5x5, found kernel 0x3");
    });
    test("non-positive stride, negative padding", () => {
      expect(() => conv2d(x, w, { stride: [0, 1] })).toThrow("conv2d: invalid argument: expected a stride of positive integers, found [0, 1]");
      expect(() => conv2d(x, w, { stride: [1, 1.5] })).toThrow("expected a stride of positive integers, found [1, 1.5]");
      expect(() => conv2d(x, w, { padding: [-1, 0] })).toThrow("conv2d: invalid argument: expected a padding of non-negative integers, found [-1, 0]");
    });
    test("ranks", () => {
      expect(() => conv2d(T.zeros([5, 5]), w)).toThrow("conv2d: invalid argument: expected x of rank 4 (NCHW) or 3 (CHW), found rank 2 (shape [5, 5])");
      expect(() => conv2d(x, T.zeros([2, 3, 3]))).toThrow("conv2d: invalid argument: expected w of rank 4 (OIHW), found rank 3 (shape [2, 3, 3])");
    });
    test("dtype mismatch", () => {
      const w32: T.AnyTensor = T.zeros([2, 3, 3, 3], "float32");
      expect(() => conv2d(x as T.AnyTensor, w32)).toThrow("conv2d: dtype mismatch: expected float64, found float32");
    });
    test("backprops check dy against the forward shape", () => {
      expect(() => conv2dBackpropInput(T.zeros([1, 2, 4, 3]), w, x.shape)).toThrow(
        "conv2dBackpropInput: shape mismatch: expected dy of shape [1, 2, 3, 3] (the conv2d output for x [1, 3, 5, 5] and w [2, 3, 3, 3]), found [1, 2, 4, 3]",
      );
      expect(() => conv2dBackpropFilter(x, T.zeros([1, 2, 5, 5]), w.shape, { padding: [1, 1] })).not.toThrow();
      expect(() => conv2dBackpropFilter(x, T.zeros([1, 2, 3, 3]), [2, 2, 3, 3])).toThrow(
        "conv2dBackpropFilter: shape mismatch: expected the input channels of x [1, 3, 5, 5] to equal the filter's in-channels of w [2, 2, 3, 3], found 3 != 2",
      );
      expect(() => conv2dBackpropInput(T.zeros([1, 2, 3, 3]), w, [1, 3, -5, 5])).toThrow("conv2dBackpropInput: invalid shape [1, 3, -5, 5]");
    });
  });
});
