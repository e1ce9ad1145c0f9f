import { describe, expect, test } from "vitest";
import { Color, Grid, Image } from "@dtd/viz";

const dark = (c: Color.Color) => c.r < 100 && c.g < 100 && c.b < 100;
const cell = () => Image.make(20, 10, Color.red);

describe("Grid.grid", () => {
  test("without labels: margins, gaps and 1-pixel frames add up", () => {
    const img = Grid.grid([[cell(), cell(), cell()], [cell(), cell(), cell()]], { margin: 8, gap: 6 });
    expect(img.width).toBe(2 * 8 + 3 * (20 + 2) + 2 * 6);
    expect(img.height).toBe(2 * 8 + 2 * (10 + 2) + 6);
    expect(Image.countPixels(img, (c) => Color.equals(c, Color.red))).toBe(6 * 200);
    expect(Image.get(img, 8, 8)).toEqual(Color.lightGray); // the first frame's corner
    expect(Image.get(img, 9, 9)).toEqual(Color.red);
  });
  test("frame: null draws no frame and leaves no room for one", () => {
    const img = Grid.grid([[cell()]], { margin: 0, frame: null });
    expect([img.width, img.height]).toEqual([20, 10]);
  });
  test("column titles put dark pixels in the title band, above each column, and nowhere else above the cells", () => {
    const cells = [[cell(), cell()], [cell(), null]];
    const L = Grid.layout(cells, { columnTitles: ["in", "z+"], textScale: 1 });
    const img = Grid.grid(cells, { columnTitles: ["in", "z+"], textScale: 1 });
    expect(L.titleBandHeight).toBe(7);
    expect(img.height).toBe(8 + 7 + 6 + 2 * 12 + 6 + 8);
    for (let c = 0; c < 2; c++) {
      const ink = Image.countPixels(img, dark, L.columnX[c]!, L.titleBandY, L.columnWidth[c]!, L.titleBandHeight);
      expect(ink, `column ${c}`).toBeGreaterThan(5);
    }
    expect(Image.countPixels(img, dark, 0, 0, img.width, L.titleBandY)).toBe(0);
    expect(Image.countPixels(img, dark, 0, L.titleBandY + L.titleBandHeight, img.width, L.rowY[0]! - L.titleBandY - L.titleBandHeight)).toBe(0);
  });
  test("a long column title widens its column", () => {
    const L = Grid.layout([[cell()]], { columnTitles: ["sensitivity"], textScale: 2 });
    expect(L.columnWidth[0]).toBe((11 * 6 - 1) * 2);
  });
  test("row labels go left of their row and shift the cells right", () => {
    const cells = [[cell()], [cell()]];
    const L = Grid.layout(cells, { rowLabels: ["a", "bb"], textScale: 1, margin: 4, gap: 3 });
    expect(L.columnX[0]).toBe(4 + 11 + 3);
    const img = Grid.grid(cells, { rowLabels: ["a", "bb"], textScale: 1, margin: 4, gap: 3 });
    for (let r = 0; r < 2; r++) expect(Image.countPixels(img, dark, 0, L.rowY[r]!, L.columnX[0]!, L.rowHeight[r]!)).toBeGreaterThan(5);
  });
  test("a title goes on top", () => {
    const L = Grid.layout([[cell()]], { title: "Heatmaps", textScale: 1, margin: 8, gap: 6 });
    const img = Grid.grid([[cell()]], { title: "Heatmaps", textScale: 1, margin: 8, gap: 6 });
    expect(Image.countPixels(img, dark, 0, 8, img.width, 7)).toBeGreaterThan(10);
    expect(L.rowY[0]).toBe(8 + 7 + 6 + 2);
  });
  test("refuses an empty grid and too many row labels", () => {
    expect(() => Grid.grid([])).toThrow(/at least one row and one column/);
    expect(() => Grid.grid([[cell()]], { rowLabels: ["a", "b"] })).toThrow(/at most 1 row labels/);
  });
});
