/**
 * Showing a string that someone else supplied (a peer's RST reason, an unknown verb, a line in
 * the operator's `--trace`) exactly as it is, on one line, bounded: every character that could
 * break the line, move the cursor, recolour the terminal, reorder the text (bidi controls) or
 * hide (format characters, default-ignorables) is written as an escape, TAB, LF and CR as `\t`,
 * `\n`, `\r`, the rest as `\u{1b}`, a backslash as `\\`; combining marks past the third on one
 * base are escaped too. The result is plain text with none of those characters in it.
 * @module
 */

import { MAX_MARKS } from "./sanitize.ts";

/** Longest leave reason shown in a notice, in characters (then `…`). */
export const MAX_REASON = 80;
/** Longest echo of a client's value in a reply (`Unknown command: ...`), in characters. */
export const MAX_ECHO = 64;

/** Characters always escaped. */
const ESCAPED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\\]/u;
/** Characters the fast path must look at: the escaped ones and marks (they are counted). */
const SUSPECT = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{M}\p{Default_Ignorable_Code_Point}\\]/u;
const MARK = /\p{M}/u;
const NAMED: Readonly<Record<string, string>> = {
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\\": "\\\\",
};

/** The escape of one character: `\n` or `\u{202e}`. */
function escapeChar(ch: string): string {
  return NAMED[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

/**
 * `text` with every unsafe character escaped (module doc) and every character of `also`
 * escaped as `\u{..}` too, cut to at most `max` characters (code points), with `…` appended
 * when it was cut. An escape is never cut in two.
 */
export function escapeForDisplay(text: string, max = Infinity, also = ""): string {
  if (text.length <= max && !SUSPECT.test(text) && !hasAnyOf(text, also)) return text;
  let out = "";
  let count = 0;
  let marks = 0;
  for (const ch of text) {
    let piece = ch;
    if (ESCAPED.test(ch) || (also !== "" && also.includes(ch))) {
      piece = escapeChar(ch);
      marks = 0;
    } else if (MARK.test(ch)) {
      if (++marks > MAX_MARKS) piece = escapeChar(ch);
    } else marks = 0;
    const length = piece === ch ? 1 : piece.length;
    if (count + length > max) return out + "…";
    out += piece;
    count += length;
  }
  return out;
}

function hasAnyOf(text: string, chars: string): boolean {
  for (const c of chars) if (text.includes(c)) return true;
  return false;
}

/**
 * A leave reason as shown in `*** nick left (reason)`: escaped, `]` escaped too (so a notice
 * never holds `]:`), at most {@link MAX_REASON} characters.
 */
export function displayReason(reason: string): string {
  return escapeForDisplay(reason, MAX_REASON, "]");
}

/** A client's value echoed in a reply (an unknown verb, a PRIV target): escaped, bounded. */
export function displayValue(value: string): string {
  return escapeForDisplay(value, MAX_ECHO);
}

/** Characters a JSON string literal may still hold raw that a terminal would act on or hide. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, "gu");

/** True when `text` holds a character {@link quoteForLog} would escape. */
export function hasHidden(text: string): boolean {
  return HIDDEN.test(text);
}

/**
 * `text` as a JSON string literal in which C1 controls, format characters, line separators and
 * default-ignorables are `\uXXXX` escapes too (`JSON.stringify` escapes only C0): still valid
 * JSON, and safe to print on a terminal.
 */
export function quoteForLog(text: string): string {
  return JSON.stringify(text).replace(HIDDEN_ALL, (c) => {
    let escaped = "";
    for (let i = 0; i < c.length; i++) {
      escaped += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`;
    }
    return escaped;
  });
}
