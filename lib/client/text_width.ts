/**
 * How many terminal columns a code point takes: 2 for East Asian Wide and Fullwidth characters
 * (CJK, most emoji), 0 for combining marks and format characters (they draw on the character
 * before them), 1 for the rest. Control characters are never drawn by the editor, so their width
 * is not asked for.
 * @module
 */

import { eastAsianWidth } from "get-east-asian-width";

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Columns `codePoint` takes on a terminal: 0, 1 or 2. */
export function codePointWidth(codePoint: number): 0 | 1 | 2 {
  if (codePoint >= 0x20 && codePoint < 0x7f) return 1;
  // Hangul medial vowels and final consonants join the syllable before them.
  if (codePoint >= 0x1160 && codePoint <= 0x11ff) return 0;
  if (ZERO_WIDTH.test(String.fromCodePoint(codePoint))) return 0;
  return eastAsianWidth(codePoint) === 2 ? 2 : 1;
}

/** Columns `text` takes, the sum of its code points' widths. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += codePointWidth(ch.codePointAt(0)!);
  return w;
}
