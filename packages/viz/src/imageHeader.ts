/**
 * The size an image file declares in its header, read without decoding a pixel: a 69-byte PNG can declare
 * 60000×60000 pixels, and decoding it first costs seconds and gigabytes before the size can be refused. Pure.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";

/** Width and height in pixels. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** The most pixels any decoder here accepts: 2²⁴ (4096 × 4096; 64 MiB of RGBA). */
export const MAX_PIXELS = 2 ** 24;

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10] as const;

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

/** True when the bytes start with the PNG signature. */
export const isPng = (bytes: Uint8Array): boolean => PNG_SIGNATURE.every((b, i) => bytes[i] === b);

/** The size of a PNG from its IHDR chunk (bytes 8–24: length 13, "IHDR", width, height), or why it cannot be read. */
export const pngSize = (bytes: Uint8Array): E.Either<string, ImageSize> => {
  if (!isPng(bytes)) return E.left("no PNG signature");
  if (bytes.length < 24) return E.left(`${bytes.length} bytes, too short for a PNG header (IHDR)`);
  const type = String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!);
  if (u32(bytes, 8) !== 13 || type !== "IHDR") return E.left(`a first chunk ${JSON.stringify(type)} of length ${u32(bytes, 8)} where IHDR (length 13) must come`);
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  if (width === 0 || height === 0 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) return E.left(`an IHDR declaring ${width}×${height} pixels`);
  return E.right({ width, height });
};

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/** True when the bytes start with a JPEG's start-of-image marker. */
export const isJpeg = (bytes: Uint8Array): boolean => bytes[0] === 0xff && bytes[1] === 0xd8;

/**
 * The size of a JPEG from its first start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC: precision, height,
 * width), walking the segments before it by their lengths, or why it cannot be read.
 */
export const jpegSize = (bytes: Uint8Array): E.Either<string, ImageSize> => {
  if (!isJpeg(bytes)) return E.left("no JPEG start-of-image marker");
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return E.left(`a byte 0x${bytes[at]!.toString(16)} at ${at} where a segment marker must come`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2; // markers without a length
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 9 > bytes.length) break;
      const height = u16(bytes, at + 5);
      const width = u16(bytes, at + 7);
      return width === 0 || height === 0 ? E.left(`a frame header declaring ${width}×${height} pixels`) : E.right({ width, height });
    }
    if (marker === 0xda) return E.left("image data before any frame header");
    at += 2 + u16(bytes, at + 2);
  }
  return E.left(`${bytes.length} bytes that end before the frame header (SOF)`);
};

/**
 * Why an image of `size` may not be decoded, or undefined: the size a caller expects (a model's input), and the
 * hard ceiling of MAX_PIXELS.
 */
export const sizeProblem = (size: ImageSize, expected?: ImageSize): { readonly expected: string; readonly found: string } | undefined => {
  const found = `a header declaring ${size.width}×${size.height} pixels (nothing decoded)`;
  if (expected !== undefined && (size.width !== expected.width || size.height !== expected.height)) return { expected: `a ${expected.width}×${expected.height} image (width × height)`, found };
  if (size.width * size.height > MAX_PIXELS) return { expected: `at most ${MAX_PIXELS} pixels`, found };
  return undefined;
};
