/**
 * Photos: declared sizes read from headers (and a huge declared size refused before decoding), JPEG and PNG
 * decoding, resampling to a model's input size, and the relevance overlay.
 */
import * as E from "fp-ts/lib/Either.js";
import * as jpeg from "jpeg-js";
import { describe, expect, test } from "vitest";
import { Heatmap, Image, ImageHeader, Resample, VizError } from "@dtd/viz";
import * as Photo from "@dtd/viz/photo";
import * as Png from "@dtd/viz/png";

const gradient = (w: number, h: number): Image.Image => {
  const img = Image.make(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) Image.setPixel(img, x, y, { r: (x * 255) / (w - 1), g: (y * 255) / (h - 1), b: 128, a: 255 });
  return img;
};
const jpegOf = (img: Image.Image): Uint8Array => new Uint8Array(jpeg.encode({ width: img.width, height: img.height, data: img.data }, 95).data);

/** A PNG whose IHDR declares `w × h` and then ends. */
const pngHeader = (w: number, h: number): Uint8Array => {
  const b = new Uint8Array(33);
  b.set([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
};

describe("declared sizes", () => {
  test("a JPEG's frame header, found after its APP0 segment", () => {
    expect(ImageHeader.jpegSize(jpegOf(gradient(33, 17)))).toEqual(E.right({ width: 33, height: 17 }));
    expect(ImageHeader.jpegSize(new Uint8Array([1, 2, 3]))).toEqual(E.left("no JPEG start-of-image marker"));
    expect(ImageHeader.jpegSize(new Uint8Array([0xff, 0xd8, 0xff]))).toEqual(E.left("3 bytes that end before the frame header (SOF)"));
  });

  test("a 33-byte PNG declaring 60000×60000 is refused from its header, before decoding", () => {
    const r = Photo.decodePhoto(pngHeader(60000, 60000), "huge.png");
    expect(E.isLeft(r) ? VizError.message(r.left) : "decoded").toBe("huge.png: expected at most 16777216 pixels, found a header declaring 60000×60000 pixels (nothing decoded)");
  });

  test("a JPEG declaring 60000×60000 pixels: its frame header alone is refused", () => {
    const jpg = jpegOf(gradient(8, 8));
    const at = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    jpg.set([60000 >> 8, 60000 & 255, 60000 >> 8, 60000 & 255], at + 5);
    const r = Photo.decodePhoto(jpg.subarray(0, at + 20), "huge.jpg");
    expect(E.isLeft(r) ? VizError.message(r.left) : "decoded").toBe("huge.jpg: expected at most 16777216 pixels, found a header declaring 60000×60000 pixels (nothing decoded)");
  });

  test("not an image, and a header cut short", () => {
    const m = (bytes: Uint8Array) => {
      const r = Photo.decodePhoto(bytes, "x");
      return E.isLeft(r) ? VizError.message(r.left) : "decoded";
    };
    expect(m(new TextEncoder().encode("hello"))).toBe("cannot decode x: expected a PNG or JPEG file, found 5 bytes with neither signature");
    expect(m(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBe("cannot decode x: expected a JPEG header with the image size, found 6 bytes that end before the frame header (SOF)");
  });
});

describe("decoding", () => {
  test("a JPEG decodes to its size with colours close to the original (lossy)", () => {
    const src = gradient(16, 12);
    const r = Photo.decodePhoto(jpegOf(src), "g.jpg");
    if (E.isLeft(r)) throw new Error(VizError.message(r.left));
    expect([r.right.width, r.right.height]).toEqual([16, 12]);
    let maxErr = 0;
    for (let i = 0; i < src.data.length; i++) maxErr = Math.max(maxErr, Math.abs(src.data[i]! - r.right.data[i]!));
    expect(maxErr).toBeLessThan(24);
  });
  test("a PNG decodes exactly", () => {
    const src = gradient(9, 4);
    const r = Photo.decodePhoto(Png.encodePng(src), "g.png");
    expect(E.isRight(r) && Array.from(r.right.data)).toEqual(Array.from(src.data));
  });
});

describe("resampling", () => {
  test("the same size is the identity; a constant image stays constant at any size", () => {
    const g = gradient(10, 7);
    expect(Array.from(Resample.resize(g, 10, 7).data)).toEqual(Array.from(g.data));
    const flat = Image.make(50, 30, { r: 10, g: 200, b: 77, a: 255 });
    for (const [w, h] of [[7, 3], [128, 128], [1, 1]] as const) {
      const out = Resample.resize(flat, w, h);
      for (let i = 0; i < out.data.length; i += 4) expect([out.data[i], out.data[i + 1], out.data[i + 2], out.data[i + 3]]).toEqual([10, 200, 77, 255]);
    }
  });
  test("shrinking averages every source pixel: a fine checkerboard becomes mid-gray, not aliased", () => {
    const checker = Image.make(64, 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) Image.setPixel(checker, x, y, (x + y) % 2 === 0 ? { r: 255, g: 255, b: 255, a: 255 } : { r: 0, g: 0, b: 0, a: 255 });
    const out = Resample.resize(checker, 8, 8);
    for (let i = 0; i < out.data.length; i += 4) expect(Math.abs(out.data[i]! - 127.5)).toBeLessThan(20);
  });
  test("a centred crop to a square", () => {
    const c = Resample.centerCrop(gradient(40, 20), 1, 1);
    expect([c.width, c.height]).toEqual([20, 20]);
    expect(Array.from(c.data.subarray(0, 4))).toEqual(Array.from(gradient(40, 20).data.subarray(4 * 10, 4 * 10 + 4)));
  });
});

describe("overlay", () => {
  test("zero relevance leaves the photo (in gray); saturated relevance is the colour at the given opacity", () => {
    const photo = Image.make(2, 1, { r: 100, g: 100, b: 100, a: 255 });
    const img = Heatmap.overlay(photo, [0, 1], { height: 1, width: 2, opacity: 1 });
    expect(Image.get(img, 0, 0)).toEqual({ r: 100, g: 100, b: 100, a: 255 });
    expect(Image.get(img, 1, 0).r).toBeGreaterThan(Image.get(img, 1, 0).b);
  });
});
