/**
 * UTF-8 encoding tuned for short chat lines: pure-ASCII text (most lines) is copied by a plain
 * loop, which is several times cheaper than a `TextEncoder` call for strings this short.
 * @module
 */

const encoder = new TextEncoder();

/** Encodes `text` as UTF-8. */
export function encodeUtf8(text: string): Uint8Array {
  const n = text.length;
  if (n > 256) return encoder.encode(text);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return encoder.encode(text);
    out[i] = c;
  }
  return out;
}
