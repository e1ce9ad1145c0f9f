import { describe, expect, test } from "vitest";
import * as T from "@dtd/tensor";
import { Heatmap, Image } from "@dtd/viz";

const pixels = (img: Image.Image): number[][] => {
  const out: number[][] = [];
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const c = Image.get(img, x, y);
    out.push([c.r, c.g, c.b]);
  }
  return out;
};

describe("Heatmap.relevance", () => {
  // max |R| = 2: 2 → dark red, −1 → pure blue, 0.5 → 3/4 from white to red... (u = 0.25: halfway white→red)
  const R = [2, -1, 0.5, 0, -2, 1];
  const expected = [
    [128, 0, 0],
    [0, 0, 255],
    [255, 128, 128],
    [255, 255, 255],
    [0, 0, 128],
    [255, 0, 0],
  ];

  test("of a known [2, 3] tensor, pixel by pixel", () => {
    const img = Heatmap.relevance(T.of(R, [2, 3]));
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(pixels(img)).toEqual(expected);
  });
  test("of flat data with explicit height and width", () => {
    expect(pixels(Heatmap.relevance(Float64Array.from(R), { height: 2, width: 3 }))).toEqual(expected);
  });
  test("sums channels of a CHW map (relevance is additive over channels)", () => {
    const chw = T.of([1, -1, 0.25, 0, -1, 0.5, 1, 0, 0.25, 0, -1, 0.5], [2, 2, 3]);
    expect(pixels(Heatmap.relevance(chw))).toEqual(expected);
    const batch = T.of(chw.data, [1, 2, 2, 3]);
    expect(pixels(Heatmap.relevance(batch))).toEqual(expected);
  });
  test("an explicit scale overrides max |R|", () => {
    const img = Heatmap.relevance(T.of([1, -1], [1, 2]), { scale: 2 });
    expect(pixels(img)).toEqual([[255, 0, 0], [0, 0, 255]]);
  });
  test("an all-zero map is white", () => {
    expect(pixels(Heatmap.relevance(new Float64Array(4), { height: 2, width: 2 }))).toEqual(Array(4).fill([255, 255, 255]));
  });
  test("upscale makes crisp blocks", () => {
    const img = Heatmap.relevance(T.of(R, [2, 3]), { upscale: 4 });
    expect([img.width, img.height]).toEqual([12, 8]);
    const c = Image.get(img, 7, 5); // source pixel (1, 1) = −2
    expect([c.r, c.g, c.b]).toEqual([0, 0, 128]);
  });
  test("refuses a size mismatch, a bad shape, non-finite values and a bad scale", () => {
    expect(() => Heatmap.relevance([1, 2, 3], { height: 2, width: 2 })).toThrow(/expected a multiple of height × width = 4 values, found 3 values/);
    expect(() => Heatmap.relevance(T.of([1, 2, 3, 4], [4]))).toThrow(/shape \[H, W\], \[C, H, W\] or \[1, C, H, W\].*found shape \[4\]/);
    expect(() => Heatmap.relevance([1, Number.NaN], { height: 1, width: 2 })).toThrow(/expected finite values, found NaN at flat index 1/);
    expect(() => Heatmap.relevance([1, 2], { height: 1, width: 2, scale: 0 })).toThrow(/a finite scale > 0, found 0/);
    expect(() => Heatmap.relevance([1, 2], { height: 1 })).toThrow(/both height and width/);
  });
});

describe("Heatmap.input", () => {
  test("gray: lo black, hi white, clamped; inverted", () => {
    const x = T.of([0, 0.5, 1, 2], [1, 2, 2]);
    expect(pixels(Heatmap.input(x))).toEqual([[0, 0, 0], [128, 128, 128], [255, 255, 255], [255, 255, 255]]);
    expect(pixels(Heatmap.input(x, { invert: true }))[0]).toEqual([255, 255, 255]);
    expect(pixels(Heatmap.input(T.of([-1, 1], [1, 2]), { range: [-1, 1] }))).toEqual([[0, 0, 0], [255, 255, 255]]);
  });
  test("3 channels are drawn as RGB", () => {
    const x = T.of([1, 0, 0, 1, 0, 0.5], [3, 1, 2]);
    expect(pixels(Heatmap.input(x))).toEqual([[255, 0, 0], [0, 255, 128]]);
  });
  test("refuses 2 channels and an empty range", () => {
    expect(() => Heatmap.input(T.of([0, 0], [2, 1, 1]))).toThrow(/1 \(gray\) or 3 \(RGB\) channels, found 2/);
    expect(() => Heatmap.input([0], { height: 1, width: 1, range: [1, 1] })).toThrow(/lo < hi, found \[1, 1\]/);
  });
});

describe("Heatmap.colorbar", () => {
  test("runs from blue through white to red, left to right", () => {
    const bar = Heatmap.colorbar(1, { length: 100, thickness: 10 });
    const row = 5;
    const left = Image.get(bar, 0, row);
    expect(left.r).toBe(255); // margin is white
    let firstBlue = -1, lastRed = -1;
    for (let x = 0; x < bar.width; x++) {
      const c = Image.get(bar, x, row);
      if (firstBlue < 0 && c.b > 100 && c.r < 20) firstBlue = x;
      if (c.r > 100 && c.b < 20) lastRed = x;
    }
    expect(firstBlue).toBeGreaterThan(0);
    expect(lastRed).toBeGreaterThan(firstBlue + 80);
    const mid = Image.get(bar, Math.round((firstBlue + lastRed) / 2), row);
    expect(mid.g).toBeGreaterThan(240);
  });
});
