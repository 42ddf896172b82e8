/**
 * Stateless seeded hashing: each fault decision is a pure function of its inputs, so the same
 * seed hits the same frames whatever the timing.
 * @module
 */

/** murmur3's 32-bit finaliser: a fast, well-mixing bijection on u32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of u32 words into one u32 (murmur3-style combining). */
export function hashWords(words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    let k = Math.imul(w >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ words.length);
}

/** Hashes a string (UTF-16 code units) into one u32. */
export function hashString(text: string): number {
  const words: number[] = [];
  for (let i = 0; i < text.length; i++) words.push(text.charCodeAt(i));
  return hashWords(words);
}

/** A hash as a uniform number in [0, 1). */
export function unit(hash: number): number {
  return (hash >>> 0) / 4294967296;
}
