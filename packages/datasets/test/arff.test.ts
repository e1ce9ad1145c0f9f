import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { type ArffData, type DataError, message, parseArff } from "@dtd/datasets";

const ok = (text: string): ArffData => {
  const r = parseArff(text);
  if (E.isLeft(r)) throw new Error(`expected ARFF data, got: ${message(r.left)}`);
  return r.right;
};
const err = (text: string): DataError => {
  const r = parseArff(text);
  if (E.isRight(r)) throw new Error(`expected an error, got ${JSON.stringify(r.right)}`);
  return r.left;
};

const HEADER = [
  "% a comment line",
  "@RELATION 'people and pets'   % trailing comment",
  "",
  "@Attribute 'full name' STRING",
  "@attribute age NUMERIC",
  "@attribute weight real",
  "@ATTRIBUTE count Integer",
  "@attribute pet {cat, dog, 'guinea pig', \"o'clock\"}",
  "@data",
].join("\n");

describe("parseArff: header", () => {
  test("relation, attributes and nominal values, keywords in any case, quoted names", () => {
    const a = ok(`${HEADER}\n`);
    expect(a.relation).toBe("people and pets");
    expect(a.attributes).toEqual([
      { name: "full name", kind: "string" },
      { name: "age", kind: "numeric", declared: "numeric" },
      { name: "weight", kind: "numeric", declared: "real" },
      { name: "count", kind: "numeric", declared: "integer" },
      { name: "pet", kind: "nominal", values: ["cat", "dog", "guinea pig", "o'clock"] },
    ]);
    expect(a.rows).toEqual([]);
  });
});

describe("parseArff: data", () => {
  test("quoted strings with commas, both quote styles, escapes, ? missing versus '?' the string", () => {
    const a = ok(
      [
        HEADER,
        `'Smith, John',42,70.5,3,dog`,
        `"O'Brien \\"Bob\\"",-1.5e1,?,0,'guinea pig'`,
        `'tab\\there\\nnewline \\\\ \\' \\u0041 \\q',?,.5,+7,"o'clock"   % comment after a row`,
        "",
        "% a comment between rows",
        `'?',0,0,0,?`,
      ].join("\n"),
    );
    expect(a.rows).toEqual([
      ["Smith, John", 42, 70.5, 3, "dog"],
      ['O\'Brien "Bob"', -15, null, 0, "guinea pig"],
      ["tab\there\nnewline \\ ' A \\q", null, 0.5, 7, "o'clock"],
      ["?", 0, 0, 0, null],
    ]);
    expect(a.lines).toEqual([10, 11, 12, 15]);
  });

  test("sparse instances: omitted values are 0, the first nominal value, or the empty string", () => {
    const a = ok(`${HEADER}\n{1 5, 4 dog}\n{0 'Ann'}\n{ }\n`);
    expect(a.rows).toEqual([
      ["", 5, 0, 0, "dog"],
      ["Ann", 0, 0, 0, "cat"],
      ["", 0, 0, 0, "cat"],
    ]);
  });

  test("CRLF line endings", () => {
    const a = ok("@relation r\r\n@attribute x numeric\r\n@attribute s string\r\n@data\r\n1,'a b'\r\n2,c\r\n");
    expect(a.rows).toEqual([[1, "a b"], [2, "c"]]);
  });
});

describe("parseArff: malformed input gives a ParseError with the line", () => {
  const cases: readonly (readonly [string, string, number, RegExp])[] = [
    ["unterminated quote", `${HEADER}\n'Ann,1,2,3,cat\n`, 10, /expected a closing '/],
    ["too few values", `${HEADER}\n'Ann',1,2,3\n`, 10, /expected 5 values, found 4/],
    ["too many values", `${HEADER}\n'Ann',1,2,3,cat,9\n`, 10, /expected 5 values, found 6/],
    ["undeclared nominal value", `${HEADER}\n'Ann',1,2,3,cat\n'Bo',1,2,3,horse\n`, 11, /expected one of \{cat, dog, guinea pig, o'clock\} or \? for attribute "pet", found "horse"/],
    ["text in a numeric column", `${HEADER}\n'Ann',1,2,3,cat\n\n'Bo',old,2,3,cat\n`, 12, /a number or \? for attribute "age", found "old"/],
    ["missing comma", `${HEADER}\n'Ann' 1,2,3,cat\n`, 10, /expected ',' between values, found "1"/],
    ["quoted number", `${HEADER}\n'Ann','1',2,3,cat\n`, 10, /a number or \?/],
    ["sparse index out of order", `${HEADER}\n{3 1, 1 2}\n`, 10, /ascending attribute index in \[4, 4\], found "1"/],
    ["unsupported type", "@relation r\n@attribute d date 'yyyy-MM-dd'\n@data\n", 2, /type numeric, real, integer, string or \{nominal values\} for attribute "d", found "date"/],
    ["attribute before relation", "@attribute x numeric\n@data\n", 1, /@relation before the first @attribute/],
    ["unknown keyword", "@relation r\n@attribute x numeric\n@datum\n", 3, /expected @attribute or @data, found "@datum"/],
    ["duplicate attribute", "@relation r\n@attribute x numeric\n@attribute x string\n@data\n", 3, /distinct attribute names/],
    ["unclosed nominal list", "@relation r\n@attribute x {a, b\n@data\n", 2, /',' or '}' in the nominal list, found end of line/],
    ["no @data", "@relation r\n@attribute x numeric\n", 3, /expected a @data section/],
  ];
  test.each(cases)("%s", (_name, text, line, pattern) => {
    const e = err(text);
    expect(e).toMatchObject({ _tag: "ParseError", format: "arff", line });
    expect(message(e)).toMatch(new RegExp(`^ARFF line ${line}: `));
    expect(message(e)).toMatch(pattern);
  });
});
