/**
 * Selective Repeat.
 *
 * Sender: window of N frames, one timer per frame; on expiry only that frame is sent again and
 * the shared RTO is backed off to as many doublings as that frame has timed out (since the last
 * fresh sample), so independent losses of several frames do not compound. ACKs: with the "frame" policy ACK(s)
 * acknowledges exactly frame `s`; with "sack" ACK(a) is cumulative (every frame up to and
 * including `a`) and its payload lists received ranges above `a` (see `encodeSack`). The window
 * slides over the acknowledged prefix. NACK(n) for an unacknowledged frame in flight resends
 * only `n`, unless it was (re)sent less than SRTT/2 ago (stale); other NACKs are ignored. With
 * fast recovery a frame the ACKs show skipped is resent without waiting for its timer, and a
 * tail-loss probe resends the newest one (`recovery.ts`, PROTOCOL.md "Loss recovery").
 *
 * Receiver (one function, KCP style): drop what is outside `[expected, expected + N)`,
 * drop duplicates, buffer the rest (copied), deliver the contiguous run from `expected`. With
 * the "frame" policy every DATA in `[expected - N, expected + N)` is acknowledged at once by its
 * own sequence number (frames below `expected` too: their ACK was lost); with "sack" one
 * cumulative ACK plus SACK ranges per flush, sent twice for a while after a duplicate
 * ({@link ACK_COPY_SPAN}).
 * @module
 */

import { decodeSack, encodeSack, MAX_SACK_RANGES, type SackRange } from "../protocol/control.ts";
import { FrameType } from "../protocol/header.ts";
import type { Frame } from "../protocol/frame.ts";
import { seqAdd, seqDiff, seqLt, seqLte } from "../protocol/seq.ts";
import type { ArqReceiver, ArqSender, HalfContext } from "./halves.ts";
import { OwedAck } from "./owed_ack.ts";
import { DUP_THRESHOLD, type Recovery } from "./recovery.ts";
import type { SendWindow } from "./send_window.ts";
import { Timer } from "./timers.ts";
import type { RetransmitReason } from "./types.ts";

const EMPTY = new Uint8Array(0);

/**
 * The Selective Repeat sending half. It owns the `retransmit` timer (always the earliest
 * per-frame retransmission time of the unacknowledged frames in flight) and, with fast
 * recovery, the `reorder` and `probe` timers.
 */
export class SrSender implements ArqSender {
  readonly #ctx: HalfContext;
  readonly #w: SendWindow;
  readonly #perFrame: boolean;
  readonly #rec: Recovery;
  /** 1 when the slot's frame was acknowledged (out of order). */
  readonly #acked: Uint8Array;
  /** Retransmission time of each slot. */
  readonly #resendAt: Float64Array;
  /** Timer expiries of each slot's frame. */
  readonly #timeouts: Uint8Array;
  /** Scratch: 1 for the slots found lost by the ACK being processed. */
  readonly #lost: Uint8Array;
  // Newest once-sent frame acknowledged by the ACK being processed (Karn sample).
  #sampleSentAt = -1;
  // Frames newly acknowledged by the ACK being processed.
  #newlyAcked = 0;
  #now = 0;

  /**
   * A sender over `window`, emitting through `ctx`, recovering losses with `recovery`;
   * `perFrame` = the "frame" ACK policy.
   */
  constructor(ctx: HalfContext, window: SendWindow, perFrame: boolean, recovery: Recovery) {
    this.#ctx = ctx;
    this.#w = window;
    this.#perFrame = perFrame;
    this.#rec = recovery;
    this.#acked = new Uint8Array(window.mask + 1);
    this.#resendAt = new Float64Array(window.mask + 1);
    this.#timeouts = new Uint8Array(window.mask + 1);
    this.#lost = new Uint8Array(window.mask + 1);
  }

  /** Frames in flight (acknowledged ones above `base` included). */
  get inFlight(): number {
    return this.#w.inFlight;
  }

  /** Next sequence number to be used. */
  get nextSeq(): number {
    return this.#w.next;
  }

  /** Sends new fragments while the window has room, each with its own timer. */
  fill(now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    if (!w.canTake) return;
    while (w.canTake) {
      const seq = w.take(now);
      const s = seq & w.mask;
      this.#acked[s] = 0;
      this.#timeouts[s] = 0;
      const at = now + ctx.rtt.rto;
      this.#resendAt[s] = at;
      if (at < ctx.timers.get(Timer.retransmit)) ctx.timers.set(Timer.retransmit, at);
      ctx.out.frame(FrameType.DATA, seq, w.flags[s]!, w.payloads[s]!, 1, w.sums[s]!);
    }
    this.#rec.armProbe(now, true);
  }

  /**
   * Per-frame ACK ("frame") or cumulative ACK + SACK ranges ("sack"). With fast recovery, the
   * frames this shows lost are resent at once (see {@link #detectLosses}).
   */
  onAck(seq: number, payload: Uint8Array, now: number): boolean {
    const w = this.#w;
    this.#sampleSentAt = -1;
    this.#newlyAcked = 0;
    this.#now = now;
    if (this.#perFrame) {
      if (w.inWindow(seq)) this.#ackOne(seq);
    } else {
      if (seqLte(w.base, seq) && seqLt(seq, w.next)) {
        const end = seqAdd(seq, 1);
        for (let s = w.base; s !== end; s = seqAdd(s, 1)) this.#ackOne(s);
      }
      if (payload.length > 0) {
        const ranges: SackRange[] = decodeSack(payload);
        for (const r of ranges) this.#ackRange(r);
      }
    }
    if (this.#newlyAcked === 0) return false;
    if (this.#sampleSentAt >= 0) this.#ctx.rtt.sample(now - this.#sampleSentAt);
    while (w.inFlight > 0 && this.#acked[w.base & w.mask] === 1) {
      this.#acked[w.base & w.mask] = 0;
      w.release();
    }
    const rec = this.#rec;
    rec.progress(this.#newlyAcked);
    if (rec.fast) this.#detectLosses(now);
    this.#arm();
    rec.armProbe(now, this.#outstanding());
    return true;
  }

  /** NACK(seq): resend only `seq` (unless stale, acknowledged or not in flight). */
  onNack(seq: number, now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    const s = seq & w.mask;
    if (!w.inWindow(seq) || this.#acked[s] === 1) {
      ctx.event?.({ kind: "nack-received", seq, action: "ignored" });
      return;
    }
    // A NACK for a first transmission is answered at once; one for a copy sent less than
    // half an RTT ago is a late echo of a NACK already answered (the copy is on its way).
    if (w.xmit[s]! > 1 && now - w.sentAt[s]! < ctx.rtt.srtt / 2) {
      ctx.event?.({ kind: "nack-received", seq, action: "stale" });
      return;
    }
    ctx.event?.({ kind: "nack-received", seq, action: "resent" });
    this.#resend(seq, now, "nack");
    this.#arm();
    this.#rec.armProbe(now, true);
  }

  /**
   * Resends every frame whose timer expired. The shared RTO is backed off to the number of
   * timeouts of the expiring frame: one frame lost three times in a row needs three doublings,
   * three frames lost once each need one (their timers are independent).
   */
  onRetransmitTimer(now: number): void {
    const w = this.#w;
    const ctx = this.#ctx;
    let expired = false;
    for (let seq = w.base; seq !== w.next; seq = seqAdd(seq, 1)) {
      const s = seq & w.mask;
      if (this.#acked[s] === 1 || this.#resendAt[s]! > now) continue;
      ctx.stats.timeouts++;
      const level = this.#timeouts[s]! < 255 ? ++this.#timeouts[s]! : 255;
      ctx.rtt.backoffTo(level);
      if (!expired) this.#rec.timedOut();
      expired = true;
      ctx.event?.({ kind: "timeout", type: FrameType.DATA, seq, rto: ctx.rtt.rto });
      this.#resend(seq, now, "timeout");
    }
    this.#arm();
  }

  /** The reorder window of a frame reported out of order is over: look again. */
  onReorderTimer(now: number): void {
    this.#detectLosses(now);
    this.#arm();
    this.#rec.armProbe(now, this.#outstanding());
  }

  /** Tail-loss probe: new data if the window allows, else the newest unacknowledged frame. */
  onProbeTimer(now: number): void {
    const w = this.#w;
    this.#rec.probes++;
    if (w.canTake) {
      this.fill(now);
      return;
    }
    for (let seq = seqAdd(w.next, -1); w.inWindow(seq); seq = seqAdd(seq, -1)) {
      if (this.#acked[seq & w.mask] === 1) continue;
      this.#resend(seq, now, "probe");
      this.#arm();
      this.#rec.armProbe(now, true);
      return;
    }
  }

  /**
   * The loss rules of fast recovery: an unacknowledged frame sent before the RACK frame is
   * lost once it has been outstanding the RACK RTT plus the reorder window, or at once when it
   * was sent once and {@link DUP_THRESHOLD} frames above it are acknowledged (all sent after
   * it). Lost frames are resent in sequence order; the `reorder` timer waits for the next one
   * that may become lost.
   */
  #detectLosses(now: number): void {
    const w = this.#w;
    const rec = this.#rec;
    const timers = this.#ctx.timers;
    timers.stop(Timer.reorder);
    if (rec.rackOrder === 0) return;
    let above = 0;
    let any = false;
    let wait = Infinity;
    for (let seq = seqAdd(w.next, -1); w.inWindow(seq); seq = seqAdd(seq, -1)) {
      const s = seq & w.mask;
      if (this.#acked[s] === 1) {
        above++;
        continue;
      }
      const at = rec.lostAt(s);
      if (at === Infinity) continue;
      if (now >= at || (w.xmit[s] === 1 && above >= DUP_THRESHOLD)) {
        this.#lost[s] = 1;
        any = true;
      } else if (at < wait) wait = at;
    }
    if (wait < Infinity) timers.set(Timer.reorder, wait);
    if (!any) return;
    for (let seq = w.base; seq !== w.next; seq = seqAdd(seq, 1)) {
      const s = seq & w.mask;
      if (this.#lost[s] === 0) continue;
      this.#lost[s] = 0;
      rec.lost(w.order[s]!);
      this.#resend(seq, now, "fast");
    }
  }

  /** True when some frame in flight is not acknowledged. */
  #outstanding(): boolean {
    return this.#ctx.timers.get(Timer.retransmit) !== Infinity;
  }

  /** Sets the `retransmit` timer to the earliest per-frame time (stopped when none). */
  #arm(): void {
    const w = this.#w;
    let e = Infinity;
    for (let seq = w.base; seq !== w.next; seq = seqAdd(seq, 1)) {
      const s = seq & w.mask;
      if (this.#acked[s] === 1) continue;
      const at = this.#resendAt[s]!;
      if (at < e) e = at;
    }
    this.#ctx.timers.set(Timer.retransmit, e);
  }

  #ackOne(seq: number): void {
    const w = this.#w;
    const s = seq & w.mask;
    if (this.#acked[s] === 1) return;
    this.#acked[s] = 1;
    this.#newlyAcked++;
    this.#rec.delivered(s, this.#now);
    // Karn: only frames sent once give samples; keep the newest one of this ACK, even when a
    // newer copy is acknowledged with it: on an overloaded path its late ACK tells of the queues.
    if (w.xmit[s] === 1 && w.sentAt[s]! > this.#sampleSentAt) this.#sampleSentAt = w.sentAt[s]!;
  }

  #ackRange(r: SackRange): void {
    const w = this.#w;
    // Clip to the window; at most N iterations whatever the range claims.
    let seq = seqLt(r.start, w.base) ? w.base : r.start >>> 0;
    for (let i = 0; i < w.size && seqLt(seq, r.end) && seqLt(seq, w.next); i++) {
      this.#ackOne(seq);
      seq = seqAdd(seq, 1);
    }
  }

  /** Sends `seq` again (the caller re-arms the timer). */
  #resend(seq: number, now: number, reason: RetransmitReason): void {
    const w = this.#w;
    const ctx = this.#ctx;
    const s = seq & w.mask;
    const attempt = w.resent(seq, now);
    this.#resendAt[s] = now + ctx.rtt.rto;
    this.#rec.count(reason);
    ctx.event?.({ kind: "retransmit", type: FrameType.DATA, seq, attempt, reason });
    ctx.out.frame(FrameType.DATA, seq, w.flags[s]!, w.payloads[s]!, attempt, w.sums[s]!, reason);
  }
}

/**
 * After a duplicate DATA (a copy of a frame it already had: the sender resent it because an ACK
 * was lost, or came late), a "sack" receiver sends each of its next this many ACKs twice. One
 * ACK answers a whole flight; when it is lost the sender waits a probe timeout, many round trips
 * on a LAN, and a path that lost one ACK loses others. A second copy makes that p² for one more
 * ACK frame, and costs nothing on a path that loses nothing. An SR sender reads the copy as an
 * ACK that acknowledges nothing new; GBN receivers never copy (a repeated cumulative ACK is
 * GBN's sign of a hole).
 */
export const ACK_COPY_SPAN = 64;

/** The Selective Repeat receiving half. */
export class SrReceiver implements ArqReceiver {
  readonly #ctx: HalfContext;
  readonly #perFrame: boolean;
  readonly #size: number;
  readonly #mask: number;
  readonly #buffer: (Uint8Array | undefined)[];
  readonly #flags: Uint8Array;
  /** ACKs sent per sequence number in `[expected - N, expected + N)` ("frame" policy). */
  readonly #ackCount: Uint32Array;
  readonly #ackMask: number;
  /** Next sequence number expected in order. */
  expected: number;
  /** The cumulative ACK owed ("sack" policy); urgent when it reports a gap or a duplicate. */
  readonly ack: OwedAck;
  /** "sack" ACKs still to be sent twice (see {@link ACK_COPY_SPAN}). */
  #copies = 0;

  /**
   * A receiver with window `size` expecting `firstSeq` first; `perFrame` = the "frame" ACK
   * policy.
   */
  constructor(ctx: HalfContext, perFrame: boolean, size: number, firstSeq: number) {
    this.#ctx = ctx;
    this.#perFrame = perFrame;
    this.#size = size;
    let cap = 1;
    while (cap < size) cap *= 2;
    this.#mask = cap - 1;
    this.#buffer = new Array<Uint8Array | undefined>(cap).fill(undefined);
    this.#flags = new Uint8Array(cap);
    this.#ackCount = new Uint32Array(cap * 2);
    this.#ackMask = cap * 2 - 1;
    this.expected = firstSeq >>> 0;
    this.ack = new OwedAck(this.expected, ctx.timers, ctx.ackDelayMs);
  }

  /** Frames buffered out of order. */
  get buffered(): number {
    let n = 0;
    for (const b of this.#buffer) if (b !== undefined) n++;
    return n;
  }

  /**
   * The SR receive path: drop outside the window, drop duplicates, buffer, deliver the
   * contiguous run, acknowledge.
   */
  onData(frame: Frame, now: number): void {
    const ctx = this.#ctx;
    const seq = frame.seq;
    const d = seqDiff(seq, this.expected);
    if (d < 0) {
      this.#duplicate(seq);
      if (d >= -this.#size) this.#ack(seq, now, true); // its ACK was lost: ACK again
      return;
    }
    if (d >= this.#size) {
      ctx.stats.outOfOrder++;
      ctx.event?.({ kind: "out-of-order", seq, expected: this.expected });
      return; // outside the window: not acknowledged
    }
    const s = seq & this.#mask;
    if (d > 0) {
      if (this.#buffer[s] !== undefined) this.#duplicate(seq);
      else {
        ctx.stats.outOfOrder++;
        ctx.event?.({ kind: "out-of-order", seq, expected: this.expected });
        this.#buffer[s] = frame.payload.slice();
        this.#flags[s] = frame.flags;
        this.#ackCount[seq & this.#ackMask] = 0;
      }
      this.#ack(seq, now, true);
      return;
    }
    // In order: deliver it and the run buffered behind it.
    this.#ackCount[seq & this.#ackMask] = 0;
    this.expected = seqAdd(seq, 1);
    ctx.accept(frame.payload, frame.flags, false);
    for (;;) {
      const t = this.expected & this.#mask;
      const held = this.#buffer[t];
      if (held === undefined) break;
      this.#buffer[t] = undefined;
      this.expected = seqAdd(this.expected, 1);
      ctx.accept(held, this.#flags[t]!, true);
    }
    this.#ack(seq, now, false);
  }

  /**
   * Sends the owed cumulative ACK with the SACK ranges of the buffered frames; twice while
   * {@link ACK_COPY_SPAN} is not used up since the last duplicate.
   */
  sendPendingAck(): void {
    this.ack.sent(this.expected);
    const seq = seqAdd(this.expected, -1);
    const sack = this.#sackBlock();
    this.#ctx.out.ack(seq, sack);
    if (this.#copies > 0) {
      this.#copies--;
      this.#ctx.out.ack(seq, sack);
    }
  }

  /** A copy of frame `seq`, which it already had: counted, and its next ACKs go twice. */
  #duplicate(seq: number): void {
    this.#ctx.stats.duplicates++;
    this.#ctx.event?.({ kind: "duplicate", seq });
    this.#copies = ACK_COPY_SPAN;
  }

  /** An ACK of `seq` is owed; `urgent` when it reports a gap or a duplicate. */
  #ack(seq: number, now: number, urgent: boolean): void {
    if (this.#perFrame) this.#ctx.out.ack(seq, EMPTY, ++this.#ackCount[seq & this.#ackMask]!);
    else this.ack.owe(now, urgent);
  }

  #sackBlock(): Uint8Array {
    let ranges: SackRange[] | undefined;
    let start = -1;
    // `expected` itself is never buffered; scan (expected, expected + N).
    let seq = seqAdd(this.expected, 1);
    for (let i = 1; i < this.#size; i++, seq = seqAdd(seq, 1)) {
      const have = this.#buffer[seq & this.#mask] !== undefined;
      if (have && start < 0) start = seq;
      else if (!have && start >= 0) {
        (ranges ??= []).push({ start, end: seq });
        start = -1;
        if (ranges.length === MAX_SACK_RANGES) break;
      }
    }
    if (start >= 0 && (ranges === undefined || ranges.length < MAX_SACK_RANGES)) {
      (ranges ??= []).push({ start, end: seq });
    }
    return ranges === undefined ? EMPTY : encodeSack(ranges);
  }
}
