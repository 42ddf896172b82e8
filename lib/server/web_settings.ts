/**
 * What `chat serve`'s web side allows: which pages may open a WebSocket to the chat (the
 * `Origin` check), and how long a request head may take. (The teacher's page opens with the
 * teacher password, the lobby's operator password.)
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
  /** A request head must arrive within this time, ms (default {@link HEAD_TIMEOUT_MS}). */
  readonly headTimeoutMs?: number;
}

/** How long a connection may take to send its request head (a slowloris gets no longer). */
export const HEAD_TIMEOUT_MS = 10_000;

/** Same-origin pages only. */
export const DEFAULT_WEB_SETTINGS: WebSettings = Object.freeze({ origins: Object.freeze([]) });

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
