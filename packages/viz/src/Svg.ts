/**
 * Writing a {@link Scene.Scene} as an SVG document (a string). Text uses a monospace font at 10 × size px, whose
 * advance (0.6 em) matches the bitmap font's 6 units per character, with the baseline 7 × size below the top.
 * Pure: no Node API.
 * @module
 */
import * as Color from "./Color.ts";
import type * as Scene from "./Scene.ts";

const num = (v: number): string => String(Math.round(v * 100) / 100);

const escape = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const paint = (attr: "fill" | "stroke", c: Color.Color): string =>
  `${attr}="${Color.toHex(c)}"${c.a < 255 ? ` ${attr}-opacity="${num(c.a / 255)}"` : ""}`;

const cls = (m: Scene.Mark): string => (m.tag !== undefined ? ` class="${escape(m.tag)}"` : "");

/** Axis-aligned lines and rectangles snap to pixels, as in the raster. */
const crisp = ` shape-rendering="crispEdges"`;

const anchorAttr = { start: "start", middle: "middle", end: "end" } as const;

const mark = (m: Scene.Mark): string => {
  switch (m.kind) {
    case "line":
      return (
        `<line${cls(m)} x1="${num(m.x1)}" y1="${num(m.y1)}" x2="${num(m.x2)}" y2="${num(m.y2)}" ${paint("stroke", m.stroke)} ` +
        `stroke-width="${num(m.width)}"${m.dash !== undefined && m.dash > 0 ? ` stroke-dasharray="${num(m.dash)}"` : ""}` +
        `${m.x1 === m.x2 || m.y1 === m.y2 ? crisp : ""}/>`
      );
    case "rect":
      return (
        `<rect${cls(m)} x="${num(m.x)}" y="${num(m.y)}" width="${num(m.width)}" height="${num(m.height)}" ${paint("fill", m.fill)}` +
        `${m.stroke !== undefined ? ` ${paint("stroke", m.stroke)} stroke-width="1"` : ""}${crisp}/>`
      );
    case "circle":
      return `<circle${cls(m)} cx="${num(m.cx)}" cy="${num(m.cy)}" r="${num(m.r)}" ${paint("fill", m.fill)}/>`;
    case "text": {
      // Baseline: 7·size below the top for horizontal text; for upward text the glyph tops face left, so the
      // baseline is 7·size right of the box's left edge.
      const x = m.up === true ? m.x + 7 * m.size : m.x;
      const y = m.up === true ? m.y : m.y + 7 * m.size;
      const rot = m.up === true ? ` transform="rotate(-90 ${num(x)} ${num(y)})"` : "";
      return (
        `<text${cls(m)} x="${num(x)}" y="${num(y)}"${rot} font-size="${num(10 * m.size)}" ` +
        `text-anchor="${anchorAttr[m.anchor]}" ${paint("fill", m.color)}>${escape(m.text)}</text>`
      );
    }
  }
};

/** The SVG document of a scene (width × height px, one element per mark, in order). */
export const toSvg = (scene: Scene.Scene): string =>
  [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" ` +
      `viewBox="0 0 ${scene.width} ${scene.height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace">`,
    `<rect class="background" x="0" y="0" width="${scene.width}" height="${scene.height}" ${paint("fill", scene.background)}/>`,
    ...scene.marks.map(mark),
    "</svg>",
    "",
  ].join("\n");
