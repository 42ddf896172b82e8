/**
 * The teacher password of `chat serve`: from `--teacher-password`, else from the environment
 * ({@link TEACHER_PASSWORD_ENV}, which `chat bench` sets for the server it starts, so it never
 * shows in `ps`), else made at start and printed for the teacher.
 * @module
 */

/** The environment variable `chat serve` takes its teacher password from, when no flag gives one. */
export const TEACHER_PASSWORD_ENV = "CHAT_TEACHER_PASSWORD";

/** Letters and digits nobody misreads on a projector (no 0/O, 1/l/I). */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A new password of `length` characters from {@link ALPHABET}, in groups of four (`k7fq-3mzt`). */
export function newTeacherPassword(length = 12): string {
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % ALPHABET.length);
  const chars: string[] = [];
  while (chars.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      if (b < limit && chars.length < length) chars.push(ALPHABET[b % ALPHABET.length]!);
    }
  }
  return chars.join("").replace(/(.{4})(?=.)/g, "$1-");
}
