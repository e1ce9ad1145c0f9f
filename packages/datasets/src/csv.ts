/**
 * An RFC 4180 CSV reader: the first record is the header; fields may be enclosed in double quotes, inside which
 * commas, line breaks (LF or CRLF, kept as written) and doubled quotes (`""` → `"`) are literal.
 *
 * Leniencies, all common in practice: records may end in LF or CRLF (RFC 4180 says CRLF), a UTF-8 byte-order
 * mark is skipped, and empty lines between records are skipped. Strictness: a quote inside an unquoted field,
 * text after a closing quote, an unterminated quote, and a record whose field count differs from the header's
 * are errors that carry the physical line number.
 *
 * Reference: Y. Shafranovich, "Common Format and MIME Type for Comma-Separated Values (CSV) Files", RFC 4180, 2005.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { type DataError, show } from "./DataError.ts";

/** A parsed CSV file: the header, the data records (strings, unquoted), and the line each record starts on. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** `lines[r]` is the 1-based physical line where `rows[r]` starts. */
  readonly lines: readonly number[];
}

const parseError = (line: number, expected: string, found: string): E.Either<DataError, never> =>
  E.left({ _tag: "ParseError", format: "csv", line, expected, found });

/** Reads CSV text (see the module comment for the grammar). `delimiter` is one character, "," by default. */
export const parseCsv = (text: string, delimiter = ","): E.Either<DataError, CsvTable> => {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    return E.left({ _tag: "InvalidOption", op: "parseCsv", expected: "a one-character delimiter other than a quote or line break", found: show(delimiter) });
  }
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const records: string[][] = [];
  const lines: number[] = [];
  const isBreak = (c: string | undefined): boolean => c === "\n" || c === "\r";
  // Consumes one line break at i (LF, CRLF or a lone CR) and counts it.
  const skipBreak = (): void => {
    if (text[i] === "\r" && text[i + 1] === "\n") i += 2;
    else i += 1;
    line++;
  };

  while (i < n) {
    if (isBreak(text[i])) {
      skipBreak(); // an empty line between records
      continue;
    }
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const openLine = line;
        let value = "";
        let start = ++i;
        for (;;) {
          if (i >= n) return parseError(openLine, "a closing quote for the field opened on this line", "end of input");
          const c = text[i];
          if (c === '"') {
            value += text.slice(start, i);
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              start = i;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          i++;
        }
        fields.push(value);
        const after = text[i];
        if (i < n && after !== delimiter && !isBreak(after)) {
          return parseError(line, `'${delimiter}' or a line break after a closing quote`, show(after ?? ""));
        }
      } else {
        const start = i;
        while (i < n && text[i] !== delimiter && !isBreak(text[i])) {
          if (text[i] === '"') {
            return parseError(line, "no quote inside an unquoted field (enclose the field in quotes and double the quote)", show(text.slice(start, i + 1)));
          }
          i++;
        }
        fields.push(text.slice(start, i));
      }
      if (i >= n) break;
      if (text[i] === delimiter) {
        i++;
        if (i >= n || isBreak(text[i])) {
          fields.push(""); // a trailing delimiter ends with an empty field
          if (i < n) skipBreak();
          break;
        }
        continue;
      }
      skipBreak();
      break;
    }
    records.push(fields);
    lines.push(recordLine);
  }

  const header = records[0];
  if (header === undefined) return parseError(1, "a header record", "empty input");
  for (let r = 1; r < records.length; r++) {
    const found = records[r]!.length;
    if (found !== header.length) {
      return parseError(lines[r]!, `${header.length} fields as in the header`, `${found} field${found === 1 ? "" : "s"}`);
    }
  }
  return E.right({ header, rows: records.slice(1), lines: lines.slice(1) });
};
