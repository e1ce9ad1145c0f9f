/**
 * A plot as data: a list of marks (lines, rectangles, circles, text) in a width × height coordinate space.
 *
 * Plots are laid out once as a Scene and then written two ways, {@link Svg.toSvg} and {@link Raster.rasterize},
 * so the SVG and the PNG show the same marks at the same places. Coordinates are in "units": one unit is one
 * font pixel at text size 1 (text of size s is 7·s units tall and advances 6·s units per character, in both
 * writers). A mark's optional `tag` names its role ("point", "bar", "diagonal", …): the SVG writer emits it as
 * a class and tests find marks by it. Pure: no Node API.
 * @module
 */
import type { Color } from "./Color.ts";
import type { Anchor } from "./Font.ts";

/** A straight line of `width` units; `dash` > 0 draws dashes and gaps of that length. */
export interface Line {
  readonly kind: "line";
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly stroke: Color;
  readonly width: number;
  readonly dash?: number;
  readonly tag?: string;
}

/** A filled axis-aligned rectangle, optionally outlined (1 unit). */
export interface Rect {
  readonly kind: "rect";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly fill: Color;
  readonly stroke?: Color;
  readonly tag?: string;
}

/** A filled disc. */
export interface Circle {
  readonly kind: "circle";
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
  readonly fill: Color;
  readonly tag?: string;
}

/**
 * Text of integer size `size` (font scale). Horizontal text: y is the top of the text, x its left edge, centre or
 * right edge by `anchor`. With `up`, the text reads bottom to top: x is the left edge of the rotated box and y its
 * bottom, centre or top by `anchor`.
 */
export interface Text {
  readonly kind: "text";
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly color: Color;
  readonly size: number;
  readonly anchor: Anchor;
  readonly up?: boolean;
  readonly tag?: string;
}

/** One mark. */
export type Mark = Line | Rect | Circle | Text;

/** A scene: marks painted in order over a background. */
export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly background: Color;
  readonly marks: readonly Mark[];
}

/** The marks with a given tag. */
export const withTag = <K extends Mark["kind"]>(scene: Scene, tag: string, kind?: K): Extract<Mark, { kind: K }>[] =>
  scene.marks.filter((m): m is Extract<Mark, { kind: K }> => m.tag === tag && (kind === undefined || m.kind === kind));
