/**
 * `chat serve`: accepts TCP connections and tells the two session kinds apart by their first
 * byte. A connection whose first byte is the frame magic (0xC1, the start of a SYN) is a
 * reliable binary session; anything else is a plain-text session. A client that stays silent
 * for `promptDelayMs` gets the text prompt `NICK` (exactly those four bytes, nothing else until
 * its nickname arrives), so a binary client's first byte is never mistaken.
 * @module
 */

import process from "node:process";
import { CLOSED_BY_PEER, type EndpointOptions } from "../arq/mod.ts";
import { type FloodLimit, Room, type RoomEvent } from "../chat/mod.ts";
import { FaultInjector, type FaultSettings } from "../faults/mod.ts";
import type { Logger } from "../log/logger.ts";
import { NullLogger } from "../log/logger.ts";
import type { LinkCapture } from "../net/binary_link.ts";
import { beforeNextFlush, DEFAULT_OUTBOX_BYTES } from "../net/outbox.ts";
import { WakeScheduler } from "../net/scheduler.ts";
import { turnNow } from "../net/turn_clock.ts";
import { MAGIC } from "../protocol/header.ts";
import { BinarySession } from "./binary_session.ts";
import { TextSession } from "./text_session.ts";

/** Options of {@link ChatServer}. */
export interface ServerOptions {
  /** Address to bind (default `0.0.0.0`). */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (default 55555). */
  readonly port?: number;
  /** Most registered users (default 10000). */
  readonly maxClients?: number;
  /** Broadcast join/leave/rename notices while the room has at most this many users. */
  readonly announceMax?: number;
  /** Flood limit for MSG/PRIV, `null` = off (default 10 per 5 s). */
  readonly flood?: FloodLimit | null;
  /** Longest chat text in bytes (default 32768). */
  readonly maxText?: number;
  /** Event log (default: none). */
  readonly logger?: Logger;
  /** Log every chat message event too (sizes and nicknames, not the text). */
  readonly logMessages?: boolean;
  /** Receives one line per frame and per text line (`--trace`). */
  readonly trace?: (line: string) => void;
  /** Fault injection on frames the server sends (seeded per client). */
  readonly faults?: Partial<FaultSettings>;
  /** ARQ engine options for binary sessions. */
  readonly arq?: Partial<EndpointOptions>;
  /** Outbox bound per connection in bytes (default 4 MiB). */
  readonly outboxBytes?: number;
  /** Silence after which a connection gets the `NICK` prompt (default 150 ms). */
  readonly promptDelayMs?: number;
  /** A text client must send its nickname within this time (default 120 s). */
  readonly registerTimeoutMs?: number;
  /** Makes a capture recorder for a connection (`--pcap`). */
  readonly capture?: (local: Deno.NetAddr, remote: Deno.NetAddr) => LinkCapture & {
    close(): void;
  };
}

/** Counters the server reports (`STATS`, `chat bench`). */
export interface ServerCounters {
  /** Connections accepted since start. */
  accepted: number;
  /** Binary sessions accepted since start. */
  binary: number;
  /** Text sessions accepted since start. */
  text: number;
  /** Connections open now. */
  open: number;
  /** Socket reads that returned bytes, all connections. */
  reads: number;
  /** Socket writes (each outbox flush is one, plus one per partial-write retry). */
  writes: number;
}

const NICK_PROMPT = new TextEncoder().encode("NICK");
/** Smallest read buffer: an idle connection holds only this much (ten thousand of them: 5 MB). */
const READ_MIN = 512;
/** Largest read buffer, reached by doubling while reads fill the buffer. */
const READ_MAX = 64 * 1024;

/**
 * How long a binary connection stays open after answering the peer's FIN, waiting for the peer
 * to close it: long enough for a few retransmitted FINs when faults are injected.
 */
const FIN_LINGER_MS = 2000;
const FIN_LINGER_FAULTS_MS = 10_000;

/** Small reads in a row after which a read buffer is halved. */
export const READ_SHRINK_AFTER = 32;

/**
 * The buffer for the next read: twice as big when this read filled it (a bulk sender), half
 * as big after {@link READ_SHRINK_AFTER} reads in a row that each used less than a sixteenth
 * (the sender went quiet), else the same one. `quiet` carries the run of small reads; a lone
 * small read between bursts (an ARQ ACK between two batches of messages) keeps the buffer, so
 * a connection does not allocate a new one at every read.
 */
export function nextReadBuffer(
  buf: Uint8Array<ArrayBuffer>,
  n: number,
  quiet: { smallReads: number },
): Uint8Array<ArrayBuffer> {
  if (n * 16 < buf.length && buf.length > READ_MIN) {
    if (++quiet.smallReads < READ_SHRINK_AFTER) return buf;
    quiet.smallReads = 0;
    return new Uint8Array(buf.length / 2);
  }
  quiet.smallReads = 0;
  if (n === buf.length && buf.length < READ_MAX) return new Uint8Array(buf.length * 2);
  return buf;
}

interface Connection {
  readonly conn: Deno.TcpConn;
  /** Reads in a row that used little of the read buffer (see `nextReadBuffer`). */
  smallReads: number;
  session: TextSession | BinarySession | undefined;
  closed: boolean;
  capture: (LinkCapture & { close(): void }) | undefined;
  /**
   * Its one timer: the `NICK` prompt until the first byte, later the grace period of a closing
   * session (one slot, not a set: ten thousand connections, no set each).
   */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The chat server. */
export class ChatServer {
  /** The address actually bound (the true port even with port 0). */
  readonly addr: Deno.NetAddr;
  /** The chat room all sessions share. */
  readonly room: Room;
  /** Connection counters. */
  readonly counters: ServerCounters = {
    accepted: 0,
    binary: 0,
    text: 0,
    open: 0,
    reads: 0,
    writes: 0,
  };
  readonly #listener: Deno.TcpListener;
  readonly #opts: ServerOptions;
  readonly #logger: Logger;
  readonly #scheduler = new WakeScheduler();
  readonly #connections = new Set<Connection>();
  /** Connections that have not registered yet, with their deadline. */
  readonly #registering = new Map<Connection, { peer: string; deadline: number }>();
  #registrationSweep: ReturnType<typeof setInterval> | undefined;
  readonly #clock = turnNow;
  readonly #started = performance.now();
  #nextId = 0;
  #stopping = false;
  #serving: Promise<void> | undefined;

  private constructor(listener: Deno.TcpListener, options: ServerOptions) {
    this.#listener = listener;
    this.#opts = options;
    this.addr = listener.addr;
    this.#logger = options.logger ?? new NullLogger();
    this.room = new Room(
      {
        maxClients: options.maxClients ?? 10000,
        announceMax: options.announceMax,
        maxText: options.maxText ?? 32768,
        flood: options.flood === undefined ? { burst: 10, perSeconds: 5 } : options.flood,
        stats: () => this.stats(),
        // Sessions take the turn's broadcasts just before the outboxes are written.
        endOfTurn: beforeNextFlush,
      },
      (e) => this.#logRoomEvent(e),
    );
  }

  /**
   * Facts for `STATS` and `chat bench`: connection counters, the ARQ counters of the open
   * binary sessions, the server's own CPU time (user and system, ms) and resident memory,
   * measured by the process itself on every OS.
   */
  stats(): Record<string, number> {
    const cpu = process.cpuUsage();
    const mem = Deno.memoryUsage();
    // The ARQ senders and receivers of the open binary sessions (`chat bench` reports them).
    let arqDataSent = 0, arqRetransmissions = 0, arqTimeouts = 0, arqDuplicates = 0;
    let arqFast = 0, arqProbes = 0;
    for (const c of this.#connections) {
      if (!(c.session instanceof BinarySession)) continue;
      const st = c.session.link.endpoint.stats;
      arqDataSent += st.dataSent;
      arqRetransmissions += st.retransmissions;
      arqTimeouts += st.timeouts;
      arqDuplicates += st.duplicates;
      arqFast += st.fastRetransmissions;
      arqProbes += st.probeRetransmissions;
    }
    return {
      ...this.counters,
      arqDataSent,
      arqRetransmissions,
      arqTimeouts,
      arqDuplicates,
      arqFastRetransmissions: arqFast,
      arqProbeRetransmissions: arqProbes,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rssBytes: mem.rss,
      peakRssBytes: peakRss(mem.rss),
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      uptimeMs: performance.now() - this.#started,
    };
  }

  /** Binds the port (throws `Deno.errors.AddrInUse` etc.) and starts accepting. */
  static listen(options: ServerOptions = {}): ChatServer {
    const listener = Deno.listen({
      hostname: options.host ?? "0.0.0.0",
      port: options.port ?? 55555,
      transport: "tcp",
    });
    const server = new ChatServer(listener, options);
    server.#serving = server.#acceptLoop();
    return server;
  }

  /** Resolves when the server stopped accepting (after {@link shutdown}). */
  get finished(): Promise<void> {
    return this.#serving ?? Promise.resolve();
  }

  /**
   * Stops: tells every client (`503`), closes their sessions (waiting up to `graceMs` for
   * replies to be written and binary sessions to finish), then closes every socket.
   */
  async shutdown(reason = "server shutting down", graceMs = 2000): Promise<void> {
    if (this.#stopping) return this.finished;
    this.#stopping = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    this.room.shutdown(reason);
    const deadline = Date.now() + graceMs;
    while (this.#connections.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of [...this.#connections]) this.#closeConnection(c, "server shutting down");
    this.#scheduler.stop();
    await this.#serving;
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping || error instanceof Deno.errors.BadResource) return;
        this.#logger.log("accept-error", { error: String(error) }, "warn");
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (this.#stopping) {
        conn.close();
        continue;
      }
      this.#handle(conn);
    }
  }

  #handle(conn: Deno.TcpConn): void {
    try {
      conn.setNoDelay(true);
    } catch { /* the peer may already be gone */ }
    const c: Connection = {
      conn,
      smallReads: 0,
      session: undefined,
      closed: false,
      capture: undefined,
      timer: undefined,
    };
    this.#connections.add(c);
    this.counters.accepted++;
    this.counters.open++;
    const remote = conn.remoteAddr as Deno.NetAddr;
    if (this.#opts.capture) c.capture = this.#opts.capture(conn.localAddr as Deno.NetAddr, remote);
    this.#readLoop(c, remote).catch((error) => {
      this.#logger.log(
        "connection-error",
        { peer: peerName(remote), error: String(error) },
        "warn",
      );
      this.#closeConnection(c, "internal error");
    });
  }

  async #readLoop(c: Connection, remote: Deno.NetAddr): Promise<void> {
    const id = ++this.#nextId;
    const peer = peerName(remote);
    let prompted = false;
    this.#arm(c, this.#opts.promptDelayMs ?? 150, () => {
      prompted = true;
      this.#writeRaw(c, NICK_PROMPT);
    });
    this.#awaitRegistration(c, peer);
    let buf = new Uint8Array(READ_MIN);
    for (;;) {
      let n: number | null;
      try {
        n = await c.conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null || c.closed) break;
      this.counters.reads++;
      const chunk = buf.subarray(0, n);
      if (c.session === undefined) {
        clearTimeout(c.timer);
        c.timer = undefined;
        c.session = chunk[0] === MAGIC
          ? this.#binarySession(id, c, peer)
          : this.#textSession(id, c, peer, prompted);
      }
      if (c.session instanceof TextSession) c.capture?.received(chunk, this.#clock());
      c.session.receive(chunk);
      buf = nextReadBuffer(buf, n, c);
    }
    if (c.session instanceof TextSession) {
      // Its last replies still leave (see TextSession.end): closed once written, or a
      // second later at most (a peer that half-closed and stopped reading).
      c.session.end();
      if (!c.closed) this.#closeWithin(c, "connection closed");
      return;
    }
    c.session?.link.end();
    this.#closeConnection(c, "connection closed");
  }

  /** Closes `c` after `ms` unless it was closed before. */
  #closeWithin(c: Connection, reason: string, ms = 1000): void {
    this.#arm(c, ms, () => this.#closeConnection(c, reason));
  }

  /** Sets the connection's one timer (replacing any other) to run `fn` after `ms`. */
  #arm(c: Connection, ms: number, fn: () => void): void {
    clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      fn();
    }, ms);
  }

  /**
   * A connection must become a binary session or a registered text user within
   * `registerTimeoutMs`. One sweep timer checks every waiting connection, so ten thousand
   * registered clients hold no timer each.
   */
  #awaitRegistration(c: Connection, peer: string): void {
    const timeout = this.#opts.registerTimeoutMs ?? 120_000;
    this.#registering.set(c, { peer, deadline: performance.now() + timeout });
    if (this.#registrationSweep !== undefined) return;
    const every = Math.min(1000, Math.max(10, timeout / 4));
    this.#registrationSweep = setInterval(() => this.#sweepRegistrations(), every);
  }

  #sweepRegistrations(): void {
    const now = performance.now();
    for (const [c, { peer, deadline }] of this.#registering) {
      const s = c.session;
      if (c.closed || s instanceof BinarySession || (s && this.room.nickOf(s))) {
        this.#registering.delete(c);
      } else if (now >= deadline) {
        this.#registering.delete(c);
        this.#logger.log("register-timeout", { peer }, "warn");
        this.#closeConnection(c, "registration timeout");
      }
    }
    if (this.#registering.size === 0) this.#stopRegistrationSweep();
  }

  #stopRegistrationSweep(): void {
    if (this.#registrationSweep === undefined) return;
    clearInterval(this.#registrationSweep);
    this.#registrationSweep = undefined;
  }

  /** One socket write of a session's outbox, counted. */
  #write(c: Connection, p: Uint8Array): Promise<number> {
    this.counters.writes++;
    return c.conn.write(p);
  }

  #textSession(id: number, c: Connection, peer: string, prompted: boolean): TextSession {
    this.counters.text++;
    this.#logger.log("connect", { id, peer, kind: "text", prompted });
    const trace = this.#opts.trace;
    return new TextSession(id, this.room, {
      write: (p) => {
        c.capture?.sent(p, this.#clock());
        return this.#write(c, p);
      },
    }, {
      maxLine: (this.#opts.maxText ?? 32768) + 64,
      outboxBytes: this.#opts.outboxBytes ?? DEFAULT_OUTBOX_BYTES,
      scheduler: this.#scheduler,
      clock: this.#clock,
      onDone: (reason) => this.#closeConnection(c, reason),
      trace: trace
        ? (dir, text) => {
          const arrow = dir === "send" ? "→" : "←";
          for (const line of text.replace(/\n$/, "").split("\n")) {
            trace(`text ${peer} ${arrow} ${line}`);
          }
        }
        : undefined,
    });
  }

  #binarySession(id: number, c: Connection, peer: string): BinarySession {
    this.counters.binary++;
    this.#logger.log("connect", { id, peer, kind: "binary" });
    const faults = this.#opts.faults;
    return new BinarySession(id, this.room, { write: (p) => this.#write(c, p) }, {
      who: `server ${peer}`,
      scheduler: this.#scheduler,
      arq: { ...this.#opts.arq },
      outboxBytes: this.#opts.outboxBytes ?? DEFAULT_OUTBOX_BYTES,
      faults: faults ? new FaultInjector(faults, `server:${id}`) : undefined,
      trace: this.#opts.trace,
      capture: c.capture,
      clock: this.#clock,
      onDone: (reason) => {
        this.#logger.log("session-closed", { id, peer, reason });
        const session = c.session;
        if (session instanceof BinarySession && reason === CLOSED_BY_PEER) {
          // The peer closes the TCP connection once it has our FIN-ACK; until then its FIN
          // may come again (the FIN-ACK was dropped by fault injection) and is answered.
          this.#closeWithin(c, reason, faults ? FIN_LINGER_FAULTS_MS : FIN_LINGER_MS);
        } else if (session instanceof BinarySession) {
          // Let the final frames (RST, FIN) reach the wire, briefly.
          this.#closeWithin(c, reason);
          session.link.drained().then(() => this.#closeConnection(c, reason));
        } else this.#closeConnection(c, reason);
      },
    });
  }

  #writeRaw(c: Connection, bytes: Uint8Array): void {
    if (c.closed) return;
    c.capture?.sent(bytes, this.#clock());
    (async () => {
      let off = 0;
      while (off < bytes.length) off += await c.conn.write(bytes.subarray(off));
    })().catch(() => this.#closeConnection(c, "connection lost"));
  }

  #closeConnection(c: Connection, _reason: string): void {
    if (c.closed) return;
    c.closed = true;
    clearTimeout(c.timer);
    c.timer = undefined;
    const s = c.session;
    if (s instanceof BinarySession) {
      s.link.end();
      s.link.dispose();
    } else if (s) this.room.leave(s, "connection closed");
    try {
      c.conn.close();
    } catch { /* already closed */ }
    c.capture?.close();
    this.#connections.delete(c);
    this.#registering.delete(c);
    if (this.#registering.size === 0) this.#stopRegistrationSweep();
    this.counters.open--;
  }

  #logRoomEvent(e: RoomEvent): void {
    // One event per chat line would cost more than relaying it: only with --log-messages.
    if ((e.type === "message" || e.type === "private") && !this.#opts.logMessages) return;
    const { type, ...fields } = e as { type: string } & Record<string, unknown>;
    this.#logger.log(type, fields);
  }
}

function peerName(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}

let peak = 0;
function peakRss(rss: number): number {
  try {
    // maxRSS is in kilobytes (as in Node.js).
    const max = process.resourceUsage().maxRSS * 1024;
    peak = Math.max(peak, rss, max);
  } catch {
    peak = Math.max(peak, rss);
  }
  return peak;
}
