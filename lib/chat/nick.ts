/**
 * Nickname rules: 1 to 24 Unicode letters, digits, `_` or `-`, not starting with `-`,
 * NFC-normalised ("João" is valid), unique without regard to case.
 * @module
 */

/** Longest nickname, in code points. */
export const MAX_NICK = 24;

const NICK = /^[\p{L}\p{N}_][\p{L}\p{N}\p{M}_-]*$/u;

/** A nickname check: the normalised nickname, or why it is invalid. */
export type NickCheck = { readonly ok: true; readonly nick: string } | {
  readonly ok: false;
  readonly reason: string;
};

/** Validates and normalises a nickname. */
export function validateNick(raw: string): NickCheck {
  const nick = raw.trim().normalize("NFC");
  if (nick === "") return { ok: false, reason: "empty" };
  if (hasControl(nick)) return { ok: false, reason: "control characters are not allowed" };
  const length = [...nick].length;
  if (length > MAX_NICK) {
    return { ok: false, reason: `too long (${length} characters, max ${MAX_NICK})` };
  }
  if (!NICK.test(nick)) {
    return { ok: false, reason: `only letters, digits, _ and - (not first) are allowed: ${nick}` };
  }
  return { ok: true, nick };
}

/** The key under which a nickname is unique (case-insensitive). */
export function nickKey(nick: string): string {
  return nick.normalize("NFC").toLowerCase();
}

// C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings and isolates.
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** True when `text` holds a control character that could forge or garble another line. */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}
