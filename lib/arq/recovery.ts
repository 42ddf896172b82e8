/**
 * What the Go-Back-N and Selective Repeat senders share to recover losses in round trips
 * (RACK-TLP, RFC 8985, in frames), and to count what they resend.
 *
 * - Delivery: every DATA transmission has a transmission number (`SendWindow.order`). The
 *   "RACK frame" is the frame with the highest transmission number known to have arrived, and
 *   the RACK RTT the time from its transmission to that acknowledgement. A frame sent more
 *   than once and acknowledged less than the minimum RTT after its last transmission (or before
 *   any RTT was measured) is not taken: the acknowledgement may answer an earlier copy.
 * - Loss: a frame still unacknowledged whose last transmission precedes the RACK frame's is
 *   lost once it has been outstanding the RACK RTT plus a reorder window of min RTT / 4 (each
 *   sender adds its own shortcut, see `gbn.ts` and `sr.ts`); until then the `reorder` timer
 *   waits for that time.
 * - Tail-loss probe: while frames are in flight, fewer than {@link MAX_PROBES} probes went
 *   unanswered and the RTO is not backed off (no probe in timeout recovery), the `probe` timer
 *   is set to PTO · 2^probes after the last transmission or acknowledgement progress, unless
 *   the retransmission timer comes first (see {@link Recovery.pto}). When it fires, the sender
 *   sends new data if it can, else the highest unacknowledged frame again; the probe's ACK lets
 *   the loss rule find the rest. Acknowledgement progress, or a loss found by the ACKs, resets
 *   the count. A lost ACK of a full window, or a lost probe, so costs a few round trips, not
 *   the RTO.
 * - Timeouts keep RFC 6298, Karn's rule and back-off (`rto.ts`).
 * @module
 */

import type { CongestionWindow } from "./congestion.ts";
import type { HalfContext } from "./halves.ts";
import type { SendWindow } from "./send_window.ts";
import { Timer } from "./timers.ts";
import type { RetransmitReason } from "./types.ts";

/**
 * The longest a receiver is expected to hold an ACK (as QUIC's default `max_ack_delay`); the
 * probe timer allows for it. `chat join` and `chat bench` hold ACKs at most 10 ms, the server
 * not at all.
 */
export const MAX_ACK_DELAY_MS = 25;

/**
 * The smallest probe timeout, ms: a busy machine's scheduling alone can hold an ACK tens of
 * milliseconds, far above a LAN's SRTT of about one; a probe sooner would resend frames that are
 * only late.
 */
export const PTO_FLOOR_MS = 30;

/** Probes sent in a row without an answer before the retransmission timer is left to act. */
export const MAX_PROBES = 2;

/** Acknowledged frames above a hole after which SR resends it at once (RFC 6675's DupThresh). */
export const DUP_THRESHOLD = 3;

/** Loss-recovery state of one sender. */
export class Recovery {
  /** Fast recovery on (`recovery: "fast"`). */
  readonly fast: boolean;
  /** Transmission number of the RACK frame (0 = nothing delivered yet). */
  rackOrder = 0;
  /** RTT measured on the RACK frame, ms. */
  rackRtt = 0;
  /** Probes sent since the last acknowledgement progress or loss found by the ACKs. */
  probes = 0;
  /** The congestion window (`cc: "aimd"`), or undefined. */
  readonly cc: CongestionWindow | undefined;
  readonly #ctx: HalfContext;
  readonly #w: SendWindow;

  /** Recovery for the sender of `window`. */
  constructor(
    ctx: HalfContext,
    window: SendWindow,
    fast: boolean,
    cc: CongestionWindow | undefined,
  ) {
    this.#ctx = ctx;
    this.#w = window;
    this.fast = fast;
    this.cc = cc;
    if (cc) window.limit = cc.limit;
  }

  /** The reorder window, ms: a quarter of the smallest RTT measured (RFC 8985). */
  get reorderWindow(): number {
    return this.#ctx.rtt.minRtt / 4;
  }

  /**
   * The probe timeout, ms: SRTT + max(4 RTTVAR, 1 ms), plus {@link MAX_ACK_DELAY_MS} while fewer
   * than half a window is in flight (a receiver may hold the ACK of so few frames; it answers
   * half a window, a gap or a duplicate at once), at least {@link PTO_FLOOR_MS}, rounded up to a
   * whole ms. No probe is armed while the RTO is backed off (see {@link armProbe}).
   */
  get pto(): number {
    const r = this.#ctx.rtt;
    const w = this.#w;
    const held = w.inFlight * 2 < w.size ? MAX_ACK_DELAY_MS : 0;
    return Math.ceil(Math.max(r.srtt + Math.max(4 * r.rttvar, 1) + held, PTO_FLOOR_MS));
  }

  /**
   * The frame in `slot` was newly acknowledged at `now`: update the RACK frame, count a repair
   * when it had been sent more than once.
   */
  delivered(slot: number, now: number): void {
    const w = this.#w;
    const rtt = now - w.sentAt[slot]!;
    const xmit = w.xmit[slot]!;
    if (xmit > 1) {
      const srtt = this.#ctx.rtt.srtt;
      const stats = this.#ctx.stats;
      stats.repairs++;
      if (srtt > 0) stats.repairRtts += (now - w.firstAt[slot]!) / srtt;
      // Answers an earlier copy, or cannot be told from one before the first RTT sample.
      if (!this.#ctx.rtt.hasSample || rtt < this.#ctx.rtt.minRtt) return;
    }
    const order = w.order[slot]!;
    if (order > this.rackOrder) {
      this.rackOrder = order;
      this.rackRtt = rtt;
    }
  }

  /** When the unacknowledged frame in `slot` counts as lost (Infinity: not by the RACK rule). */
  lostAt(slot: number): number {
    const w = this.#w;
    if (w.order[slot]! >= this.rackOrder) return Infinity;
    return w.sentAt[slot]! + this.rackRtt + this.reorderWindow;
  }

  /** Acknowledgement progress of `frames` frames: the next probe is allowed; cwnd grows. */
  progress(frames: number): void {
    this.probes = 0;
    const cc = this.cc;
    if (cc) {
      cc.onAcked(frames);
      this.#w.limit = cc.limit;
    }
  }

  /**
   * Fast recovery found the transmission numbered `order` lost (and resends it): the ACKs
   * brought news, so the resent flight may be probed again.
   */
  lost(order: number): void {
    this.probes = 0;
    const cc = this.cc;
    if (cc && cc.onLoss(order, this.#w.transmissions)) this.#w.limit = cc.limit;
  }

  /**
   * A retransmission timeout. It supersedes a probe due at the same time (a late `update` can
   * find both expired): the frames it resends are not probed again in the same pass.
   */
  timedOut(): void {
    this.#ctx.timers.stop(Timer.probe);
    const cc = this.cc;
    if (cc) {
      cc.onTimeout(this.#w.transmissions);
      this.#w.limit = cc.limit;
    }
  }

  /**
   * Sets the `probe` timer for frames in flight at `now` (`outstanding` = some are not
   * acknowledged), or stops it (always while the RTO is backed off, and after
   * {@link MAX_PROBES} unanswered probes).
   */
  armProbe(now: number, outstanding: boolean): void {
    const timers = this.#ctx.timers;
    const rtt = this.#ctx.rtt;
    // No probe in timeout recovery (RFC 8985, 7.2): a backed-off RTO says the ACKs come later
    // than SRTT predicted, and a probe then would be sent for frames that are only late.
    if (
      !this.fast || !outstanding || this.probes >= MAX_PROBES || rtt.samples === 0 ||
      rtt.backoffs > 0
    ) {
      timers.stop(Timer.probe);
      return;
    }
    // An unanswered probe doubles the next one's wait, as QUIC's PTO backs off.
    const at = now + this.pto * 2 ** this.probes;
    if (at < timers.get(Timer.retransmit)) timers.set(Timer.probe, at);
    else timers.stop(Timer.probe);
  }

  /** Counts one DATA retransmission of `cause`. */
  count(cause: RetransmitReason): void {
    const stats = this.#ctx.stats;
    stats.retransmissions++;
    if (cause === "timeout") stats.timeoutRetransmissions++;
    else if (cause === "fast") stats.fastRetransmissions++;
    else if (cause === "nack") stats.nackRetransmissions++;
    else if (cause === "probe") stats.probeRetransmissions++;
  }
}
