/**
 * A built-in 5 × 7 bitmap font, so that titles, labels and tick values need no system fonts.
 *
 * Each glyph is 5 × 7 pixels; text advances 6 pixels per character and 9 per line, times an integer `scale`
 * (each font pixel becomes a scale × scale block). Characters outside the table draw as a hollow box.
 * Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import * as Image from "./Image.ts";
import { sheets } from "./internal/glyphs.ts";
import { checkInt } from "./VizError.ts";

/** Glyph width in font pixels. */
export const GLYPH_WIDTH = 5;
/** Glyph height in font pixels (cap height; descenders are drawn inside it). */
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character in font pixels (glyph + 1 pixel of spacing). */
export const ADVANCE = 6;
/** Vertical advance per line in font pixels. */
export const LINE_HEIGHT = 9;

/** Where a text's x coordinate sits: its left edge, centre, or right edge. */
export type Anchor = "start" | "middle" | "end";

const table: ReadonlyMap<string, readonly number[]> = (() => {
  const m = new Map<string, readonly number[]>();
  for (const [keys, ...rows] of sheets) {
    Array.from(keys).forEach((ch, k) => {
      m.set(
        ch,
        rows.map((row) => {
          const bits = row.slice(6 * k, 6 * k + GLYPH_WIDTH);
          let mask = 0;
          for (let c = 0; c < GLYPH_WIDTH; c++) if (bits[c] === "#") mask |= 1 << (GLYPH_WIDTH - 1 - c);
          return mask;
        }),
      );
    });
  }
  return m;
})();

const missing: readonly number[] = [0b11111, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11111];

/** True when the font has a glyph for `ch` (one character). */
export const has = (ch: string): boolean => table.has(ch);

/** The 7 row bitmasks of a character's glyph (bit 4 = leftmost column); a hollow box when missing. */
export const glyph = (ch: string): readonly number[] => table.get(ch) ?? missing;

/** All characters the font draws. */
export const characters = (): string[] => [...table.keys()];

/** Width and height in pixels of `text` (lines split at "\n") at an integer scale. */
export const measure = (text: string, scale = 1): { readonly width: number; readonly height: number } => {
  checkInt("Font.measure", "scale", scale, 1);
  const lines = text.split("\n");
  const cols = Math.max(...lines.map((l) => Array.from(l).length));
  return {
    width: cols === 0 ? 0 : (cols * ADVANCE - 1) * scale,
    height: (lines.length * LINE_HEIGHT - (LINE_HEIGHT - GLYPH_HEIGHT)) * scale,
  };
};

/**
 * Draws `text` into `img`: y is the top of the first line; x is the left edge, centre or right edge of each line
 * according to `anchor`. Translucent colours blend. Clipped at the image border.
 */
export const drawText = (
  img: Image.Image,
  x: number,
  y: number,
  text: string,
  color: Color.Color,
  scale = 1,
  anchor: Anchor = "start",
): void => {
  checkInt("Font.drawText", "scale", scale, 1);
  const lines = text.split("\n");
  for (let li = 0; li < lines.length; li++) {
    const chars = Array.from(lines[li]!);
    const w = measure(lines[li]!, scale).width;
    const left = Math.round(anchor === "start" ? x : anchor === "middle" ? x - w / 2 : x - w);
    const top = Math.round(y + li * LINE_HEIGHT * scale);
    for (let k = 0; k < chars.length; k++) {
      const rows = glyph(chars[k]!);
      const gx = left + k * ADVANCE * scale;
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        const mask = rows[r]!;
        if (mask === 0) continue;
        for (let c = 0; c < GLYPH_WIDTH; c++) {
          if ((mask >> (GLYPH_WIDTH - 1 - c)) & 1) Image.fillRect(img, gx + c * scale, top + r * scale, scale, scale, color);
        }
      }
    }
  }
};

/** `text` alone on a transparent image of exactly its measured size. */
export const render = (text: string, color: Color.Color, scale = 1): Image.Image => {
  const { width, height } = measure(text, scale);
  const img = Image.make(width, height, Color.transparent);
  drawText(img, 0, 0, text, color, scale);
  return img;
};

/**
 * Draws `text` reading upward (rotated a quarter turn counter-clockwise), as y-axis labels are: x is the left
 * edge of the rotated box; y is its bottom, middle or top according to `anchor` (where the text starts, is
 * centred, or ends).
 */
export const drawTextUp = (
  img: Image.Image,
  x: number,
  y: number,
  text: string,
  color: Color.Color,
  scale = 1,
  anchor: Anchor = "start",
): void => {
  const rotated = Image.rotateLeft(render(text, color, scale));
  const top = anchor === "start" ? y - rotated.height : anchor === "middle" ? y - rotated.height / 2 : y;
  Image.blit(img, rotated, x, top, "over");
};
