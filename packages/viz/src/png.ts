/**
 * PNG files (Node): the thin layer between {@link Image.Image} values and bytes on disk, built on pngjs.
 *
 * Decoding and file access are boundaries, so they return an fp-ts `Either` with a tagged `VizError`
 * ("CorruptPng", "FileError") instead of throwing. Everything else in @dtd/viz is pure and runs in a browser;
 * only this module needs Node.
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { PNG } from "pngjs";
import * as Image from "./Image.ts";
import { type ImageSize, pngSize, sizeProblem } from "./imageHeader.ts";
import type { VizError } from "./VizError.ts";

export { isPng, MAX_PIXELS, pngSize, type ImageSize } from "./imageHeader.ts";

const reason = (u: unknown): string => (u instanceof Error ? u.message : String(u));

/** The PNG encoding (8-bit RGBA, non-interlaced) of an image. */
export const encodePng = (image: Image.Image): Uint8Array => {
  const png = new PNG({ width: image.width, height: image.height });
  png.data.set(image.data);
  const buf = PNG.sync.write(png);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
};

/**
 * Decodes PNG bytes (every bit depth, colour type and interlacing pngjs reads; 16-bit is rescaled to 8) into an
 * RGBA image. The size declared in the header is checked first, before any pixel is decoded: against `expected`
 * when given (Left(ImageSize)), and against MAX_PIXELS always. Left(CorruptPng) when the bytes are not a PNG
 * stream; `source` names them in the message.
 */
export const decodePng = (bytes: Uint8Array, source = "<bytes>", expected?: ImageSize): E.Either<VizError, Image.Image> => {
  if (bytes.length === 0) return E.left({ _tag: "CorruptPng", source, reason: "an empty byte stream" });
  const size = pngSize(bytes);
  if (E.isLeft(size)) return E.left({ _tag: "CorruptPng", source, reason: size.left });
  const tooLarge = sizeProblem(size.right, expected);
  if (tooLarge !== undefined) return E.left({ _tag: "ImageSize", source, ...tooLarge });
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (png.data.length !== 4 * png.width * png.height) {
      return E.left({ _tag: "CorruptPng", source, reason: `${png.data.length} bytes of pixels for ${png.width}×${png.height} RGBA` });
    }
    return E.right(Image.fromRgba(png.width, png.height, new Uint8ClampedArray(png.data)));
  } catch (u) {
    return E.left({ _tag: "CorruptPng", source, reason: `${bytes.length} bytes that pngjs rejects (${reason(u)})` });
  }
};

/** Writes `image` as a PNG file, creating missing parent directories. */
export const writePng = (path: string, image: Image.Image): E.Either<VizError, void> => {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, encodePng(image));
    return E.right(undefined);
  } catch (u) {
    return E.left({ _tag: "FileError", op: "Png.writePng", path, reason: reason(u) });
  }
};

/** Reads and decodes a PNG file. */
export const readPng = (path: string): E.Either<VizError, Image.Image> => {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (u) {
    return E.left({ _tag: "FileError", op: "Png.readPng", path, reason: reason(u) });
  }
  return decodePng(bytes, path);
};
