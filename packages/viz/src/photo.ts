/**
 * Photos (Node): PNG (pngjs) and JPEG (jpeg-js) bytes → an RGBA {@link Image.Image}. The size the header
 * declares is checked before any pixel is decoded ({@link declaredSize}): a file declaring more than
 * `maxPixels` is refused at once, whatever its length.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as jpeg from "jpeg-js";
import * as Image from "./Image.ts";
import { declaredSize, formatOf } from "./imageSize.ts";
import { decodePng } from "./png.ts";
import type { VizError } from "./VizError.ts";

/** The default limit: 40 megapixels (a 160 MB RGBA buffer). */
export const MAX_PIXELS = 40_000_000;

/** Options of {@link decodePhoto}. */
export interface DecodeOptions {
  /** The most pixels (width × height) a file may declare (default {@link MAX_PIXELS}). */
  readonly maxPixels?: number;
}

/** Decodes a PNG or JPEG; `source` names it in errors. */
export const decodePhoto = (bytes: Uint8Array, source: string, opts: DecodeOptions = {}): E.Either<VizError, Image.Image> => {
  const maxPixels = opts.maxPixels ?? MAX_PIXELS;
  const format = formatOf(bytes);
  if (format === undefined) return E.left({ _tag: "CorruptImage", source, expected: "a PNG or JPEG file", found: `${bytes.length} bytes with neither signature` });
  const size = declaredSize(bytes);
  if (size === undefined) return E.left({ _tag: "CorruptImage", source, expected: `a ${format.toUpperCase()} header with the image size`, found: "none (the file is cut short or damaged)" });
  if (size.width < 1 || size.height < 1) return E.left({ _tag: "CorruptImage", source, expected: "a positive width and height", found: `${size.width}×${size.height}` });
  if (size.width * size.height > maxPixels) return E.left({ _tag: "ImageTooLarge", source, width: size.width, height: size.height, maxPixels });
  if (format === "png") return decodePng(bytes, source);
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: Math.ceil((8 * maxPixels) / 1e6) + 64 });
    return E.right(Image.fromRgba(img.width, img.height, img.data));
  } catch (u) {
    return E.left({ _tag: "CorruptImage", source, expected: "a JPEG stream jpeg-js decodes", found: u instanceof Error ? u.message : String(u) });
  }
};
