import * as E from "fp-ts/lib/Either.js";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as B64 from "../src/internal/base64.ts";
import { nodeBase64 } from "../src/file.ts";

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
  test("floats unpack from a view at any offset of a larger buffer (as Node's Buffer pool gives), the buffer left as it was", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { maxLength: 20 }), fc.nat({ max: 15 }), fc.constantFrom("float32" as const, "float64" as const), (ds, offset, dtype) => {
        const bytes = B64.packFloats(dtype === "float32" ? Float32Array.from(ds) : Float64Array.from(ds), dtype);
        const big = new Uint8Array(offset + bytes.length + 3).fill(7);
        big.set(bytes, offset);
        const before = Array.from(big);
        const values = B64.unpackFloats(big.subarray(offset, offset + bytes.length), dtype);
        const expected = dtype === "float32" ? Array.from(Float32Array.from(ds)) : ds;
        expect(Array.from(values).map((v) => Object.is(v, -0) ? "-0" : v)).toEqual(expected.map((v) => Object.is(v, -0) ? "-0" : v));
        expect(Array.from(big)).toEqual(before);
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

// nodeBase64 (Buffer) must read exactly what the strict decoder reads, and leave every other text to it.
describe("Node's base64 reader (@dtd/model-io/file)", () => {
  const same = (text: string): void => {
    const strict = B64.decode(text);
    const through = B64.decodeWith(text, nodeBase64);
    expect(E.isRight(through) ? E.right(Array.from(through.right)) : through).toEqual(E.isRight(strict) ? E.right(Array.from(strict.right)) : strict);
  };
  test("any text (the alphabet, padding, URL-safe, blanks, Latin-1 and beyond): the strict decoder's bytes or its refusal", () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(..."ABCDQabcd0189+/=%-_ \n\u00c1\u0141\u0142") }), same));
  });
  test("the base64 of any bytes, with one character replaced: the same bytes, or the same refusal", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.nat(), fc.constantFrom(..."ABQw+/=-_ \u0141\u0100\uffff"), (bytes, at, ch) => {
        const good = B64.encode(bytes);
        expect(Array.from(nodeBase64(good) ?? [])).toEqual(Array.from(bytes));
        const i = good.length === 0 ? 0 : at % good.length;
        same(good.slice(0, i) + ch + good.slice(i + 1));
      }),
    );
  });
  test("it vouches for canonical base64 only: Buffer's leniencies go to the strict decoder", () => {
    expect(nodeBase64("AQID")).toEqual(Buffer.from([1, 2, 3]));
    for (const lenient of ["\u0141AAA", "AQ-_", "AQ I", "AQ", "AB==", "AQ=A"]) expect(nodeBase64(lenient)).toBeUndefined();
    expect(B64.decodeWith("AB==", nodeBase64)).toEqual(B64.decode("AB=="));
  });
});
