import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { type CsvTable, type DataError, message, parseCsv } from "@dtd/datasets";

const ok = (text: string): CsvTable => {
  const r = parseCsv(text);
  if (E.isLeft(r)) throw new Error(`expected a table, got: ${message(r.left)}`);
  return r.right;
};
const err = (text: string): DataError => {
  const r = parseCsv(text);
  if (E.isRight(r)) throw new Error(`expected an error, got ${JSON.stringify(r.right)}`);
  return r.left;
};

describe("parseCsv: RFC 4180 records", () => {
  test("plain records, header first, the line each record starts on", () => {
    const t = ok("a,b,c\n1,2,3\n4,5,6\n");
    expect(t.header).toEqual(["a", "b", "c"]);
    expect(t.rows).toEqual([["1", "2", "3"], ["4", "5", "6"]]);
    expect(t.lines).toEqual([2, 3]);
  });

  test("quoted fields keep commas, doubled quotes become one quote, empty quoted field is empty", () => {
    const t = ok('name,note,x\n"Smith, John","He said ""hi""",""\n');
    expect(t.rows).toEqual([["Smith, John", 'He said "hi"', ""]]);
  });

  test("line breaks inside quotes are kept, and later records report their physical line", () => {
    const t = ok('id,text\n1,"two\nlines"\n2,"three\r\nphysical\nlines"\n3,end\n');
    expect(t.rows).toEqual([
      ["1", "two\nlines"],
      ["2", "three\r\nphysical\nlines"],
      ["3", "end"],
    ]);
    expect(t.lines).toEqual([2, 4, 7]);
  });

  test("CRLF records, no final line break, a byte-order mark, empty lines skipped", () => {
    const t = ok('\uFEFFa,b\r\n1,"x"\r\n\r\n2,y');
    expect(t.header).toEqual(["a", "b"]);
    expect(t.rows).toEqual([["1", "x"], ["2", "y"]]);
    expect(t.lines).toEqual([2, 4]);
  });

  test("empty fields, including a trailing one, and spaces kept as data", () => {
    const t = ok("a,b,c\n,, \n1,,\n");
    expect(t.rows).toEqual([["", "", " "], ["1", "", ""]]);
  });

  test("another delimiter", () => {
    const r = parseCsv('a;b\n"1;2";3\n', ";");
    expect(E.isRight(r) && r.right.rows).toEqual([["1;2", "3"]]);
    expect(E.isLeft(parseCsv("a\n", '"'))).toBe(true);
  });
});

describe("parseCsv: malformed input gives a ParseError with the line", () => {
  test("unterminated quote: the line where the quote opened", () => {
    const e = err('a,b\n1,2\n3,"open\nstill open\n');
    expect(e).toMatchObject({ _tag: "ParseError", format: "csv", line: 3, found: "end of input" });
    expect(message(e)).toMatch(/^CSV line 3: expected a closing quote/);
  });

  test("a quote inside an unquoted field", () => {
    const e = err('a,b\n1,2\n3,ab"c\n');
    expect(e).toMatchObject({ _tag: "ParseError", line: 3 });
    expect(message(e)).toContain("no quote inside an unquoted field");
  });

  test("text after a closing quote", () => {
    const e = err('a,b\n"x"y,2\n');
    expect(e).toMatchObject({ _tag: "ParseError", line: 2, found: '"y"' });
  });

  test("a record with the wrong number of fields, after a multi-line field", () => {
    const e = err('a,b\n1,"x\ny"\n2\n');
    expect(e).toMatchObject({ _tag: "ParseError", line: 4, expected: "2 fields as in the header", found: "1 field" });
    expect(message(err("a,b\n1,2,3\n"))).toBe("CSV line 2: expected 2 fields as in the header, found 3 fields");
  });

  test("empty input", () => {
    expect(err("")).toMatchObject({ _tag: "ParseError", line: 1, found: "empty input" });
  });
});
