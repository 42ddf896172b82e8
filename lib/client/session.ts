/**
 * The client core under `chat join` and `chat bench`: opens a connection through any
 * {@link Dialer}, skips the `NICK` prompt a server sends to a client that is slow to speak,
 * runs the binary handshake (a text session has none), carries the session's bytes both ways,
 * and closes. What the bytes mean (events for a user, counted deliveries for the bench) is the
 * caller's.
 *
 * Reconnecting is a new session: once {@link ClientSession.closed} resolves, a caller that
 * wants to go on opens another with the same {@link ClientSession.options}; nothing of the old
 * session outlives it.
 * @module
 */

import { ArqEndpoint, type ArqEvent, type EndpointOptions } from "../arq/mod.ts";
import type { FaultInjector } from "../faults/mod.ts";
import { BinaryLink, type LinkCapture, type LinkObserver } from "../net/binary_link.ts";
import { Outbox } from "../net/outbox.ts";
import type { WakeScheduler } from "../net/scheduler.ts";
import { type Conn, type Dialer, type NetAddress, readOrEnd } from "../net/transport.ts";
import type { Turn } from "../net/turn.ts";
import type { SessionParams } from "../protocol/control.ts";
import { CLIENT_TEXT, type ClientText } from "./messages.ts";

/** Options of {@link ClientSession.open}. */
export interface ClientSessionOptions {
  /** Opens the connection (TCP, memory, ...). */
  readonly dialer: Dialer;
  /** Server host name or address. */
  readonly host: string;
  /** Server port. */
  readonly port: number;
  /** Speak the plain-text protocol instead of the binary one. */
  readonly text: boolean;
  /** ARQ parameters asked for in the SYN (binary). */
  readonly params: SessionParams;
  /** ARQ engine options (binary). */
  readonly arq?: Partial<EndpointOptions>;
  /** Fault injection on frames this client sends (binary). */
  readonly faults?: FaultInjector;
  /** Name in trace lines (default `client`). */
  readonly who?: string;
  /** One line per frame (`--trace`, binary). */
  readonly trace?: (line: string) => void;
  /** Makes a capture of the connection's bytes (`--pcap`). */
  readonly makeCapture?: (local: NetAddress, remote: NetAddress) => LinkCapture & {
    close(): void;
  };
  /** The process's timer service. */
  readonly scheduler: WakeScheduler;
  /** The process's end-of-turn flush pass. */
  readonly turn: Turn;
  /** Bound of unsent bytes before the session gives up (default 64 MiB). */
  readonly outboxBytes?: number;
  /**
   * What the server sends, after its prompt: for text, the bytes of the stream as they are read;
   * for binary, one delivered message at a time. A view valid during the call only.
   */
  readonly onData: (bytes: Uint8Array) => void;
  /** ARQ events (binary). */
  readonly onArqEvent?: (event: ArqEvent) => void;
  /** Called after the bytes of each read were handled (acknowledgements included). */
  readonly onRead?: () => void;
  /** Watches the binary link from its SYN on (the web page's window view). */
  readonly observer?: LinkObserver;
  /** The language of the reasons and errors it gives a person (default English). */
  readonly messages?: ClientText;
}

/** Why a session could not be opened, in one sentence for the user. */
export class ConnectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectError";
  }
}

/** The prompt a server sends a client that has not spoken yet (see docs/PROTOCOL.md). */
const PROMPT = new TextEncoder().encode("NICK");
/** Default bound of unsent bytes. */
const OUTBOX_BYTES = 64 * 1024 * 1024;
/** How long the last frames (FIN-ACK, RST) of a binary session may take to leave. */
const FINAL_FRAMES_MS = 500;
const READ_BYTES = 64 * 1024;

/** An open session with a chat server. */
export class ClientSession {
  /** Resolves with the reason once the session is over (the connection is closed then). */
  readonly closed: Promise<string>;
  /** What it was opened with: a reconnect opens a new session with these. */
  readonly options: ClientSessionOptions;
  readonly #conn: Conn;
  readonly #link: BinaryLink | undefined;
  readonly #textOut: Outbox | undefined;
  readonly #capture: (LinkCapture & { close(): void }) | undefined;
  readonly #established = Promise.withResolvers<boolean>();
  #resolveClosed!: (reason: string) => void;
  #closeReason: string | undefined;
  /** Bytes of the prompt still to skip at the start of the stream (0 once past it). */
  #promptAt = 0;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(conn: Conn, options: ClientSessionOptions) {
    this.#conn = conn;
    this.options = options;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#capture = options.makeCapture?.(conn.localAddr, conn.remoteAddr);
    const outboxBytes = options.outboxBytes ?? OUTBOX_BYTES;
    if (options.text) {
      // One serialized writer, so commands never interleave on partial writes.
      this.#textOut = new Outbox(conn, options.turn, {
        maxBytes: outboxBytes,
        onOverflow: (queued) => this.#finish(`send queue full (${queued} bytes unsent)`),
        onError: () => this.#finish("connection lost"),
      });
      this.#established.resolve(true);
      return;
    }
    const datagram = conn.path === "datagram";
    // Over datagrams the handshake ACK can be lost, and the server keeps no state until it has it.
    const arq = datagram ? { ...options.arq, confirmHandshake: true } : options.arq ?? {};
    if (datagram) this.#promptAt = PROMPT.length; // the prompt is a text-protocol thing
    this.#link = new BinaryLink(
      conn,
      (hooks, now) => ArqEndpoint.client(options.params, arq, hooks, now),
      {
        maxDatagram: datagram ? conn.maxDatagram : undefined,
        who: options.who ?? "client",
        scheduler: options.scheduler,
        turn: options.turn,
        outboxBytes,
        faults: options.faults,
        trace: options.trace,
        capture: this.#capture,
        observer: options.observer,
        onEvent: (e) => {
          if (e.kind === "established") this.#established.resolve(true);
          options.onArqEvent?.(e);
        },
        onMessage: options.onData,
        onClosed: (reason) => {
          this.#established.resolve(false);
          // Let the last frames (FIN-ACK, RST) reach the wire first, briefly.
          const timeout = new Promise((r) => this.#lingerTimer = setTimeout(r, FINAL_FRAMES_MS));
          Promise.race([this.#link!.drained(), timeout]).then(() => this.#finish(reason));
        },
      },
    );
  }

  /**
   * Connects and, for binary, completes the handshake (bounded by the ARQ handshake timeout).
   * Rejects with a {@link ConnectError} whose message is one sentence for the user.
   */
  static async open(options: ClientSessionOptions): Promise<ClientSession> {
    const where = `${options.host}:${options.port}`;
    const words = (options.messages ?? CLIENT_TEXT).session;
    let conn: Conn;
    try {
      conn = await options.dialer.dial(options.host, options.port);
    } catch (error) {
      // By name: in a web page there is no `Deno` (the page's dialer is a WebSocket).
      if (error instanceof Error && error.name === "ConnectionRefused") {
        throw new ConnectError(words.refused(where), { cause: error });
      }
      const msg = error instanceof Error ? error.message : String(error);
      if (/lookup|resolve|name or service/i.test(msg)) {
        throw new ConnectError(words.unknownHost(where, options.host), { cause: error });
      }
      throw new ConnectError(words.cannotConnect(where, msg), { cause: error });
    }
    if (options.text && conn.path === "datagram") {
      conn.close();
      throw new ConnectError(words.textNeedsStream(where));
    }
    const session = new ClientSession(conn, options);
    session.#readLoop();
    if (!await session.#established.promise) {
      const why = session.endReason ?? "closed";
      session.close(why);
      // UDP has no refused connection: a server that is not there is only silent.
      const hint = conn.path === "datagram" && why === "handshake timeout" ? words.udpSilent : "";
      throw new ConnectError(words.cannotOpen(where, why) + hint);
    }
    return session;
  }

  /** ARQ state, counters and timers (binary sessions). */
  get endpoint(): ArqEndpoint | undefined {
    return this.#link?.endpoint;
  }

  /** The binary link (faults by hand, watchers), if binary. */
  get link(): BinaryLink | undefined {
    return this.#link;
  }

  /** Messages queued or unacknowledged in the ARQ layer (0 for text). */
  get pending(): number {
    return this.#link?.endpoint.pending ?? 0;
  }

  /** Why the session ended, once it has. */
  get closeReason(): string | undefined {
    return this.#closeReason;
  }

  /**
   * Why the session ended or is ending, in the most telling words: the binary link's reason
   * (an RST carries the peer's own) over the connection's; undefined while both are open.
   */
  get endReason(): string | undefined {
    return this.#link?.closedReason ?? this.#closeReason;
  }

  /**
   * Sends bytes: for text, bytes of the stream (whole lines, each ending in `\n`); for binary,
   * one message (a command line, no newline needed).
   */
  send(bytes: Uint8Array): void {
    if (this.#closeReason !== undefined) return;
    if (this.#link) {
      this.#link.send(bytes);
      return;
    }
    this.#capture?.sent(bytes, this.options.turn.now());
    this.#textOut!.append(bytes);
  }

  /**
   * Closes now (no QUIT): a binary session still open is reset. Over datagrams the connection
   * closes once the RST has left (at most half a second later); {@link closed} says when.
   */
  close(reason = (this.options.messages ?? CLIENT_TEXT).session.closedByClient): void {
    if (this.#link && this.#link.endpoint.state !== "closed") {
      this.#link.abort(reason);
      // Over datagrams no end of stream tells the server: the RST must leave first (the link's
      // close lets the last frames go, briefly, then finishes the session).
      if (this.#conn.path === "datagram" && this.#closeReason === undefined) return;
    }
    this.#finish(reason);
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(READ_BYTES);
    const link = this.#link;
    const { onData, onRead } = this.options;
    for (;;) {
      const n = await readOrEnd(this.#conn, buf);
      if (n === null || this.#closeReason !== undefined) break;
      let chunk: Uint8Array = buf.subarray(0, n);
      this.#capture?.received(chunk, this.options.turn.now());
      if (this.#promptAt < PROMPT.length) {
        chunk = this.#skipPrompt(chunk);
        if (chunk.length === 0) continue;
      }
      if (link) link.receive(chunk);
      else onData(chunk);
      onRead?.();
      if (this.#closeReason !== undefined) break;
    }
    link?.end();
    this.#finish(
      this.#closeReason ?? (this.options.messages ?? CLIENT_TEXT).session.closedByServer,
    );
  }

  /**
   * The server may prompt with a bare `NICK` before our first bytes reached it: skips it at the
   * very start of the stream (in pieces too), and nothing once another byte came.
   */
  #skipPrompt(chunk: Uint8Array): Uint8Array {
    let at = 0;
    while (this.#promptAt < PROMPT.length && at < chunk.length) {
      if (chunk[at] !== PROMPT[this.#promptAt]) {
        // Not the prompt: the bytes held back so far were the server's own, give them on.
        const held = PROMPT.subarray(0, this.#promptAt);
        this.#promptAt = PROMPT.length;
        if (held.length === 0) return chunk.subarray(at);
        const out = new Uint8Array(held.length + chunk.length - at);
        out.set(held);
        out.set(chunk.subarray(at), held.length);
        return out;
      }
      this.#promptAt++;
      at++;
    }
    return chunk.subarray(at);
  }

  #finish(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    clearTimeout(this.#lingerTimer);
    this.#established.resolve(false);
    this.#link?.dispose();
    this.#conn.close();
    this.#capture?.close();
    this.#resolveClosed(reason);
  }
}
