/**
 * Status codes of the application protocol, modelled on HTTP (seed 000). Every response is a
 * status line `CODE Reason[ - detail]` followed by exactly one body line.
 * @module
 */

/** One status code, its reason phrase and when the server uses it. */
export interface StatusInfo {
  /** The numeric code. */
  readonly code: number;
  /** Reason phrase, as on the status line. */
  readonly reason: string;
  /** When it is sent. */
  readonly when: string;
}

/** Every status code the server sends. */
export const STATUS_CODES: readonly StatusInfo[] = [
  {
    code: 200,
    reason: "OK",
    when: "the command succeeded",
  },
  {
    code: 400,
    reason: "Bad Request",
    when: "invalid nickname, missing arguments, empty text, control characters, unknown LANG",
  },
  {
    code: 403,
    reason: "Forbidden",
    when:
      "an operator command from a non-operator, a wrong operator password, a muted user's text, " +
      "an unknown resume token, a banned user or address, a kick (then closed)",
  },
  {
    code: 404,
    reason: "Not Found",
    when: "unknown command, or a nickname or room nobody has (PRIV, KICK, CLOSE)",
  },
  {
    code: 409,
    reason: "Conflict",
    when:
      "the nickname is taken or looks like one in use (at registration the connection is then closed)",
  },
  { code: 413, reason: "Payload Too Large", when: "chat text or command line over the limit" },
  { code: 429, reason: "Too Many Requests", when: "flood limit reached; the message is dropped" },
  {
    code: 503,
    reason: "Service Unavailable",
    when: "server full, too many rooms, or shutting down",
  },
];

const REASONS = new Map(STATUS_CODES.map((s) => [s.code, s.reason]));
const encoder = new TextEncoder();

/** Reason phrase of `code`. */
export function reasonOf(code: number): string {
  return REASONS.get(code) ?? "Unknown";
}

/** Builds a response: `CODE Reason[ - detail]\nbody\n` as text. */
export function statusText(code: number, body: string, detail?: string): string {
  const head = detail ? `${code} ${reasonOf(code)} - ${detail}` : `${code} ${reasonOf(code)}`;
  return `${head}\n${body}\n`;
}

/** Builds a response as UTF-8 bytes. */
export function status(code: number, body: string, detail?: string): Uint8Array {
  return encoder.encode(statusText(code, body, detail));
}
