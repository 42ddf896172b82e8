/**
 * The sentences the server's connection edge writes to a person (not the chat's replies, which
 * live with their commands in `lib/chat/`), in one table, so that a translation is one more table
 * of the same shape. The prompt `NICK` itself is protocol, not text: it is not here.
 * @module
 */

/** The server edge's user-facing text, English. */
export const SERVER_TEXT = {
  /**
   * The line after `NICK` for a person who did not answer it (netcat, telnet): starts on a line of
   * its own, and ends where the nickname is to be typed.
   */
  nickHint: "\nType a nickname (letters, digits, _ or -) and press Enter: ",
  /** The first line of `--trace`: what its times count from. */
  traceClock: (start: string) => `trace: times are seconds since this server started, at ${start}`,
} as const;
