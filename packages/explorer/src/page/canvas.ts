/**
 * The two canvases: the input (drawn on with the pointer, painted with an image or a test sample, read back as
 * the model's input through @dtd/viz's imageToInput) and the heatmap. Canvases have the model's resolution —
 * one canvas pixel per input pixel — and are enlarged by CSS.
 * @module
 */
import { Image, imageToInput } from "@dtd/viz";
import type { ImageLayout } from "../layout.ts";
import type { Rgba } from "../picture.ts";

const context = (canvas: HTMLCanvasElement): CanvasRenderingContext2D => {
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (ctx === null) throw new Error("canvas: no 2d context");
  return ctx;
};

/** Gives a canvas the layout's size (224 CSS pixels high, proportional width) and clears it (to black by default). */
export const fitCanvas = (canvas: HTMLCanvasElement, layout: ImageLayout, fill = "#000"): void => {
  canvas.width = layout.width;
  canvas.height = layout.height;
  const scale = Math.max(1, Math.round(224 / layout.height));
  canvas.style.height = `${layout.height * scale}px`;
  canvas.style.width = `${layout.width * scale}px`;
  clearCanvas(canvas, fill);
};

/** Fills the canvas: black by default, as MNIST's background. */
export const clearCanvas = (canvas: HTMLCanvasElement, fill = "#000"): void => {
  const ctx = context(canvas);
  ctx.fillStyle = fill;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
};

/** The canvas as the model's input: values in [0, 1], gray (BT.601 luma) or RGB planes, CHW. */
export const readInput = (canvas: HTMLCanvasElement, layout: ImageLayout): Float64Array => {
  const pixels = context(canvas).getImageData(0, 0, canvas.width, canvas.height);
  return imageToInput(Image.fromRgba(pixels.width, pixels.height, pixels.data), { channels: layout.channels, range: [0, 1] }).data;
};

/** Paints an RGBA raster of the canvas's size. */
export const putRgba = (canvas: HTMLCanvasElement, rgba: Rgba): void => {
  context(canvas).putImageData(new ImageData(new Uint8ClampedArray(rgba.data), rgba.width, rgba.height), 0, 0);
};

/** The canvas's pixels. */
export const getRgba = (canvas: HTMLCanvasElement): Rgba => {
  const p = context(canvas).getImageData(0, 0, canvas.width, canvas.height);
  return { width: p.width, height: p.height, data: p.data };
};

/** Paints input values (CHW, in [0, 1]) as gray or RGB. */
export const paintValues = (canvas: HTMLCanvasElement, x: ArrayLike<number>, layout: ImageLayout): void => {
  const n = layout.width * layout.height;
  const data = new Uint8ClampedArray(4 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(255 * x[(layout.channels === 3 ? c * n : 0) + i]!);
    data[4 * i + 3] = 255;
  }
  putRgba(canvas, { width: layout.width, height: layout.height, data });
};

/** Draws an image fitted inside the canvas (letterboxed in black), optionally inverted (dark ink → white strokes). */
export const paintImage = (canvas: HTMLCanvasElement, image: ImageBitmap, invert: boolean): void => {
  clearCanvas(canvas);
  const ctx = context(canvas);
  const s = Math.min(canvas.width / image.width, canvas.height / image.height);
  const w = image.width * s;
  const h = image.height * s;
  ctx.save();
  ctx.imageSmoothingQuality = "high";
  if (invert) ctx.filter = "invert(1)";
  ctx.drawImage(image, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
  ctx.restore();
};

/**
 * Lets the pointer draw white strokes about as wide as an MNIST digit's (2.4 pixels at 28 pixels high); calls
 * `changed` after each piece of stroke.
 */
export const enableDrawing = (canvas: HTMLCanvasElement, changed: () => void): void => {
  let last: { x: number; y: number } | undefined;
  const at = (e: PointerEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * canvas.width, y: ((e.clientY - r.top) / r.height) * canvas.height };
  };
  const segment = (from: { x: number; y: number }, to: { x: number; y: number }): void => {
    const ctx = context(canvas);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = (2.4 * canvas.height) / 28;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    changed();
  };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    segment(last, last);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (last === undefined) return;
    const p = at(e);
    segment(last, p);
    last = p;
  });
  const end = (): void => {
    last = undefined;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
};
