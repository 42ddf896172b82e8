/**
 * The flood limit: a token bucket per user for MSG, PRIV and NICK. `MSGS/SECONDS` is a bucket of MSGS
 * tokens refilled at MSGS per SECONDS, so a pasted burst of MSGS lines passes.
 * @module
 */

/** A flood limit, or `null` for none. */
export interface FloodLimit {
  /** Bucket size: messages allowed in a burst. */
  readonly burst: number;
  /** Seconds to refill the whole bucket. */
  readonly perSeconds: number;
}

/** The default limit: 10 messages per 5 seconds. */
export const DEFAULT_FLOOD: FloodLimit = { burst: 10, perSeconds: 5 };

/**
 * Parses `MSGS/SECONDS` (e.g. `10/5`, `3/2,5` with a decimal comma) or `off`; throws `RangeError`
 * with the bad text.
 */
export function parseFlood(spec: string): FloodLimit | null {
  return parseRate(spec, "flood limit", "MSGS/SECONDS (e.g. 10/5)", "message");
}

/**
 * Parses a rate `N/SECONDS` (a burst of N, refilled at N per SECONDS) or `off`; throws
 * `RangeError` naming `what` and the bad text.
 */
export function parseRate(
  spec: string,
  what: string,
  form = "N/SECONDS",
  unit = "token",
): FloodLimit | null {
  const t = spec.trim().toLowerCase();
  if (t === "off" || t === "none" || t === "0") return null;
  const m = /^(\d+)\s*\/\s*(\d+(?:[.,]\d+)?)$/.exec(t);
  if (!m) throw new RangeError(`${what} must be ${form} or off: ${spec}`);
  const burst = Number(m[1]);
  const perSeconds = Number(m[2]!.replace(",", "."));
  if (burst < 1 || perSeconds <= 0) {
    throw new RangeError(`${what} needs at least 1 ${unit} per a positive time: ${spec}`);
  }
  return { burst, perSeconds };
}

/** `N/SECONDS` of a rate, or `off`. */
export function formatRate(rate: FloodLimit | null): string {
  return rate === null ? "off" : `${rate.burst}/${rate.perSeconds}`;
}

/** One user's token bucket. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  /** A full bucket at time `now` (ms). */
  constructor(readonly limit: FloodLimit, now: number) {
    this.#tokens = limit.burst;
    this.#last = now;
  }

  /** Takes a token at `now`; false when the bucket is empty. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when the bucket is full at `now`. */
  full(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.limit.burst;
  }

  #refill(now: number): void {
    const rate = this.limit.burst / (this.limit.perSeconds * 1000);
    this.#tokens = Math.min(this.limit.burst, this.#tokens + Math.max(0, now - this.#last) * rate);
    this.#last = now;
  }
}
