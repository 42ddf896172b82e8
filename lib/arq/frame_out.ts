/**
 * The one way frames leave an endpoint: counts every frame in the endpoint's stats and hands it
 * to the edge's `output` hook. ACKs of the same sequence number sent again count as further
 * attempts, as retransmissions do.
 * @module
 */

import { FrameType } from "../protocol/header.ts";
import type { ArqStats, OutFrame, RetransmitReason } from "./types.ts";

/** Emits and counts the frames of one endpoint. */
export class FrameOut {
  /** False once the session closed: ACKs are no longer sent (RST and FIN-ACK still are). */
  open = true;
  readonly #output: (frame: OutFrame) => void;
  readonly #stats: ArqStats;
  #ackSeq = -1;
  #ackAttempt = 0;

  /** Frames go to `output`; `stats` counts them. */
  constructor(output: (frame: OutFrame) => void, stats: ArqStats) {
    this.#output = output;
    this.#stats = stats;
  }

  /**
   * Emits one frame. `payloadSum` is `onesSum(payload)` or -1; `cause` says why a frame with
   * `attempt` > 1 was sent again.
   */
  frame(
    type: FrameType,
    seq: number,
    flags: number,
    payload: Uint8Array,
    attempt: number,
    payloadSum: number,
    cause?: RetransmitReason,
  ): void {
    const stats = this.#stats;
    stats.framesSent++;
    if (type === FrameType.DATA) stats.dataSent++;
    this.#output({
      type,
      seq,
      flags,
      payload,
      attempt,
      payloadSum: payloadSum >= 0 ? payloadSum : undefined,
      cause,
    });
  }

  /**
   * Emits an ACK (`payload` = SACK block or empty) while the session is open. `attempt` counts
   * ACKs of this seq; when omitted, repeats of the previous ACK's seq are counted.
   */
  ack(seq: number, payload: Uint8Array, attempt?: number): void {
    if (!this.open) return;
    if (seq === this.#ackSeq) this.#ackAttempt++;
    else {
      this.#ackSeq = seq;
      this.#ackAttempt = 1;
    }
    this.#stats.acksSent++;
    this.frame(FrameType.ACK, seq, 0, payload, attempt ?? this.#ackAttempt, -1);
  }
}
