/**
 * Photos (Node): PNG (pngjs) and JPEG (jpeg-js) bytes → an RGBA {@link Image.Image}. The size the header
 * declares is checked before any pixel is decoded (imageHeader.ts: at most MAX_PIXELS), so a small file
 * declaring 60000 × 60000 pixels is refused at once, whatever its length.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as jpeg from "jpeg-js";
import * as Image from "./Image.ts";
import { isJpeg, isPng, jpegSize, MAX_PIXELS, sizeProblem } from "./imageHeader.ts";
import { decodePng } from "./png.ts";
import type { VizError } from "./VizError.ts";

/** Decodes a PNG or JPEG photo of any size up to MAX_PIXELS; `source` names it in errors. */
export const decodePhoto = (bytes: Uint8Array, source: string): E.Either<VizError, Image.Image> => {
  if (isPng(bytes)) return decodePng(bytes, source);
  if (!isJpeg(bytes)) return E.left({ _tag: "CorruptImage", source, expected: "a PNG or JPEG file", found: `${bytes.length} bytes with neither signature` });
  const size = jpegSize(bytes);
  if (E.isLeft(size)) return E.left({ _tag: "CorruptImage", source, expected: "a JPEG header with the image size", found: size.left });
  const tooLarge = sizeProblem(size.right);
  if (tooLarge !== undefined) return E.left({ _tag: "ImageSize", source, ...tooLarge });
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: Math.ceil((8 * MAX_PIXELS) / 2 ** 20) + 64 });
    return E.right(Image.fromRgba(img.width, img.height, img.data));
  } catch (u) {
    return E.left({ _tag: "CorruptImage", source, expected: "a JPEG stream jpeg-js decodes", found: u instanceof Error ? u.message : String(u) });
  }
};
