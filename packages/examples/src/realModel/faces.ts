/**
 * The faces of the example: the six demo photos of @vladmandic/face-api (1920 pixels wide, several people
 * each), with square face boxes marked by hand — no face detector runs here. A box is its centre and side in
 * a 480-pixel-wide copy of the photo (×4 in the original), about the face plus a margin, as the detector that
 * feeds @vladmandic/human's anti-spoofing net crops them.
 * @module
 */

/** One face: the photo (sample1…6.jpg) and its box in 480-wide coordinates. */
export interface Face {
  readonly photo: number;
  readonly cx: number;
  readonly cy: number;
  readonly side: number;
}

export const FACES: readonly Face[] = [
  { photo: 1, cx: 130, cy: 118, side: 80 },
  { photo: 1, cx: 228, cy: 130, side: 80 },
  { photo: 1, cx: 393, cy: 80, side: 80 },
  { photo: 3, cx: 172, cy: 115, side: 75 },
  { photo: 3, cx: 300, cy: 85, side: 75 },
  { photo: 3, cx: 405, cy: 95, side: 75 },
  { photo: 6, cx: 83, cy: 148, side: 80 },
  { photo: 6, cx: 190, cy: 110, side: 80 },
];

/** The box in a photo `width` pixels wide: [x, y, side] in its pixels, clipped to the photo. */
export const boxIn = (f: Face, width: number, height: number): readonly [number, number, number] => {
  const k = width / 480;
  const side = Math.min(Math.round(f.side * k), width, height);
  const x = Math.min(Math.max(0, Math.round(f.cx * k - side / 2)), width - side);
  const y = Math.min(Math.max(0, Math.round(f.cy * k - side / 2)), height - side);
  return [x, y, side];
};

/**
 * Where relevance should lie if the net looks at the face: the centred ellipse with half-axes 0.36·W and 0.44·H
 * (the face inside its box, hair and background outside), as a 0/1 mask of H × W.
 */
export const faceMask = (h: number, w: number): Uint8Array => {
  const m = new Uint8Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5 - w / 2) / (0.36 * w);
      const v = (y + 0.5 - h / 2) / (0.44 * h);
      m[y * w + x] = u * u + v * v <= 1 ? 1 : 0;
    }
  return m;
};
