import { describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { Image, Plot, Scene } from "@dtd/viz";

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

describe("Plot.scatter", () => {
  const x = [0.5, 1, 2, 3.5, 4];
  const y = [0.5, 0.9, 2.1, 3.5, 3];
  const scene = Plot.scatter({ x, y }, { title: "Consistency" });

  test("the SVG has one <circle> per point and one diagonal <line>", () => {
    const svg = Plot.toSvg(scene);
    expect(count(svg, /<circle class="point"/g)).toBe(5);
    expect(count(svg, /<circle/g)).toBe(5);
    expect(count(svg, /<line class="diagonal"/g)).toBe(1);
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg).toContain(">Consistency</text>");
    expect(svg).toContain(">Σ_p R_p</text>");
  });
  test("the diagonal is y = x: its ends map the same data value on both axes, corner to corner", () => {
    const [d] = Scene.withTag(scene, "diagonal", "line");
    const pts = Scene.withTag(scene, "point", "circle");
    // points with x = y lie on the diagonal's line
    for (const i of [0, 3]) {
      const p = pts[i]!;
      const cross = (d!.x2 - d!.x1) * (p.cy - d!.y1) - (d!.y2 - d!.y1) * (p.cx - d!.x1);
      expectAllClose(cross, 0, { atol: 1e-6 });
    }
    // equal axes: the diagonal is at 45° in data space and spans the square domain from (0, 0)
    expect(d!.y1).toBeGreaterThan(d!.y2);
    expect(d!.x2).toBeGreaterThan(d!.x1);
  });
  test("points are ordered as the data: larger x, further right; larger y, higher", () => {
    const pts = Scene.withTag(scene, "point", "circle");
    for (let i = 1; i < pts.length; i++) expect(pts[i]!.cx).toBeGreaterThan(pts[i - 1]!.cx);
    expect(pts[4]!.cy).toBeGreaterThan(pts[3]!.cy); // y 3 < 3.5 → lower on screen
  });
  test("several labelled series get a legend; the PNG has the scene's size times the pixel ratio", () => {
    const s = Plot.scatter([{ x, y, label: "z+" }, { x: y, y: x, label: "Taylor" }]);
    expect(Scene.withTag(s, "legend", "text").map((t) => t.text)).toEqual(["z+", "Taylor"]);
    const { image } = Plot.render(s, 2);
    expect([image.width, image.height]).toEqual([840, 800]);
    // points are drawn: some of the steel-blue series colour appears
    expect(Image.countPixels(image, (c) => c.b > 140 && c.r < 110 && c.g < 140)).toBeGreaterThan(50);
  });
  test("refuses mismatched lengths and non-finite values", () => {
    expect(() => Plot.scatter({ x: [1, 2], y: [1] })).toThrow(/series 0 with as many y values as x values \(2\), found 1/);
    expect(() => Plot.scatter({ x: [1, Number.POSITIVE_INFINITY], y: [1, 2] })).toThrow(/finite x values in series 0, found Infinity at index 1/);
  });
});

describe("Plot.bin / Plot.histogram", () => {
  test("bin counts of known data, edges half-open except the last", () => {
    const b = Plot.bin([0, 0.5, 1, 1, 2.5, 3.99, 4], { bins: 4, range: [0, 4] });
    expect(b.edges).toEqual([0, 1, 2, 3, 4]);
    expect(b.counts).toEqual([2, 2, 1, 2]);
    expect(b.outside).toBe(0);
  });
  test("values outside an explicit range are counted apart", () => {
    const b = Plot.bin([-1, 0.2, 0.7, 5], { bins: 2, range: [0, 1] });
    expect(b.counts).toEqual([1, 1]);
    expect(b.outside).toBe(2);
  });
  test("default range is [min, max] and default bin count Sturges' ⌈log2 n⌉ + 1", () => {
    const values = Array.from({ length: 16 }, (_, i) => i / 15);
    const b = Plot.bin(values);
    expect(b.counts.length).toBe(5);
    expect(b.counts.reduce((a, c) => a + c, 0)).toBe(16);
    expect([b.edges[0], b.edges[5]]).toEqual([0, 1]);
  });
  test("edges that are not exact in binary still put values on the right side", () => {
    const b = Plot.bin([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], { bins: 6, range: [0.1, 0.7] });
    expect(b.counts).toEqual([1, 1, 1, 1, 1, 2]);
  });
  test("the histogram scene: one bar per non-empty bin with heights ∝ counts, a reference line at 0", () => {
    const s = Plot.histogram([-0.2, 0.1, 0.1, 0.3, 0.35, 0.4], { bins: 3, range: [-0.3, 0.6] });
    const bars = Scene.withTag(s, "bar", "rect");
    expect(bars.length).toBe(3); // counts [1, 2, 3]
    expectAllClose(bars.map((r) => r.height / bars[0]!.height), [1, 2, 3], { atol: 1e-9 });
    const [ref] = Scene.withTag(s, "reference", "line");
    expect(ref!.x1).toBe(ref!.x2);
    // 0 is a third of the way from −0.3 to 0.6, so the line sits between the first and second bar
    expect(ref!.x1).toBeGreaterThanOrEqual(bars[0]!.x + bars[0]!.width - 1e-9);
    expect(ref!.x1).toBeLessThanOrEqual(bars[1]!.x + 1e-9);
    expect(Scene.withTag(s, "summary", "text")[0]!.text).toBe("n = 6, 1 below 0");
    expect(Plot.toSvg(s)).toContain('class="reference"');
  });
  test("the reference line can be dropped, and widens the axis to include itself", () => {
    expect(Scene.withTag(Plot.histogram([1, 2], { reference: null }), "reference").length).toBe(0);
    const s = Plot.histogram([1, 2, 3]);
    const labels = Scene.withTag(s, "tick-label", "text").map((t) => t.text);
    expect(labels).toContain("0");
  });
});

describe("Plot.barChart", () => {
  const bars = [
    { label: "sex", value: 40 },
    { label: "age", value: 10 },
    { label: "sibsp", value: -5 },
    { label: "fare", value: 0 },
  ];
  const s = Plot.barChart(bars, { title: "Mean relevance share per feature (%)" });
  test("bar lengths are proportional to |value|, and start at the zero line", () => {
    const rects = Scene.withTag(s, "bar", "rect");
    expect(rects.length).toBe(4);
    expectAllClose(rects.map((r) => r.width / rects[0]!.width), [1, 0.25, 0.125, 0], { atol: 1e-9 });
    const [zero] = Scene.withTag(s, "zero", "line");
    expectAllClose(rects[0]!.x, zero!.x1);
    expectAllClose(rects[2]!.x + rects[2]!.width, zero!.x1); // negative bar ends at 0
  });
  test("positive bars are red, negative blue; labels in order, top to bottom", () => {
    const rects = Scene.withTag(s, "bar", "rect");
    expect(rects[0]!.fill.r).toBeGreaterThan(rects[0]!.fill.b);
    expect(rects[2]!.fill.b).toBeGreaterThan(rects[2]!.fill.r);
    const cats = Scene.withTag(s, "category", "text");
    expect(cats.map((c) => c.text)).toEqual(["sex", "age", "sibsp", "fare"]);
    for (let i = 1; i < cats.length; i++) expect(cats[i]!.y).toBeGreaterThan(cats[i - 1]!.y);
    expect(Scene.withTag(s, "value", "text").map((t) => t.text)).toEqual(["40", "10", "-5", "0"]);
  });
  test("the raster shows red and blue bars", () => {
    const img = Plot.toImage(s, 1);
    expect(Image.countPixels(img, (c) => c.r > 200 && c.g < 60 && c.b < 60)).toBeGreaterThan(100);
    expect(Image.countPixels(img, (c) => c.b > 180 && c.r < 60)).toBeGreaterThan(20);
  });
  test("refuses an empty list", () => expect(() => Plot.barChart([])).toThrow(/at least one bar, found none/));
});

describe("Plot.lines", () => {
  const scene = Plot.lines(
    [
      { x: [0, 1, 2, 3], y: [4, 2, 1, 0.5], label: "MoRF" },
      { x: [0, 1, 2, 3], y: [4, 3.5, 3, 2.5], label: "random", dash: 4 },
    ],
    { title: "perturbation", xLabel: "step", yLabel: "f", legend: "bottom-left" },
  );
  test("one segment per consecutive pair of points, each series tagged, the dashed one dashed", () => {
    const a = Scene.withTag(scene, "series-0", "line");
    const b = Scene.withTag(scene, "series-1", "line");
    expect([a.length, b.length]).toEqual([3, 3]);
    expect(b.every((m) => m.dash === 4)).toBe(true);
    expect(a.every((m) => m.dash === undefined)).toBe(true);
    // segments join: each ends where the next begins; a falling curve goes down the screen
    for (let i = 1; i < a.length; i++) expect([a[i]!.x1, a[i]!.y1]).toEqual([a[i - 1]!.x2, a[i - 1]!.y2]);
    expect(a[0]!.y2).toBeGreaterThan(a[0]!.y1);
  });
  test("a legend in the corner asked for names the series; the SVG and the PNG render", () => {
    expect(Scene.withTag(scene, "legend", "text").map((t) => t.text)).toEqual(["MoRF", "random"]);
    const [box] = Scene.withTag(scene, "legend", "rect");
    const [axis] = Scene.withTag(scene, "axis", "line");
    expect(box!.y + box!.height).toBeGreaterThan(axis!.y1 - 60);
    const { svg, image } = Plot.render(scene, 1);
    expect(count(svg, /class="series-0"/g)).toBe(3);
    expect([image.width, image.height]).toEqual([480, 360]);
  });
  test("refuses no series, mismatched lengths and non-finite values", () => {
    expect(() => Plot.lines([])).toThrow(/at least one series/);
    expect(() => Plot.lines([{ x: [1, 2], y: [1] }])).toThrow(/series 0 with as many y values as x values \(2\), found 1/);
    expect(() => Plot.lines([{ x: [1, 2], y: [1, NaN] }])).toThrow(/finite y values in series 0/);
  });
});
