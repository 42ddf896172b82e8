/**
 * What `chat serve`'s web side allows: which pages may open a WebSocket to the chat (the
 * `Origin` check), and the token of the teacher's page.
 *
 * The Origin check is what IRC servers that added WebSockets learned: without it any web page a
 * student opens could connect to the chat in their name (cross-site WebSocket hijacking). A
 * browser always sends `Origin` with a WebSocket; a program (a test, a bot) may leave it out and
 * could forge it anyway, so a request without one is allowed.
 * @module
 */

/** The web side's settings. */
export interface WebSettings {
  /**
   * Origins allowed besides the page's own (`http://` + the request's `Host`), exactly as a
   * browser writes them (`http://10.0.0.5:8080`); `"*"` allows any.
   */
  readonly origins: readonly string[];
  /** The token of the teacher's page (`/teacher?token=...`); `undefined`: no teacher's page. */
  readonly teacherToken: string | undefined;
  /** A request head must arrive within this time, ms (default {@link HEAD_TIMEOUT_MS}). */
  readonly headTimeoutMs?: number;
}

/** How long a connection may take to send its request head (a slowloris gets no longer). */
export const HEAD_TIMEOUT_MS = 10_000;

/** Same-origin pages only, no teacher's page. */
export const DEFAULT_WEB_SETTINGS: WebSettings = Object.freeze({
  origins: Object.freeze([]),
  teacherToken: undefined,
});

/**
 * True when a WebSocket request with `origin` (the `Origin` header, if any) to `host` (its
 * `Host` header) may open: no Origin, the page's own origin, or one of `allowed`.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  const o = origin.toLowerCase();
  if (host !== undefined && host !== "") {
    const h = host.toLowerCase();
    if (o === `http://${h}` || o === `https://${h}`) return true;
  }
  return allowed.some((a) => a === "*" || a.toLowerCase() === o);
}

/** True when `given` is the teacher's token (compared in time that does not depend on where they differ). */
export function tokenMatches(given: string | null | undefined, token: string | undefined): boolean {
  if (token === undefined || given === undefined || given === null) return false;
  let diff = given.length ^ token.length;
  for (let i = 0; i < token.length; i++) {
    diff |= token.charCodeAt(i) ^ given.charCodeAt(i % Math.max(1, given.length));
  }
  return diff === 0;
}

/** A random token for the teacher's page: 16 letters and digits (about 80 bits). */
export function newTeacherToken(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b & 31]).join("");
}
