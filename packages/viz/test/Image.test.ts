import { describe, expect, test } from "vitest";
import { Color, Image } from "@dtd/viz";

const px = (img: Image.Image, x: number, y: number) => {
  const c = Image.get(img, x, y);
  return [c.r, c.g, c.b, c.a];
};

describe("Image", () => {
  test("make fills with the colour and has 4 bytes per pixel", () => {
    const img = Image.make(3, 2, Color.red);
    expect(img.data.length).toBe(24);
    expect(px(img, 2, 1)).toEqual([255, 0, 0, 255]);
  });
  test("make refuses non-integer sizes", () => {
    expect(() => Image.make(2.5, 1)).toThrow(/Image.make: invalid argument: expected width to be an integer >= 0, found 2.5/);
  });
  test("fromRgba checks the byte count", () => {
    expect(() => Image.fromRgba(2, 2, new Uint8Array(15))).toThrow(/expected 16 bytes \(4 × 2 × 2\), found 15 bytes/);
  });
  test("setPixel writes one pixel and ignores coordinates outside", () => {
    const img = Image.make(2, 2);
    Image.setPixel(img, 1, 0, Color.blue);
    Image.setPixel(img, 5, 5, Color.blue);
    Image.setPixel(img, -1, 0, Color.blue);
    expect(px(img, 1, 0)).toEqual([0, 0, 255, 255]);
    expect(Image.countPixels(img, (c) => Color.equals(c, Color.blue))).toBe(1);
  });
  test("blendPixel composites source over destination", () => {
    const img = Image.make(1, 1, Color.white);
    Image.blendPixel(img, 0, 0, Color.rgba(0, 0, 0, 127.5));
    expect(px(img, 0, 0)).toEqual([127, 127, 127, 255]);
    const clear = Image.make(1, 1, Color.transparent);
    Image.blendPixel(clear, 0, 0, Color.rgba(255, 0, 0, 51));
    expect(px(clear, 0, 0)).toEqual([255, 0, 0, 51]);
  });
  test("blit copies with clipping at every edge", () => {
    const dst = Image.make(4, 4, Color.white);
    const src = Image.make(3, 3, Color.black);
    Image.blit(dst, src, 2, -1);
    // covers x ∈ {2, 3}, y ∈ {0, 1}
    expect(Image.countPixels(dst, (c) => c.r === 0)).toBe(4);
    expect(px(dst, 2, 0)).toEqual([0, 0, 0, 255]);
    expect(px(dst, 3, 1)).toEqual([0, 0, 0, 255]);
    expect(px(dst, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(px(dst, 2, 2)).toEqual([255, 255, 255, 255]);
  });
  test("blit 'over' leaves transparent source pixels alone", () => {
    const dst = Image.make(2, 1, Color.red);
    const src = Image.make(2, 1, Color.transparent);
    Image.setPixel(src, 1, 0, Color.blue);
    Image.blit(dst, src, 0, 0, "over");
    expect(px(dst, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(px(dst, 1, 0)).toEqual([0, 0, 255, 255]);
  });
  test("upscale turns each pixel into a factor × factor block", () => {
    const img = Image.make(2, 1, Color.white);
    Image.setPixel(img, 1, 0, Color.black);
    const big = Image.upscale(img, 3);
    expect([big.width, big.height]).toEqual([6, 3]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 6; x++) expect(Image.get(big, x, y).r).toBe(x < 3 ? 255 : 0);
    }
    expect(() => Image.upscale(img, 0)).toThrow(/factor to be an integer >= 1, found 0/);
  });
  test("pad and border grow the image and keep it in place", () => {
    const img = Image.make(2, 3, Color.black);
    const p = Image.pad(img, { top: 1, right: 2, bottom: 3, left: 4 }, Color.red);
    expect([p.width, p.height]).toEqual([8, 7]);
    expect(px(p, 4, 1)).toEqual([0, 0, 0, 255]);
    expect(px(p, 3, 1)).toEqual([255, 0, 0, 255]);
    expect(Image.countPixels(p, (c) => c.r === 0 && c.b === 0)).toBe(6);
    const b = Image.border(img, 2);
    expect([b.width, b.height]).toEqual([6, 7]);
    expect(px(b, 0, 0)).toEqual([200, 200, 200, 255]);
  });
  test("crop and rotateLeft", () => {
    const img = Image.make(3, 2, Color.white);
    Image.setPixel(img, 2, 0, Color.black); // top-right corner
    const r = Image.rotateLeft(img);
    expect([r.width, r.height]).toEqual([2, 3]);
    expect(px(r, 0, 0)).toEqual([0, 0, 0, 255]); // top-right turns to top-left
    const c = Image.crop(img, 1, 0, 2, 1);
    expect([c.width, c.height]).toEqual([2, 1]);
    expect(px(c, 1, 0)).toEqual([0, 0, 0, 255]);
    expect(() => Image.crop(img, 2, 0, 2, 1)).toThrow(/inside 3×2/);
  });
  test("fillRect and strokeRect clip", () => {
    const img = Image.make(5, 5, Color.white);
    Image.fillRect(img, -2, -2, 4, 4, Color.black);
    expect(Image.countPixels(img, (c) => c.r === 0)).toBe(4);
    const f = Image.make(5, 5, Color.white);
    Image.strokeRect(f, 0, 0, 5, 5, Color.black);
    expect(Image.countPixels(f, (c) => c.r === 0)).toBe(16);
  });
});
