/**
 * Base64 (RFC 4648 §4: `A–Z a–z 0–9 + /`, padded with `=`) and little-endian float packing, without Node's
 * Buffer, so that the decoder runs in browsers too. Decoding is strict: no whitespace, no line breaks, the
 * length a multiple of 4, `=` only as the final padding.
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import * as T from "@dtd/tensor";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const CODES = Uint8Array.from(ALPHABET, (ch) => ch.charCodeAt(0));
const PAD = "=".charCodeAt(0);
const VALUES = (() => {
  const v = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) v[ALPHABET.charCodeAt(i)] = i;
  return v;
})();

/** What was wrong with a base64 text. */
export interface Base64Error {
  readonly expected: string;
  readonly found: string;
}

/** The base64 text of some bytes. */
export const encode = (bytes: Uint8Array): string => {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
    out[o++] = CODES[(n >>> 6) & 63]!;
    out[o++] = CODES[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = CODES[n >>> 18]!;
    out[o++] = CODES[(n >>> 12) & 63]!;
    out[o++] = rest === 2 ? CODES[(n >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return new TextDecoder().decode(out);
};

/** The first character outside the alphabet among the first `n` of a text (`n` when there is none). */
const firstBadCharacter = (text: string, n: number): number => {
  let i = 0;
  while (i < n && text.charCodeAt(i) < 128 && VALUES[text.charCodeAt(i)]! >= 0) i++;
  return i;
};

/**
 * The bytes of a base64 text, or what is wrong with it (naming the first offending character). One pass over the
 * text (a model file's weights are megabytes of it, read at every start of the CLI): the characters' codes and
 * values are OR-ed together on the way, and only a text that turns out bad is scanned again to say where.
 */
export const decode = (text: string): E.Either<Base64Error, Uint8Array> => {
  const expected = "base64 text (A–Z, a–z, 0–9, +, /, padded with = to a multiple of 4 characters)";
  if (text.length % 4 !== 0) return E.left({ expected, found: `${text.length} characters, not a multiple of 4 (is the text cut short?)` });
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const n = text.length - pad;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  // codes ≥ 128 index past VALUES (undefined | x is x): they show in `codes`; a character outside the alphabet in `values`.
  let codes = 0;
  let values = 0;
  let o = 0;
  let i = 0;
  for (const whole = n - (n % 4); i < whole; i += 4) {
    const ca = text.charCodeAt(i);
    const cb = text.charCodeAt(i + 1);
    const cc = text.charCodeAt(i + 2);
    const cd = text.charCodeAt(i + 3);
    codes |= ca | cb | cc | cd;
    const a = VALUES[ca]!;
    const b = VALUES[cb]!;
    const c = VALUES[cc]!;
    const d = VALUES[cd]!;
    values |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o] = v >>> 16;
    bytes[o + 1] = (v >>> 8) & 255;
    bytes[o + 2] = v & 255;
    o += 3;
  }
  if (i < n) {
    // The last group, before its padding: 2 or 3 characters (the length is a multiple of 4, the padding 1 or 2).
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const code = i + k < n ? text.charCodeAt(i + k) : 0x41; // "A" (0) in place of the padding
      codes |= code;
      const x = VALUES[code]!;
      values |= x;
      v = (v << 6) | (x & 63);
    }
    if (o < bytes.length) bytes[o++] = v >>> 16;
    if (o < bytes.length) bytes[o++] = (v >>> 8) & 255;
  }
  if (codes >= 128 || values < 0) {
    const bad = firstBadCharacter(text, n);
    return E.left({ expected, found: `${JSON.stringify(text.charAt(bad))} at character ${bad}` });
  }
  return E.right(bytes);
};

/** Bytes per value of a dtype. */
export const bytesPer = (dtype: T.DType): number => (dtype === "float32" ? 4 : 8);

/** The little-endian bytes of float values. */
export const packFloats = (data: T.FloatArray, dtype: T.DType): Uint8Array => {
  const k = bytesPer(dtype);
  const bytes = new Uint8Array(data.length * k);
  const view = new DataView(bytes.buffer);
  if (dtype === "float32") for (let i = 0; i < data.length; i++) view.setFloat32(i * k, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setFloat64(i * k, data[i]!, true);
  return bytes;
};

/**
 * A platform's own base64 decoder (e.g. Node's Buffer: native, ~10× the speed of `decode` on a model file's
 * megabytes), for `decodeModel`'s `base64` option. It returns exactly the bytes `decode` would, or undefined
 * when it cannot vouch for the text — then `decode` reads it, and says what is wrong if anything is.
 */
export type Base64Reader = (text: string) => Uint8Array | undefined;

/** The bytes of a base64 text, through the platform's reader when it vouches for them, else `decode`. */
export const decodeWith = (text: string, reader: Base64Reader | undefined): E.Either<Base64Error, Uint8Array> => {
  const fast = reader?.(text);
  return fast === undefined ? decode(text) : E.right(fast);
};

/** Whether this machine stores numbers little-endian (typed arrays use its byte order). */
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Float values from little-endian bytes (the length must be a multiple of the value's size). On a little-endian
 * machine (every one dtd runs on in practice) the bytes are copied once and read in place, instead of one DataView
 * read per value: the same values, a few milliseconds less per megabyte at each start.
 */
export const unpackFloats = (bytes: Uint8Array, dtype: T.DType): Float64Array => {
  const k = bytesPer(dtype);
  if (littleEndian) {
    // A copy: `bytes` may be a view of a larger buffer (Node's Buffer pool), at any offset.
    const own = new Uint8Array(bytes.length - (bytes.length % k));
    own.set(bytes.subarray(0, own.length));
    return dtype === "float32" ? Float64Array.from(new Float32Array(own.buffer)) : new Float64Array(own.buffer);
  }
  const out = new Float64Array(bytes.length / k);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === "float32") for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * k, true);
  else for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * k, true);
  return out;
};
