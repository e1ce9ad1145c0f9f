/**
 * The declared size is checked before any pixel is decoded (issue 12, case 5): a hand-made 69-byte PNG that
 * declares 60000×60000 pixels used to be decoded in full (16 s, 7 GB) before the size could be refused.
 */
import { deflateSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import * as Png from "@dtd/viz/png";
import { VizError } from "@dtd/viz";

/** CRC-32 of PNG chunks (ISO 3309), bit by bit: small, and independent of the decoder under test. */
const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
};
const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const chunk = (type: string, data: Uint8Array): number[] => {
  const typed = Uint8Array.from([...type].map((ch) => ch.charCodeAt(0)).concat(Array.from(data)));
  return [...be32(data.length), ...typed, ...be32(crc32(typed))];
};

/**
 * A valid PNG stream that declares width × height 8-bit gray pixels and carries a few compressed bytes of pixels:
 * decoders that trust the header allocate width × height × 4 bytes before finding the data short.
 */
const hostilePng = (width: number, height: number): Uint8Array => {
  const ihdr = Uint8Array.from([...be32(width), ...be32(height), 8, 0, 0, 0, 0]);
  const idat = new Uint8Array(deflateSync(new Uint8Array(100))); // 12 bytes: one filter byte and 99 gray pixels of zeros
  return Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, ...chunk("IHDR", ihdr), ...chunk("IDAT", idat), ...chunk("IEND", new Uint8Array(0))]);
};

describe("PNG header", () => {
  test("the hostile file is 69 bytes and declares 60000×60000 pixels", () => {
    const bytes = hostilePng(60000, 60000);
    expect(bytes.length).toBe(69);
    expect(Png.pngSize(bytes)).toEqual(E.right({ width: 60000, height: 60000 }));
  });
  test("decoding it is refused from the header, against the expected size and against the ceiling", () => {
    const bytes = hostilePng(60000, 60000);
    const expected = Png.decodePng(bytes, "huge.png", { width: 56, height: 28 });
    expect(E.isLeft(expected) && VizError.message(expected.left)).toBe("huge.png: expected a 56×28 image (width × height), found a header declaring 60000×60000 pixels (nothing decoded)");
    const ceiling = Png.decodePng(bytes, "huge.png");
    expect(E.isLeft(ceiling) && VizError.message(ceiling.left)).toBe(`huge.png: expected at most ${Png.MAX_PIXELS} pixels, found a header declaring 60000×60000 pixels (nothing decoded)`);
  });
  test("a header that is not IHDR, or declares 0 pixels, is corrupt", () => {
    const bytes = hostilePng(0, 5);
    expect(E.isLeft(Png.pngSize(bytes)) && Png.pngSize(bytes)).toEqual(E.left("an IHDR declaring 0×5 pixels"));
    expect(Png.pngSize(bytes.subarray(0, 20))).toEqual(E.left("20 bytes, too short for a PNG header (IHDR)"));
    const renamed = bytes.slice();
    renamed[12] = "J".charCodeAt(0);
    expect(E.isLeft(Png.pngSize(renamed))).toBe(true);
  });
  test("a matching small file still decodes (the header check costs nothing on valid input)", () => {
    const r = Png.decodePng(hostilePng(99, 1), "tiny.png", { width: 99, height: 1 }); // one row: a filter byte and 99 pixels
    expect(E.isRight(r) && [r.right.width, r.right.height]).toEqual([99, 1]);
  });
});
