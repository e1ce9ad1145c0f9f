/**
 * io-ts's report made readable: every decoding failure becomes a {@link Problem} — a JSON path such as
 * `layers[2].weight`, what was expected and what was found.
 *
 * Our codecs fail through {@link issue}/{@link fail}, which store `{ expected, found }` in io-ts's `message`;
 * io-ts's own codecs (`t.literal`, `t.keyof`, `t.array`) fail without a message, and then their `name` is
 * what was expected and the offending value, described by {@link describe}, is what was found.
 * @module
 */
import * as t from "io-ts";
import type { Problem } from "../ModelFileError.ts";

/** A failure at `c`: `expected` in words, `found` defaulting to a description of `value`. */
export const issue = (value: unknown, c: t.Context, expected: string, found?: string): t.ValidationError => ({
  value,
  context: c,
  message: JSON.stringify(found === undefined ? { expected } : { expected, found }),
});

/** {@link issue} as a failed validation. */
export const fail = <A>(value: unknown, c: t.Context, expected: string, found?: string): t.Validation<A> =>
  t.failures([issue(value, c, expected, found)]);

/** The context of a field or element `key` of the value at `c`. */
export const at = (c: t.Context, key: string | number, type: t.Decoder<unknown, unknown>, actual: unknown): t.Context =>
  t.appendContext(c, String(key), type, actual);

/** A JSON object (not an array, not null). */
export const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u);

/** A field of an object, own properties only (so `"toString"` or `"__proto__"` never reach the prototype). */
export const field = (o: Readonly<Record<string, unknown>>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

const MAX_TEXT = 40;

/** A short description of a JSON value, as the "found" part of a message. */
export const describe = (u: unknown): string => {
  if (u === undefined) return "nothing (the field is missing)";
  if (u === null || typeof u === "boolean") return String(u);
  if (typeof u === "number") return Number.isFinite(u) ? JSON.stringify(u) : String(u);
  if (typeof u === "string") {
    return u.length <= MAX_TEXT ? JSON.stringify(u) : `${JSON.stringify(u.slice(0, MAX_TEXT))}… (a string of ${u.length} characters)`;
  }
  if (Array.isArray(u)) {
    if (u.length === 0) return "an empty array";
    const inline = u.length <= 8 && u.every((x) => x === null || typeof x === "number" || typeof x === "boolean");
    return inline ? `[${u.map(describe).join(", ")}]` : `an array of length ${u.length}`;
  }
  if (typeof u === "object") return "an object";
  return `a ${typeof u}`;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `layers[2].weight` from an io-ts context; members of unions and intersections add no step. */
export const pathOf = (c: t.Context): string => {
  let path = "";
  for (let i = 1; i < c.length; i++) {
    const parent = c[i - 1]!;
    const tag = (parent.type as { readonly _tag?: unknown })._tag;
    if (tag === "UnionType" || tag === "IntersectionType") continue;
    const key = c[i]!.key;
    if (Array.isArray(parent.actual) && /^(0|[1-9][0-9]*)$/.test(key)) path += `[${key}]`;
    else if (IDENTIFIER.test(key)) path += path === "" ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
};

const parseMessage = (message: string | undefined): { expected?: string; found?: string } => {
  if (message === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(message);
    if (isObject(parsed)) {
      const expected = parsed["expected"];
      const found = parsed["found"];
      return { ...(typeof expected === "string" ? { expected } : {}), ...(typeof found === "string" ? { found } : {}) };
    }
  } catch {
    // a message that is not ours: it is what was expected
  }
  return { expected: message };
};

/** One problem per io-ts validation error, in io-ts's order, duplicates removed. */
export const toProblems = (errors: t.Errors): Problem[] => {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    const own = parseMessage(e.message);
    const last = e.context[e.context.length - 1];
    const problem: Problem = {
      path: pathOf(e.context),
      expected: own.expected ?? last?.type.name ?? "a valid value",
      found: own.found ?? describe(e.value),
    };
    const key = JSON.stringify(problem);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(problem);
    }
  }
  return out;
};
