import { describe, expect, test } from "vitest";
import { Color, Image, Raster, type Scene, Svg } from "@dtd/viz";

const scene = (marks: Scene.Mark[]): Scene.Scene => ({ width: 40, height: 30, background: Color.white, marks });
const ink = (c: Color.Color) => c.r === 0;

describe("Raster.rasterize", () => {
  test("a horizontal 1-unit line covers one pixel row, doubled at ratio 2", () => {
    const s = scene([{ kind: "line", x1: 5, y1: 10.5, x2: 25, y2: 10.5, stroke: Color.black, width: 1 }]);
    const img = Raster.rasterize(s);
    expect(Image.countPixels(img, ink)).toBe(20);
    expect(Image.countPixels(img, ink, 0, 10, 40, 1)).toBe(20);
    const big = Raster.rasterize(s, 2);
    expect([big.width, big.height]).toEqual([80, 60]);
    expect(Image.countPixels(big, ink)).toBe(80);
  });
  test("a diagonal line is connected: one pixel in every column", () => {
    const img = Raster.rasterize(scene([{ kind: "line", x1: 0, y1: 0, x2: 29, y2: 29, stroke: Color.black, width: 1 }]));
    for (let x = 0; x < 29; x++) expect(Image.countPixels(img, ink, x, 0, 1, 30), `column ${x}`).toBeGreaterThanOrEqual(1);
  });
  test("a dashed line leaves gaps", () => {
    const solid = Raster.rasterize(scene([{ kind: "line", x1: 0, y1: 0, x2: 30, y2: 30, stroke: Color.black, width: 1 }]));
    const dashed = Raster.rasterize(scene([{ kind: "line", x1: 0, y1: 0, x2: 30, y2: 30, stroke: Color.black, width: 1, dash: 4 }]));
    const a = Image.countPixels(solid, ink), b = Image.countPixels(dashed, ink);
    expect(b).toBeGreaterThan(a * 0.35);
    expect(b).toBeLessThan(a * 0.65);
  });
  test("a disc of radius r covers about πr² pixels", () => {
    const img = Raster.rasterize(scene([{ kind: "circle", cx: 20, cy: 15, r: 8, fill: Color.black }]));
    const n = Image.countPixels(img, ink);
    expect(Math.abs(n - Math.PI * 64)).toBeLessThan(12);
  });
  test("rectangles fill and outline; text draws glyphs at size × ratio", () => {
    const img = Raster.rasterize(scene([
      { kind: "rect", x: 2, y: 2, width: 10, height: 5, fill: Color.red, stroke: Color.black },
      { kind: "text", x: 20, y: 20, text: "L", color: Color.black, size: 1, anchor: "start" },
    ]), 2);
    expect(Image.countPixels(img, (c) => Color.equals(c, Color.red))).toBe((20 - 4) * (10 - 4));
    expect(Image.countPixels(img, ink, 40, 40, 20, 20)).toBe(11 * 4);
  });
});

describe("Svg.toSvg", () => {
  test("one element per mark, tags as classes, translucency as opacity, text escaped", () => {
    const svg = Svg.toSvg(scene([
      { kind: "circle", cx: 1, cy: 2, r: 3, fill: Color.rgba(255, 0, 0, 51), tag: "point" },
      { kind: "text", x: 5, y: 5, text: "a<b & c", color: Color.black, size: 2, anchor: "middle", up: true },
    ]));
    expect(svg).toContain('<circle class="point" cx="1" cy="2" r="3" fill="#ff0000" fill-opacity="0.2"/>');
    expect(svg).toContain(">a&lt;b &amp; c</text>");
    expect(svg).toContain('transform="rotate(-90 19 5)"');
    expect(svg).toContain('font-size="20"');
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });
});
