/**
 * The delayed ("sack") ACK a receiver owes, shared by the Go-Back-N and Selective Repeat
 * receivers: when it became owed, whether it reports a gap or a duplicate, and where the last
 * ACK left off. It keeps the endpoint's `ackDelay` timer armed exactly while an ACK is owed;
 * {@link OwedAck.due} is the one rule for whether a flush sends it.
 * @module
 */

import { seqDiff } from "../protocol/seq.ts";
import { Timer, type TimerTable } from "./timers.ts";

/** An ACK owed by a receiver with the "sack" policy. */
export class OwedAck {
  /** True while an ACK is owed. */
  pending = false;
  /** When it became owed (first DATA not acknowledged yet). */
  since = 0;
  /** It reports a gap or a duplicate, so it is not delayed. */
  urgent = false;
  /** The receiver's next expected sequence number when the last ACK was sent. */
  #ackedExpected: number;
  readonly #timers: TimerTable;
  readonly #delayMs: number;

  /** Nothing owed; the receiver expects `expected` first; an ACK may be held `delayMs`. */
  constructor(expected: number, timers: TimerTable, delayMs: number) {
    this.#ackedExpected = expected;
    this.#timers = timers;
    this.#delayMs = delayMs;
  }

  /** A DATA frame makes an ACK owed; `urgent` when it reports a gap or a duplicate. */
  owe(now: number, urgent: boolean): void {
    if (!this.pending) {
      this.pending = true;
      this.since = now;
      this.#timers.set(Timer.ackDelay, now + this.#delayMs);
    }
    if (urgent) this.urgent = true;
  }

  /** Whether the receiver, now at `expected`, took in-order frames since the last ACK. */
  advanced(expected: number): boolean {
    return seqDiff(expected, this.#ackedExpected) > 0;
  }

  /** The ACK was sent; the receiver now expects `expected`. */
  sent(expected: number): void {
    this.pending = false;
    this.urgent = false;
    this.#ackedExpected = expected;
    this.#timers.stop(Timer.ackDelay);
  }

  /**
   * Whether the owed ACK leaves at a flush at `now`: once it was held `delayMs`, at once when it
   * is urgent, or when half a `window` arrived since the last ACK (receiver at `expected`).
   */
  due(now: number, expected: number, window: number): boolean {
    return this.pending &&
      (now >= this.since + this.#delayMs || this.urgent ||
        seqDiff(expected, this.#ackedExpected) * 2 >= window);
  }
}
