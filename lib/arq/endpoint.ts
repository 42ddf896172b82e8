/**
 * The ARQ endpoint: one side of a reliable session, as a pure state machine (KCP style). It
 * never reads a clock, arms a timer or touches a socket: every call takes `now` (ms), frames
 * leave through `hooks.output`, whole messages through `hooks.deliver`, and `nextWake()` says
 * when `update(now)` must run next, so one real timer serves any number of endpoints.
 *
 * Protocol rules (every sequence comparison wrap-around safe, u32):
 *
 * - Handshake: client SYN(seq = ISNc, payload = requested parameters) → server
 *   SYN-ACK(seq = ISNs, payload = confirmed parameters + ISNc) → client ACK(seq = ISNs,
 *   payload = the SYN-ACK's payload, so a server that answered the SYN without state can rebuild
 *   the session from this ACK alone); an established server ignores it. With the option
 *   `confirmHandshake` (over UDP), the client sends that ACK again ahead of each retransmission
 *   or keepalive until a frame other than a SYN-ACK comes back. The server clamps the window to its `maxWindow`; the client accepts the confirmed parameters
 *   when mode and ACK policy are the ones it asked for and window and max payload are not
 *   larger. SYN and SYN-ACK are retransmitted on RTO (with back-off) until
 *   `handshakeTimeoutMs`; then RST "handshake timeout". A duplicate SYN (same ISNc) is answered
 *   with the SYN-ACK again; a duplicate SYN-ACK with the ACK again. The server is established on
 *   that ACK or on the first valid DATA. Invalid SYN parameters: RST with the reason. Data
 *   sequence numbers start at ISN + 1 in each direction.
 * - DATA: fragments of at most `maxPayload` bytes, flag LAST on the final one; an empty message
 *   is one empty DATA with LAST. One sequence number per frame.
 * - ACK(seq): Go-Back-N and the "sack" policy: cumulative, every DATA up to and including `seq`
 *   was received in order (before any data: the peer's ISN). Selective Repeat with the "frame"
 *   policy: exactly frame `seq`. "sack" ACKs carry SACK ranges (SR only) and are sent once per
 *   `flush`, not once per frame; with `ackDelayMs`, an ACK of in-order DATA waits until that
 *   long after the first unacknowledged DATA or until half a window arrived, while one that
 *   reports a gap or a duplicate leaves at the next `flush`. "frame" ACKs are sent at once for
 *   every DATA, duplicates included.
 * - NACK(seq): sent (once established) when a frame fails its checksum, `seq` = next sequence
 *   number expected, at most once per expected value. See `gbn.ts` / `sr.ts` for what the
 *   sender does; a NACK that names nothing in flight is ignored.
 * - Timers: RFC 6298 RTO with Karn's rule and back-off (`rto.ts`; SR backs off per frame, see
 *   `sr.ts`). The link is declared dead (RST "link dead ...") after `deadAfterMs` with data in
 *   flight and no acknowledgement progress, however many tries that took. PING(seq = a counter
 *   from 0) when nothing was received for `keepaliveMs`, PONG echoes its seq; RST
 *   "idle timeout ..." when nothing at all (corrupt frames included) was received for
 *   `idleTimeoutMs`.
 * - Teardown: `close` waits until every queued message is acknowledged, then FIN(seq = next
 *   sequence number), retransmitted on RTO; the peer answers FIN-ACK(same seq) and closes
 *   ("closed by peer"), dropping what it had not sent yet (a FIN ends both directions). A
 *   closed endpoint still answers a repeated FIN with FIN-ACK. The FIN sender closes on the
 *   FIN-ACK ("closed") or after `deadAfterMs` ("closed (no FIN-ACK)"). RST(seq = next
 *   sequence number, payload = reason) closes at once and is never answered; the receiver's
 *   close reason is "reset by peer: <reason>".
 * @module
 */

import {
  decodeReason,
  decodeSyn,
  decodeSynAck,
  encodeReason,
  encodeSyn,
  encodeSynAck,
  MAX_WINDOW,
  type SessionParams,
  SYN_ACK_PAYLOAD_SIZE,
  validateParams,
} from "../protocol/control.ts";
import { BadPayloadError } from "../protocol/errors.ts";
import type { Frame } from "../protocol/frame.ts";
import { Flag, FrameType, MAX_MESSAGE } from "../protocol/header.ts";
import { seqAdd } from "../protocol/seq.ts";
import { MessageTooLongError, Reassembler } from "./fragment.ts";
import { GbnReceiver, GbnSender } from "./gbn.ts";
import { RtoEstimator } from "./rto.ts";
import { MessageQueue, SendWindow } from "./send_window.ts";
import { SrReceiver, SrSender } from "./sr.ts";
import {
  type ArqCore,
  type ArqEvent,
  type ArqReceiver,
  type ArqSender,
  type ArqStats,
  DEFAULT_ENDPOINT_OPTIONS,
  type EndpointHooks,
  type EndpointOptions,
  type EndpointState,
  newStats,
  SendQueueFullError,
  SessionClosedError,
} from "./types.ts";

const EMPTY = new Uint8Array(0);

/**
 * The close reason after the peer's FIN (answered with FIN-ACK). The FIN-ACK may be lost
 * (fault injection): an edge keeps the connection open a while so a repeated FIN is answered.
 */
export const CLOSED_BY_PEER = "closed by peer";

/** Fills in defaults and checks ranges; throws `RangeError` on a bad value. */
export function resolveOptions(options: Partial<EndpointOptions> = {}): EndpointOptions {
  const o: Record<string, number | boolean> = { ...DEFAULT_ENDPOINT_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_ENDPOINT_OPTIONS)) throw new RangeError(`Unknown ARQ option: ${key}`);
    if (typeof DEFAULT_ENDPOINT_OPTIONS[key as keyof EndpointOptions] === "boolean") {
      if (typeof value !== "boolean") {
        throw new RangeError(`ARQ option ${key} must be true or false: ${value}`);
      }
      o[key] = value;
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`ARQ option ${key} must be a finite number >= 0: ${value}`);
    }
    o[key] = value;
  }
  const r = o as unknown as EndpointOptions;
  if (!Number.isInteger(r.isn) || r.isn > 0xffffffff) {
    throw new RangeError(`ARQ option isn must be a u32: ${r.isn}`);
  }
  if (!Number.isInteger(r.maxWindow) || r.maxWindow < 1 || r.maxWindow > MAX_WINDOW) {
    throw new RangeError(`ARQ option maxWindow out of range: ${r.maxWindow} (1..${MAX_WINDOW})`);
  }
  if (r.minRto <= 0 || r.maxRto < r.minRto) {
    throw new RangeError(`ARQ options need 0 < minRto <= maxRto: ${r.minRto}, ${r.maxRto}`);
  }
  return r;
}

/**
 * One side of a reliable session. Create with {@link ArqEndpoint.client} or `.server`.
 *
 * The edge calls `input`/`inputCorrupt` for each decoded frame, then `flush(now)` once per read
 * batch, `update(now)` when the time returned by `nextWake()` comes, and reads `nextWake()`
 * again after every call.
 *
 * @example Two endpoints wired back to back
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArqEndpoint, type OutFrame } from "./mod.ts";
 *
 * const toServer: OutFrame[] = [];
 * const toClient: OutFrame[] = [];
 * const got: string[] = [];
 * const server = ArqEndpoint.server({}, {
 *   output: (f) => toClient.push(f),
 *   deliver: (m) => got.push(new TextDecoder().decode(m)),
 * }, 0);
 * const client = ArqEndpoint.client(
 *   { mode: "sr", window: 8, ackPolicy: "frame", maxPayload: 1024 },
 *   {},
 *   { output: (f) => toServer.push(f), deliver: () => {} },
 *   0,
 * );
 * client.send(new TextEncoder().encode("hello"), 0);
 * for (let now = 1; now < 10 && (toServer.length || toClient.length); now++) {
 *   for (const f of toServer.splice(0)) server.input(f, now);
 *   server.flush(now);
 *   for (const f of toClient.splice(0)) client.input(f, now);
 *   client.flush(now);
 * }
 * assert.deepEqual(got, ["hello"]);
 * assert.equal(client.pending, 0);
 * ```
 */
export class ArqEndpoint implements ArqCore {
  /** Which side this is. */
  readonly role: "client" | "server";
  /** Counters (updated in place). */
  readonly stats: ArqStats;
  readonly #hooks: EndpointHooks;
  readonly #event: ((event: ArqEvent) => void) | undefined;
  readonly #opts: EndpointOptions;
  readonly #rtt: RtoEstimator;
  readonly #isn: number;
  readonly #queue = new MessageQueue();
  readonly #reasm = new Reassembler(MAX_MESSAGE);
  readonly #requested: SessionParams | undefined;
  #state: EndpointState;
  #closeReason: string | undefined;
  #params: SessionParams | undefined;
  #peerIsn = 0;
  #sender: ArqSender | undefined;
  #receiver: ArqReceiver | undefined;
  // Handshake (SYN or SYN-ACK) retransmission.
  #hsPayload: Uint8Array = EMPTY;
  #hsAttempt = 0;
  #hsSentAt = 0;
  #hsResendAt = -1;
  #hsDeadline = -1;
  /**
   * Client: the SYN-ACK's payload, which its handshake ACK carries back (a server that answered
   * the SYN without keeping state rebuilds the session from it), and whether a frame other than
   * a SYN-ACK came from the server since (then the server holds the session).
   */
  #hsEcho: Uint8Array = EMPTY;
  #peerHeard = false;
  // Liveness.
  #lastReceivedAt = 0;
  #lastPingAt = -Infinity;
  #pingSeq = 0;
  #progressAt = 0;
  // Repeated ACK / FIN-ACK counting for `attempt`.
  #lastAckSeq = -1;
  #ackAttempt = 0;
  #finAckSeq = -1;
  #finAckAttempt = 0;
  // NACK: the expected sequence number already NACKed (-1 = none).
  #nackedFor = -1;
  // Teardown.
  #closeRequested = false;
  #finSeq = 0;
  #finAttempt = 0;
  #finResendAt = -1;
  #finDeadline = -1;

  private constructor(
    role: "client" | "server",
    options: Partial<EndpointOptions>,
    hooks: EndpointHooks,
    requested: SessionParams | undefined,
  ) {
    this.role = role;
    this.#opts = resolveOptions(options);
    this.#hooks = hooks;
    this.#event = hooks.event ?? undefined;
    this.#rtt = new RtoEstimator(this.#opts);
    this.stats = newStats(this.#rtt.rto);
    this.#isn = this.#opts.isn >>> 0;
    this.#requested = requested;
    this.#state = role === "client" ? "syn-sent" : "listen";
  }

  /**
   * A client endpoint asking for `params`; emits the SYN at once. Throws `RangeError` on
   * invalid parameters or options.
   */
  static client(
    params: SessionParams,
    options: Partial<EndpointOptions>,
    hooks: EndpointHooks,
    now: number,
  ): ArqEndpoint {
    const problem = validateParams(params);
    if (problem) throw new RangeError(problem);
    const requested: SessionParams = {
      mode: params.mode,
      window: params.window,
      ackPolicy: params.ackPolicy,
      maxPayload: params.maxPayload,
    };
    const e = new ArqEndpoint("client", options, hooks, requested);
    e.#lastReceivedAt = now;
    e.#hsPayload = encodeSyn(requested);
    e.#hsDeadline = now + e.#opts.handshakeTimeoutMs;
    e.#sendHandshake(now, 1);
    return e;
  }

  /**
   * A server endpoint waiting for a SYN. With `now` given, it gives up ("handshake timeout")
   * when no handshake completes within `handshakeTimeoutMs` of it.
   */
  static server(
    options: Partial<EndpointOptions>,
    hooks: EndpointHooks,
    now?: number,
  ): ArqEndpoint {
    const e = new ArqEndpoint("server", options, hooks, undefined);
    if (now !== undefined) {
      e.#lastReceivedAt = now;
      e.#hsDeadline = now + e.#opts.handshakeTimeoutMs;
    }
    return e;
  }

  /** Life-cycle state. */
  get state(): EndpointState {
    return this.#state;
  }

  /** Why the session closed (once closed). */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /** The session parameters in force, once the SYN-ACK was sent (server) or received. */
  get params(): SessionParams | undefined {
    return this.#params;
  }

  /** The options in force (defaults filled in). */
  get options(): Readonly<EndpointOptions> {
    return this.#opts;
  }

  /** Messages queued or not yet acknowledged (0 = everything sent was acknowledged). */
  get pending(): number {
    return this.#queue.pending;
  }

  /** Current retransmission timeout, ms. */
  get rto(): number {
    return this.#rtt.rto;
  }

  /** Smoothed round-trip time, ms (0 before the first sample). */
  get srtt(): number {
    return this.#rtt.srtt;
  }

  /** True when `send` only queues and frames leave at `flush` (option `sendOnFlush`). */
  get sendsOnFlush(): boolean {
    return this.#opts.sendOnFlush;
  }

  /** True when an event observer is installed. */
  get eventsOn(): boolean {
    return this.#event !== undefined;
  }

  /**
   * Queues `message` (kept by reference: do not mutate it afterwards) and sends what the window
   * allows. `payloadSum` = `onesSum(message)` when known (used for single-fragment messages).
   * Allowed before the handshake completes. Throws {@link SessionClosedError} after `close`
   * or once closed, `RangeError` when longer than `MAX_MESSAGE`, {@link SendQueueFullError}
   * when `maxSendQueue` messages are already pending. Returns true when the message was packed
   * into a queued one (option `coalesce`): then nothing was sent and no timer changed.
   */
  send(message: Uint8Array, now: number, payloadSum?: number): boolean {
    if (this.#state === "closed" || this.#closeRequested) {
      throw new SessionClosedError(this.#closeRequested ? "closing" : this.#state);
    }
    if (message.length > MAX_MESSAGE) {
      throw new RangeError(`Message too long: ${message.length} bytes (max ${MAX_MESSAGE})`);
    }
    if (
      this.#opts.coalesce && this.#params !== undefined &&
      this.#queue.coalesce(message, this.#params.maxPayload, payloadSum ?? -1)
    ) {
      this.stats.messagesSent++;
      this.stats.messagesCoalesced++;
      return true; // it leaves with the queued message it joined, which is not sent yet
    }
    if (this.#queue.pending >= this.#opts.maxSendQueue) {
      throw new SendQueueFullError(this.#queue.pending);
    }
    this.#queue.push(message, payloadSum ?? -1);
    this.stats.messagesSent++;
    if (this.#sender && !this.#opts.sendOnFlush) this.#fill(now);
    return false;
  }

  /** Feeds one valid frame (its payload is a view valid during this call only). */
  input(frame: Frame, now: number): void {
    if (this.#state === "closed") {
      if (frame.type === FrameType.FIN) this.#sendFinAck(frame.seq);
      return;
    }
    this.stats.framesReceived++;
    this.#lastReceivedAt = now;
    if (frame.type !== FrameType.SYN_ACK) this.#peerHeard = true;
    switch (frame.type) {
      case FrameType.DATA:
        this.#onData(frame, now);
        break;
      case FrameType.ACK:
        this.#onAck(frame, now);
        break;
      case FrameType.NACK:
        this.stats.nacksReceived++;
        if (this.#sender) this.#sender.onNack(frame.seq, now);
        break;
      case FrameType.SYN:
        this.#onSyn(frame, now);
        break;
      case FrameType.SYN_ACK:
        this.#onSynAck(frame, now);
        break;
      case FrameType.FIN:
        if (this.#state !== "listen" && this.#state !== "syn-sent") {
          this.#sendFinAck(frame.seq);
          this.#closeNow(CLOSED_BY_PEER);
        }
        break;
      case FrameType.FIN_ACK:
        if (this.#finAttempt > 0 && frame.seq === this.#finSeq) this.#closeNow("closed");
        break;
      case FrameType.PING:
        if (this.#state !== "listen") this.#emit(FrameType.PONG, frame.seq, 0, EMPTY, 1, -1);
        break;
      case FrameType.PONG:
        break;
      case FrameType.RST:
        this.#closeNow(`reset by peer: ${decodeReason(frame.payload)}`);
        break;
    }
  }

  /** A frame failed its checksum: NACK the next expected sequence number (once per value). */
  inputCorrupt(now: number): void {
    if (this.#state === "closed") return;
    this.stats.corruptReceived++;
    this.#lastReceivedAt = now;
    const r = this.#receiver;
    if (r === undefined || this.#nackedFor === r.expected) return;
    this.#nackedFor = r.expected;
    this.stats.nacksSent++;
    if (this.#event) this.#event({ kind: "nack-sent", seq: r.expected });
    this.#emit(FrameType.NACK, r.expected, 0, EMPTY, 1, -1);
  }

  /** Sends the owed delayed ACK, if due ("sack" policy). Call once per batch of input. */
  flush(now: number): void {
    if (this.#opts.sendOnFlush && this.#sender && this.#queue.length > 0) this.#fill(now);
    const r = this.#receiver;
    if (r === undefined || this.#state === "closed") return;
    if (r.ack.due(now, this.#opts.ackDelayMs, r.expected, this.#params!.window)) {
      r.sendPendingAck();
    }
  }

  /** Runs the timers due at `now`. Harmless when called early or often. */
  update(now: number): void {
    switch (this.#state) {
      case "closed":
        return;
      case "listen":
        if (this.#hsDeadline >= 0 && now >= this.#hsDeadline) this.abort("handshake timeout", now);
        return;
      case "syn-sent":
      case "syn-received":
        if (now >= this.#hsDeadline) {
          this.abort("handshake timeout", now);
        } else if (now >= this.#hsResendAt) {
          this.stats.timeouts++;
          this.#rtt.backoff();
          this.#syncRto();
          const type = this.#state === "syn-sent" ? FrameType.SYN : FrameType.SYN_ACK;
          const seq = this.#isn;
          if (this.#event) this.#event({ kind: "timeout", type, seq, rto: this.#rtt.rto });
          this.#retransmitHandshake(now, "timeout");
        }
        return;
    }
    // established or closing
    const idleFor = now - this.#lastReceivedAt;
    if (idleFor >= this.#opts.idleTimeoutMs) {
      this.abort(`idle timeout: nothing received for ${Math.round(idleFor)} ms`, now);
      return;
    }
    const sender = this.#sender!;
    if (sender.inFlight > 0 && now - this.#progressAt >= this.#opts.deadAfterMs) {
      this.abort(
        `link dead: no acknowledgement for ${Math.round(now - this.#progressAt)} ms`,
        now,
      );
      return;
    }
    if (this.#opts.confirmHandshake && !this.#peerHeard && this.role === "client") {
      // Nothing came back since the SYN-ACK: the handshake ACK may have been lost on its way to
      // a server that keeps no state before it. It goes again ahead of what the timers resend.
      const timer = sender.nextTimer();
      if ((timer !== undefined && now >= timer) || now >= this.#nextPingAt()) {
        this.sendAck(this.#peerIsn, this.#hsEcho);
      }
    }
    sender.update(now);
    const r = this.#receiver!;
    if (now >= r.ack.heldUntil(this.#opts.ackDelayMs)) r.sendPendingAck();
    if (now >= this.#nextPingAt()) {
      this.#lastPingAt = now;
      const seq = this.#pingSeq;
      this.#pingSeq = (this.#pingSeq + 1) >>> 0;
      if (this.#event) this.#event({ kind: "keepalive", seq });
      this.#emit(FrameType.PING, seq, 0, EMPTY, 1, -1);
    }
    if (this.#finAttempt > 0) {
      if (now >= this.#finDeadline) {
        this.#closeNow("closed (no FIN-ACK)");
      } else if (now >= this.#finResendAt) {
        this.stats.timeouts++;
        this.#rtt.backoff();
        this.#syncRto();
        if (this.#event) {
          this.#event({ kind: "timeout", type: FrameType.FIN, seq: this.#finSeq, rto: this.rto });
        }
        this.#sendFin(now);
      }
    }
  }

  /** Absolute time (ms) `update` must next run at, or `undefined` when nothing is timed. */
  nextWake(): number | undefined {
    switch (this.#state) {
      case "closed":
        return undefined;
      case "listen":
        return this.#hsDeadline >= 0 ? this.#hsDeadline : undefined;
      case "syn-sent":
      case "syn-received":
        return Math.min(this.#hsResendAt, this.#hsDeadline);
    }
    let t = Math.min(this.#lastReceivedAt + this.#opts.idleTimeoutMs, this.#nextPingAt());
    const sender = this.#sender!;
    const timer = sender.nextTimer();
    if (timer !== undefined && timer < t) t = timer;
    if (sender.inFlight > 0) t = Math.min(t, this.#progressAt + this.#opts.deadAfterMs);
    const r = this.#receiver!;
    if (this.#opts.ackDelayMs > 0) t = Math.min(t, r.ack.heldUntil(this.#opts.ackDelayMs));
    if (this.#finAttempt > 0) t = Math.min(t, this.#finResendAt, this.#finDeadline);
    return t;
  }

  /** Graceful close: FIN once everything queued was acknowledged (see module doc). */
  close(now: number): void {
    if (this.#state === "closed" || this.#closeRequested) return;
    this.#closeRequested = true;
    if (this.#state === "listen") {
      this.#closeNow("closed");
      return;
    }
    if (this.#state === "established") {
      this.#state = "closing";
      this.#maybeFin(now);
    }
  }

  /** Sends RST with `reason` and closes at once. */
  abort(reason: string, _now: number): void {
    if (this.#state === "closed") return;
    const seq = this.#sender ? this.#sender.nextSeq : this.#isn;
    this.#emit(FrameType.RST, seq, 0, encodeReason(reason), 1, -1);
    this.#closeNow(reason);
  }

  // ---- ArqCore (used by the GBN / SR halves) ----

  /** @internal Emits a frame (counts it). */
  emit(
    type: FrameType,
    seq: number,
    flags: number,
    payload: Uint8Array,
    attempt: number,
    payloadSum: number,
  ): void {
    this.#emit(type, seq, flags, payload, attempt, payloadSum);
  }

  /** @internal Reassembles and delivers an in-order DATA payload. */
  accept(payload: Uint8Array, flags: number, owned: boolean): void {
    if (this.#state === "closed") return;
    let message: Uint8Array | undefined;
    try {
      message = this.#reasm.push(
        payload,
        (flags & Flag.LAST) !== 0,
        owned,
        this.#opts.lendDelivered,
      );
    } catch (error) {
      if (error instanceof MessageTooLongError) {
        this.abort(`Protocol error: ${error.message}`, this.#lastReceivedAt);
        return;
      }
      throw error;
    }
    if (message === undefined) return;
    this.stats.messagesDelivered++;
    this.stats.bytesDelivered += message.length;
    this.#hooks.deliver(message);
  }

  /** @internal Sends an ACK; repeated ACKs of the same seq count as further attempts. */
  sendAck(seq: number, payload: Uint8Array, attempt?: number): void {
    if (this.#state === "closed") return;
    if (seq === this.#lastAckSeq) this.#ackAttempt++;
    else {
      this.#lastAckSeq = seq;
      this.#ackAttempt = 1;
    }
    this.stats.acksSent++;
    this.#emit(FrameType.ACK, seq, 0, payload, attempt ?? this.#ackAttempt, -1);
  }

  /** @internal Reports an event. */
  event(event: ArqEvent): void {
    this.#event?.(event);
  }

  /** @internal One RTT sample (Karn's rule applied by the caller). */
  rttSample(rtt: number): void {
    this.#rtt.sample(rtt);
    this.#syncRto();
    if (this.#event) {
      const r = this.#rtt;
      this.#event({ kind: "rtt", sample: rtt, srtt: r.srtt, rttvar: r.rttvar, rto: r.rto });
    }
  }

  /** @internal A retransmission timer expired. */
  backoff(): void {
    this.#rtt.backoff();
    this.#syncRto();
  }

  /** @internal A frame timed out for the `level`-th time. */
  backoffTo(level: number): void {
    this.#rtt.backoffTo(level);
    this.#syncRto();
  }

  // ---- private ----

  #emit(
    type: FrameType,
    seq: number,
    flags: number,
    payload: Uint8Array,
    attempt: number,
    payloadSum: number,
  ): void {
    const stats = this.stats;
    stats.framesSent++;
    if (type === FrameType.DATA) stats.dataSent++;
    this.#hooks.output({
      type,
      seq,
      flags,
      payload,
      attempt,
      payloadSum: payloadSum >= 0 ? payloadSum : undefined,
    });
  }

  #syncRto(): void {
    const r = this.#rtt;
    this.stats.srtt = r.srtt;
    this.stats.rttvar = r.rttvar;
    this.stats.rto = r.rto;
  }

  #nextPingAt(): number {
    return Math.max(this.#lastReceivedAt, this.#lastPingAt) + this.#opts.keepaliveMs;
  }

  #sendHandshake(now: number, attempt: number): void {
    this.#hsAttempt = attempt;
    this.#hsSentAt = now;
    this.#hsResendAt = now + this.#rtt.rto;
    const type = this.role === "client" ? FrameType.SYN : FrameType.SYN_ACK;
    this.#emit(type, this.#isn, 0, this.#hsPayload, attempt, -1);
  }

  #retransmitHandshake(now: number, reason: "timeout" | "duplicate"): void {
    const attempt = this.#hsAttempt + 1;
    this.stats.retransmissions++;
    if (this.#event) {
      const type = this.role === "client" ? FrameType.SYN : FrameType.SYN_ACK;
      this.#event({ kind: "retransmit", type, seq: this.#isn, attempt, reason });
    }
    this.#sendHandshake(now, attempt);
  }

  #onSyn(frame: Frame, now: number): void {
    if (this.role !== "server") return;
    if (this.#state === "listen") {
      let asked: SessionParams;
      try {
        asked = decodeSyn(frame.payload);
      } catch (error) {
        if (error instanceof BadPayloadError) {
          this.abort(`Protocol error: ${error.message}`, now);
          return;
        }
        throw error;
      }
      const confirmed: SessionParams = {
        mode: asked.mode,
        window: Math.min(asked.window, this.#opts.maxWindow),
        ackPolicy: asked.ackPolicy,
        maxPayload: asked.maxPayload,
      };
      this.#params = confirmed;
      this.#peerIsn = frame.seq;
      this.#state = "syn-received";
      this.#hsPayload = encodeSynAck(confirmed, frame.seq);
      this.#hsDeadline = now + this.#opts.handshakeTimeoutMs;
      this.#sendHandshake(now, 1);
    } else if (frame.seq === this.#peerIsn) {
      if (this.#state === "syn-received") this.#retransmitHandshake(now, "duplicate");
      else {
        // Established: a late duplicate SYN; answer it, the client re-ACKs.
        this.stats.retransmissions++;
        this.#hsAttempt++;
        this.#emit(FrameType.SYN_ACK, this.#isn, 0, this.#hsPayload, this.#hsAttempt, -1);
      }
    }
  }

  #onSynAck(frame: Frame, now: number): void {
    if (this.role !== "client") return;
    if (this.#state !== "syn-sent") {
      // Duplicate SYN-ACK: our ACK was lost; send it again.
      if (frame.seq === this.#peerIsn) this.sendAck(this.#peerIsn, this.#hsEcho);
      return;
    }
    let confirmed: SessionParams;
    let ackedIsn: number;
    try {
      ({ params: confirmed, ackedIsn } = decodeSynAck(frame.payload));
    } catch (error) {
      if (error instanceof BadPayloadError) {
        this.abort(`Protocol error: ${error.message}`, now);
        return;
      }
      throw error;
    }
    if (ackedIsn !== this.#isn) return; // not an answer to our SYN
    const asked = this.#requested!;
    if (
      confirmed.mode !== asked.mode || confirmed.ackPolicy !== asked.ackPolicy ||
      confirmed.window > asked.window || confirmed.maxPayload > asked.maxPayload
    ) {
      this.abort("Protocol error: SYN-ACK confirms parameters that were not requested", now);
      return;
    }
    if (this.#hsAttempt === 1) this.rttSample(now - this.#hsSentAt);
    this.#params = confirmed;
    this.#peerIsn = frame.seq;
    this.#hsEcho = frame.payload.slice();
    this.#establish(now);
    this.sendAck(this.#peerIsn, this.#hsEcho);
    this.#fill(now);
    this.#maybeFin(now);
  }

  #establish(now: number): void {
    const p = this.#params!;
    const firstOut = seqAdd(this.#isn, 1);
    const firstIn = seqAdd(this.#peerIsn, 1);
    const window = new SendWindow(p.window, p.maxPayload, firstOut, this.#queue);
    const perFrame = p.ackPolicy === "frame";
    if (p.mode === "gbn") {
      this.#sender = new GbnSender(this, window);
      this.#receiver = new GbnReceiver(this, perFrame, firstIn);
    } else {
      this.#sender = new SrSender(this, window, perFrame);
      this.#receiver = new SrReceiver(this, perFrame, p.window, firstIn);
    }
    this.#state = this.#closeRequested ? "closing" : "established";
    this.#hsResendAt = -1;
    this.#progressAt = now;
    this.#lastReceivedAt = now;
    if (this.#event) {
      this.#event({ kind: "established", params: p, isn: this.#isn, peerIsn: this.#peerIsn });
    }
  }

  #onAck(frame: Frame, now: number): void {
    this.stats.acksReceived++;
    if (this.#state === "syn-received") {
      if (frame.seq !== this.#isn) return;
      if (this.#hsAttempt === 1) this.rttSample(now - this.#hsSentAt);
      this.#establish(now);
      this.#fill(now);
      this.#maybeFin(now);
      return;
    }
    const sender = this.#sender;
    if (sender === undefined) return;
    // The handshake ACK again (it carries the SYN-ACK's payload, never a SACK block's size).
    if (frame.seq === this.#isn && frame.payload.length === SYN_ACK_PAYLOAD_SIZE) return;
    let progress: boolean;
    try {
      progress = sender.onAck(frame.seq, frame.payload, now);
    } catch (error) {
      if (error instanceof BadPayloadError) {
        this.abort(`Protocol error: ${error.message}`, now);
        return;
      }
      throw error;
    }
    if (!progress) return;
    this.#progressAt = now;
    this.#fill(now);
    this.#maybeFin(now);
  }

  #onData(frame: Frame, now: number): void {
    this.stats.dataReceived++;
    if (this.#state === "syn-received") {
      this.#establish(now);
      this.#fill(now);
    }
    const r = this.#receiver;
    if (r === undefined) return;
    if (frame.payload.length > this.#params!.maxPayload) {
      this.abort(
        `Protocol error: DATA payload too long: ${frame.payload.length} bytes (max ${
          this.#params!.maxPayload
        })`,
        now,
      );
      return;
    }
    r.onData(frame, now);
  }

  #fill(now: number): void {
    const sender = this.#sender!;
    if (this.#state !== "established" && this.#state !== "closing") return;
    const before = sender.inFlight;
    sender.fill(now);
    if (before === 0 && sender.inFlight > 0) this.#progressAt = now;
  }

  #maybeFin(now: number): void {
    if (this.#state !== "closing" || this.#finAttempt > 0 || this.#queue.pending > 0) return;
    this.#finSeq = this.#sender!.nextSeq;
    this.#finDeadline = now + this.#opts.deadAfterMs;
    this.#sendFin(now);
  }

  #sendFin(now: number): void {
    this.#finAttempt++;
    this.#finResendAt = now + this.#rtt.rto;
    if (this.#finAttempt > 1) {
      this.stats.retransmissions++;
      if (this.#event) {
        this.#event({
          kind: "retransmit",
          type: FrameType.FIN,
          seq: this.#finSeq,
          attempt: this.#finAttempt,
          reason: "timeout",
        });
      }
    }
    this.#emit(FrameType.FIN, this.#finSeq, 0, EMPTY, this.#finAttempt, -1);
  }

  #sendFinAck(seq: number): void {
    if (seq === this.#finAckSeq) this.#finAckAttempt++;
    else {
      this.#finAckSeq = seq;
      this.#finAckAttempt = 1;
    }
    this.#emit(FrameType.FIN_ACK, seq, 0, EMPTY, this.#finAckAttempt, -1);
  }

  #closeNow(reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closeReason = reason;
    this.#queue.clear();
    if (this.#event) this.#event({ kind: "closed", reason });
  }
}
