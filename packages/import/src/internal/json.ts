/**
 * Reading untrusted JSON (model.json) with the JSON path of every value, so that a refusal says where:
 * `modelTopology.config.layers[3].config.kernel_size: expected an array of 2 positive integers, found "3"`.
 * @module
 */
import { invalidFile } from "../ImportError.ts";
import { fail } from "./fail.ts";

/** A value of a JSON document and where it is. */
export interface Cursor {
  readonly file: string;
  readonly path: string;
  readonly value: unknown;
}

/** The root of a document. */
export const root = (file: string, value: unknown): Cursor => ({ file, path: "", value });

/** A short description of a found value, for messages. */
export const describe = (u: unknown): string => {
  if (u === undefined) return "nothing";
  if (u === null) return "null";
  if (Array.isArray(u)) return `an array of ${u.length}`;
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u);
  if (typeof u === "object") return `an object with keys ${Object.keys(u).slice(0, 6).join(", ") || "(none)"}`;
  return String(u);
};

/** Refuses the value under the cursor (described, unless `found` says what it is). */
export const refuse = (c: Cursor, expected: string, found?: string): never => fail(invalidFile(c.file, c.path, expected, found ?? describe(c.value)));

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u);

/** The child under `key` (its value is undefined when absent). */
export const at = (c: Cursor, key: string | number): Cursor => {
  const path = typeof key === "number" ? `${c.path}[${key}]` : c.path === "" ? key : `${c.path}.${key}`;
  const value = typeof key === "number" ? (Array.isArray(c.value) ? (c.value as unknown[])[key] : undefined) : isRecord(c.value) ? c.value[key] : undefined;
  return { file: c.file, path, value };
};

/** True when the value is absent or null. */
export const isNil = (c: Cursor): boolean => c.value === undefined || c.value === null;

/** The value as an object. */
export const object = (c: Cursor): Readonly<Record<string, unknown>> => (isRecord(c.value) ? c.value : refuse(c, "an object"));

/** The value as a string. */
export const string = (c: Cursor): string => (typeof c.value === "string" ? c.value : refuse(c, "a string"));

/** The value as a finite number. */
export const number = (c: Cursor): number => (typeof c.value === "number" && Number.isFinite(c.value) ? c.value : refuse(c, "a finite number"));

/** The value as a boolean. */
export const boolean = (c: Cursor): boolean => (typeof c.value === "boolean" ? c.value : refuse(c, "true or false"));

/** The value as an array of cursors. */
export const array = (c: Cursor): readonly Cursor[] => (Array.isArray(c.value) ? (c.value as unknown[]).map((_, i) => at(c, i)) : refuse(c, "an array"));

/** A number given as a JSON number or a decimal string (graph models write int64 as strings). */
export const integerLike = (c: Cursor): number => {
  const v = typeof c.value === "string" && /^-?\d+$/.test(c.value) ? Number(c.value) : c.value;
  return typeof v === "number" && Number.isSafeInteger(v) ? v : refuse(c, "an integer");
};

/** An integer or a list of `n` integers (`3` means `[3, 3]`), e.g. a kernel size. */
export const intPair = (c: Cursor, n: number = 2): number[] => {
  if (typeof c.value === "number") return new Array<number>(n).fill(integerLike(c));
  const xs = array(c).map(integerLike);
  return xs.length === n ? xs : refuse(c, `an integer or an array of ${n} integers`);
};
