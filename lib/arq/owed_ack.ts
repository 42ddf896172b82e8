/**
 * The delayed ("sack") ACK a receiver owes, shared by the Go-Back-N and Selective Repeat
 * receivers: when it became owed, whether it reports a gap or a duplicate, and where the last
 * ACK left off. {@link OwedAck.due} is the one rule for when it leaves.
 * @module
 */

import { seqDiff } from "../protocol/seq.ts";

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

  /** Nothing owed; the receiver expects `expected` first. */
  constructor(expected: number) {
    this.#ackedExpected = expected;
  }

  /** A DATA frame makes an ACK owed; `urgent` when it reports a gap or a duplicate. */
  owe(now: number, urgent: boolean): void {
    if (!this.pending) {
      this.pending = true;
      this.since = now;
    }
    if (urgent) this.urgent = true;
  }

  /** The ACK was sent; the receiver now expects `expected`. */
  sent(expected: number): void {
    this.pending = false;
    this.urgent = false;
    this.#ackedExpected = expected;
  }

  /** When an owed ACK has been held `delayMs` and must leave (Infinity when none is owed). */
  heldUntil(delayMs: number): number {
    return this.pending ? this.since + delayMs : Infinity;
  }

  /**
   * Whether the owed ACK leaves at a flush at `now`: once it was held `delayMs`, at once when it
   * is urgent, or when half a `window` arrived since the last ACK (receiver at `expected`).
   */
  due(now: number, delayMs: number, expected: number, window: number): boolean {
    return this.pending &&
      (now >= this.heldUntil(delayMs) || this.urgent ||
        seqDiff(expected, this.#ackedExpected) * 2 >= window);
  }
}
