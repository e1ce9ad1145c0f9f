/**
 * Byte arrays joined in order (TF.js weight shards are one buffer cut into files).
 * @module
 */

/** The bytes of `parts`, one after another. */
export const concatBytes = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
