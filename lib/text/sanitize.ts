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
 *   ZERO WIDTH JOINER between two pictographs, the first maybe followed by VS16 or a skin tone
 *   (emoji sequences such as 👨‍👩‍👧), and one variation selector right after a base character (❤️);
 * - **bounded**: at most {@link MAX_MARKS} combining marks on one base character (the rest of a
 *   "zalgo" stack is removed; invisible characters in between do not restart the count).
 *
 * Plain printable ASCII is returned unchanged after one plain scan, other text with none of these
 * characters after a second (Unicode) one; only text that holds them is walked code point by
 * code point.
 * @module
 */

/** Most combining marks kept on one base character of chat text. */
export const MAX_MARKS = 3;

/** Characters refused anywhere in chat text and nicknames (TAB is refused only in nicknames). */
const REFUSED = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
/** Anything but printable ASCII: text without it is returned at once. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
/** Every character the slow path must look at: controls, format, marks, default-ignorables. */
const SUSPECT = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{M}\p{Default_Ignorable_Code_Point}]/u;
/** Characters that are never shown: format characters and default-ignorable code points. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "gu");
const VARIATION_SELECTOR = /\p{Variation_Selector}/u;
const MARK = /\p{M}/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** What the slow path does with a code point. */
const BASE = 0,
  PICTO = 1,
  MODIFIER = 2,
  MARK_KIND = 3,
  SELECTOR = 4,
  JOINER = 5,
  HIDDEN = 6,
  REFUSE = 7,
  TAB = 8;
const ZWJ = 0x200d;
const VS16 = 0xfe0f;
/** Kinds of the non-ASCII code points met lately (bounded: cleared when full). */
const kinds = new Map<number, number>();
const KINDS_KEPT = 4096;

/** The kind of one code point: ASCII by range, the rest classified once and then looked up. */
function kindOf(cp: number): number {
  if (cp < 0x80) return cp === 0x09 ? TAB : cp < 0x20 || cp === 0x7f ? REFUSE : BASE;
  let kind = kinds.get(cp);
  if (kind !== undefined) return kind;
  const ch = String.fromCodePoint(cp);
  kind = REFUSED.test(ch)
    ? REFUSE
    : cp === ZWJ
    ? JOINER
    : VARIATION_SELECTOR.test(ch)
    ? SELECTOR
    : INVISIBLE.test(ch)
    ? HIDDEN
    : MARK.test(ch)
    ? MARK_KIND
    : cp >= 0x1f3fb && cp <= 0x1f3ff
    ? MODIFIER
    : PICTOGRAPH.test(ch)
    ? PICTO
    : BASE;
  if (kinds.size >= KINDS_KEPT) kinds.clear();
  kinds.set(cp, kind);
  return kind;
}

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
 * invisible character other than a ZWJ between pictographs or a variation selector after a
 * base, or more than {@link MAX_MARKS} marks on one base. It may be empty (all invisible).
 */
export function cleanChatText(text: string): string | TextRefusal {
  if (!NOT_PRINTABLE_ASCII.test(text) || !SUSPECT.test(text)) return text;
  let out = "";
  let kept = 0; // text[kept..i) is kept and not yet copied to `out`
  let marks = 0; // marks kept since the last base
  let afterBase = false; // the last character kept is a base (a selector may follow)
  let emoji = false; // the last base kept is a pictograph, maybe with VS16 or a skin tone
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const kind = kindOf(cp);
    let keep = true;
    switch (kind) {
      case REFUSE: {
        const char = String.fromCodePoint(cp);
        return { char, codePoint: codePointName(char) };
      }
      case TAB:
        out += text.slice(kept, i) + " ";
        kept = i + 1;
        marks = 0;
        afterBase = true;
        emoji = false;
        i++;
        continue;
      case JOINER: {
        const next = text.codePointAt(i + 1);
        keep = emoji && next !== undefined && kindOf(next) === PICTO;
        if (keep) afterBase = emoji = false;
        break;
      }
      case SELECTOR:
        keep = afterBase;
        if (keep && cp !== VS16) emoji = false;
        afterBase = false;
        break;
      case HIDDEN:
        keep = false; // neither shows nor ends a stack of marks
        break;
      case MARK_KIND:
        keep = marks < MAX_MARKS;
        marks++;
        afterBase = false;
        if (keep) emoji = false;
        break;
      default: // BASE, PICTO, MODIFIER
        marks = 0;
        afterBase = true;
        if (kind !== MODIFIER) emoji = kind === PICTO;
    }
    if (!keep) {
      out += text.slice(kept, i);
      kept = i + width;
    }
    i += width;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/** `text` without its invisible characters (format characters and default-ignorables). */
export function withoutInvisible(text: string): string {
  return INVISIBLE.test(text) ? text.replace(INVISIBLE_ALL, "") : text;
}
