/**
 * Optional congestion control (`cc: "aimd"`), as TCP Reno and KCP do it, in frames: the sender
 * keeps at most `min(window, cwnd)` frames in flight.
 *
 * ```text
 * start:            cwnd = min(N, 4)        ssthresh = N
 * per frame ACKed:  cwnd += 1               while cwnd < ssthresh   (slow start)
 *                   cwnd += 1 / cwnd        otherwise               (additive increase)
 * loss (fast):      ssthresh = max(2, cwnd / 2); cwnd = ssthresh    (halving, once per window)
 * timeout:          ssthresh = max(2, cwnd / 2); cwnd = 1           (reset)
 * always:           1 <= cwnd <= N
 * ```
 * "Once per window": a loss halves the window only when the lost transmission was sent after
 * the previous reduction; losses of the same flight are one congestion event.
 * @module
 */

/** The congestion window of one sender. */
export class CongestionWindow {
  /** Congestion window in frames (fractional during additive increase). */
  cwnd: number;
  /** Slow-start threshold in frames. */
  ssthresh: number;
  readonly #max: number;
  /** Transmission number current at the last reduction (see the module doc). */
  #reducedAt = -1;

  /** A window of at most `max` frames (the session's N). */
  constructor(max: number) {
    this.#max = max;
    this.cwnd = Math.min(max, 4);
    this.ssthresh = max;
  }

  /** Frames allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.cwnd));
  }

  /** `frames` newly acknowledged frames. */
  onAcked(frames: number): void {
    let c = this.cwnd;
    for (let i = 0; i < frames && c < this.#max; i++) c += c < this.ssthresh ? 1 : 1 / c;
    this.cwnd = Math.min(this.#max, c);
  }

  /**
   * A loss found by fast recovery, of the transmission numbered `order`; `transmissions` is
   * the current transmission number. Returns true when it halved the window.
   */
  onLoss(order: number, transmissions: number): boolean {
    if (order <= this.#reducedAt) return false;
    this.#reducedAt = transmissions;
    this.ssthresh = Math.max(2, this.cwnd / 2);
    this.cwnd = Math.min(this.#max, this.ssthresh);
    return true;
  }

  /** A retransmission timeout; `transmissions` is the current transmission number. */
  onTimeout(transmissions: number): void {
    this.#reducedAt = transmissions;
    this.ssthresh = Math.max(2, this.cwnd / 2);
    this.cwnd = 1;
  }
}
