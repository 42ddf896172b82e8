/**
 * What one user's chat text may put on another user's screen. A chat line is the server's
 * `[nick]: ` followed by the text, so the text must stay on that line and show what it says:
 *
 * - **refused** (the sender gets 400): C0 and C1 controls and DEL (except TAB), line and
 *   paragraph separators (Zl, Zp), lone surrogates (Cs) and the bidirectional controls
 *   (`Bidi_Control`: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069);
 * - **replaced**: a TAB becomes one space (pasted code keeps its words apart);
 * - **removed**: every other format character (Cf) and every default-ignorable code point
 *   (zero-width spaces, soft hyphens, tag characters, fillers such as U+3164, U+034F), except a
 *   ZERO WIDTH JOINER between two pictographs (emoji sequences such as 👨‍👩‍👧) and one variation
 *   selector right after a base character (❤️);
 * - **bounded**: at most {@link MAX_MARKS} combining marks on one base character (the rest of a
 *   "zalgo" stack is removed; invisible characters in between do not restart the count).
 *
 * Plain printable ASCII, and text with none of these characters, is returned unchanged after one
 * regular-expression scan.
 * @module
 */

/** Most combining marks kept on one base character of chat text. */
export const MAX_MARKS = 3;

/** Characters refused anywhere in chat text and nicknames (TAB is refused only in nicknames). */
const REFUSED = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
// deno-lint-ignore no-control-regex -- matching control characters is the point
const REFUSED_BUT_TAB = /[\x00-\x08\x0a-\x1f\x7f-\x9f\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
/** Every character the slow path must look at: controls, format, marks, default-ignorables. */
const SUSPECT = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{M}\p{Default_Ignorable_Code_Point}]/u;
const SUSPECT_ALL = new RegExp(SUSPECT.source, "gu");
/** Characters that are never shown: format characters and default-ignorable code points. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "gu");
const VARIATION_SELECTOR = /\p{Variation_Selector}/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const ZWJ = "\u200d";
const VS16 = 0xfe0f;

/** Why chat text was refused: the first refused character. */
export interface TextRefusal {
  /** The refused character. */
  readonly char: string;
  /** `U+001B` style name of it. */
  readonly codePoint: string;
}

/** `U+XXXX` for the first code point of `char`. */
export function codePointName(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The first character of `text` that chat text and nicknames refuse, or `undefined`. */
export function findRefused(text: string): string | undefined {
  return REFUSED.exec(text)?.[0];
}

/**
 * The chat text to broadcast for `text` as a user typed it, or why it is refused (module doc:
 * refused, replaced, removed, bounded). The result never holds a refused character, a TAB, an
 * invisible character other than an emoji joiner or a variation selector after a base, or more
 * than {@link MAX_MARKS} marks on one base. It may be empty (the text was all invisible).
 */
export function cleanChatText(text: string): string | TextRefusal {
  if (!SUSPECT.test(text)) return text;
  const refused = REFUSED_BUT_TAB.exec(text);
  if (refused !== null) return { char: refused[0], codePoint: codePointName(refused[0]) };
  return cleanSuspects(text);
}

/** The slow path of {@link cleanChatText}, for text holding no refused character. */
function cleanSuspects(text: string): string {
  let out = "";
  let from = 0;
  let marks = 0;
  let afterBase = false;
  SUSPECT_ALL.lastIndex = 0;
  for (let m = SUSPECT_ALL.exec(text); m !== null; m = SUSPECT_ALL.exec(text)) {
    const ch = m[0];
    if (m.index > from) {
      out += text.slice(from, m.index);
      marks = 0;
      afterBase = true;
    }
    from = m.index + ch.length;
    if (ch === "\t") {
      out += " ";
      marks = 0;
      afterBase = true;
    } else if (ch === ZWJ) {
      if (joinsPictographs(out, text, from)) {
        out += ch;
        afterBase = false;
      }
    } else if (VARIATION_SELECTOR.test(ch)) {
      if (afterBase) out += ch;
      afterBase = false;
    } else if (INVISIBLE.test(ch)) {
      // Removed: an invisible character neither shows nor ends a stack of marks.
    } else {
      if (marks < MAX_MARKS) out += ch;
      marks++;
      afterBase = false;
    }
  }
  return out + text.slice(from);
}

/**
 * True when a ZWJ between `out` (what is kept so far) and `text[next..]` joins two pictographs,
 * the first possibly followed by VS16 or a skin-tone modifier.
 */
function joinsPictographs(out: string, text: string, next: number): boolean {
  const after = text.codePointAt(next);
  if (after === undefined || !PICTOGRAPH.test(String.fromCodePoint(after))) return false;
  let end = out.length;
  for (let step = 0; step < 3 && end > 0; step++) {
    const cp = lastCodePoint(out, end);
    if (PICTOGRAPH.test(String.fromCodePoint(cp))) return true;
    if (cp !== VS16 && !(cp >= 0x1f3fb && cp <= 0x1f3ff)) return false;
    end -= cp > 0xffff ? 2 : 1;
  }
  return false;
}

/** The code point that ends at `end` in `s` (`end` > 0). */
function lastCodePoint(s: string, end: number): number {
  const low = s.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = s.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.codePointAt(end - 2)!;
  }
  return low;
}

/** `text` without its invisible characters (format characters and default-ignorables). */
export function withoutInvisible(text: string): string {
  return INVISIBLE.test(text) ? text.replace(INVISIBLE_ALL, "") : text;
}
