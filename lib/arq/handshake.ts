/**
 * The three-way handshake of one endpoint. Client: SYN(seq = ISNc, payload = requested
 * parameters), retransmitted on the `handshake` timer with back-off, accepted SYN-ACK answered
 * with ACK(ISNs). Server: the first SYN's parameters clamped to `maxWindow` and confirmed by
 * SYN-ACK(seq = ISNs, payload = parameters + ISNc), retransmitted likewise; a duplicate SYN is
 * answered with the SYN-ACK again. Both give up at the `handshakeDeadline` timer. The endpoint
 * decides what each outcome means for its state; this only keeps the exchange.
 * @module
 */

import {
  decodeSyn,
  decodeSynAck,
  encodeSyn,
  encodeSynAck,
  type SessionParams,
} from "../protocol/control.ts";
import { BadPayloadError } from "../protocol/errors.ts";
import type { Frame } from "../protocol/frame.ts";
import { FrameType } from "../protocol/header.ts";
import type { FrameOut } from "./frame_out.ts";
import type { RtoEstimator } from "./rto.ts";
import { Timer, type TimerTable } from "./timers.ts";
import type { ArqEvent, ArqStats } from "./types.ts";

const EMPTY = new Uint8Array(0);

/** What a handshake frame did. */
export type HandshakeOutcome =
  /** Server: the first SYN was accepted and the SYN-ACK sent. */
  | "syn-received"
  /** Client: the SYN-ACK was accepted and the ACK sent: established. */
  | "established"
  /** Answered (a duplicate) or ignored; nothing changes. */
  | "none"
  /** The peer broke the protocol: abort with this reason. */
  | { readonly error: string };

/** The parts of its endpoint a handshake uses. */
export interface HandshakeContext {
  readonly stats: ArqStats;
  readonly out: FrameOut;
  readonly rtt: RtoEstimator;
  readonly timers: TimerTable;
  readonly event: ((event: ArqEvent) => void) | undefined;
}

/** The SYN / SYN-ACK exchange of one endpoint. */
export class Handshake {
  /** This side's initial sequence number. */
  readonly isn: number;
  /** The peer's initial sequence number (once known). */
  peerIsn = 0;
  /**
   * Client: the SYN-ACK's payload, which its handshake ACK carries back (a server that answered
   * the SYN without keeping state rebuilds the session from it).
   */
  echo: Uint8Array = EMPTY;
  /** The parameters in force, once the SYN-ACK was sent (server) or accepted (client). */
  params: SessionParams | undefined;
  readonly #ctx: HandshakeContext;
  readonly #type: FrameType;
  readonly #requested: SessionParams | undefined;
  readonly #timeoutMs: number;
  readonly #maxWindow: number;
  #payload: Uint8Array = EMPTY;
  #attempt = 0;
  #sentAt = 0;

  /**
   * A client asking for `requested`, or a server (no `requested`) accepting windows up to
   * `maxWindow`; either gives up `timeoutMs` after it starts.
   */
  constructor(
    ctx: HandshakeContext,
    isn: number,
    requested: SessionParams | undefined,
    timeoutMs: number,
    maxWindow: number,
  ) {
    this.#ctx = ctx;
    this.isn = isn;
    this.#requested = requested;
    this.#type = requested ? FrameType.SYN : FrameType.SYN_ACK;
    this.#timeoutMs = timeoutMs;
    this.#maxWindow = maxWindow;
  }

  /** Client: sends the SYN and arms both timers. */
  start(now: number): void {
    this.#payload = encodeSyn(this.#requested!);
    this.#ctx.timers.set(Timer.handshakeDeadline, now + this.#timeoutMs);
    this.#send(now, 1);
  }

  /** Server: gives up when no handshake completes within the timeout from `now`. */
  listen(now: number): void {
    this.#ctx.timers.set(Timer.handshakeDeadline, now + this.#timeoutMs);
  }

  /** Server: a SYN. `established` = the session already is. */
  onSyn(frame: Frame, now: number, established: boolean): HandshakeOutcome {
    if (this.#requested) return "none";
    if (this.params === undefined) {
      let asked: SessionParams;
      try {
        asked = decodeSyn(frame.payload);
      } catch (error) {
        if (error instanceof BadPayloadError) return { error: `Protocol error: ${error.message}` };
        throw error;
      }
      this.params = {
        mode: asked.mode,
        window: Math.min(asked.window, this.#maxWindow),
        ackPolicy: asked.ackPolicy,
        maxPayload: asked.maxPayload,
      };
      this.peerIsn = frame.seq;
      this.#payload = encodeSynAck(this.params, frame.seq);
      this.#ctx.timers.set(Timer.handshakeDeadline, now + this.#timeoutMs);
      this.#send(now, 1);
      return "syn-received";
    }
    if (frame.seq !== this.peerIsn) return "none";
    if (!established) this.#retransmit(now, "duplicate");
    else {
      // A late duplicate SYN; answer it, the client re-ACKs.
      this.#ctx.stats.retransmissions++;
      this.#attempt++;
      this.#ctx.out.frame(FrameType.SYN_ACK, this.isn, 0, this.#payload, this.#attempt, -1);
    }
    return "none";
  }

  /** Client: a SYN-ACK. */
  onSynAck(frame: Frame, now: number): HandshakeOutcome {
    const asked = this.#requested;
    if (!asked) return "none";
    if (this.params !== undefined) {
      // Duplicate SYN-ACK: our ACK was lost; send it again.
      if (frame.seq === this.peerIsn) this.#ctx.out.ack(this.peerIsn, this.echo);
      return "none";
    }
    let confirmed: SessionParams;
    let ackedIsn: number;
    try {
      ({ params: confirmed, ackedIsn } = decodeSynAck(frame.payload));
    } catch (error) {
      if (error instanceof BadPayloadError) return { error: `Protocol error: ${error.message}` };
      throw error;
    }
    if (ackedIsn !== this.isn) return "none"; // not an answer to our SYN
    if (
      confirmed.mode !== asked.mode || confirmed.ackPolicy !== asked.ackPolicy ||
      confirmed.window > asked.window || confirmed.maxPayload > asked.maxPayload
    ) {
      return { error: "Protocol error: SYN-ACK confirms parameters that were not requested" };
    }
    this.#sample(now);
    this.params = confirmed;
    this.peerIsn = frame.seq;
    this.echo = frame.payload.slice();
    return "established";
  }

  /** Server: the ACK of our SYN-ACK; true when it is one. */
  onAck(seq: number, now: number): boolean {
    if (seq !== this.isn) return false;
    this.#sample(now);
    return true;
  }

  /** The `handshake` timer expired: back off and send the SYN or SYN-ACK again. */
  onTimer(now: number): void {
    const ctx = this.#ctx;
    ctx.stats.timeouts++;
    ctx.rtt.backoff();
    ctx.event?.({ kind: "timeout", type: this.#type, seq: this.isn, rto: ctx.rtt.rto });
    this.#retransmit(now, "timeout");
  }

  /** The session is established: the handshake timers stop. */
  finish(): void {
    this.#ctx.timers.stop(Timer.handshake);
    this.#ctx.timers.stop(Timer.handshakeDeadline);
  }

  /** Karn: only an answer to a SYN or SYN-ACK sent once gives an RTT sample. */
  #sample(now: number): void {
    if (this.#attempt === 1) this.#ctx.rtt.sample(now - this.#sentAt);
  }

  #send(now: number, attempt: number): void {
    this.#attempt = attempt;
    this.#sentAt = now;
    this.#ctx.timers.set(Timer.handshake, now + this.#ctx.rtt.rto);
    this.#ctx.out.frame(this.#type, this.isn, 0, this.#payload, attempt, -1);
  }

  #retransmit(now: number, reason: "timeout" | "duplicate"): void {
    const attempt = this.#attempt + 1;
    this.#ctx.stats.retransmissions++;
    this.#ctx.event?.({ kind: "retransmit", type: this.#type, seq: this.isn, attempt, reason });
    this.#send(now, attempt);
  }
}
