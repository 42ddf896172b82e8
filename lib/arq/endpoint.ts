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
 *   is one empty DATA with LAST. One sequence number per frame. `send` only queues; `flush`
 *   transmits. A message is packed into the newest queued one when that one ends in LF, has
 *   not started to be sent and both fit in one frame (receivers split messages at LF).
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
 * - Loss recovery (option `recovery`): "timeout" resends a lost frame when its timer expires;
 *   "fast" (default) also resends what the ACKs show lost and probes a lost tail (`recovery.ts`).
 *   Option `cc: "aimd"` adds a congestion window (`congestion.ts`).
 * - Timers: one table (`timers.ts`) holds every timer of the session; `nextWake` is its
 *   minimum and `update` runs the entries that are due. RFC 6298 RTO with Karn's rule and back-off (`rto.ts`; SR backs off per frame, see
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
  encodeReason,
  MAX_WINDOW,
  type SessionParams,
  SYN_ACK_PAYLOAD_SIZE,
  validateParams,
} from "../protocol/control.ts";
import { BadPayloadError } from "../protocol/errors.ts";
import type { Frame } from "../protocol/frame.ts";
import { Flag, FrameType, MAX_MESSAGE } from "../protocol/header.ts";
import { seqAdd } from "../protocol/seq.ts";
import { CongestionWindow } from "./congestion.ts";
import { MessageTooLongError, Reassembler } from "./fragment.ts";
import { FrameOut } from "./frame_out.ts";
import { GbnReceiver, GbnSender } from "./gbn.ts";
import type { ArqReceiver, ArqSender, HalfContext } from "./halves.ts";
import { Handshake } from "./handshake.ts";
import { Recovery } from "./recovery.ts";
import { RtoEstimator } from "./rto.ts";
import { MessageQueue, SendWindow } from "./send_window.ts";
import { SrReceiver, SrSender } from "./sr.ts";
import { Teardown } from "./teardown.ts";
import { Timer, TIMER_COUNT, TIMER_NAMES, type TimerId, TimerTable } from "./timers.ts";
import {
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

/** The values a string option may take. */
const CHOICES: Record<string, readonly string[]> = {
  recovery: ["timeout", "fast"],
  cc: ["none", "aimd"],
};

/** Fills in defaults and checks ranges; throws `RangeError` on a bad value. */
export function resolveOptions(options: Partial<EndpointOptions> = {}): EndpointOptions {
  const o: Record<string, unknown> = { ...DEFAULT_ENDPOINT_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_ENDPOINT_OPTIONS)) throw new RangeError(`Unknown ARQ option: ${key}`);
    const choices = CHOICES[key];
    if (choices !== undefined) {
      if (typeof value !== "string" || !choices.includes(value)) {
        throw new RangeError(`ARQ option ${key} must be ${choices.join(" or ")}: ${value}`);
      }
    } else if (typeof DEFAULT_ENDPOINT_OPTIONS[key as keyof EndpointOptions] === "boolean") {
      if (typeof value !== "boolean") {
        throw new RangeError(`ARQ option ${key} must be true or false: ${value}`);
      }
    } else if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
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
 * The edge calls `input`/`inputCorrupt` for each decoded frame and `send` for each message,
 * then `flush(now)` once per read batch and once per turn in which it sent (send queues, flush
 * transmits), `update(now)` when the time returned by `nextWake()` comes, and reads
 * `nextWake()` again after every call.
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
 * client.flush(0);
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
export class ArqEndpoint {
  /** Which side this is. */
  readonly role: "client" | "server";
  readonly #stats: ArqStats;
  readonly #hooks: EndpointHooks;
  readonly #opts: EndpointOptions;
  readonly #rtt: RtoEstimator;
  readonly #timers = new TimerTable();
  readonly #out: FrameOut;
  readonly #ctx: HalfContext;
  readonly #queue = new MessageQueue();
  readonly #reasm = new Reassembler(MAX_MESSAGE);
  readonly #handshake: Handshake;
  readonly #teardown: Teardown;
  #state: EndpointState;
  #closeReason: string | undefined;
  #sender: ArqSender | undefined;
  #receiver: ArqReceiver | undefined;
  #window: SendWindow | undefined;
  #lastReceivedAt = 0;
  /** Last acknowledgement progress (or start of a flight). */
  #progressAt = 0;
  #pingSeq = 0;
  // NACK: the expected sequence number already NACKed (-1 = none).
  #nackedFor = -1;
  /** A frame other than a SYN-ACK came from the peer (then it holds the session). */
  #peerHeard = false;
  /** The handshake ACK was sent again in this `update` (see `#reconfirmHandshake`). */
  #reconfirmed = false;

  private constructor(
    role: "client" | "server",
    options: Partial<EndpointOptions>,
    hooks: EndpointHooks,
    requested: SessionParams | undefined,
  ) {
    this.role = role;
    const opts = resolveOptions(options);
    this.#opts = opts;
    this.#hooks = hooks;
    const event = hooks.event ?? undefined;
    this.#rtt = new RtoEstimator(
      opts,
      event &&
        ((sample, r) => event({ kind: "rtt", sample, srtt: r.srtt, rttvar: r.rttvar, rto: r.rto })),
    );
    this.#stats = newStats(this.#rtt.rto);
    this.#out = new FrameOut(hooks.output, this.#stats);
    this.#ctx = {
      stats: this.#stats,
      out: this.#out,
      rtt: this.#rtt,
      timers: this.#timers,
      event,
      ackDelayMs: opts.ackDelayMs,
      accept: (payload, flags, owned) => this.#accept(payload, flags, owned),
    };
    this.#handshake = new Handshake(
      this.#ctx,
      opts.isn >>> 0,
      requested,
      opts.handshakeTimeoutMs,
      opts.maxWindow,
    );
    this.#teardown = new Teardown(this.#ctx, opts.deadAfterMs);
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
    e.#handshake.start(now);
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
    if (now !== undefined) e.#handshake.listen(now);
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
    return this.#handshake.params;
  }

  /** The options in force (defaults filled in). */
  get options(): Readonly<EndpointOptions> {
    return this.#opts;
  }

  /** Counters (the object is updated in place; RTT fields as of this read). */
  get stats(): ArqStats {
    const s = this.#stats;
    const r = this.#rtt;
    s.srtt = r.srtt;
    s.rttvar = r.rttvar;
    s.rto = r.rto;
    s.cwnd = this.cwnd;
    return s;
  }

  /**
   * Frames the sender may have in flight now: the window, or less under congestion control
   * (0 before the handshake completes).
   */
  get cwnd(): number {
    return this.#window?.limit ?? 0;
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

  /**
   * Queues `message` (kept by reference: do not mutate it afterwards); it is transmitted at the
   * next `flush` (or once the handshake completes), as the window allows. A non-empty message
   * is packed into the newest queued one instead when that one ends in LF, has not started to
   * be sent and both fit in one frame: lines queued in one turn, or behind a full window, share
   * frames, and the receiver gets them as one message (receivers split at LF). `payloadSum` =
   * `onesSum(message)` when known. Throws {@link SessionClosedError} after `close` or once
   * closed, `RangeError` when longer than `MAX_MESSAGE`, {@link SendQueueFullError} when
   * `maxSendQueue` messages are already pending.
   */
  send(message: Uint8Array, _now: number, payloadSum?: number): void {
    if (this.#state === "closed" || this.#teardown.requested) {
      throw new SessionClosedError(this.#teardown.requested ? "closing" : this.#state);
    }
    if (message.length > MAX_MESSAGE) {
      throw new RangeError(`Message too long: ${message.length} bytes (max ${MAX_MESSAGE})`);
    }
    const params = this.#handshake.params;
    if (params !== undefined && this.#queue.pack(message, params.maxPayload, payloadSum ?? -1)) {
      this.#stats.messagesSent++;
      this.#stats.messagesPacked++;
      return;
    }
    if (this.#queue.pending >= this.#opts.maxSendQueue) {
      throw new SendQueueFullError(this.#queue.pending);
    }
    this.#queue.push(message, payloadSum ?? -1);
    this.#stats.messagesSent++;
  }

  /** Feeds one valid frame (its payload is a view valid during this call only). */
  input(frame: Frame, now: number): void {
    if (this.#state === "closed") {
      if (frame.type === FrameType.FIN) this.#teardown.answerFin(frame.seq);
      return;
    }
    this.#stats.framesReceived++;
    this.#heard(now);
    if (frame.type !== FrameType.SYN_ACK) this.#peerHeard = true;
    switch (frame.type) {
      case FrameType.DATA:
        this.#onData(frame, now);
        break;
      case FrameType.ACK:
        this.#onAck(frame, now);
        break;
      case FrameType.NACK:
        this.#stats.nacksReceived++;
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
          this.#teardown.answerFin(frame.seq);
          this.#closeNow(CLOSED_BY_PEER);
        }
        break;
      case FrameType.FIN_ACK:
        if (this.#teardown.isFinAck(frame.seq)) this.#closeNow("closed");
        break;
      case FrameType.PING:
        if (this.#state !== "listen") this.#out.frame(FrameType.PONG, frame.seq, 0, EMPTY, 1, -1);
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
    this.#stats.corruptReceived++;
    this.#heard(now);
    const r = this.#receiver;
    if (r === undefined || this.#nackedFor === r.expected) return;
    this.#nackedFor = r.expected;
    this.#stats.nacksSent++;
    this.#hooks.event?.({ kind: "nack-sent", seq: r.expected });
    this.#out.frame(FrameType.NACK, r.expected, 0, EMPTY, 1, -1);
  }

  /**
   * Transmits what the window allows of the queued messages, and the owed ACK when it is due
   * ("sack" policy). Call once per batch of input and once per turn in which `send` was called.
   */
  flush(now: number): void {
    if (this.#sender && this.#queue.length > 0) this.#fill(now);
    const r = this.#receiver;
    if (r === undefined || this.#state === "closed") return;
    if (r.ack.due(now, r.expected, this.#handshake.params!.window)) r.sendPendingAck();
  }

  /**
   * Runs the timers of the table that are due at `now`, in table order, each at most once.
   * Harmless when called early or often.
   */
  update(now: number): void {
    const timers = this.#timers;
    const event = this.#hooks.event;
    this.#reconfirmed = false;
    for (let i = 0; i < TIMER_COUNT; i++) {
      if (this.#state === "closed") return;
      const t = i as TimerId;
      if (!timers.expire(t, now)) continue;
      event?.({ kind: "timer", timer: TIMER_NAMES[t]! });
      this.#fire(t, now);
    }
  }

  /** Absolute time (ms) `update` must next run at (the earliest timer), or `undefined`. */
  nextWake(): number | undefined {
    const t = this.#timers.next();
    return t === Infinity ? undefined : t;
  }

  /** Graceful close: FIN once everything queued was acknowledged (see module doc). */
  close(now: number): void {
    if (this.#state === "closed" || this.#teardown.requested) return;
    this.#teardown.requested = true;
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
    const seq = this.#sender ? this.#sender.nextSeq : this.#handshake.isn;
    this.#out.frame(FrameType.RST, seq, 0, encodeReason(reason), 1, -1);
    this.#closeNow(reason);
  }

  // ---- private ----

  /** Runs the expired timer `t`. */
  #fire(t: TimerId, now: number): void {
    switch (t) {
      case Timer.handshakeDeadline:
        this.abort("handshake timeout", now);
        return;
      case Timer.idle:
        this.abort(
          `idle timeout: nothing received for ${Math.round(now - this.#lastReceivedAt)} ms`,
          now,
        );
        return;
      case Timer.linkDead:
        this.abort(
          `link dead: no acknowledgement for ${Math.round(now - this.#progressAt)} ms`,
          now,
        );
        return;
      case Timer.finDeadline:
        this.#closeNow("closed (no FIN-ACK)");
        return;
      case Timer.handshake:
        this.#handshake.onTimer(now);
        return;
      case Timer.retransmit:
        this.#reconfirmHandshake();
        this.#sender!.onRetransmitTimer(now);
        return;
      case Timer.reorder:
        this.#sender!.onReorderTimer(now);
        return;
      case Timer.probe:
        this.#reconfirmHandshake();
        this.#sender!.onProbeTimer(now);
        return;
      case Timer.ackDelay:
        this.#receiver!.sendPendingAck();
        return;
      case Timer.keepalive: {
        this.#reconfirmHandshake();
        const seq = this.#pingSeq;
        this.#pingSeq = (seq + 1) >>> 0;
        this.#timers.set(Timer.keepalive, now + this.#opts.keepaliveMs);
        this.#hooks.event?.({ kind: "keepalive", seq });
        this.#out.frame(FrameType.PING, seq, 0, EMPTY, 1, -1);
        return;
      }
      case Timer.fin:
        this.#teardown.onTimer(now);
        return;
    }
  }

  /**
   * Client with `confirmHandshake`: while nothing but SYN-ACKs came back, the handshake ACK may
   * have been lost on its way to a server that keeps no state before it (UDP); it goes again
   * ahead of what a timer resends, once per `update`.
   */
  #reconfirmHandshake(): void {
    if (!this.#opts.confirmHandshake || this.#peerHeard || this.role !== "client") return;
    if (this.#reconfirmed) return;
    this.#reconfirmed = true;
    this.#out.ack(this.#handshake.peerIsn, this.#handshake.echo);
  }

  /** Something arrived: the idle and keepalive timers start again (once established). */
  #heard(now: number): void {
    this.#lastReceivedAt = now;
    if (this.#sender === undefined) return;
    this.#timers.set(Timer.idle, now + this.#opts.idleTimeoutMs);
    this.#timers.set(Timer.keepalive, now + this.#opts.keepaliveMs);
  }

  /** Reassembles and delivers an in-order DATA payload (the halves' `accept`). */
  #accept(payload: Uint8Array, flags: number, owned: boolean): void {
    if (this.#state === "closed") return;
    let message: Uint8Array | undefined;
    try {
      message = this.#reasm.push(payload, (flags & Flag.LAST) !== 0, owned);
    } catch (error) {
      if (error instanceof MessageTooLongError) {
        this.abort(`Protocol error: ${error.message}`, this.#lastReceivedAt);
        return;
      }
      throw error;
    }
    if (message === undefined) return;
    this.#stats.messagesDelivered++;
    this.#stats.bytesDelivered += message.length;
    this.#hooks.deliver(message);
  }

  #onSyn(frame: Frame, now: number): void {
    if (this.role !== "server") return;
    const outcome = this.#handshake.onSyn(
      frame,
      now,
      this.#state !== "listen" && this.#state !== "syn-received",
    );
    if (outcome === "syn-received") this.#state = "syn-received";
    else if (outcome !== "none" && outcome !== "established") this.abort(outcome.error, now);
  }

  #onSynAck(frame: Frame, now: number): void {
    if (this.role !== "client") return;
    const outcome = this.#handshake.onSynAck(frame, now);
    if (outcome === "established") {
      this.#establish(now);
      this.#out.ack(this.#handshake.peerIsn, this.#handshake.echo);
      this.#fill(now);
      this.#maybeFin(now);
    } else if (outcome !== "none" && outcome !== "syn-received") this.abort(outcome.error, now);
  }

  #establish(now: number): void {
    const hs = this.#handshake;
    const p = hs.params!;
    hs.finish();
    const firstOut = seqAdd(hs.isn, 1);
    const firstIn = seqAdd(hs.peerIsn, 1);
    const window = new SendWindow(p.window, p.maxPayload, firstOut, this.#queue);
    const perFrame = p.ackPolicy === "frame";
    const ctx = this.#ctx;
    const cc = this.#opts.cc === "aimd" ? new CongestionWindow(p.window) : undefined;
    const recovery = new Recovery(ctx, window, this.#opts.recovery === "fast", cc);
    this.#window = window;
    if (p.mode === "gbn") {
      this.#sender = new GbnSender(ctx, window, recovery);
      this.#receiver = new GbnReceiver(ctx, perFrame, firstIn);
    } else {
      this.#sender = new SrSender(ctx, window, perFrame, recovery);
      this.#receiver = new SrReceiver(ctx, perFrame, p.window, firstIn);
    }
    this.#state = this.#teardown.requested ? "closing" : "established";
    this.#progressAt = now;
    this.#heard(now);
    this.#hooks.event?.({ kind: "established", params: p, isn: hs.isn, peerIsn: hs.peerIsn });
  }

  #onAck(frame: Frame, now: number): void {
    this.#stats.acksReceived++;
    if (this.#state === "syn-received") {
      if (!this.#handshake.onAck(frame.seq, now)) return;
      this.#establish(now);
      this.#fill(now);
      this.#maybeFin(now);
      return;
    }
    const sender = this.#sender;
    if (sender === undefined) return;
    // The handshake ACK again (it carries the SYN-ACK's payload, never a SACK block's size).
    if (frame.seq === this.#handshake.isn && frame.payload.length === SYN_ACK_PAYLOAD_SIZE) return;
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
    this.#progress(now);
    this.#fill(now);
    this.#maybeFin(now);
  }

  /** An acknowledgement made progress: the link-dead timer starts again (or stops). */
  #progress(now: number): void {
    this.#progressAt = now;
    if (this.#sender!.inFlight > 0) this.#timers.set(Timer.linkDead, now + this.#opts.deadAfterMs);
    else this.#timers.stop(Timer.linkDead);
  }

  #onData(frame: Frame, now: number): void {
    this.#stats.dataReceived++;
    if (this.#state === "syn-received") {
      this.#establish(now);
      this.#fill(now);
    }
    const r = this.#receiver;
    if (r === undefined) return;
    const max = this.#handshake.params!.maxPayload;
    if (frame.payload.length > max) {
      this.abort(
        `Protocol error: DATA payload too long: ${frame.payload.length} bytes (max ${max})`,
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
    if (before === 0 && sender.inFlight > 0) this.#progress(now);
  }

  #maybeFin(now: number): void {
    const td = this.#teardown;
    if (this.#state !== "closing" || td.finSent || this.#queue.pending > 0) return;
    td.sendFin(this.#sender!.nextSeq, now);
  }

  #closeNow(reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closeReason = reason;
    this.#out.open = false;
    this.#timers.clear();
    this.#queue.clear();
    this.#hooks.event?.({ kind: "closed", reason });
  }
}
