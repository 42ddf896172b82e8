/**
 * Nickname rules. A nickname is checked in this order:
 *
 * 1. surrounding whitespace is trimmed and the name normalised to NFC;
 * 2. a control character (C0 including TAB, DEL, C1, U+2028, U+2029, bidi controls) refuses it;
 * 3. invisible characters (format characters and default-ignorable code points: zero-width
 *    spaces and joiners, variation selectors, U+034F, fillers such as U+3164) are removed, and
 *    the result is NFC-normalised and trimmed again;
 * 4. what is left must be 1 to {@link MAX_NICK} letters, digits, `_` or `-` (not first),
 *    combining marks allowed after a letter or digit, at most {@link MAX_NICK_MARKS} on one.
 *
 * Two nicknames clash when they share a key ({@link nickKeys}): the keys are confusable
 * skeletons (UTS #39) of the NFKC, lower-cased name, so `W1`, `wI`, `ｗ１` and Cyrillic `ԝ1`
 * all clash with `w1`, while `João` and `Joao` stay two names.
 * @module
 */

import { codePointName, findRefused, withoutInvisible } from "../text/sanitize.ts";
import { displayValue } from "../text/escape.ts";
import { skeleton } from "../text/skeleton.ts";

/** Longest nickname, in code points. */
export const MAX_NICK = 24;
/** Most combining marks on one letter of a nickname. */
export const MAX_NICK_MARKS = 2;

const NICK = /^[\p{L}\p{N}_][\p{L}\p{N}\p{M}_-]*$/u;
/** A run of more than MAX_NICK_MARKS marks. */
const MARK_STACK = new RegExp(`\\p{M}{${MAX_NICK_MARKS + 1}}`, "u");

/** Why a name is invalid, for a reply in any language. */
export type NameProblem =
  | { readonly kind: "control"; readonly codePoint: string }
  | { readonly kind: "empty" }
  | { readonly kind: "long"; readonly length: number; readonly max: number }
  | { readonly kind: "characters"; readonly shown: string }
  | { readonly kind: "marks"; readonly max: number; readonly shown: string };

/**
 * A nickname check: the normalised nickname, or why it is invalid (`reason` in English,
 * `problem` for the server's text tables).
 */
export type NickCheck = { readonly ok: true; readonly nick: string } | {
  readonly ok: false;
  readonly reason: string;
  readonly problem: NameProblem;
};

/** `problem` described in English (the same words as {@link NickCheck}'s `reason`). */
export function describeNameProblem(problem: NameProblem): string {
  switch (problem.kind) {
    case "control":
      return `control characters are not allowed: ${problem.codePoint}`;
    case "empty":
      return "empty";
    case "long":
      return `too long (${problem.length} characters, max ${problem.max})`;
    case "characters":
      return `only letters, digits, _ and - (not first) are allowed: ${problem.shown}`;
    case "marks":
      return `more than ${problem.max} combining marks on one letter: ${problem.shown}`;
  }
}

function invalid(problem: NameProblem): NickCheck {
  return { ok: false, reason: describeNameProblem(problem), problem };
}

/** Validates and normalises a nickname (module doc: the order of the checks). */
export function validateNick(raw: string): NickCheck {
  return validateName(raw, MAX_NICK);
}

/**
 * Validates and normalises a name by the nickname rules (module doc) with at most `max` code
 * points: nicknames and room names are checked alike.
 */
export function validateName(raw: string, max: number): NickCheck {
  const trimmed = raw.trim().normalize("NFC");
  const refused = findRefused(trimmed);
  if (refused !== undefined) return invalid({ kind: "control", codePoint: codePointName(refused) });
  const nick = withoutInvisible(trimmed).normalize("NFC").trim();
  if (nick === "") return invalid({ kind: "empty" });
  const length = [...nick].length;
  if (length > max) return invalid({ kind: "long", length, max });
  if (!NICK.test(nick)) return invalid({ kind: "characters", shown: displayValue(nick) });
  if (MARK_STACK.test(nick)) {
    return invalid({ kind: "marks", max: MAX_NICK_MARKS, shown: displayValue(nick) });
  }
  return { ok: true, nick };
}

/** Lower case, with Greek final sigma folded to σ as case folding does. */
function fold(text: string): string {
  return text.toLowerCase().replaceAll("ς", "σ");
}

/**
 * The keys under which a nickname is unique; two nicknames clash when they share one. With
 * `N` = NFKC(nick) and `S` = the UTS #39 skeleton: `S(fold(S(N)))` (look-alikes in any case:
 * `wI` and `w1`, both `wl`) and `S(fold(N))` (the same name in another case whose capital and
 * small letters have different prototypes, as Greek `Ν`/`ν`). One key when both are equal.
 */
export function nickKeys(nick: string): readonly string[] {
  const n = nick.normalize("NFKC");
  const visual = skeleton(fold(skeleton(n)));
  const caseless = skeleton(fold(n));
  return visual === caseless ? [visual] : [visual, caseless];
}

/** The first of {@link nickKeys}: equal for names that look alike. */
export function nickKey(nick: string): string {
  return nickKeys(nick)[0]!;
}

/**
 * True when `text` holds a character that chat text and nicknames refuse: a C0 control
 * (including TAB), DEL, a C1 control, U+2028, U+2029, a lone surrogate or a bidi control.
 */
export function hasControl(text: string): boolean {
  return findRefused(text) !== undefined;
}
