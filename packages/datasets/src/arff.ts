/**
 * An ARFF reader (Weka's Attribute-Relation File Format), for the OpenML/Weka files that data sets ship as.
 *
 * Grammar, as Weka reads it:
 * - `@RELATION <name>`, then one `@ATTRIBUTE <name> <type>` per column, then `@DATA` and one instance per line.
 *   Keywords and type names are case-insensitive; names and values may be quoted with '…' or "…".
 * - Types: `numeric`, `real`, `integer` (all read as numbers), `string`, and nominal `{a, b, 'c d'}`.
 *   `date` and `relational` are refused with an error naming the attribute.
 * - Values are separated by commas; `?` (unquoted) is a missing value, while `'?'` is the string "?".
 * - Inside quotes, backslash escapes: `\\ \' \" \n \r \t \%` and `\uXXXX`; an unknown escape is kept literally.
 * - `%` outside quotes starts a comment that runs to the end of the line; blank lines are skipped.
 * - Sparse instances `{3 X, 7 Y}` (0-based indices, ascending) list the non-default values; the omitted ones are
 *   0 for numbers, the first declared value for nominals and "" for strings (Weka's convention).
 * - Instance weights (`…, {0.5}` after a dense row) are not supported: such a row is reported as malformed.
 *
 * Every malformed line gives a tagged error with its 1-based line number.
 * Reference: Weka ARFF (stable version), https://waikato.github.io/weka-wiki/formats_and_processing/arff_stable/
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type DataError, show } from "./DataError.ts";

/** One column of an ARFF file. `numeric` covers the declared types numeric, real and integer. */
export type ArffAttribute =
  | { readonly name: string; readonly kind: "numeric"; readonly declared: "numeric" | "real" | "integer" }
  | { readonly name: string; readonly kind: "string" }
  | { readonly name: string; readonly kind: "nominal"; readonly values: readonly string[] };

/** A cell: a number (numeric), a string (string or nominal), or null (missing, `?`). */
export type ArffValue = number | string | null;

/** A parsed ARFF file. */
export interface ArffData {
  readonly relation: string;
  readonly attributes: readonly ArffAttribute[];
  readonly rows: readonly (readonly ArffValue[])[];
  /** `lines[r]` is the 1-based line of `rows[r]`. */
  readonly lines: readonly number[];
}

interface Token {
  readonly kind: "word" | "quoted" | "{" | "}" | ",";
  readonly text: string;
}

type Result<A> = E.Either<DataError, A>;

const parseError = (line: number, expected: string, found: string): Result<never> =>
  E.left({ _tag: "ParseError", format: "arff", line, expected, found });

const showToken = (t: Token | undefined): string =>
  t === undefined ? "end of line" : t.kind === "word" || t.kind === "quoted" ? show(t.text) : `'${t.kind}'`;

const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\", "'": "'", '"': '"', n: "\n", r: "\r", t: "\t", "%": "%" };

/** Splits one line into tokens; stops at a `%` comment outside quotes. */
const tokenize = (text: string, line: number): Result<Token[]> => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "%") {
      break;
    } else if (c === "{" || c === "}" || c === ",") {
      tokens.push({ kind: c, text: c });
      i++;
    } else if (c === "'" || c === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) return parseError(line, `a closing ${c} (quoted values cannot span lines)`, "end of line");
        const d = text[i]!;
        if (d === c) break;
        if (d === "\\" && i + 1 < text.length) {
          const e = text[i + 1]!;
          const hex = e === "u" ? text.slice(i + 2, i + 6) : "";
          if (hex.length === 4 && /^[0-9a-fA-F]{4}$/.test(hex)) {
            value += String.fromCharCode(parseInt(hex, 16));
            i += 6;
          } else {
            value += ESCAPES[e] ?? d + e;
            i += 2;
          }
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: "quoted", text: value });
    } else {
      const start = i;
      while (i < text.length && !" \t\r%{},".includes(text[i]!)) i++;
      tokens.push({ kind: "word", text: text.slice(start, i) });
    }
  }
  return E.right(tokens);
};

const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === "word" || t.kind === "quoted");

/** Parses `{a, b, 'c d'}` starting at tokens[0] === "{"; the list must end the line. */
const parseNominal = (tokens: readonly Token[], line: number): Result<string[]> => {
  const values: string[] = [];
  let k = 1;
  for (;;) {
    const v = tokens[k];
    if (!isName(v)) return parseError(line, "a nominal value", showToken(v));
    if (values.includes(v.text)) return parseError(line, "distinct nominal values", `${show(v.text)} twice`);
    values.push(v.text);
    const sep = tokens[k + 1];
    if (sep?.kind === "}") break;
    if (sep?.kind !== ",") return parseError(line, "',' or '}' in the nominal list", showToken(sep));
    k += 2;
  }
  if (k + 2 < tokens.length) return parseError(line, "end of line after '}'", showToken(tokens[k + 2]));
  return E.right(values);
};

/** Parses the tokens after `@attribute`. */
const parseAttribute = (tokens: readonly Token[], line: number): Result<ArffAttribute> => {
  const name = tokens[1];
  if (!isName(name)) return parseError(line, "an attribute name after @attribute", showToken(name));
  const type = tokens[2];
  if (type?.kind === "{") {
    return E.map((values: string[]): ArffAttribute => ({ name: name.text, kind: "nominal", values }))(
      parseNominal(tokens.slice(2), line),
    );
  }
  if (type?.kind !== "word") return parseError(line, `a type for attribute ${show(name.text)}`, showToken(type));
  const declared = type.text.toLowerCase();
  if (declared !== "numeric" && declared !== "real" && declared !== "integer" && declared !== "string") {
    return parseError(line, `type numeric, real, integer, string or {nominal values} for attribute ${show(name.text)}`, show(type.text));
  }
  if (tokens.length > 3) return parseError(line, `end of line after type ${type.text}`, showToken(tokens[3]));
  return E.right(declared === "string" ? { name: name.text, kind: "string" } : { name: name.text, kind: "numeric", declared });
};

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Converts one value token for attribute `a`. */
const convert = (t: Token, a: ArffAttribute, line: number): Result<ArffValue> => {
  if (t.kind === "word" && t.text === "?") return E.right(null);
  switch (a.kind) {
    case "numeric": {
      const v = Number(t.text);
      if (t.kind !== "word" || !NUMBER.test(t.text) || !Number.isFinite(v)) {
        return parseError(line, `a number or ? for attribute ${show(a.name)}`, showToken(t));
      }
      return E.right(v);
    }
    case "nominal":
      return a.values.includes(t.text)
        ? E.right(t.text)
        : parseError(line, `one of {${a.values.join(", ")}} or ? for attribute ${show(a.name)}`, showToken(t));
    case "string":
      return E.right(t.text);
  }
};

const defaultValue = (a: ArffAttribute): ArffValue =>
  a.kind === "numeric" ? 0 : a.kind === "nominal" ? (a.values[0] ?? null) : "";

/** Parses a dense instance: value (, value)*. */
const parseDense = (tokens: readonly Token[], attrs: readonly ArffAttribute[], line: number): Result<ArffValue[]> => {
  const row: ArffValue[] = [];
  for (let k = 0; ; k += 2) {
    const t = tokens[k];
    const a = attrs[row.length];
    if (a === undefined) return parseError(line, `${attrs.length} values`, `${tokens.filter(isName).length}`);
    if (!isName(t)) return parseError(line, `a value for attribute ${show(a.name)}`, showToken(t));
    const v = convert(t, a, line);
    if (E.isLeft(v)) return v;
    row.push(v.right);
    const sep = tokens[k + 1];
    if (sep === undefined) break;
    if (sep.kind !== ",") return parseError(line, "',' between values", showToken(sep));
  }
  if (row.length !== attrs.length) return parseError(line, `${attrs.length} values`, `${row.length}`);
  return E.right(row);
};

/** Parses a sparse instance: { index value (, index value)* }. */
const parseSparse = (tokens: readonly Token[], attrs: readonly ArffAttribute[], line: number): Result<ArffValue[]> => {
  const row = attrs.map(defaultValue);
  let last = -1;
  let k = 1;
  if (tokens[k]?.kind !== "}") {
    for (;;) {
      const idx = tokens[k];
      const index = idx?.kind === "word" && /^\d+$/.test(idx.text) ? Number(idx.text) : -1;
      if (index < 0 || index >= attrs.length || index <= last) {
        return parseError(line, `an ascending attribute index in [${last + 1}, ${attrs.length - 1}]`, showToken(idx));
      }
      const t = tokens[k + 1];
      if (!isName(t)) return parseError(line, `a value after index ${index}`, showToken(t));
      const v = convert(t, attrs[index]!, line);
      if (E.isLeft(v)) return v;
      row[index] = v.right;
      last = index;
      const sep = tokens[k + 2];
      k += 3;
      if (sep?.kind === "}") break;
      if (sep?.kind !== ",") return parseError(line, "',' or '}' in a sparse instance", showToken(sep));
    }
  } else {
    k++;
  }
  if (k < tokens.length) return parseError(line, "end of line after '}'", showToken(tokens[k]));
  return E.right(row);
};

/** Reads ARFF text (see the module comment for the grammar). */
export const parseArff = (text: string): Result<ArffData> => {
  const source = text.split("\n");
  let relation: string | undefined;
  const attributes: ArffAttribute[] = [];
  const rows: ArffValue[][] = [];
  const lines: number[] = [];
  let inData = false;
  for (let l = 0; l < source.length; l++) {
    const line = l + 1;
    const tokenized = tokenize(l === 0 && source[0]!.charCodeAt(0) === 0xfeff ? source[0]!.slice(1) : source[l]!, line);
    if (E.isLeft(tokenized)) return tokenized;
    const tokens = tokenized.right;
    const first = tokens[0];
    if (first === undefined) continue; // blank or comment
    if (inData) {
      const row = first.kind === "{" ? parseSparse(tokens, attributes, line) : parseDense(tokens, attributes, line);
      if (E.isLeft(row)) return row;
      rows.push(row.right);
      lines.push(line);
      continue;
    }
    const keyword = first.kind === "word" ? first.text.toLowerCase() : "";
    if (keyword === "@relation") {
      if (relation !== undefined) return parseError(line, "a single @relation", "a second one");
      const name = tokens[1];
      if (!isName(name) || tokens.length > 2) return parseError(line, "@relation followed by one name", showToken(tokens[isName(name) ? 2 : 1]));
      relation = name.text;
    } else if (keyword === "@attribute") {
      if (relation === undefined) return parseError(line, "@relation before the first @attribute", "@attribute");
      const a = parseAttribute(tokens, line);
      if (E.isLeft(a)) return a;
      if (attributes.some((b) => b.name === a.right.name)) return parseError(line, "distinct attribute names", `${show(a.right.name)} twice`);
      attributes.push(a.right);
    } else if (keyword === "@data") {
      if (attributes.length === 0) return parseError(line, "at least one @attribute before @data", "@data");
      if (tokens.length > 1) return parseError(line, "end of line after @data", showToken(tokens[1]));
      inData = true;
    } else {
      return parseError(line, relation === undefined ? "@relation" : "@attribute or @data", showToken(first));
    }
  }
  if (!inData) return parseError(source.length, "a @data section", "end of input");
  return E.right({ relation: relation ?? "", attributes, rows, lines });
};
