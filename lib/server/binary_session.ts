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
import { FaultInjector } from "../faults/mod.ts";
import { BinaryLink } from "../net/binary_link.ts";
import { onesSum } from "../protocol/checksum.ts";
import { FrameType, MAX_PAYLOAD } from "../protocol/header.ts";
import type { ServerSession, SessionContext } from "./session.ts";

const decoder = new TextDecoder();

/**
 * How long a connection stays open after answering the peer's FIN, waiting for the peer to
 * close it: long enough for a few retransmitted FINs when faults are injected.
 */
const FIN_LINGER_MS = 2000;
const FIN_LINGER_FAULTS_MS = 10_000;
/** How long the last frames (RST, FIN) of a session that ended otherwise may take to leave. */
const FINAL_FRAMES_MS = 1000;

function isnOption(isn: number | undefined): { isn?: number } {
  return isn === undefined ? {} : { isn };
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
  /** A binary session owes no nickname to the server's deadline: its handshake has its own. */
  readonly awaitingRegistration = false;
  readonly #lobby: Lobby;
  readonly #ctx: SessionContext;
  #done = false;
  /** The last reply summed and its `onesSum` (a sender gets the same "200 OK" reply each time). */
  #lastReply: Uint8Array | undefined;
  #lastReplySum = -1;

  /** Creates the session on the connection of `ctx` and registers it with the lobby. */
  constructor(ctx: SessionContext) {
    const env = ctx.env;
    this.id = ctx.id;
    this.address = ctx.conn.remoteAddr.hostname;
    this.#ctx = ctx;
    this.#lobby = env.lobby;
    const faults = env.faults;
    const conn = ctx.conn;
    // A listener that answered the SYN without state (UDP) already sent the SYN-ACK.
    const isn = conn.acceptedIsn;
    this.link = new BinaryLink(
      ctx,
      (hooks, now) =>
        ArqEndpoint.server(
          { ...env.arq, ...isnOption(isn) },
          isn === undefined ? hooks : withoutFirstSynAck(hooks),
          now,
        ),
      {
        maxDatagram: conn.path === "datagram" ? conn.maxDatagram : undefined,
        faultSeqOrigin: isn,
        who: `server ${ctx.peer}`,
        scheduler: env.scheduler,
        turn: env.turn,
        outboxBytes: env.outboxBytes,
        faults: faults ? new FaultInjector(faults, `server:${ctx.id}`) : undefined,
        trace: env.trace,
        capture: ctx.capture,
        onMessage: (m) => this.#onMessage(m),
        onClosed: (reason) => this.#onClosed(reason),
      },
    );
    env.lobby.connect(this);
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
   * Sends a reply, or a piece of the room's line log, as one message (the ARQ packs adjacent
   * ones into one frame). `sum` = `onesSum(bytes)` when known.
   */
  send(bytes: Uint8Array, sum?: number): void {
    if (this.#done) return;
    if (sum === undefined) {
      if (bytes !== this.#lastReply) {
        this.#lastReply = bytes;
        this.#lastReplySum = onesSum(bytes);
      }
      sum = this.#lastReplySum;
    }
    try {
      this.link.send(bytes, sum);
    } catch (error) {
      if (error instanceof SendQueueFullError) this.link.abort("too slow: send queue full");
      else if (!(error instanceof RangeError)) throw error;
    }
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
  }

  /** Graceful close: FIN after everything sent was acknowledged. */
  close(): void {
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

  #onMessage(message: Uint8Array): void {
    let end = message.length;
    if (end > 0 && message[end - 1] === 0x0a) end--;
    if (end > 0 && message[end - 1] === 0x0d) end--;
    this.#lobby.input(this, decoder.decode(message.subarray(0, end)), this.#ctx.env.turn.now());
  }

  #onClosed(reason: string): void {
    this.#lobby.leave(this, reason);
    this.#done = true;
    const ctx = this.#ctx;
    ctx.env.log("session-closed", { id: this.id, peer: ctx.peer, reason });
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
