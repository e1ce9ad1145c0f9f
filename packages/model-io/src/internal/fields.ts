/**
 * io-ts codecs for the small fields of a model file: dtypes, shapes, window pairs, p, index, metadata. Each
 * codec's name is what a failure says was expected.
 * @module
 */
import * as t from "io-ts";
import type * as T from "@dtd/tensor";
import { MAX_ACTIVATION_SIZE } from "./limits.ts";
import { metadataProblem } from "./metadata.ts";
import { at, describe, fail, isObject } from "./report.ts";

const isPositiveInt = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u) && u >= 1;
const isNonNegativeInt = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u) && u >= 0;

/** A codec from a guard: fails with its name as what was expected. */
const guarded = <A>(name: string, is: (u: unknown) => u is A): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), (a) => a);

/** `"float32"` or `"float64"`. */
export const dtype: t.Type<T.DType, unknown, unknown> = t.keyof({ float32: null, float64: null }, '"float32" or "float64"');

/** Any string. */
export const text = (name: string): t.Type<string, unknown, unknown> => guarded(name, (u): u is string => typeof u === "string");

/** A pair of positive (or, with `allowZero`, non-negative) integers, e.g. a window `[kh, kw]`. */
export const pair = (name: string, allowZero = false): t.Type<readonly [number, number], unknown, unknown> => {
  const is = (u: unknown): u is readonly [number, number] => Array.isArray(u) && u.length === 2 && u.every(allowZero ? isNonNegativeInt : isPositiveInt);
  // A copy, so that a decoded layer shares nothing with the JSON it came from.
  return new t.Type<readonly [number, number], unknown, unknown>(name, is, (u, c) => (is(u) ? t.success([u[0], u[1]] as const) : t.failure(u, c)), (a) => a);
};

/** A window `[kh, kw]`. */
export const kernel = pair("a pair [kh, kw] of positive integers");
/** Strides `[sh, sw]`. */
export const stride = pair("a pair [sh, sw] of positive integers");
/** Zero padding `[ph, pw]`. */
export const padding = pair("a pair [ph, pw] of non-negative integers", true);

/** The exponent of p-norm pooling: a finite p ≥ 1. */
export const pNorm = guarded("a number p ≥ 1", (u): u is number => typeof u === "number" && Number.isFinite(u) && u >= 1);

/** The index of a selected output. */
export const index = guarded("a non-negative integer", isNonNegativeInt);

/** A shape of `rank` positive integers (the extents of a base64 tensor); `axes` names them, e.g. "(in × out)". */
export const shapeOfRank = (rank: number, axes: string): t.Type<readonly number[], unknown, unknown> =>
  guarded(`a shape of ${rank} positive integer${rank === 1 ? "" : "s"} ${axes}`, (u): u is readonly number[] => Array.isArray(u) && u.length === rank && u.every(isPositiveInt));

const inputShapeName = "a shape of positive integers: [n] for a flat vector or [c, h, w] for a CHW image";

const isInputShape = (u: unknown): u is readonly number[] => Array.isArray(u) && (u.length === 1 || u.length === 3) && u.every(isPositiveInt);

/** The per-sample input shape: a flat vector `[n]` or a CHW image `[c, h, w]`, of at most MAX_ACTIVATION_SIZE values. */
export const inputShape = new t.Type<readonly number[], unknown, unknown>(
  inputShapeName,
  isInputShape,
  (u, c) => {
    if (!isInputShape(u)) return t.failure(u, c);
    const size = u.reduce((a: number, b: number) => a * b, 1);
    if (size > MAX_ACTIVATION_SIZE) return fail(u, c, `an input of at most ${MAX_ACTIVATION_SIZE} values`, `${describe(u)} (${size} values)`);
    return t.success([...u]);
  },
  (a) => a,
);

/** Free-form metadata: a JSON object nested at most MAX_METADATA_DEPTH levels, kept as it is. */
export const metadata = new t.Type<Readonly<Record<string, unknown>>, unknown, unknown>(
  "an object (free-form metadata: name, description, training…)",
  isObject,
  (u, c) => {
    if (!isObject(u)) return t.failure(u, c);
    const problem = metadataProblem(u);
    return problem === undefined ? t.success(u) : fail(u, c, problem.expected, `${problem.found}${problem.path === "metadata" ? "" : ` at ${problem.path}`}`);
  },
  (a) => a,
);

/** Zero padding `[top, bottom, left, right]` of a pad2d layer. */
export const padding4 = new t.Type<readonly [number, number, number, number], unknown, unknown>(
  "a list [top, bottom, left, right] of 4 non-negative integers",
  (u): u is readonly [number, number, number, number] => Array.isArray(u) && u.length === 4 && u.every(isNonNegativeInt),
  (u, c) => (Array.isArray(u) && u.length === 4 && u.every(isNonNegativeInt) ? t.success([u[0] as number, u[1] as number, u[2] as number, u[3] as number] as const) : t.failure(u, c)),
  (a) => a,
);

/** The bound of a clipped ReLU: a finite number > 0. */
export const maxValue = guarded("a finite number > 0", (u): u is number => typeof u === "number" && Number.isFinite(u) && u > 0);

/** A batch norm's ε: a finite number ≥ 0. */
export const epsilon = guarded("a finite number ≥ 0", (u): u is number => typeof u === "number" && Number.isFinite(u) && u >= 0);

/** A concatenation axis of the per-sample shape. */
export const axis = guarded("a non-negative integer (0: channels of a CHW input, features of a vector)", isNonNegativeInt);

/** A layer's name (version 2). */
export const name = guarded("a non-empty string", (u): u is string => typeof u === "string" && u.length > 0);

/** A layer's inputs (version 2): the names of earlier layers, or "input" for the model input. */
export const inputs = new t.Type<readonly string[], unknown, unknown>(
  'a non-empty array of layer names ("input" for the model input)',
  (u): u is readonly string[] => Array.isArray(u) && u.length > 0 && u.every((s) => typeof s === "string" && s.length > 0),
  (u, c) => {
    if (!Array.isArray(u) || u.length === 0) return t.failure(u, c);
    const bad = u.findIndex((s) => typeof s !== "string" || s.length === 0);
    return bad < 0 ? t.success([...(u as string[])]) : fail(u[bad], at(c, bad, name, u[bad]), "a non-empty string (the name of an earlier layer, or \"input\")");
  },
  (a) => a,
);

/** The file's version: one this dtd reads. */
export const version = guarded("1 or 2", (u): u is 1 | 2 => u === 1 || u === 2);
