/**
 * Where a text stops being JSON (RFC 8259), and what was expected there. `JSON.parse` does the parsing; this
 * scanner runs only after it failed, because V8's messages do not always give a position
 * ("Unexpected token 'N', "{"a": NaN}" is not valid JSON"). It keeps an explicit stack instead of recursing,
 * so deeply nested input cannot overflow the call stack.
 * @module
 */
import type { ModelFileError } from "../ModelFileError.ts";

/** The first syntax error: a 0-based character position, what was expected there and what was found. */
export interface SyntaxProblem {
  readonly position: number;
  readonly expected: string;
  readonly found: string;
}

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** The first syntax error of `text`, or undefined when it is one JSON value (surrounded by whitespace only). */
export const findSyntaxError = (text: string): SyntaxProblem | undefined => {
  const n = text.length;
  let i = 0;
  const problem = (expected: string): SyntaxProblem => ({
    position: i,
    expected,
    found: i >= n ? "the end of the text" : JSON.stringify(text.charAt(i)),
  });
  const skipWhitespace = (): void => {
    while (i < n && isWhitespace(text.charCodeAt(i))) i++;
  };
  const digits = (expected: string): SyntaxProblem | undefined => {
    if (!isDigit(text.charCodeAt(i))) return problem(expected);
    while (isDigit(text.charCodeAt(i))) i++;
    return undefined;
  };
  const string = (): SyntaxProblem | undefined => {
    i++; // the opening quote
    for (;;) {
      if (i >= n) return problem('a closing "');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return problem("a character of a string (control characters must be escaped, e.g. \\n)");
      if (c === 0x5c) {
        i++;
        if (ESCAPES.has(text.charAt(i))) i++;
        else if (text.charAt(i) === "u") {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!isHex(text.charCodeAt(i))) return problem("4 hexadecimal digits after \\u");
        } else return problem('an escape sequence (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)');
      } else i++;
    }
  };
  const number = (): SyntaxProblem | undefined => {
    if (text.charAt(i) === "-") i++;
    if (text.charAt(i) === "0") i++;
    else {
      const e = digits("a digit");
      if (e) return e;
    }
    if (text.charAt(i) === ".") {
      i++;
      const e = digits("a digit after the decimal point");
      if (e) return e;
    }
    if (text.charAt(i) === "e" || text.charAt(i) === "E") {
      i++;
      if (text.charAt(i) === "+" || text.charAt(i) === "-") i++;
      const e = digits("a digit in the exponent");
      if (e) return e;
    }
    return undefined;
  };
  const key = (): SyntaxProblem | undefined => {
    skipWhitespace();
    if (text.charAt(i) !== '"') return problem("a field name in double quotes");
    const e = string();
    if (e) return e;
    skipWhitespace();
    if (text.charAt(i) !== ":") return problem('":" after the field name');
    i++;
    return undefined;
  };

  const stack: ("array" | "object")[] = [];
  for (;;) {
    // A value is expected at i.
    skipWhitespace();
    const ch = text.charAt(i);
    if (ch === "{" || ch === "[") {
      i++;
      skipWhitespace();
      const close = ch === "{" ? "}" : "]";
      if (text.charAt(i) === close) i++;
      else {
        stack.push(ch === "{" ? "object" : "array");
        const e = ch === "{" ? key() : undefined;
        if (e) return e;
        continue;
      }
    } else if (ch === '"') {
      const e = string();
      if (e) return e;
    } else if (ch === "-" || isDigit(text.charCodeAt(i))) {
      const e = number();
      if (e) return e;
    } else {
      const literal = ["true", "false", "null"].find((w) => text.startsWith(w, i));
      if (literal === undefined) return problem("a JSON value (an object, array, string, number, true, false or null)");
      i += literal.length;
    }
    // A value ended: close containers until one expects another element.
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (top === undefined) return i >= n ? undefined : problem("the end of the text after the JSON value");
      const close = top === "object" ? "}" : "]";
      if (text.charAt(i) === ",") {
        i++;
        if (top === "object") {
          const e = key();
          if (e) return e;
        }
        break;
      }
      if (text.charAt(i) !== close) return problem(`"," or "${close}"`);
      i++;
      stack.pop();
    }
  }
};

const EXCERPT_WIDTH = 80;

/**
 * The InvalidJson error for a text `JSON.parse` refused: line, column and an excerpt of the line. `fallback`
 * (JSON.parse's own message) is used if the scanner finds nothing wrong, which would be a bug in the scanner.
 */
export const invalidJson = (text: string, fallback: string): Extract<ModelFileError, { _tag: "InvalidJson" }> => {
  const p = findSyntaxError(text) ?? { position: 0, expected: "JSON", found: `text that JSON.parse refused (${fallback})` };
  const lineStart = text.lastIndexOf("\n", p.position - 1) + 1;
  const lineEnd = text.indexOf("\n", p.position);
  const line = text
    .slice(lineStart, lineEnd < 0 ? text.length : lineEnd)
    .replace(/\r$/, "")
    .replace(/[\u0000-\u001f]/g, " ");
  const column = p.position - lineStart + 1;
  const start = line.length <= EXCERPT_WIDTH ? 0 : Math.max(0, Math.min(column - 1 - EXCERPT_WIDTH / 2, line.length - EXCERPT_WIDTH));
  const clipped = `${start > 0 ? "…" : ""}${line.slice(start, start + EXCERPT_WIDTH)}${start + EXCERPT_WIDTH < line.length ? "…" : ""}`;
  let lines = 1;
  for (let i = 0; i < lineStart; i++) if (text.charCodeAt(i) === 0x0a) lines++;
  return {
    _tag: "InvalidJson",
    position: p.position,
    line: lines,
    column,
    expected: p.expected,
    found: p.found,
    excerpt: { text: clipped, column: column - start + (start > 0 ? 1 : 0) },
  };
};

/** A step of a JSON path: an object field's name or an array index. */
export type PathStep = string | number;

/** What JSON.parse accepts but reads wrongly: a field given twice (the last one wins), a number beyond ±1.8e308 (read as ±Infinity). */
export type ValueProblem =
  | { readonly _tag: "DuplicateKey"; readonly path: readonly PathStep[]; readonly key: string; readonly position: number }
  | { readonly _tag: "NumberOverflow"; readonly path: readonly PathStep[]; readonly literal: string; readonly position: number };

interface Frame {
  readonly object: boolean;
  /** The field names seen so far (objects). */
  readonly keys: Set<string>;
  /** The current field name (objects) or element index (arrays). */
  step: PathStep;
}

/**
 * The first duplicate field name or overflowing number of a text that JSON.parse accepted, with its JSON path,
 * or undefined. One pass with an explicit stack (nesting of every depth); field names with escapes are compared
 * decoded ("\u0062ias" is "bias"). Only numbers that could overflow (with an exponent, or more than 308 integer
 * digits) are converted.
 */
export const findValueProblem = (text: string): ValueProblem | undefined => {
  const n = text.length;
  const stack: Frame[] = [];
  const path = (): PathStep[] => stack.map((f) => f.step);
  let i = 0;
  // The next backslash at or after a position, found once per backslash (indexOf is native: a model file's
  // base64 strings are megabytes that a loop over charCodeAt took ~15 ms to cross).
  let backslash = -1;
  const nextBackslash = (from: number): number => {
    if (backslash !== n && backslash < from) {
      backslash = text.indexOf("\\", from);
      if (backslash < 0) backslash = n;
    }
    return backslash;
  };
  /** The end (exclusive) of the string starting at i (its opening quote), and whether it has escapes. */
  const stringEnd = (from: number): { end: number; escaped: boolean } => {
    let k = from + 1;
    let escaped = false;
    for (;;) {
      // JSON.parse accepted the text: the string closes at the first quote that no backslash escapes.
      const quote = text.indexOf('"', k);
      const b = nextBackslash(k);
      if (quote < b) return { end: quote + 1, escaped };
      escaped = true;
      k = b + 2;
    }
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      // { or [: a new container; an object's first step is set when its first key is read.
      stack.push({ object: c === 0x7b, keys: new Set(), step: 0 });
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      i++;
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1]!;
      if (!top.object) top.step = (top.step as number) + 1;
      i++;
    } else if (c === 0x22) {
      const { end, escaped } = stringEnd(i);
      const top = stack[stack.length - 1];
      // A string directly followed by ':' is a field name.
      let k = end;
      while (k < n && isWhitespace(text.charCodeAt(k))) k++;
      if (top !== undefined && top.object && text.charCodeAt(k) === 0x3a) {
        const key = escaped ? (JSON.parse(text.slice(i, end)) as string) : text.slice(i + 1, end - 1);
        top.step = key;
        if (top.keys.has(key)) return { _tag: "DuplicateKey", path: path(), key, position: i };
        top.keys.add(key);
        i = k + 1;
      } else i = end;
    } else if (c === 0x2d || isDigit(c)) {
      // Without an exponent a number overflows only with more than 308 integer digits: count them on the way.
      let k = c === 0x2d ? i + 1 : i;
      while (k < n && isDigit(text.charCodeAt(k))) k++;
      const integerDigits = k - i - (c === 0x2d ? 1 : 0);
      let exponent = false;
      for (; k < n; k++) {
        const d = text.charCodeAt(k);
        if (d === 0x65 || d === 0x45) exponent = true;
        else if (!(isDigit(d) || d === 0x2e || d === 0x2b || d === 0x2d)) break;
      }
      if (exponent || integerDigits > 308) {
        const literal = text.slice(i, k);
        if (!Number.isFinite(Number(literal))) return { _tag: "NumberOverflow", path: path(), literal, position: i };
      }
      i = k;
    } else i++;
  }
  return undefined;
};

/** The 1-based line and column of a position. */
export const lineColumn = (text: string, position: number): { readonly line: number; readonly column: number } => {
  let line = 1;
  let start = 0;
  for (let k = 0; k < position; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      start = k + 1;
    }
  }
  return { line, column: position - start + 1 };
};
