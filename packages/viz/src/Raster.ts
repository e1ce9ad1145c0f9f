/**
 * Rasterising a {@link Scene.Scene} into an {@link Image.Image} with our own primitives: thick (optionally
 * dashed) lines stamped along their length, discs by pixel-centre distance, rectangles, and text in the
 * bitmap {@link Font}. `pixelRatio` (an integer) multiplies every coordinate, width and text size, so a scene
 * laid out at 480 × 360 units becomes a crisp 960 × 720 PNG at ratio 2. Pure: no Node API.
 * @module
 */
import * as Font from "./Font.ts";
import * as Image from "./Image.ts";
import type * as Scene from "./Scene.ts";
import { checkInt } from "./VizError.ts";

const line = (img: Image.Image, m: Scene.Line, k: number): void => {
  const x1 = m.x1 * k, y1 = m.y1 * k, x2 = m.x2 * k, y2 = m.y2 * k;
  const w = Math.max(1, Math.round(m.width * k));
  const dash = m.dash !== undefined && m.dash > 0 ? m.dash * k : 0;
  const dx = x2 - x1, dy = y2 - y1;
  const len = Math.hypot(dx, dy);
  if (dash === 0 && (dx === 0 || dy === 0)) {
    // Axis-aligned solid lines as one rectangle: exact ends, no stamping.
    if (dy === 0) Image.fillRect(img, Math.min(x1, x2), y1 - w / 2, Math.abs(dx), w, m.stroke);
    else Image.fillRect(img, x1 - w / 2, Math.min(y1, y2), w, Math.abs(dy), m.stroke);
    return;
  }
  // Stamp a w × w square every half pixel; a pixel is painted at most once so translucent lines stay even.
  const painted = new Set<number>();
  const steps = Math.max(1, Math.ceil(len * 2));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    if (dash > 0 && Math.floor((t * len) / dash) % 2 === 1) continue;
    const cx = x1 + dx * t, cy = y1 + dy * t;
    const left = Math.round(cx - w / 2), top = Math.round(cy - w / 2);
    for (let yy = top; yy < top + w; yy++) {
      for (let xx = left; xx < left + w; xx++) {
        const key = yy * (img.width + 1) + xx;
        if (xx < 0 || yy < 0 || xx >= img.width || yy >= img.height || painted.has(key)) continue;
        painted.add(key);
        Image.blendPixel(img, xx, yy, m.stroke);
      }
    }
  }
};

const circle = (img: Image.Image, m: Scene.Circle, k: number): void => {
  const cx = m.cx * k, cy = m.cy * k, r = m.r * k;
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      const ex = x + 0.5 - cx, ey = y + 0.5 - cy;
      if (ex * ex + ey * ey <= r * r) Image.blendPixel(img, x, y, m.fill);
    }
  }
};

const paint = (img: Image.Image, m: Scene.Mark, k: number): void => {
  switch (m.kind) {
    case "line":
      return line(img, m, k);
    case "rect":
      Image.fillRect(img, m.x * k, m.y * k, m.width * k, m.height * k, m.fill);
      if (m.stroke !== undefined) {
        for (let i = 0; i < k; i++) Image.strokeRect(img, Math.round(m.x * k) + i, Math.round(m.y * k) + i, Math.round(m.width * k) - 2 * i, Math.round(m.height * k) - 2 * i, m.stroke);
      }
      return;
    case "circle":
      return circle(img, m, k);
    case "text":
      if (m.up === true) Font.drawTextUp(img, m.x * k, m.y * k, m.text, m.color, m.size * k, m.anchor);
      else Font.drawText(img, m.x * k, m.y * k, m.text, m.color, m.size * k, m.anchor);
      return;
  }
};

/** The scene painted into a new image of (width·pixelRatio) × (height·pixelRatio) pixels. */
export const rasterize = (scene: Scene.Scene, pixelRatio = 1): Image.Image => {
  checkInt("Raster.rasterize", "pixelRatio", pixelRatio, 1);
  const img = Image.make(Math.ceil(scene.width * pixelRatio), Math.ceil(scene.height * pixelRatio), scene.background);
  for (const m of scene.marks) paint(img, m, pixelRatio);
  return img;
};
