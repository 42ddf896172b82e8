/**
 * The public types of the ARQ engine: the hooks an edge gives an endpoint, the frames it emits,
 * the events, options, counters and errors.
 * @module
 */

import type { FrameType } from "../protocol/header.ts";
import type { SessionParams } from "../protocol/control.ts";

/** Life cycle of an endpoint. */
export type EndpointState =
  | "listen"
  | "syn-sent"
  | "syn-received"
  | "established"
  | "closing"
  | "closed";

/** A frame the endpoint wants sent. */
export interface OutFrame {
  /** Frame type. */
  readonly type: FrameType;
  /** Sequence number (u32). */
  readonly seq: number;
  /** Flag bits. */
  readonly flags: number;
  /**
   * Payload. For DATA it is (a view of) the message given to `send`, shared and never to be
   * mutated; encode it during the call.
   */
  readonly payload: Uint8Array;
  /** 1 = first transmission of this (type, seq), 2 = first retransmission, and so on. */
  readonly attempt: number;
  /** `onesSum(payload)` when the sender supplied it to `send` (single-fragment messages). */
  readonly payloadSum?: number;
  /** Why a DATA frame was sent again (`attempt` > 1). */
  readonly cause?: RetransmitReason | undefined;
}

/** What an endpoint calls on its edge. None of them may call back into the endpoint. */
export interface EndpointHooks {
  /** Emit one frame (the edge encodes it, may inject faults, and writes it). */
  output(frame: OutFrame): void;
  /**
   * One whole reassembled message, in order, exactly once. The bytes are lent: valid during the
   * call only (a message of one frame is a view of the frame given to `input`); copy what is
   * kept.
   */
  deliver(message: Uint8Array): void;
  /** Optional observer for traces and logs. */
  event?: ((event: ArqEvent) => void) | undefined;
}

/**
 * Why a frame was sent again: its retransmission timer expired ("timeout"), the receiver's
 * ACKs showed it lost ("fast": SACK ranges or a later frame acknowledged under SR, repeated
 * cumulative ACKs under GBN), a NACK named it ("nack"), it is the tail-loss probe ("probe"), or
 * it answers a duplicate SYN ("duplicate").
 */
export type RetransmitReason = "timeout" | "fast" | "nack" | "probe" | "duplicate";

/** How a sender recovers lost frames: by its timer alone (the textbook), or fast. */
export type RecoveryMode = "timeout" | "fast";

/** Congestion control of a sender: none (fixed window) or AIMD (`congestion.ts`). */
export type CongestionControl = "none" | "aimd";

/** Something worth tracing or logging that happened inside an endpoint. */
export type ArqEvent =
  | {
    readonly kind: "established";
    readonly params: SessionParams;
    readonly isn: number;
    readonly peerIsn: number;
  }
  | {
    readonly kind: "retransmit";
    readonly type: FrameType;
    readonly seq: number;
    readonly attempt: number;
    readonly reason: RetransmitReason;
  }
  | {
    readonly kind: "timeout";
    readonly type: FrameType;
    readonly seq: number;
    readonly rto: number;
  }
  | { readonly kind: "nack-sent"; readonly seq: number }
  | {
    readonly kind: "nack-received";
    readonly seq: number;
    readonly action: "resent" | "stale" | "ignored";
  }
  | { readonly kind: "duplicate"; readonly seq: number }
  | { readonly kind: "out-of-order"; readonly seq: number; readonly expected: number }
  | {
    readonly kind: "rtt";
    readonly sample: number;
    readonly srtt: number;
    readonly rttvar: number;
    readonly rto: number;
  }
  | { readonly kind: "keepalive"; readonly seq: number }
  | { readonly kind: "timer"; readonly timer: string }
  | { readonly kind: "closed"; readonly reason: string };

/** Tunables of an endpoint. Every field has a default in {@link DEFAULT_ENDPOINT_OPTIONS}. */
export interface EndpointOptions {
  /**
   * Loss recovery of this side's sender. "timeout": a lost frame waits for its retransmission
   * timer (the textbook; NACKs still answered). "fast" (default): frames the ACKs show lost are
   * resent at once, and a tail-loss probe replaces most timeouts (see `endpoint.ts`).
   */
  readonly recovery: RecoveryMode;
  /** Congestion control of this side's sender. Default "none" (the window is fixed). */
  readonly cc: CongestionControl;
  /** Initial sequence number of this side (u32). Default 0. */
  readonly isn: number;
  /** Smallest retransmission timeout, ms. Default 100. */
  readonly minRto: number;
  /** Largest retransmission timeout (and back-off cap), ms. Default 2000. */
  readonly maxRto: number;
  /** Retransmission timeout before the first RTT sample, ms. Default 1000 (RFC 6298). */
  readonly initialRto: number;
  /**
   * The link is declared dead (RST, closed) after this long with unacknowledged data and no
   * acknowledgement progress, ms. A time, not a number of tries. Default 15000. Also bounds
   * how long a FIN waits for its FIN-ACK.
   */
  readonly deadAfterMs: number;
  /** The handshake must complete within this time, ms. Default 10000. */
  readonly handshakeTimeoutMs: number;
  /** Send a PING when nothing was received for this long, ms. Default 15000. */
  readonly keepaliveMs: number;
  /** Abort when nothing at all was received for this long, ms. Default 45000. */
  readonly idleTimeoutMs: number;
  /**
   * With the "sack" ACK policy: how long an owed ACK of in-order DATA may wait after the first
   * unacknowledged DATA, ms, as TCP's delayed ACK; it leaves sooner, at the next `flush`, once
   * half a window arrived since the last ACK, and at once when it reports a gap or a duplicate
   * (the sender must hear of those). 0 (default) = sent by the next `flush`.
   */
  readonly ackDelayMs: number;
  /** Largest window a server accepts; a larger request is clamped. Default 256. */
  readonly maxWindow: number;
  /** Most messages queued or unacknowledged; past it `send` throws. Default 4096. */
  readonly maxSendQueue: number;
  /**
   * Client: until a frame other than a SYN-ACK comes back from the server, send the handshake
   * ACK again ahead of each retransmission or keepalive. A server that answers SYNs without
   * keeping state (UDP) has no session until that ACK reaches it, so a lost one would otherwise
   * leave the client sending into nothing. Default false (over TCP the ACK cannot be lost).
   */
  readonly confirmHandshake: boolean;
}

/** Default {@link EndpointOptions}. */
export const DEFAULT_ENDPOINT_OPTIONS: Readonly<EndpointOptions> = Object.freeze({
  recovery: "fast",
  cc: "none",
  isn: 0,
  minRto: 100,
  maxRto: 2000,
  initialRto: 1000,
  deadAfterMs: 15000,
  handshakeTimeoutMs: 10000,
  keepaliveMs: 15000,
  idleTimeoutMs: 45000,
  ackDelayMs: 0,
  maxWindow: 256,
  maxSendQueue: 4096,
  confirmHandshake: false,
});

/**
 * Suggested options when heavy faults are injected (e.g. 30 % loss and 30 % corruption each
 * way, about 51 % of frames failing per direction, so one DATA-and-ACK round trip succeeds one
 * time in four). With the defaults, Karn's rule keeps the RTO at `maxRto` (2 s) during long loss
 * bursts, so 15 s hold only ~7 tries and a stalled frame kills the link in a sizeable share of
 * long sessions; a 1 s cap and a 60 s budget hold ~60 tries. (A 30 s budget still lost one
 * session in a few hundred: fourteen ACKs of one frame failing in a row.)
 */
export const LOSSY_LINK_OPTIONS: Readonly<Partial<EndpointOptions>> = Object.freeze({
  maxRto: 1000,
  deadAfterMs: 60000,
  handshakeTimeoutMs: 30000,
});

/**
 * The `ackDelayMs` of `chat join` and `chat bench`. Under load, one ACK per read doubles the
 * packets a server handles: at 1 M deliveries/s to 200 clients, a server reading one ACK per
 * write it made had a p99 of 30-50 ms; with ACKs held up to 10 ms it read a third as much and
 * its p99 was 7-15 ms (README). Far below the 100 ms minimum RTO, so no retransmission waits on
 * it.
 */
export const CLIENT_ACK_DELAY_MS = 10;

/** Counters of an endpoint (plain numbers, updated in place). */
export interface ArqStats {
  /** Frames handed to `output`, all types, retransmissions included. */
  framesSent: number;
  /** Frames given to `input` (valid checksum). */
  framesReceived: number;
  /** DATA frames sent, retransmissions included. */
  dataSent: number;
  /** DATA frames received, duplicates included. */
  dataReceived: number;
  /** Frames sent again (DATA, SYN, SYN-ACK, FIN). */
  retransmissions: number;
  /** DATA frames sent again because their retransmission timer expired. */
  timeoutRetransmissions: number;
  /** DATA frames sent again because the ACKs showed them lost (fast recovery). */
  fastRetransmissions: number;
  /** DATA frames sent again because a NACK named them (GBN: and the frames after them). */
  nackRetransmissions: number;
  /** DATA frames sent again as tail-loss probes. */
  probeRetransmissions: number;
  /** DATA frames acknowledged after being sent more than once. */
  repairs: number;
  /**
   * For those, the sum of (acknowledgement time - first transmission) / SRTT: the mean time
   * from a loss to its repair in round trips is `repairRtts / repairs`.
   */
  repairRtts: number;
  /** Retransmission timer expiries. */
  timeouts: number;
  /** NACKs sent. */
  nacksSent: number;
  /** NACKs received. */
  nacksReceived: number;
  /** ACKs sent (handshake ACK included). */
  acksSent: number;
  /** ACKs received. */
  acksReceived: number;
  /** DATA frames received that were already received. */
  duplicates: number;
  /** DATA frames received ahead of the next expected one. */
  outOfOrder: number;
  /** Frames that failed their checksum. */
  corruptReceived: number;
  /** Messages accepted by `send`. */
  messagesSent: number;
  /** Of those, messages packed into an earlier queued message (see `ArqEndpoint.send`). */
  messagesPacked: number;
  /** Messages delivered. */
  messagesDelivered: number;
  /** Bytes of the messages delivered. */
  bytesDelivered: number;
  /** Smoothed RTT, ms (0 before the first sample). */
  srtt: number;
  /** RTT variation, ms. */
  rttvar: number;
  /** Current retransmission timeout, ms. */
  rto: number;
  /** Frames the sender may have in flight now: the window, or the congestion window. */
  cwnd: number;
}

/** A fresh set of zero counters. */
export function newStats(rto: number): ArqStats {
  return {
    framesSent: 0,
    framesReceived: 0,
    dataSent: 0,
    dataReceived: 0,
    retransmissions: 0,
    timeoutRetransmissions: 0,
    fastRetransmissions: 0,
    nackRetransmissions: 0,
    probeRetransmissions: 0,
    repairs: 0,
    repairRtts: 0,
    timeouts: 0,
    nacksSent: 0,
    nacksReceived: 0,
    acksSent: 0,
    acksReceived: 0,
    duplicates: 0,
    outOfOrder: 0,
    corruptReceived: 0,
    messagesSent: 0,
    messagesPacked: 0,
    messagesDelivered: 0,
    bytesDelivered: 0,
    srtt: 0,
    rttvar: 0,
    rto,
    cwnd: 0,
  };
}

/** `send` was called with more than `maxSendQueue` messages queued or unacknowledged. */
export class SendQueueFullError extends Error {
  /** Messages queued or unacknowledged. */
  readonly pending: number;
  constructor(pending: number) {
    super(`Send queue full: ${pending} messages pending`);
    this.name = "SendQueueFullError";
    this.pending = pending;
  }
}

/** `send` was called on an endpoint that is closing or closed. */
export class SessionClosedError extends RangeError {
  constructor(state: EndpointState) {
    super(`Session not open: ${state}`);
    this.name = "SessionClosedError";
  }
}
