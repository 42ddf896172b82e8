/**
 * The flood limit: a token bucket per user for MSG and PRIV. `MSGS/SECONDS` is a bucket of MSGS
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
  const t = spec.trim().toLowerCase();
  if (t === "off" || t === "none" || t === "0") return null;
  const m = /^(\d+)\s*\/\s*(\d+(?:[.,]\d+)?)$/.exec(t);
  if (!m) throw new RangeError(`flood limit must be MSGS/SECONDS (e.g. 10/5) or off: ${spec}`);
  const burst = Number(m[1]);
  const perSeconds = Number(m[2]!.replace(",", "."));
  if (burst < 1 || perSeconds <= 0) {
    throw new RangeError(`flood limit needs at least 1 message per a positive time: ${spec}`);
  }
  return { burst, perSeconds };
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
    const rate = this.limit.burst / (this.limit.perSeconds * 1000);
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (now - this.#last) * rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
