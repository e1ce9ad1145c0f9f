/**
 * The native convolutions (src/conv.c through @dtd/tensor's conv2d, conv2dBias and conv2dBackpropInput) against
 * the WebAssembly/JavaScript routes and a float64 definition, on every instruction set this CPU runs:
 *
 *   y[n, o, u, v]  = Σ_{c,i,j} w[o, c, i, j] · x[n, c, u·sh − ph + i, v·sw − pw + j]  (+ b[o])
 *   dx[n, c, r, s] = Σ_{o,u,v,i,j : u·sh − ph + i = r, v·sw − pw + j = s} w[o, c, i, j] · dy[n, o, u, v]
 */
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { afterEach, describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { conv2dBackpropInput, conv2dBias, installNativeKernels, type NativeKernels, nativeKernels, unsafeMake } from "@dtd/tensor/unsafe";
import { expectAllClose } from "@dtd/tensor/testing";
import { type LoadedKernels, loadNative } from "../src/load.ts";

interface Geo {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
}

const outSize = (g: Geo): [number, number] => [Math.floor((g.h + 2 * g.ph - g.kh) / g.sh) + 1, Math.floor((g.w + 2 * g.pw - g.kw) / g.sw) + 1];

/** The definitions above, one loop per index and an explicit bounds test, summed in float64. */
const reference = (g: Geo, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | undefined, dy: ArrayLike<number>) => {
  const [oh, ow] = outSize(g);
  const y = new Float64Array(g.n * g.o * oh * ow);
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  for (let n = 0; n < g.n; n++)
    for (let o = 0; o < g.o; o++)
      for (let u = 0; u < oh; u++)
        for (let v = 0; v < ow; v++) {
          const yi = ((n * g.o + o) * oh + u) * ow + v;
          for (let c = 0; c < g.c; c++)
            for (let i = 0; i < g.kh; i++)
              for (let j = 0; j < g.kw; j++) {
                const r = u * g.sh - g.ph + i;
                const s = v * g.sw - g.pw + j;
                if (r < 0 || r >= g.h || s < 0 || s >= g.w) continue;
                const xi = ((n * g.c + c) * g.h + r) * g.w + s;
                const wi = ((o * g.c + c) * g.kh + i) * g.kw + j;
                y[yi] = y[yi]! + w[wi]! * x[xi]!;
                dx[xi] = dx[xi]! + w[wi]! * dy[yi]!;
              }
          if (b !== undefined) y[yi] = y[yi]! + b[o]!;
        }
  return { y, dx };
};

/** Geometries that satisfy conv2d's preconditions by construction, from thin to wider than a register tile. */
const geoArb: fc.Arbitrary<Geo> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 40 })),
    o: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 40 })),
    kh: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    extraH: fc.integer({ min: 0, max: 12 }),
    extraW: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 30, max: 140 })),
  })
  .map(({ extraH, extraW, ...g }) => ({ ...g, h: Math.max(1, g.kh - 2 * g.ph) + extraH, w: Math.max(1, g.kw - 2 * g.pw) + extraW }))
  // Wide images with few channels, many channels on small images: the naive reference stays cheap.
  .map((g) => (g.w > 20 ? { ...g, c: Math.min(g.c, 3), o: Math.min(g.o, 12), h: Math.min(g.h, g.kh + 3) } : g));

const optsOf = (g: Geo) => ({ stride: [g.sh, g.sw] as [number, number], padding: [g.ph, g.pw] as [number, number] });

const operands = (g: Geo, seed: number, dtype: T.DType) => {
  const rng = T.Random.make(seed);
  const [oh, ow] = outSize(g);
  const cast = (t: T.Tensor) => (dtype === "float64" ? t : T.astype(t, dtype));
  return {
    x: cast(T.Random.uniformTensor(rng, [g.n, g.c, g.h, g.w], -1, 1)),
    w: cast(T.Random.uniformTensor(rng, [g.o, g.c, g.kh, g.kw], -1, 1)),
    b: cast(T.Random.uniformTensor(rng, [g.o], -1, 1)),
    dy: cast(T.Random.uniformTensor(rng, [g.n, g.o, oh, ow], -1, 1)),
  };
};

/** `f` with `k` installed (undefined: the WebAssembly/JavaScript routes), restoring what was installed. */
const withKernels = <A>(k: NativeKernels | undefined, f: () => A): A => {
  const before = nativeKernels();
  installNativeKernels(k);
  try {
    return f();
  } finally {
    installNativeKernels(before);
  }
};

afterEach(() => installNativeKernels(undefined));

const widest = loadNative();

describe("native convolutions", () => {
  test("the addon loads, with both convolutions for every instruction set", () => {
    expect(E.isRight(widest)).toBe(true);
    if (E.isLeft(widest)) return;
    for (const isa of widest.right.isas) {
      const k = loadNative({ isa });
      expect(E.isRight(k) && k.right.conv2d !== undefined && k.right.conv2dBackpropInput !== undefined).toBe(true);
    }
  });

  const isas = E.isRight(widest) ? widest.right.isas : [];
  const kernelsOf = (isa: string): LoadedKernels => {
    const k = loadNative({ isa });
    if (E.isLeft(k)) throw new Error(`isa ${isa} listed but not loadable`);
    return k.right;
  };

  describe.each(isas.flatMap((isa) => (["float32", "float64"] as const).map((dtype) => ({ isa, dtype }))))("$isa $dtype", ({ isa, dtype }) => {
    const tol = dtype === "float64" ? 1e-12 : 2e-5;

    test("conv2d, conv2dBias and conv2dBackpropInput equal the WebAssembly/JavaScript routes and the float64 definition", () => {
      const native = kernelsOf(isa);
      fc.assert(
        fc.property(geoArb, fc.integer(), (g, seed) => {
          const { x, w, b, dy } = operands(g, seed, dtype);
          const opts = optsOf(g);
          const run = () => ({ y: T.conv2d(x, w, opts), yb: conv2dBias(x, w, b, opts), dx: conv2dBackpropInput(dy, w, x.shape, opts) });
          const got = withKernels(native, run);
          const old = withKernels(undefined, run);
          const ref = reference(g, x.data, w.data, b.data, dy.data);
          const refNoBias = reference(g, x.data, w.data, undefined, dy.data);
          expect(got.y.dtype).toBe(dtype);
          expect(got.dx.shape).toEqual(x.shape);
          const scale = (a: ArrayLike<number>): number => {
            let m = 1;
            for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
            return m;
          };
          expectAllClose(got.y, old.y, { atol: tol * scale(refNoBias.y), rtol: 0 });
          expectAllClose(got.yb, old.yb, { atol: tol * scale(ref.y), rtol: 0 });
          expectAllClose(got.dx, old.dx, { atol: tol * scale(ref.dx), rtol: 0 });
          expectAllClose(got.y, refNoBias.y, { atol: tol * scale(refNoBias.y), rtol: 0 });
          expectAllClose(got.yb, ref.y, { atol: tol * scale(ref.y), rtol: 0 });
          expectAllClose(got.dx, ref.dx, { atol: tol * scale(ref.dx), rtol: 0 });
        }),
      );
    });

    test("NaN and ±Infinity reach exactly the outputs that read them, as on the other routes", () => {
      const native = kernelsOf(isa);
      fc.assert(
        fc.property(geoArb, fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity), fc.nat(), (g, seed, bad, where) => {
          const { x, w, b, dy } = operands(g, seed, dtype);
          const xs = x.data.slice();
          xs[where % xs.length] = bad;
          const dys = dy.data.slice();
          dys[where % dys.length] = bad;
          const xBad = unsafeMake(x.shape, xs);
          const dyBad = unsafeMake(dy.shape, dys);
          const opts = optsOf(g);
          const run = () => ({ yb: conv2dBias(xBad, w, b, opts), dx: conv2dBackpropInput(dyBad, w, x.shape, opts) });
          const got = withKernels(native, run);
          const old = withKernels(undefined, run);
          const mask = (t: T.Tensor) => Array.from(t.data, (v) => (Number.isNaN(v) ? "nan" : Number.isFinite(v) ? "finite" : "inf"));
          expect(mask(got.yb)).toEqual(mask(old.yb));
          expect(mask(got.dx)).toEqual(mask(old.dx));
        }),
      );
    });
  });

  test("the native route is the one taken when the kernels are installed and the dtypes agree", () => {
    if (E.isLeft(widest)) return;
    const real = widest.right;
    const calls = { conv2d: 0, backprop: 0 };
    const counting: NativeKernels = {
      ...real,
      conv2d: (...a) => (calls.conv2d++, real.conv2d!(...a)),
      conv2dBackpropInput: (...a) => (calls.backprop++, real.conv2dBackpropInput!(...a)),
    };
    const g: Geo = { n: 2, c: 3, h: 9, w: 11, o: 5, kh: 3, kw: 3, sh: 1, sw: 2, ph: 1, pw: 0 };
    for (const dtype of ["float32", "float64"] as const) {
      const { x, w, dy } = operands(g, 1, dtype);
      withKernels(counting, () => {
        T.conv2d(x, w, optsOf(g));
        conv2dBackpropInput(dy, w, x.shape, optsOf(g));
      });
    }
    expect(calls).toEqual({ conv2d: 2, backprop: 2 });
  });
});
