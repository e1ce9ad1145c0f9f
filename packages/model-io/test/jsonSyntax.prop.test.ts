import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { findSyntaxError } from "../src/internal/jsonSyntax.ts";

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** JSON texts with one character inserted, deleted or replaced: mostly invalid, sometimes still valid. */
const damaged = fc
  .tuple(
    fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
    fc.nat(),
    fc.constantFrom("insert", "delete", "replace"),
    fc.constantFrom(..."{}[]:,\"\\ -+.0123456789eEtrufalsnNI\n\t\u0001x"),
  )
  .map(([text, at, op, ch]) => {
    const i = at % (text.length + 1);
    return op === "insert" ? text.slice(0, i) + ch + text.slice(i) : op === "delete" ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + ch + text.slice(i + 1);
  });

describe("findSyntaxError agrees with JSON.parse", () => {
  test("it accepts exactly what JSON.parse accepts (valid, damaged and random texts)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), damaged, fc.string()), (text) => {
        expect(findSyntaxError(text) === undefined).toBe(parses(text));
      }),
    );
  });
  test("the position it reports is where the text stops being JSON: the prefix before it can still be completed", () => {
    fc.assert(
      fc.property(damaged, (text) => {
        const e = findSyntaxError(text);
        if (e === undefined) return;
        expect(e.position).toBeGreaterThanOrEqual(0);
        expect(e.position).toBeLessThanOrEqual(text.length);
        // Every earlier position was accepted: cutting the text there gives a (possibly incomplete) prefix whose
        // first error, where there is one, is at its end.
        const prefix = findSyntaxError(text.slice(0, e.position));
        expect(prefix === undefined || (prefix.position === e.position && prefix.found === "the end of the text")).toBe(true);
      }),
    );
  });
  test("examples", () => {
    expect(findSyntaxError('{"a": [1, 2,]}')).toEqual({ position: 12, expected: "a JSON value (an object, array, string, number, true, false or null)", found: '"]"' });
    expect(findSyntaxError('{"a": 01}')).toEqual({ position: 7, expected: '"," or "}"', found: '"1"' });
    expect(findSyntaxError('"a\\x"')).toEqual({ position: 3, expected: 'an escape sequence (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)', found: '"x"' });
    expect(findSyntaxError("[1.]")).toEqual({ position: 3, expected: "a digit after the decimal point", found: '"]"' });
    expect(findSyntaxError("1 2")).toEqual({ position: 2, expected: "the end of the text after the JSON value", found: '"2"' });
    expect(findSyntaxError('"\n"')).toMatchObject({ position: 1, found: '"\\n"' });
    expect(findSyntaxError("[".repeat(100_000))).toMatchObject({ position: 100_000, found: "the end of the text" });
  });
});
