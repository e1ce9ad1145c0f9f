import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as B64 from "../src/internal/base64.ts";

// Buffer is the oracle here only: the codec under test must not use it (it runs in browsers).
describe("base64 codec (no Buffer)", () => {
  test("encodes as Buffer does, and decodes its own output back to the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = B64.encode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64"));
        expect(B64.decode(text)).toEqual(E.right(bytes));
      }),
    );
  });
  test("a text it accepts decodes to Buffer's bytes; what it refuses is not canonical base64", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ABCDabcd0189+/=%- \n") }), (text) => {
        const r = B64.decode(text);
        if (E.isRight(r)) expect(Array.from(r.right)).toEqual(Array.from(Buffer.from(text, "base64")));
        else expect(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)).toBe(false);
      }),
    );
  });
  test("a character outside the alphabet anywhere (non-ASCII too, in a whole group or the padded last one) is refused at its first place", () => {
    const outside = fc.oneof(fc.constantFrom(..."-_ .%\n\u0080\u00c1\u00e9\u0141\u20ac\uffff"), fc.integer({ min: 128, max: 0xffff }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), outside, (bytes, at, ch) => {
        const good = B64.encode(bytes);
        const body = good.replace(/=+$/, "").length;
        const i = at % body;
        const text = good.slice(0, i) + ch + good.slice(i + 1);
        expect(B64.decode(text)).toEqual(E.left({ expected: expect.any(String), found: `${JSON.stringify(ch)} at character ${i}` }));
      }),
    );
  });
  test("finite floats pack little-endian and unpack bit-identically (-0 included), float32 and float64", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true })), fc.array(fc.float({ noNaN: true })), (ds, fs) => {
        const d = Float64Array.from(ds);
        const f = Float32Array.from(fs);
        expect(Array.from(B64.packFloats(d, "float64"))).toEqual(Array.from(new Uint8Array(d.buffer)));
        expect(Array.from(B64.packFloats(f, "float32"))).toEqual(Array.from(new Uint8Array(f.buffer)));
        const d2 = B64.unpackFloats(B64.packFloats(d, "float64"), "float64");
        const f2 = Float32Array.from(B64.unpackFloats(B64.packFloats(f, "float32"), "float32"));
        expect(Array.from(new Uint8Array(d2.buffer))).toEqual(Array.from(new Uint8Array(d.buffer)));
        expect(Array.from(new Uint8Array(f2.buffer))).toEqual(Array.from(new Uint8Array(f.buffer)));
      }),
    );
  });
  test("strictness: padding, alphabet, length", () => {
    expect(B64.decode("AQID")).toEqual(E.right(Uint8Array.of(1, 2, 3)));
    expect(B64.decode("AQI=")).toEqual(E.right(Uint8Array.of(1, 2)));
    expect(B64.decode("AQ==")).toEqual(E.right(Uint8Array.of(1)));
    expect(B64.decode("")).toEqual(E.right(new Uint8Array(0)));
    expect(B64.decode("AQ")).toMatchObject({ left: { found: "2 characters, not a multiple of 4 (is the text cut short?)" } });
    expect(B64.decode("A=QI")).toMatchObject({ left: { found: '"=" at character 1' } });
    expect(B64.decode("AQ I")).toMatchObject({ left: { found: '" " at character 2' } });
    expect(B64.decode("AQ-_")).toMatchObject({ left: { found: '"-" at character 2' } });
  });
});
