/**
 * Graceful teardown of one endpoint: FIN(seq = next sequence number) once everything queued was
 * acknowledged, retransmitted on the `fin` timer with back-off until the FIN-ACK or the
 * `finDeadline` timer (`deadAfterMs`); and the answer to the peer's FIN, FIN-ACK(same seq),
 * whose repeats count as further attempts. The endpoint decides when the FIN may leave and what
 * closing means; this keeps the exchange.
 * @module
 */

import { FrameType } from "../protocol/header.ts";
import type { HandshakeContext } from "./handshake.ts";
import { Timer } from "./timers.ts";

const EMPTY = new Uint8Array(0);

/** The FIN / FIN-ACK exchange of one endpoint. */
export class Teardown {
  /** `close` was called: no more `send`, FIN once the queue is acknowledged. */
  requested = false;
  readonly #ctx: HandshakeContext;
  readonly #deadAfterMs: number;
  #finSeq = 0;
  #finAttempt = 0;
  #finAckSeq = -1;
  #finAckAttempt = 0;

  /** Teardown through `ctx`; a FIN waits at most `deadAfterMs` for its FIN-ACK. */
  constructor(ctx: HandshakeContext, deadAfterMs: number) {
    this.#ctx = ctx;
    this.#deadAfterMs = deadAfterMs;
  }

  /** True once the FIN was sent. */
  get finSent(): boolean {
    return this.#finAttempt > 0;
  }

  /** Sends the FIN carrying `seq` (the next sequence number) and arms both timers. */
  sendFin(seq: number, now: number): void {
    this.#finSeq = seq;
    this.#ctx.timers.set(Timer.finDeadline, now + this.#deadAfterMs);
    this.#send(now);
  }

  /** The `fin` timer expired: back off and send the FIN again. */
  onTimer(now: number): void {
    const ctx = this.#ctx;
    ctx.stats.timeouts++;
    ctx.rtt.backoff();
    ctx.event?.({ kind: "timeout", type: FrameType.FIN, seq: this.#finSeq, rto: ctx.rtt.rto });
    this.#send(now);
  }

  /** True when `seq` answers our FIN. */
  isFinAck(seq: number): boolean {
    return this.#finAttempt > 0 && seq === this.#finSeq;
  }

  /** Answers the peer's FIN `seq` with FIN-ACK (again, if it is a repeat). */
  answerFin(seq: number): void {
    if (seq === this.#finAckSeq) this.#finAckAttempt++;
    else {
      this.#finAckSeq = seq;
      this.#finAckAttempt = 1;
    }
    this.#ctx.out.frame(FrameType.FIN_ACK, seq, 0, EMPTY, this.#finAckAttempt, -1);
  }

  #send(now: number): void {
    const ctx = this.#ctx;
    const attempt = ++this.#finAttempt;
    ctx.timers.set(Timer.fin, now + ctx.rtt.rto);
    if (attempt > 1) {
      ctx.stats.retransmissions++;
      ctx.event?.({
        kind: "retransmit",
        type: FrameType.FIN,
        seq: this.#finSeq,
        attempt,
        reason: "timeout",
      });
    }
    ctx.out.frame(FrameType.FIN, this.#finSeq, 0, EMPTY, attempt, -1);
  }
}
