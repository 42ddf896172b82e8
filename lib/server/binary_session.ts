/**
 * A reliable binary session as a chat client: application messages travel as DATA messages of
 * the ARQ layer, the same text commands and replies as a plain-text session.
 * @module
 */

import {
  ArqEndpoint,
  type ArqStats,
  CLOSED_BY_PEER,
  type EndpointHooks,
  SendQueueFullError,
} from "../arq/mod.ts";
import type { ChatClient, LinkFaults, Lobby, SessionDescription } from "../chat/mod.ts";
import type { CommandBudget } from "../chat/limits.ts";
import { FaultInjector } from "../faults/mod.ts";
import { BinaryLink } from "../net/binary_link.ts";
import { onesSum } from "../protocol/checksum.ts";
import { MAX_WINDOW } from "../protocol/control.ts";
import { FrameType, MAX_FRAME, MAX_MESSAGE, MAX_PAYLOAD } from "../protocol/header.ts";
import { FrameGate } from "./frame_gate.ts";
import type { MemoryCharge, ServerSession, SessionContext } from "./session.ts";

const decoder = new TextDecoder();

/**
 * How long a connection stays open after answering the peer's FIN, waiting for the peer to
 * close it: long enough for a few retransmitted FINs when faults are injected.
 */
const FIN_LINGER_MS = 2000;
const FIN_LINGER_FAULTS_MS = 10_000;
/** How long the last frames (RST, FIN) of a session that ended otherwise may take to leave. */
const FINAL_FRAMES_MS = 1000;
/**
 * Most messages queued or unacknowledged per session: a backstop only, far above what its
 * byte bounds let pile up (lines behind a full window are packed into frame-sized messages).
 */
const MAX_SEND_QUEUE = 65536;
/** What a queued reply costs beyond its bytes (its message's slot and object). */
const REPLY_OVERHEAD = 128;

/** A server's initial sequence number: random, so a peer cannot guess where data starts. */
function randomIsn(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/**
 * The hooks of an endpoint that continues a handshake a stateless listener began: the listener
 * replays the peer's SYN into it and has already answered it, so its first SYN-ACK is not sent
 * again (a later one, answering a SYN repeated by the peer, is).
 */
function withoutFirstSynAck(hooks: EndpointHooks): EndpointHooks {
  let answered = false;
  return {
    ...hooks,
    output(f) {
      if (!answered && f.type === FrameType.SYN_ACK) {
        answered = true;
        return;
      }
      hooks.output(f);
    },
  };
}

/** Builds the binary session of a connection (the `binary` kind's `open`). */
export function openBinarySession(ctx: SessionContext): BinarySession {
  return new BinarySession(ctx);
}

/** One binary connection as a chat client. */
export class BinarySession implements ChatClient, ServerSession {
  /** Unique connection id. */
  readonly id: number;
  /** The peer's address without the port (bans). */
  readonly address: string;
  /** The link (decoder, ARQ endpoint, outbox). */
  readonly link: BinaryLink;
  /** What the connection may ask of the lobby. */
  readonly budget: CommandBudget | undefined;
  readonly #lobby: Lobby;
  readonly #ctx: SessionContext;
  readonly #gate: FrameGate;
  #done = false;
  /**
   * What the endpoint holds for each message not yet acknowledged, oldest first: bytes of the
   * room's shared lines and private bytes (replies). A message packed into the newest one adds
   * to the last entry.
   */
  #heldShared: number[] = [];
  #heldOwn: number[] = [];
  #heldHead = 0;
  #shared = 0;
  #own = 0;
  /** The status line sent last before the session was established (the RST reason on close). */
  #earlyStatus: string | undefined;
  /** The last reply summed and its `onesSum` (a sender gets the same "200 OK" reply each time). */
  #lastReply: Uint8Array | undefined;
  #lastReplySum = -1;

  /** Creates the session on the connection of `ctx` and registers it with the lobby. */
  constructor(ctx: SessionContext) {
    const env = ctx.env;
    this.id = ctx.id;
    this.budget = ctx.budget;
    this.address = ctx.conn.remoteAddr.hostname;
    this.#ctx = ctx;
    this.#lobby = env.lobby;
    const faults = env.faults;
    this.#gate = new FrameGate(
      ctx.budget,
      () => this.link.endpoint.rto,
      (reason) => this.link.abort(reason),
    );
    const conn = ctx.conn;
    // A listener that answered the SYN without state (UDP) already sent the SYN-ACK.
    const accepted = conn.acceptedIsn;
    const isn = accepted ?? randomIsn();
    this.link = new BinaryLink(
      ctx,
      (hooks, now) =>
        ArqEndpoint.server(
          { maxSendQueue: MAX_SEND_QUEUE, ...env.arq, isn },
          accepted === undefined ? hooks : withoutFirstSynAck(hooks),
          now,
        ),
      {
        maxDatagram: conn.path === "datagram" ? conn.maxDatagram : undefined,
        faultSeqOrigin: isn,
        who: `server ${ctx.peer}`,
        scheduler: env.scheduler,
        turn: env.turn,
        // Frames are private bytes; a whole window of them may be queued (and again, resent).
        outboxBytes: env.outboxBytes + (env.arq.maxWindow ?? MAX_WINDOW) * MAX_FRAME,
        faults: faults ? new FaultInjector(faults, `server:${ctx.id}`) : undefined,
        trace: env.trace,
        capture: ctx.capture,
        onMessage: (m) => this.#onMessage(m),
        onClosed: (reason) => this.#onClosed(reason),
        admit: (f, now) => this.#gate.admit(f, now),
      },
    );
    env.lobby.connect(this);
  }

  /** True until the client registered a nickname (its first message). */
  get awaitingRegistration(): boolean {
    return !this.#done && this.#lobby.nickOf(this) === undefined;
  }

  /** Its ARQ mode, window and ACK policy as the handshake agreed, and its transport. */
  describe(): SessionDescription {
    const p = this.link.endpoint.params;
    return {
      protocol: p?.mode ?? "gbn",
      ...(p ? { window: p.window, ackPolicy: p.ackPolicy } : {}),
      transport: this.#ctx.conn.remoteAddr.transport,
    };
  }

  /** The endpoint's counters (`STATS` sums them over the sessions). */
  get arqStats(): ArqStats {
    return this.link.endpoint.stats;
  }

  /** The longest piece of the line log to take at once: one frame's payload. */
  get logPieceMax(): number {
    return this.link.endpoint.params?.maxPayload ?? MAX_PAYLOAD;
  }

  /**
   * Sends a reply, or a piece of the room's line log (it comes with its sum), as one message
   * (the ARQ packs adjacent ones into one frame). A reply longer than a message (a `LIST` of
   * thousands) goes as consecutive messages, cut at line ends where it has them, else at a
   * character boundary: only the last piece of a line ends in `\n`.
   */
  send(bytes: Uint8Array, sum?: number): void {
    if (this.#done) return;
    if (bytes.length > MAX_MESSAGE) {
      for (const piece of piecesOf(bytes, MAX_MESSAGE)) this.send(piece);
      return;
    }
    const shared = sum !== undefined;
    if (sum === undefined) {
      if (bytes !== this.#lastReply) {
        this.#lastReply = bytes;
        this.#lastReplySum = onesSum(bytes);
      }
      sum = this.#lastReplySum;
      if (this.link.endpoint.state !== "established" && bytes[0]! >= 0x31 && bytes[0]! <= 0x35) {
        this.#earlyStatus = decoder.decode(bytes).trimEnd().replace("\n", ": ");
      }
    }
    const endpoint = this.link.endpoint;
    const before = endpoint.pending;
    try {
      this.link.send(bytes, sum);
    } catch (error) {
      if (error instanceof SendQueueFullError) this.link.abort("too slow: send queue full");
      else if (!(error instanceof RangeError)) throw error;
      return;
    }
    this.#hold(
      endpoint.pending > before,
      shared ? bytes.length : 0,
      shared ? 0 : bytes.length + REPLY_OVERHEAD,
    );
    if (this.#own > this.#ctx.env.outboxBytes) {
      this.link.abort(`too slow: ${this.#own} bytes of replies queued`);
    }
  }

  /**
   * The output it holds unsent: replies queued in the endpoint and frames in the outbox, and the
   * shared lines queued or unacknowledged.
   */
  memory(): MemoryCharge {
    this.#release();
    return { own: this.#own + this.link.queuedBytes, shared: this.#shared };
  }

  /** Drops the client: RST with `reason`, it leaves. */
  drop(reason: string): void {
    this.link.abort(reason);
  }

  /**
   * Sets the loss and corruption injected on the frames sent to this client (an operator's
   * `FAULTS`), over the server's own settings; `undefined` goes back to those.
   */
  setFaults(faults: LinkFaults | undefined): void {
    const base = this.#ctx.env.faults;
    if (faults === undefined) {
      this.link.setFaults(base ? new FaultInjector(base, `server:${this.id}`) : undefined);
      return;
    }
    const current = this.link.faults;
    if (current !== undefined) {
      current.setLoss(faults.loss);
      current.setCorrupt(faults.corrupt);
    } else {
      this.link.setFaults(new FaultInjector({ ...base, ...faults }, `server:${this.id}`));
    }
  }

  /** Feeds bytes read from the connection. */
  receive(chunk: Uint8Array): void {
    this.link.receive(chunk);
    this.#release();
  }

  /**
   * Graceful close: FIN after everything sent was acknowledged. Before the session is
   * established nothing sent can be delivered: an RST carries the last status line instead
   * (a server shutting down tells a client caught mid-handshake so).
   */
  close(): void {
    const state = this.link.endpoint.state;
    if (state === "listen" || state === "syn-received") {
      this.link.abort(this.#earlyStatus ?? "closed");
      return;
    }
    this.link.close();
  }

  /** End of stream: the session is lost (a peer that closes first sends FIN before). */
  end(): void {
    this.link.end();
    this.#ctx.close("connection closed");
  }

  /** The connection is closing: the endpoint's timers are forgotten. */
  dispose(): void {
    this.link.end();
    this.link.dispose();
  }

  /** Records a message handed to the endpoint: a new one, or packed into the newest. */
  #hold(isNew: boolean, shared: number, own: number): void {
    const n = this.#heldShared.length;
    if (isNew || n === this.#heldHead) {
      this.#heldShared.push(shared);
      this.#heldOwn.push(own);
    } else {
      this.#heldShared[n - 1]! += shared;
      this.#heldOwn[n - 1]! += own;
    }
    this.#shared += shared;
    this.#own += own;
  }

  /** Forgets the messages the endpoint no longer holds (acknowledged), oldest first. */
  #release(): void {
    const pending = this.link.endpoint.pending;
    while (this.#heldShared.length - this.#heldHead > pending) {
      this.#shared -= this.#heldShared[this.#heldHead]!;
      this.#own -= this.#heldOwn[this.#heldHead]!;
      this.#heldHead++;
    }
    if (this.#heldHead > 1024 && this.#heldHead * 2 > this.#heldShared.length) {
      this.#heldShared = this.#heldShared.slice(this.#heldHead);
      this.#heldOwn = this.#heldOwn.slice(this.#heldHead);
      this.#heldHead = 0;
    }
  }

  #onMessage(message: Uint8Array): void {
    let end = message.length;
    if (end > 0 && message[end - 1] === 0x0a) end--;
    if (end > 0 && message[end - 1] === 0x0d) end--;
    this.#lobby.input(this, decoder.decode(message.subarray(0, end)), this.#ctx.env.turn.now());
  }

  #onClosed(reason: string): void {
    const left = this.#lobby.leave(this, reason);
    this.#done = true;
    this.#heldShared = [];
    this.#heldOwn = [];
    this.#heldHead = 0;
    this.#shared = 0;
    this.#own = 0;
    const ctx = this.#ctx;
    const host = ctx.conn.remoteAddr.hostname;
    // A member's `leave` line already says why; a session that never registered gets this one.
    if (!left) {
      ctx.env.logFolded(
        `session-closed:${host}`,
        "session-closed",
        { id: this.id, peer: ctx.peer, reason },
        "info",
        3,
      );
    }
    if (reason === CLOSED_BY_PEER) {
      // The peer closes the connection once it has our FIN-ACK; until then its FIN may come
      // again (the FIN-ACK was dropped by fault injection) and is answered.
      ctx.closeWithin(reason, ctx.env.faults ? FIN_LINGER_FAULTS_MS : FIN_LINGER_MS);
    } else {
      // Let the final frames (RST, FIN) reach the wire, briefly.
      ctx.closeWithin(reason, FINAL_FRAMES_MS);
      this.link.drained().then(() => ctx.close(reason));
    }
  }
}

const LF = 0x0a;

/**
 * `bytes` cut into pieces of at most `max` bytes: at the last line end within each piece, else
 * at the last UTF-8 character boundary (a continuation byte is never the first of a piece).
 */
export function piecesOf(bytes: Uint8Array, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  while (bytes.length - start > max) {
    let end = bytes.lastIndexOf(LF, start + max - 1) + 1;
    if (end <= start) {
      end = start + max;
      while (end > start + 1 && (bytes[end]! & 0xc0) === 0x80) end--;
    }
    out.push(bytes.subarray(start, end));
    start = end;
  }
  out.push(bytes.subarray(start));
  return out;
}
