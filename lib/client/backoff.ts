/**
 * How long `chat join` waits before each attempt to reconnect: 100 ms, doubling, at most 2 s,
 * each spread by ±25 % so forty clients of a restarted server do not all knock at once. The
 * cap keeps the return within a few seconds of the server's (an attempt fails fast while it is
 * down: the connection is refused).
 * @module
 */

/** First wait, ms. */
export const BACKOFF_FIRST_MS = 100;
/** Longest wait, ms (before the spread). */
export const BACKOFF_MAX_MS = 2000;

/** The wait before attempt `attempt` (from 0), ms; `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.75 + random * 0.5));
}
