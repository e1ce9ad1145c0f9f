/**
 * The size an image file declares, read from its header without decoding any pixel — so that a small file
 * declaring 60000 × 60000 pixels is refused at once instead of being decoded into gigabytes. PNG: the IHDR
 * chunk; JPEG: the first start-of-frame marker (SOF0–SOF15 except DHT, JPG and DAC). Pure: no Node API.
 * @module
 */

/** An image format dtd reads. */
export type ImageFormat = "png" | "jpeg";

/** What a header declares. */
export interface DeclaredSize {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10] as const;

/** The format from the first bytes, or undefined. */
export const formatOf = (bytes: Uint8Array): ImageFormat | undefined => {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "jpeg";
  return undefined;
};

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;

const pngSize = (b: Uint8Array): DeclaredSize | undefined => {
  // signature (8), chunk length (4), "IHDR" (4), width (4), height (4)
  if (b.length < 24 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== "IHDR") return undefined;
  return { format: "png", width: u32(b, 16), height: u32(b, 20) };
};

const jpegSize = (b: Uint8Array): DeclaredSize | undefined => {
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) return undefined;
    const marker = b[o + 1]!;
    if (marker === 0xff) {
      o++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2; // markers without a length
      continue;
    }
    const length = u16(b, o + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return o + 9 <= b.length ? { format: "jpeg", height: u16(b, o + 5), width: u16(b, o + 7) } : undefined;
    if (marker === 0xda || length < 2) return undefined; // scan data before any frame header
    o += 2 + length;
  }
  return undefined;
};

/** The declared size of a PNG or JPEG, or undefined when the header is missing or cut short. */
export const declaredSize = (bytes: Uint8Array): DeclaredSize | undefined => {
  const f = formatOf(bytes);
  return f === "png" ? pngSize(bytes) : f === "jpeg" ? jpegSize(bytes) : undefined;
};
