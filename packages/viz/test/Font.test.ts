import { describe, expect, test } from "vitest";
import { Color, Font, Image } from "@dtd/viz";

const isInk = (c: Color.Color) => c.r === 0;

describe("Font", () => {
  test("has a glyph for every printable ASCII character", () => {
    for (let code = 32; code <= 126; code++) expect(Font.has(String.fromCharCode(code)), `char ${code}`).toBe(true);
  });
  test("no two printable ASCII characters share a bitmap, and only space is blank", () => {
    const seen = new Map<string, string>();
    for (let code = 32; code <= 126; code++) {
      const ch = String.fromCharCode(code);
      const key = Font.glyph(ch).join(",");
      expect(seen.get(key), `${ch} duplicates ${seen.get(key)}`).toBeUndefined();
      seen.set(key, ch);
      expect(Font.glyph(ch).some((m) => m !== 0)).toBe(ch !== " ");
      expect(Font.glyph(ch).every((m) => m >= 0 && m < 32)).toBe(true);
    }
  });
  test("measure: 6 units per character minus the trailing space, 9 per line minus the leading", () => {
    expect(Font.measure("abc")).toEqual({ width: 17, height: 7 });
    expect(Font.measure("abc\nde", 2)).toEqual({ width: 34, height: 32 });
    expect(Font.measure("")).toEqual({ width: 0, height: 7 });
  });
  test("drawText paints exactly the glyph's pixels, scaled", () => {
    const img = Image.make(20, 20, Color.white);
    Font.drawText(img, 1, 2, "L", Color.black, 2);
    // L: a 1-pixel column of 7 and a bottom row of 5 → 11 font pixels → 44 image pixels at scale 2
    expect(Image.countPixels(img, isInk)).toBe(44);
    expect(Image.get(img, 1, 2).r).toBe(0);
    expect(Image.get(img, 10, 15).r).toBe(0); // bottom-right of the L's foot (x 1 + 4·2 + 1, y 2 + 6·2 + 1)
    expect(Image.get(img, 11, 15).r).toBe(255);
  });
  test("anchors place the text box at, around, or before x", () => {
    const w = Font.measure("HH").width;
    const inkCols = (anchor: Font.Anchor): [number, number] => {
      const img = Image.make(60, 10, Color.white);
      Font.drawText(img, 30, 0, "HH", Color.black, 1, anchor);
      const cols = [];
      for (let x = 0; x < 60; x++) if (Image.countPixels(img, isInk, x, 0, 1, 10) > 0) cols.push(x);
      return [cols[0]!, cols[cols.length - 1]!];
    };
    expect(inkCols("start")).toEqual([30, 30 + w - 1]);
    expect(inkCols("end")).toEqual([30 - w, 29]);
    expect(inkCols("middle")).toEqual([30 - w / 2 + 0.5, 30 + w / 2 - 0.5].map(Math.round) as [number, number]);
  });
  test("unknown characters draw a hollow box", () => {
    const img = Image.make(8, 8, Color.white);
    Font.drawText(img, 0, 0, "☃", Color.black);
    expect(Image.countPixels(img, isInk)).toBe(2 * 5 + 2 * 5);
  });
  test("drawTextUp reads bottom to top", () => {
    const img = Image.make(10, 20, Color.white);
    Font.drawTextUp(img, 0, 19, "L", Color.black);
    // the L's foot (bottom row) turns into the right column, its stem into the bottom row
    expect(Image.countPixels(img, isInk, 0, 0, 10, 20)).toBe(11);
    expect(Image.countPixels(img, isInk, 0, 18, 10, 1)).toBe(7); // the stem, lying along the bottom
  });
});
