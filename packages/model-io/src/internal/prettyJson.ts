/**
 * JSON text laid out for people: one object field per line, arrays of numbers (a tensor's rows) on one line,
 * small objects of flat fields on one line, arrays of arrays one element per line. Reads back to the same
 * value as `JSON.stringify` would give.
 * Takes plain JSON values only (what JSON.parse returns); numbers print as JSON.stringify prints them.
 * @module
 */

/** Objects of flat fields print on one line when that line is at most this long. */
const MAX_INLINE = 100;

const isFlat = (xs: readonly unknown[]): boolean => xs.every((x) => x === null || typeof x !== "object");

/** The text of a plain JSON value, indented by two spaces per level. */
export const prettyJson = (value: unknown, indent = ""): string => {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (isFlat(value)) return `[${value.map((x) => JSON.stringify(x)).join(", ")}]`;
    const inner = `${indent}  `;
    return `[\n${value.map((x) => `${inner}${prettyJson(x, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    if (entries.every(([, x]) => (Array.isArray(x) ? isFlat(x) : x === null || typeof x !== "object"))) {
      const line = `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${prettyJson(x)}`).join(", ")} }`;
      if (line.length <= MAX_INLINE) return line;
    }
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
};
