import { describe, expect, test } from "vitest";
import { Color, Colormap, VizError } from "@dtd/viz";

const rgb = (c: Color.Color): [number, number, number, number] => [c.r, c.g, c.b, c.a];

describe("Colormap.seismic (the relevance map)", () => {
  const s = 3.2;
  const at = (v: number) => rgb(Colormap.diverging(Colormap.seismic, v, s));

  test("0 is white", () => expect(at(0)).toEqual([255, 255, 255, 255]));
  test("+max is dark red, -max dark blue", () => {
    expect(at(s)).toEqual([128, 0, 0, 255]);
    expect(at(-s)).toEqual([0, 0, 128, 255]);
  });
  test("+max/2 is pure red, -max/2 pure blue", () => {
    expect(at(s / 2)).toEqual([255, 0, 0, 255]);
    expect(at(-s / 2)).toEqual([0, 0, 255, 255]);
  });
  test("+max/4 is halfway from white to red (channels rounded)", () => {
    expect(at(s / 4)).toEqual([255, 128, 128, 255]);
    expect(at(-s / 4)).toEqual([128, 128, 255, 255]);
  });
  test("3/4 max is halfway from red to dark red", () => {
    expect(at((3 * s) / 4)).toEqual([192, 0, 0, 255]);
    expect(at((-3 * s) / 4)).toEqual([0, 0, 192, 255]);
  });
  test("values beyond the scale saturate", () => {
    expect(at(10 * s)).toEqual(at(s));
    expect(at(-10 * s)).toEqual(at(-s));
  });
  test("negative is the positive with red and blue swapped, at sample points", () => {
    for (const v of [0.01, 0.3, 1, 1.6, 2.5, 3.1, 3.2, 7]) {
      expect(at(-v)).toEqual(rgb(Color.swapRedBlue(Colormap.diverging(Colormap.seismic, v, s))));
    }
  });
  test("bwr has no dark end", () => {
    expect(rgb(Colormap.diverging(Colormap.bwr, 1, 1))).toEqual([255, 0, 0, 255]);
    expect(rgb(Colormap.diverging(Colormap.bwr, -0.5, 1))).toEqual([128, 128, 255, 255]);
  });
});

describe("Colormap.symmetricScale", () => {
  test("is max |R|", () => expect(Colormap.symmetricScale([0.5, -2.5, 1])).toBe(2.5));
  test("is 1 for an all-zero map", () => expect(Colormap.symmetricScale([0, 0, 0])).toBe(1));
  test("names a non-finite value and its index", () => {
    expect(() => Colormap.symmetricScale([1, Number.NaN])).toThrow(/expected finite values, found NaN at index 1/);
  });
  test("checkScale refuses 0 and negative scales", () => {
    expect(() => Colormap.checkScale("op", 0)).toThrow(VizError.VizException);
    expect(() => Colormap.checkScale("op", -1)).toThrow(/a finite scale > 0, found -1/);
  });
});

describe("Colormap.ramp", () => {
  test("interpolates linearly between stops", () => {
    const r = Colormap.ramp([{ u: 0, color: Color.rgb(0, 0, 0) }, { u: 1, color: Color.rgb(200, 100, 50) }]);
    expect(rgb(Colormap.evalRamp(r, 0.5))).toEqual([100, 50, 25, 255]);
    expect(rgb(Colormap.evalRamp(r, -1))).toEqual([0, 0, 0, 255]);
    expect(rgb(Colormap.evalRamp(r, 2))).toEqual([200, 100, 50, 255]);
  });
  test("refuses stops that do not span [0, 1] or do not increase", () => {
    expect(() => Colormap.ramp([{ u: 0.1, color: Color.white }, { u: 1, color: Color.black }])).toThrow(/starting at u = 0/);
    expect(() =>
      Colormap.ramp([{ u: 0, color: Color.white }, { u: 0.5, color: Color.red }, { u: 0.5, color: Color.red }, { u: 1, color: Color.black }]),
    ).toThrow(/strictly increasing/);
  });
});

describe("Colormap.grayscale", () => {
  test("lo is black, hi white, middle gray; invert swaps", () => {
    expect(rgb(Colormap.grayscale(-1, -1, 1))).toEqual([0, 0, 0, 255]);
    expect(rgb(Colormap.grayscale(1, -1, 1))).toEqual([255, 255, 255, 255]);
    expect(rgb(Colormap.grayscale(0, -1, 1))).toEqual([128, 128, 128, 255]);
    expect(rgb(Colormap.grayscale(1, -1, 1, true))).toEqual([0, 0, 0, 255]);
    expect(rgb(Colormap.grayscale(5, 0, 1))).toEqual([255, 255, 255, 255]);
  });
});
