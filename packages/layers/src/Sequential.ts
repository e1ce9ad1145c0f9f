/**
 * The sequential algebra: a `Sequential` is a list of layers; composition is concatenation (associative, with the
 * empty sequence as identity). `build(shape, layers)` (see `Model.ts`) makes the chain in which every layer takes
 * the previous one's output.
 * @module
 */
import type { Layer } from "./Layer.ts";

/** A composition of layers, first applied first. */
export type Sequential = readonly Layer[];

/** The identity of composition: no layers. */
export const identity: Sequential = [];

/** Composition: `compose(a, b)` applies a, then b. Associative; `identity` is its unit. */
export const compose = (...parts: readonly Sequential[]): Sequential => parts.flat();

/** A sequence from layers and blocks (e.g. `detection(W, b)`). */
export const sequential = (...parts: readonly (Layer | readonly Layer[])[]): Sequential => parts.flatMap((p) => (Array.isArray(p) ? p : [p as Layer]));
