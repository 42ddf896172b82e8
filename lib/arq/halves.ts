/**
 * What an endpoint shares with its Go-Back-N or Selective Repeat halves, and what it asks of
 * them. The endpoint builds one {@link HalfContext} of its own parts (no closures per frame,
 * no access to the endpoint itself): the halves emit through `out`, time through `rtt` and
 * `timers`, and deliver through `accept`.
 * @module
 */

import type { Frame } from "../protocol/frame.ts";
import type { FrameOut } from "./frame_out.ts";
import type { OwedAck } from "./owed_ack.ts";
import type { RtoEstimator } from "./rto.ts";
import type { TimerTable } from "./timers.ts";
import type { ArqEvent, ArqStats } from "./types.ts";

/** The parts of an endpoint its halves use. */
export interface HalfContext {
  /** Counters of the endpoint. */
  readonly stats: ArqStats;
  /** Emits frames (counted). */
  readonly out: FrameOut;
  /** RTT estimate and RTO, back-off included. */
  readonly rtt: RtoEstimator;
  /** The endpoint's timer table (the halves own `retransmit`, `reorder`, `probe`, `ackDelay`). */
  readonly timers: TimerTable;
  /** The event observer, when one is installed. */
  readonly event: ((event: ArqEvent) => void) | undefined;
  /** How long an in-order ACK may be held ("sack" policy), ms. */
  readonly ackDelayMs: number;
  /** Gives an in-order DATA payload to reassembly; `owned` = it may be kept without a copy. */
  accept(payload: Uint8Array, flags: number, owned: boolean): void;
}

/** The sending half of an ARQ discipline. */
export interface ArqSender {
  /** Frames sent and not yet acknowledged. */
  readonly inFlight: number;
  /** Next sequence number to be used (the FIN carries it). */
  readonly nextSeq: number;
  /** Transmits new fragments while the window has room. */
  fill(now: number): void;
  /**
   * Processes an ACK frame. Returns true when it acknowledged something new. Throws
   * `BadPayloadError` on a malformed SACK block.
   */
  onAck(seq: number, payload: Uint8Array, now: number): boolean;
  /** Processes a NACK frame. */
  onNack(seq: number, now: number): void;
  /** The `retransmit` timer expired. */
  onRetransmitTimer(now: number): void;
  /** The `reorder` timer expired (fast recovery). */
  onReorderTimer(now: number): void;
  /** The `probe` timer expired (fast recovery). */
  onProbeTimer(now: number): void;
}

/** The receiving half of an ARQ discipline. */
export interface ArqReceiver {
  /** Next sequence number expected in order. */
  readonly expected: number;
  /** Processes one DATA frame (payload valid during the call only). */
  onData(frame: Frame, now: number): void;
  /** The delayed ACK it owes ("sack" policy). */
  readonly ack: OwedAck;
  /** Sends the owed cumulative ACK (with SACK ranges for SR). */
  sendPendingAck(): void;
}
