import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { expectAllClose } from "@dtd/tensor/testing";
import type { Conv2dGeometry } from "../src/internal/kernels/conv2d.ts";
import { col2im, im2col, im2colPanels } from "../src/internal/kernels/im2col.ts";
import { type Geo, outSize } from "./convReference.ts";

const geometries: (Geo & { name: string })[] = [
  { name: "no padding, stride 1", n: 1, c: 2, h: 6, w: 5, o: 1, kh: 3, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0 },
  { name: "padding 1, stride 2", n: 1, c: 3, h: 7, w: 9, o: 1, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  { name: "kernel as large as the padded input", n: 1, c: 2, h: 3, w: 4, o: 1, kh: 5, kw: 4, sh: 1, sw: 1, ph: 1, pw: 0 },
  { name: "stride larger than the kernel, padding on one axis", n: 1, c: 1, h: 10, w: 10, o: 1, kh: 2, kw: 2, sh: 3, sw: 4, ph: 0, pw: 1 },
  { name: "padding wider than the kernel (rows entirely in the padding)", n: 1, c: 1, h: 3, w: 3, o: 1, kh: 2, kw: 2, sh: 1, sw: 1, ph: 3, pw: 2 },
];

const geometry = (g: Geo): Conv2dGeometry => {
  const [oh, ow] = outSize(g);
  return { ...g, oh, ow };
};

/** cols[(c·KH + i)·KW + j, u·OW + v] from the definition, 0 outside the image. */
const im2colRef = (x: Float64Array, g: Conv2dGeometry): Float64Array => {
  const cols = new Float64Array(g.c * g.kh * g.kw * g.oh * g.ow);
  for (let c = 0; c < g.c; c++)
    for (let i = 0; i < g.kh; i++)
      for (let j = 0; j < g.kw; j++)
        for (let u = 0; u < g.oh; u++)
          for (let v = 0; v < g.ow; v++) {
            const y = u * g.sh - g.ph + i;
            const z = v * g.sw - g.pw + j;
            const inside = y >= 0 && y < g.h && z >= 0 && z < g.w;
            cols[(((c * g.kh + i) * g.kw + j) * g.oh + u) * g.ow + v] = inside ? x[(c * g.h + y) * g.w + z]! : 0;
          }
  return cols;
};

describe("im2col and col2im", () => {
  for (const geo of geometries) {
    test(`${geo.name}: im2col overwrites every entry (NaN-filled scratch); col2im is its adjoint`, () => {
      const rng = T.Random.make(51);
      const g = geometry(geo);
      const x = T.Random.uniformTensor(rng, [2, g.c, g.h, g.w], -1, 1).data;
      const cols = new Float64Array(g.c * g.kh * g.kw * g.oh * g.ow).fill(Number.NaN);
      // The second image of the batch, read from an offset.
      const image = g.c * g.h * g.w;
      im2col(x, image, g, cols);
      expectAllClose(cols, im2colRef(x.subarray(image), g), { atol: 0 });
      // ⟨im2col(x), Y⟩ = ⟨x, col2im(Y)⟩ for random Y.
      const y = T.Random.uniformTensor(rng, [cols.length], -1, 1).data;
      const dx = new Float64Array(image);
      col2im(y, g, dx, 0);
      let lhs = 0;
      let rhs = 0;
      for (let p = 0; p < cols.length; p++) lhs += cols[p]! * y[p]!;
      for (let p = 0; p < image; p++) rhs += x[image + p]! * dx[p]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.max(1, Math.abs(lhs)));
      // Float32 columns fold into a float32 image as into a float64 one, to float32 rounding: ≤ kh·kw additions,
      // each rounding a sum of magnitude ≤ kh·kw + 1 (entries of y in [−1, 1], dx starting at 1).
      const y32 = Float32Array.from(y);
      const dx32 = new Float32Array(image).fill(1);
      const dx64 = new Float64Array(image).fill(1);
      col2im(y32, g, dx32, 0);
      col2im(Float64Array.from(y32), g, dx64, 0);
      expectAllClose(dx32, dx64, { atol: g.kh * g.kw * (g.kh * g.kw + 1) * 2 ** -24, rtol: 0 });
    });
  }
});

describe("im2colPanels", () => {
  for (const geo of geometries) {
    test(`${geo.name}: every block of rows and columns, in gemm's packed layout (float64 and float32 panels), padding lanes zero`, () => {
      const rng = T.Random.make(52);
      const g = geometry(geo);
      const x = T.Random.uniformTensor(rng, [2, g.c, g.h, g.w], -1, 1).data;
      const image = g.c * g.h * g.w;
      const want = im2colRef(x.subarray(image), g);
      const rows = g.c * g.kh * g.kw;
      const plane = g.oh * g.ow;
      for (const [p0, kb] of [[0, rows], [1, rows - 1], [0, 1], [rows - 1, 1]] as const) {
        for (let j0 = 0; j0 < plane; j0 += 4) {
          for (const nb of new Set([plane - j0, 1, Math.min(5, plane - j0)])) {
            if (kb < 1 || nb < 1) continue;
            const expected = new Float64Array(Math.ceil(nb / 4) * 4 * kb);
            for (let q = 0; q < nb; q++) for (let p = 0; p < kb; p++) expected[(q >> 2) * 4 * kb + p * 4 + (q & 3)] = want[(p0 + p) * plane + j0 + q]!;
            const bp = new Float64Array(expected.length).fill(Number.NaN);
            im2colPanels(x, image, g, p0, kb, j0, nb, bp);
            expectAllClose(bp, expected, { atol: 0 });
            // A float32 panel holds the same entries rounded to float32.
            const bp32 = new Float32Array(expected.length).fill(Number.NaN);
            im2colPanels(x, image, g, p0, kb, j0, nb, bp32);
            expectAllClose(bp32, Float32Array.from(expected), { atol: 0 });
          }
        }
      }
    });
  }
});
