/**
 * Go-Back-N.
 *
 * Sender: window of N frames, one retransmission timer on the oldest unacknowledged frame
 * (`base`). An ACK is cumulative: ACK(a) acknowledges every frame up to and including `a`.
 * When the timer expires every frame in flight is sent again ("go back N"), the RTO backs off.
 * NACK(n) for a frame in flight resends `n` through the end of the window at once, unless `n`
 * was (re)sent less than SRTT/2 ago (a stale NACK); other NACKs are ignored. With fast recovery
 * a duplicate cumulative ACK goes back N without waiting for the timer, and a tail-loss probe
 * resends the newest frame (`recovery.ts`, PROTOCOL.md "Loss recovery").
 *
 * Receiver: accepts only the next expected sequence number; everything else is discarded
 * (counted as duplicate when older, out-of-order when newer) and answered with a re-ACK of the
 * last in-order sequence number. With the "frame" policy each DATA frame gets its ACK at once;
 * with "sack" one cumulative ACK per flush, preceded by the ACK of the in-order frames before
 * the first frame discarded above `expected` (so the flush's ACK reads as a duplicate).
 * @module
 */

import { FrameType } from "../protocol/header.ts";
import type { Frame } from "../protocol/frame.ts";
import { seqAdd, seqDiff, seqLt, seqLte } from "../protocol/seq.ts";
import type { ArqReceiver, ArqSender, HalfContext } from "./halves.ts";
import { OwedAck } from "./owed_ack.ts";
import type { Recovery } from "./recovery.ts";
import { CLOCK_GRANULARITY_MS } from "./rto.ts";
import type { SendWindow } from "./send_window.ts";
import { Timer } from "./timers.ts";
import type { RetransmitReason } from "./types.ts";

const EMPTY = new Uint8Array(0);

/**
 * The Go-Back-N sending half. It owns the `retransmit` timer (armed while frames are in flight)
 * and, with fast recovery, the `reorder` and `probe` timers.
 */
export class GbnSender implements ArqSender {
  readonly #ctx: HalfContext;
  readonly #w: SendWindow;
  readonly #rec: Recovery;
  /** A duplicate ACK showed the receiver still waiting for `base` (fast recovery). */
  #dupSeen = false;
  /**
   * The newest frame sent when the retransmission timer last expired (NewReno's `recover`,
   * RFC 6582): a duplicate ACK at or below it goes back N no more, for the receiver re-ACKs
   * each copy of a frame it already had, and those re-ACKs are no sign of loss. Undefined
   * once an ACK passed it.
   */
  #recover: number | undefined;
  /**
   * The frame the last tail-loss probe resent: a duplicate ACK of exactly it is the receiver's
   * re-ACK of the probe's copy of a frame it had (the probe was not needed), no sign of loss.
   */
  #probed: number | undefined;

  /** A sender over `window`, emitting through `ctx`, recovering losses with `recovery`. */
  constructor(ctx: HalfContext, window: SendWindow, recovery: Recovery) {
    this.#ctx = ctx;
    this.#w = window;
    this.#rec = recovery;
  }

  /** Frames in flight. */
  get inFlight(): number {
    return this.#w.inFlight;
  }

  /** Next sequence number to be used. */
  get nextSeq(): number {
    return this.#w.next;
  }

  /** Sends new fragments while the window has room; starts the timer if it was stopped. */
  fill(now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    if (!w.canTake) return;
    while (w.canTake) {
      const seq = w.take(now);
      const s = seq & w.mask;
      ctx.out.frame(FrameType.DATA, seq, w.flags[s]!, w.payloads[s]!, 1, w.sums[s]!);
      if (ctx.timers.get(Timer.retransmit) === Infinity) {
        ctx.timers.set(Timer.retransmit, now + ctx.rtt.rto);
      }
    }
    this.#rec.armProbe(now, true);
  }

  /**
   * Cumulative ACK: frames `base..seq` are acknowledged. With fast recovery, a duplicate ACK
   * (of `base - 1`, frames in flight, an RTT measured) makes the sender go back N once `base`
   * has been outstanding the RACK RTT plus the reorder window (at least one clock tick).
   */
  onAck(seq: number, _payload: Uint8Array, now: number): boolean {
    const w = this.#w;
    const ctx = this.#ctx;
    const rec = this.#rec;
    if (!(seqLte(w.base, seq) && seqLt(seq, w.next))) {
      // Before the first RTT sample nothing can be judged lost in round trips: an ACK of
      // base - 1 may be the peer's late handshake ACK (the session began with its DATA).
      // In timeout recovery a duplicate up to `recover` may answer a copy the timer sent.
      if (
        rec.fast && ctx.rtt.hasSample && w.inFlight > 0 && seq === seqAdd(w.base, -1) &&
        seq !== this.#probed && (this.#recover === undefined || seqLt(this.#recover, seq))
      ) {
        this.#duplicateAck(now);
      }
      return false;
    }
    // Past `recover`: no later duplicate (of base - 1 >= seq) can be at or below it.
    if (this.#recover !== undefined && seqLt(this.#recover, seq)) this.#recover = undefined;
    const s = seq & w.mask;
    // Karn: sample only a frame transmitted once.
    if (w.xmit[s] === 1) ctx.rtt.sample(now - w.sentAt[s]!);
    const end = seqAdd(seq, 1);
    const frames = seqDiff(end, w.base);
    while (w.base !== end) {
      rec.delivered(w.base & w.mask, now);
      w.release();
    }
    this.#forgetDuplicates();
    rec.progress(frames);
    if (w.inFlight > 0) ctx.timers.set(Timer.retransmit, now + ctx.rtt.rto);
    else ctx.timers.stop(Timer.retransmit);
    rec.armProbe(now, w.inFlight > 0);
    return true;
  }

  /** NACK(seq): go back to `seq` at once (unless stale or not in flight). */
  onNack(seq: number, now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    if (!w.inWindow(seq)) {
      ctx.event?.({ kind: "nack-received", seq, action: "ignored" });
      return;
    }
    // A NACK for a first transmission is answered at once; one for a copy sent less than
    // half an RTT ago is a late echo of a NACK already answered (the copy is on its way).
    const s = seq & w.mask;
    if (w.xmit[s]! > 1 && now - w.sentAt[s]! < ctx.rtt.srtt / 2) {
      ctx.event?.({ kind: "nack-received", seq, action: "stale" });
      return;
    }
    ctx.event?.({ kind: "nack-received", seq, action: "resent" });
    this.#resendFrom(seq, now, "nack");
    ctx.timers.set(Timer.retransmit, now + ctx.rtt.rto);
    this.#rec.armProbe(now, true);
  }

  /** Timer expiry: back off and resend the whole window. */
  onRetransmitTimer(now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    if (w.inFlight === 0) return;
    ctx.stats.timeouts++;
    ctx.rtt.backoff();
    this.#rec.timedOut();
    ctx.event?.({ kind: "timeout", type: FrameType.DATA, seq: w.base, rto: ctx.rtt.rto });
    this.#resendFrom(w.base, now, "timeout");
    this.#recover = seqAdd(w.next, -1);
    ctx.timers.set(Timer.retransmit, now + ctx.rtt.rto);
  }

  /** The duplicate ACKs seen so far spoke of copies older than the ones just sent. */
  #forgetDuplicates(): void {
    this.#dupSeen = false;
    this.#ctx.timers.stop(Timer.reorder);
  }

  /** The duplicate ACK's wait is over: go back N. */
  onReorderTimer(now: number): void {
    if (this.#dupSeen && this.#w.inFlight > 0) this.#goBack(now);
  }

  /** Tail-loss probe: new data if the window allows, else the newest frame again. */
  onProbeTimer(now: number): void {
    const w = this.#w;
    if (w.inFlight === 0) return;
    this.#rec.probes++;
    if (w.canTake) {
      this.fill(now);
      return;
    }
    this.#probed = seqAdd(w.next, -1);
    this.#resend(this.#probed, now, "probe");
    this.#ctx.timers.set(Timer.retransmit, now + this.#ctx.rtt.rto);
    this.#rec.armProbe(now, true);
  }

  #duplicateAck(now: number): void {
    const w = this.#w;
    const rtt = this.#rec.rackRtt > 0 ? this.#rec.rackRtt : this.#ctx.rtt.srtt;
    // At least one clock tick after the last copy of `base`: the duplicate ACKs its own
    // go-back brings (at once on a link without delay) never make it go back at once again.
    const wait = Math.max(rtt + this.#rec.reorderWindow, CLOCK_GRANULARITY_MS);
    const at = w.sentAt[w.base & w.mask]! + wait;
    this.#dupSeen = true;
    if (now >= at) this.#goBack(now);
    else if (at < this.#ctx.timers.get(Timer.reorder)) this.#ctx.timers.set(Timer.reorder, at);
  }

  #goBack(now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    this.#rec.lost(w.order[w.base & w.mask]!);
    this.#resendFrom(w.base, now, "fast");
    ctx.timers.set(Timer.retransmit, now + ctx.rtt.rto);
    this.#rec.armProbe(now, true);
  }

  #resendFrom(from: number, now: number, reason: RetransmitReason): void {
    if (from === this.#w.base) this.#forgetDuplicates();
    for (let seq = from; seq !== this.#w.next; seq = seqAdd(seq, 1)) {
      this.#resend(seq, now, reason);
    }
  }

  #resend(seq: number, now: number, reason: RetransmitReason): void {
    const w = this.#w;
    const ctx = this.#ctx;
    const s = seq & w.mask;
    const attempt = w.resent(seq, now);
    this.#rec.count(reason);
    ctx.event?.({ kind: "retransmit", type: FrameType.DATA, seq, attempt, reason });
    ctx.out.frame(FrameType.DATA, seq, w.flags[s]!, w.payloads[s]!, attempt, w.sums[s]!, reason);
  }
}

/** The Go-Back-N receiving half. */
export class GbnReceiver implements ArqReceiver {
  readonly #ctx: HalfContext;
  readonly #perFrame: boolean;
  /** Next sequence number expected. */
  expected: number;
  /** The cumulative ACK owed ("sack" policy); urgent after a frame out of order or a duplicate. */
  readonly ack: OwedAck;

  /** A receiver expecting `firstSeq` first; `perFrame` = the "frame" ACK policy. */
  constructor(ctx: HalfContext, perFrame: boolean, firstSeq: number) {
    this.#ctx = ctx;
    this.#perFrame = perFrame;
    this.expected = firstSeq >>> 0;
    this.ack = new OwedAck(this.expected, ctx.timers, ctx.ackDelayMs);
  }

  /** Accepts the expected frame, discards any other; ACKs the last in-order frame. */
  onData(frame: Frame, now: number): void {
    const ctx = this.#ctx;
    const seq = frame.seq;
    const d = seqDiff(seq, this.expected);
    if (d === 0) {
      this.expected = seqAdd(seq, 1);
      ctx.accept(frame.payload, frame.flags, false);
    } else if (d < 0) {
      ctx.stats.duplicates++;
      ctx.event?.({ kind: "duplicate", seq });
    } else {
      ctx.stats.outOfOrder++;
      ctx.event?.({ kind: "out-of-order", seq, expected: this.expected });
    }
    if (this.#perFrame) ctx.out.ack(seqAdd(this.expected, -1), EMPTY);
    else {
      // A frame above `expected` after in-order frames not acknowledged yet: acknowledge those
      // first, so the re-ACK this one owes reaches the sender as a duplicate of it (one ACK of
      // both would read as progress alone, and the sender would learn of the hole only from
      // the next flight's re-ACKs, a round trip later).
      if (d > 0 && this.ack.pending && this.ack.advanced(this.expected)) this.sendPendingAck();
      this.ack.owe(now, d !== 0);
    }
  }

  /** Sends the owed cumulative ACK. */
  sendPendingAck(): void {
    this.ack.sent(this.expected);
    this.#ctx.out.ack(seqAdd(this.expected, -1), EMPTY);
  }
}
