/**
 * Bytes ↔ text without Node's Buffer (this package runs in browsers): UTF-8 through the platform's
 * TextDecoder, and the short base64 strings of graph-model attributes.
 * @module
 */

interface Decoder {
  decode(bytes: Uint8Array): string;
}
const TextDecoderCtor = (globalThis as { TextDecoder?: new (label?: string, options?: { fatal?: boolean }) => Decoder }).TextDecoder;

/** The UTF-8 text of some bytes (a byte-order mark dropped), or undefined when they are not UTF-8. */
export const utf8 = (bytes: Uint8Array): string | undefined => {
  if (TextDecoderCtor === undefined) throw new Error("TextDecoder is not available on this platform");
  try {
    const text = new TextDecoderCtor("utf-8", { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
};

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The Latin-1 text of a base64 string (graph models write string attributes so), or undefined when it is not base64. */
export const base64Text = (b64: string): string | undefined => {
  const clean = b64.replace(/=+$/, "");
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
    }
  }
  return out;
};
