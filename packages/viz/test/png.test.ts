import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, describe, expect, test } from "vitest";
import { expectAllClose } from "@dtd/tensor/testing";
import { Color, Heatmap, Image, imageToInput, VizError } from "@dtd/viz";
import * as Png from "@dtd/viz/png";

const dir = mkdtempSync(join(tmpdir(), "dtd-viz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): Image.Image => {
  const img = Heatmap.relevance(Float64Array.from({ length: 12 }, (_, i) => i - 5.5), { height: 3, width: 4, upscale: 2 });
  Image.setPixel(img, 0, 0, Color.rgba(10, 20, 30, 40)); // a translucent pixel survives too
  return img;
};

describe("Png", () => {
  test("encode → decode is the identity on every byte", () => {
    const img = sample();
    const bytes = Png.encodePng(img);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const back = Png.decodePng(bytes);
    expect(E.isRight(back)).toBe(true);
    if (E.isRight(back)) {
      expect([back.right.width, back.right.height]).toEqual([8, 6]);
      expect(Array.from(back.right.data)).toEqual(Array.from(img.data));
    }
  });
  test("garbage bytes → Left(CorruptPng) with a clear message", () => {
    const r = Png.decodePng(new TextEncoder().encode("definitely not a png"), "x.png");
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) {
      expect(r.left._tag).toBe("CorruptPng");
      expect(VizError.message(r.left)).toBe("cannot decode x.png as PNG: expected a valid PNG stream, found no PNG signature");
    }
  });
  test("a truncated PNG and an empty stream are Left too", () => {
    const bytes = Png.encodePng(sample());
    const r = Png.decodePng(bytes.subarray(0, 40));
    expect(E.isLeft(r) && r.left._tag).toBe("CorruptPng");
    const empty = Png.decodePng(new Uint8Array(0));
    expect(E.isLeft(empty) && VizError.message(empty.left)).toMatch(/found an empty byte stream/);
  });
  test("writePng → readPng round trip, creating directories", () => {
    const path = join(dir, "a", "b", "heat.png");
    const img = sample();
    expect(E.isRight(Png.writePng(path, img))).toBe(true);
    const back = Png.readPng(path);
    expect(E.isRight(back) && Array.from(back.right.data)).toEqual(Array.from(img.data));
  });
  test("readPng of a missing file → Left(FileError) naming the path; of a non-PNG → CorruptPng naming it", () => {
    const missing = join(dir, "nope.png");
    const r = Png.readPng(missing);
    expect(E.isLeft(r) && r.left._tag).toBe("FileError");
    expect(E.isLeft(r) && VizError.message(r.left)).toContain(`Png.readPng: cannot access ${missing}: ENOENT`);
    const bad = join(dir, "bad.png");
    writeFileSync(bad, "GIF89a");
    const c = Png.readPng(bad);
    expect(E.isLeft(c) && VizError.message(c.left)).toContain(`cannot decode ${bad} as PNG`);
  });
});

describe("imageToInput", () => {
  const img = Image.make(2, 1, Color.black);
  Image.setPixel(img, 1, 0, Color.rgb(255, 0, 51));

  test("3 channels: CHW planes scaled to [lo, hi]", () => {
    const x = imageToInput(img, { channels: 3, range: [-1, 1] });
    expect(x.shape).toEqual([3, 1, 2]);
    expectAllClose(x.data, [-1, 1, -1, -1, -1, -0.6]);
  });
  test("1 channel: BT.601 luma; invert; translucent pixels over the background", () => {
    const x = imageToInput(img, { channels: 1, range: [0, 1] });
    expect(x.shape).toEqual([1, 1, 2]);
    expectAllClose(x.data, [0, 0.299 + 0.114 * 0.2]);
    const inv = imageToInput(img, { channels: 1, range: [0, 1], invert: true });
    expectAllClose(inv.data, [1, 1 - 0.299 - 0.114 * 0.2]);
    const clear = Image.make(1, 1, Color.rgba(255, 255, 255, 0));
    expectAllClose(imageToInput(clear, { channels: 1, range: [0, 1] }).data, [0]);
    expectAllClose(imageToInput(clear, { channels: 1, range: [0, 1], background: Color.white }).data, [1]);
  });
  test("round trip: a gray input drawn by Heatmap.input and read back is within 1/255", () => {
    const values = Float64Array.from({ length: 6 }, (_, i) => i / 5);
    const back = imageToInput(Heatmap.input(values, { height: 2, width: 3 }), { channels: 1, range: [0, 1] });
    expectAllClose(back.data, values, { atol: 0.5 / 255 + 1e-12 });
  });
  test("refuses an empty range", () => {
    expect(() => imageToInput(img, { channels: 1, range: [1, 0] })).toThrow(/lo < hi, found \[1, 0\]/);
  });
});
