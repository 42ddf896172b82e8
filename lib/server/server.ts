/**
 * `chat serve`: one chat (its rooms, see `lib/chat/lobby.ts`) behind one entry point for
 * connections from any listener (TCP
 * today, UDP or WebSocket listeners beside it later). {@link ChatServer.accept} takes a
 * connection, reads it, and lets its first bytes pick the kind of session (`session_kinds.ts`):
 * the frame magic (0xC1, the start of a SYN) is a reliable binary session, anything else a
 * plain-text session. A connection on a byte stream that stays silent for `promptDelayMs` gets
 * the text prompt `NICK` (exactly those four bytes), so a binary client's first byte is never
 * mistaken; one that stays silent {@link NICK_HINT_AFTER_MS} more (a person) gets one hint line.
 * @module
 */

import type { Lang } from "../i18n/lang.ts";
import process from "node:process";
import type { ArqStats, EndpointOptions } from "../arq/mod.ts";
import { type ChatEvent, type FloodLimit, Lobby } from "../chat/mod.ts";
import type { FaultSettings } from "../faults/mod.ts";
import type { Logger } from "../log/logger.ts";
import { NullLogger } from "../log/logger.ts";
import type { LinkCapture } from "../net/binary_link.ts";
import { DEFAULT_OUTBOX_BYTES } from "../net/outbox.ts";
import { WakeScheduler } from "../net/scheduler.ts";
import { listenTcp } from "../net/tcp_transport.ts";
import {
  type Conn,
  formatAddress,
  type Listener,
  type NetAddress,
  writeAll,
} from "../net/transport.ts";
import { Turn } from "../net/turn.ts";
import type { OpenConnection, ServerEnv, ServerSession, SessionKind } from "./session.ts";
import { classify, SESSION_KINDS } from "./session_kinds.ts";
import { DEFAULT_WEB_SETTINGS, type WebSettings } from "./web_settings.ts";
import { SERVER_CATALOG } from "../chat/messages.ts";

/** Options of {@link ChatServer}. */
export interface ServerOptions {
  /** Address {@link ChatServer.listen} binds (default `0.0.0.0`). */
  readonly host?: string;
  /** Port {@link ChatServer.listen} binds; 0 picks a free one (default 55555). */
  readonly port?: number;
  /** Most registered users (default 10000). */
  readonly maxClients?: number;
  /** Broadcast join/leave/rename notices while a room has at most this many users. */
  readonly announceMax?: number;
  /** Lines of history a room replays on join (default 20; 0: off). */
  readonly history?: number;
  /** Most rooms at once, the default one included (default 1000). */
  readonly maxRooms?: number;
  /** How long a dropped user's nickname is held for it, ms (default 60 s). */
  readonly reconnectGraceMs?: number;
  /** The password of `OP` (none: nobody can become an operator). */
  readonly teacherPassword?: string;
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
  /** Further silence after which it gets the nickname hint (default {@link NICK_HINT_AFTER_MS}). */
  readonly nickHintMs?: number;
  /** A text client must send its nickname within this time (default 120 s). */
  readonly registerTimeoutMs?: number;
  /** Makes a capture recorder for a connection (`--pcap`). */
  readonly capture?: (local: NetAddress, remote: NetAddress) => LinkCapture & {
    close(): void;
  };
  /** The session kinds, told apart by first bytes (default {@link SESSION_KINDS}). */
  readonly kinds?: readonly SessionKind[];
  /** The web page's Origin policy and the teacher's token (default: no teacher's page). */
  readonly web?: WebSettings;
  /** The server's language: notices, and replies to clients that send no `LANG` (default en). */
  readonly lang?: Lang;
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
  /** Connection reads that returned bytes, all connections. */
  reads: number;
  /** Connection writes (each outbox flush is one, plus one per partial-write retry). */
  writes: number;
  /** Sessions of every other kind accepted since start, by kind name. */
  [kind: string]: number;
}

const NICK_PROMPT = new TextEncoder().encode("NICK");
const encoder = new TextEncoder();
/**
 * Silence after the `NICK` prompt after which a connection (a person at netcat, who does not
 * know what to type) gets the nickname hint. A client that answers the prompt at once, as the
 * seed 000 client does, never sees it.
 */
export const NICK_HINT_AFTER_MS = 5000;
/** Smallest read buffer: an idle connection holds only this much (ten thousand of them: 5 MB). */
const READ_MIN = 512;
/** Largest read buffer, reached by doubling while reads fill the buffer. */
const READ_MAX = 64 * 1024;

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

/**
 * One accepted connection: what its session sees of it ({@link SessionContext}) and what the
 * entry point keeps (its one timer, its session, whether it is closed).
 */
class ServerConnection implements OpenConnection {
  readonly id: number;
  readonly peer: string;
  readonly conn: Conn;
  readonly env: ServerEnv;
  readonly capture: (LinkCapture & { close(): void }) | undefined;
  prompted = false;
  kind: string | undefined;
  /** Reads in a row that used little of the read buffer (see `nextReadBuffer`). */
  smallReads = 0;
  session: ServerSession | undefined;
  closed = false;
  /**
   * Its one timer: the `NICK` prompt until the kind is known, later the grace period of a
   * closing session (one slot, not a set: ten thousand connections, no set each).
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #counters: ServerCounters;
  readonly #forget: (c: ServerConnection) => void;

  constructor(
    id: number,
    conn: Conn,
    env: ServerEnv,
    counters: ServerCounters,
    capture: (LinkCapture & { close(): void }) | undefined,
    forget: (c: ServerConnection) => void,
  ) {
    this.id = id;
    this.conn = conn;
    this.peer = formatAddress(conn.remoteAddr);
    this.env = env;
    this.capture = capture;
    this.#counters = counters;
    this.#forget = forget;
  }

  write(p: Uint8Array): Promise<number> {
    this.#counters.writes++;
    return this.conn.write(p);
  }

  close(_reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    this.session?.dispose();
    this.conn.close();
    this.capture?.close();
    this.#forget(this);
  }

  closeWithin(reason: string, ms: number): void {
    if (!this.closed) this.arm(ms, () => this.close(reason));
  }

  /** Sets the connection's one timer (replacing any other) to run `fn` after `ms`. */
  arm(ms: number, fn: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      fn();
    }, ms);
  }

  /** Clears the connection's timer. */
  disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Writes bytes before any session exists (the `NICK` prompt), all of them. */
  writeRaw(bytes: Uint8Array): void {
    if (this.closed) return;
    this.capture?.sent(bytes, this.env.turn.now());
    writeAll(this.conn, bytes).catch(() => this.close("connection lost"));
  }
}

/** The chat server: the lobby and its rooms, the sessions, and the listeners they come from. */
export class ChatServer {
  /** The chat all sessions share: rooms, users, commands. */
  readonly lobby: Lobby;
  /** Connection counters. */
  readonly counters: ServerCounters = {
    accepted: 0,
    binary: 0,
    text: 0,
    open: 0,
    reads: 0,
    writes: 0,
  };
  readonly #opts: ServerOptions;
  readonly #logger: Logger;
  readonly #kinds: readonly SessionKind[];
  readonly #turn = new Turn();
  readonly #scheduler = new WakeScheduler();
  readonly #env: ServerEnv;
  readonly #listeners: Listener[] = [];
  readonly #accepting: Promise<void>[] = [];
  readonly #connections = new Set<ServerConnection>();
  /** Connections whose peer still owes its nickname, with their deadline. */
  readonly #registering = new Map<ServerConnection, number>();
  #registrationSweep: ReturnType<typeof setInterval> | undefined;
  readonly #started = performance.now();
  readonly #finished = Promise.withResolvers<void>();
  /** Resolved once no connection is open during {@link shutdown}. */
  readonly #allClosed = Promise.withResolvers<void>();
  #peakRss = 0;
  /** ARQ counters of the sessions that ended (`stats` adds the open ones). */
  readonly #arqEnded: ArqCounters = {
    dataSent: 0,
    retransmissions: 0,
    timeouts: 0,
    duplicates: 0,
    fastRetransmissions: 0,
    probeRetransmissions: 0,
  };
  #nextId = 0;
  #stopping = false;

  /** A server without listeners: give it some ({@link serve}) or connections ({@link accept}). */
  constructor(options: ServerOptions = {}) {
    this.#opts = options;
    this.#logger = options.logger ?? new NullLogger();
    this.#kinds = options.kinds ?? SESSION_KINDS;
    for (const k of this.#kinds) this.counters[k.name] ??= 0;
    this.lobby = new Lobby(
      {
        maxClients: options.maxClients ?? 10000,
        announceMax: options.announceMax,
        maxText: options.maxText ?? 32768,
        flood: options.flood === undefined ? { burst: 10, perSeconds: 5 } : options.flood,
        history: options.history,
        maxRooms: options.maxRooms,
        reconnectGraceMs: options.reconnectGraceMs,
        operatorPassword: options.teacherPassword,
        lang: options.lang,
        stats: () => this.stats(),
        // Sessions take the turn's broadcasts just before the outboxes are written.
        endOfTurn: this.#turn.beforeFlush,
        clock: this.#turn.now,
      },
      (e) => this.#logChatEvent(e),
    );
    const logger = this.#logger;
    this.#env = {
      lobby: this.lobby,
      turn: this.#turn,
      scheduler: this.#scheduler,
      maxText: options.maxText ?? 32768,
      outboxBytes: options.outboxBytes ?? DEFAULT_OUTBOX_BYTES,
      arq: options.arq ?? {},
      faults: options.faults,
      trace: options.trace,
      log: (type, fields, level) => logger.log(type, fields, level),
      accept: (conn) => this.accept(conn),
      connections: () => this.#connections.values(),
      web: options.web ?? DEFAULT_WEB_SETTINGS,
    };
  }

  /**
   * A server listening on TCP `options.host:options.port` (throws `Deno.errors.AddrInUse`
   * etc.), accepting at once.
   */
  static listen(options: ServerOptions = {}): ChatServer {
    const listener = listenTcp(options.host ?? "0.0.0.0", options.port ?? 55555);
    const server = new ChatServer(options);
    server.serve(listener);
    return server;
  }

  /** The address of the first listener (the true port even with port 0). */
  get addr(): NetAddress {
    const first = this.#listeners[0];
    if (first === undefined) throw new Error("The server has no listener");
    return first.addr;
  }

  /** The addresses of every listener, in the order they were given. */
  get addrs(): NetAddress[] {
    return this.#listeners.map((l) => l.addr);
  }

  /** Resolves once {@link shutdown} has closed every listener and connection. */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /**
   * Facts for `STATS` and `chat bench`: connection counters, the ARQ counters of the open
   * binary sessions, the server's own CPU time (user and system, ms) and resident memory,
   * measured by the process itself on every OS.
   */
  stats(): Record<string, number> {
    const cpu = process.cpuUsage();
    const mem = Deno.memoryUsage();
    // The ARQ repairs of every session since start, ended ones included (a bench reads the
    // change over its run).
    const sum = { ...this.#arqEnded };
    for (const c of this.#connections) {
      const st = c.session?.arqStats;
      if (st !== undefined) addArqCounters(sum, st);
    }
    return {
      ...this.counters,
      arqDataSent: sum.dataSent,
      arqRetransmissions: sum.retransmissions,
      arqTimeouts: sum.timeouts,
      arqDuplicates: sum.duplicates,
      arqFastRetransmissions: sum.fastRetransmissions,
      arqProbeRetransmissions: sum.probeRetransmissions,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rssBytes: mem.rss,
      peakRssBytes: this.#peakRssOf(mem.rss),
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      uptimeMs: performance.now() - this.#started,
    };
  }

  /** Accepts the connections of `listener` (any transport) until {@link shutdown}. */
  serve(listener: Listener): void {
    if (this.#stopping) {
      listener.close();
      return;
    }
    this.#listeners.push(listener);
    this.#accepting.push(this.#acceptLoop(listener));
  }

  /**
   * The one way in for a connection, whatever carried it: reads it, lets its first bytes pick
   * the kind of session, feeds the session, and closes it when the session or the peer ends.
   */
  accept(conn: Conn): void {
    if (this.#stopping) {
      conn.close();
      return;
    }
    // The bytes of a WebSocket are already in the capture of the HTTP connection it came from.
    const capture = conn.remoteAddr.transport === "ws"
      ? undefined
      : this.#opts.capture?.(conn.localAddr, conn.remoteAddr);
    const c = new ServerConnection(
      ++this.#nextId,
      conn,
      this.#env,
      this.counters,
      capture,
      (gone) => this.#forget(gone),
    );
    this.#connections.add(c);
    this.counters.accepted++;
    this.counters.open++;
    this.#readLoop(c).catch((error) => {
      this.#logger.log("connection-error", { peer: c.peer, error: String(error) }, "warn");
      c.close("internal error");
    });
  }

  /**
   * Stops: tells every client (`503`), closes their sessions (waiting up to `graceMs` for
   * replies to be written and binary sessions to finish), then closes every connection.
   */
  async shutdown(reason = "server shutting down", graceMs = 2000): Promise<void> {
    if (this.#stopping) return this.finished;
    this.#stopping = true;
    for (const l of this.#listeners) l.close();
    this.lobby.shutdown(reason);
    if (this.#connections.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#allClosed.promise,
        new Promise((r) => timer = setTimeout(r, graceMs)),
      ]);
      clearTimeout(timer);
    }
    for (const c of [...this.#connections]) c.close("server shutting down");
    this.#scheduler.stop();
    this.#stopRegistrationSweep();
    await Promise.all(this.#accepting);
    this.#finished.resolve();
  }

  async #acceptLoop(listener: Listener): Promise<void> {
    for (;;) {
      let conn: Conn | null;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#stopping) return;
        this.#logger.log("accept-error", { error: String(error) }, "warn");
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (conn === null) return;
      this.accept(conn);
    }
  }

  async #readLoop(c: ServerConnection): Promise<void> {
    const stream = c.conn.path === "stream";
    const delay = this.#opts.promptDelayMs ?? 150;
    // Bytes read before their kind is known (a strict prefix of some kind's magic), copied.
    let head: Uint8Array | undefined;
    // Silence after a strict prefix of a longer magic decides as an end of stream would: a seed
    // 000 client named "GET" sends no newline and waits for an answer.
    const decideHeld = () => {
      const held = head;
      head = undefined;
      if (held !== undefined && c.session === undefined && this.#open(c, held, true)) {
        c.session!.receive(held);
      }
    };
    if (stream) {
      c.arm(delay, () => {
        if (head !== undefined) return decideHeld();
        c.prompted = true;
        c.writeRaw(NICK_PROMPT);
        // Still nothing read: someone is looking at "NICK" and wondering. (Any byte read first
        // re-arms or disarms this timer.)
        c.arm(this.#opts.nickHintMs ?? NICK_HINT_AFTER_MS, () => {
          if (c.session === undefined && head === undefined) {
            c.writeRaw(encoder.encode(SERVER_CATALOG[this.#opts.lang ?? "en"].nickHint));
          }
        });
      });
    }
    this.#awaitRegistration(c);
    let buf = new Uint8Array(stream ? READ_MIN : c.conn.maxDatagram);
    for (;;) {
      let n: number | null;
      try {
        n = await c.conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null || c.closed) break;
      this.counters.reads++;
      let chunk = buf.subarray(0, n);
      c.capture?.received(chunk, this.#turn.now());
      if (c.session === undefined) {
        if (head !== undefined) chunk = concat(head, chunk);
        head = undefined;
        if (!this.#open(c, chunk, false)) {
          if (c.closed) break;
          head = chunk.slice();
          if (c.prompted) c.arm(delay, decideHeld);
          continue;
        }
      }
      c.session!.receive(chunk);
      if (stream) buf = nextReadBuffer(buf, n, c);
    }
    if (c.closed) return;
    if (c.session === undefined && head !== undefined && this.#open(c, head, true)) {
      c.session!.receive(head);
    }
    if (c.session !== undefined) c.session.end();
    else c.close("connection closed");
  }

  /**
   * Starts the session `head` (the first bytes) picks; false while more bytes must decide, or
   * when no kind takes them (then the connection is closed).
   */
  #open(c: ServerConnection, head: Uint8Array, ended: boolean): boolean {
    const kind = classify(this.#kinds, head, c.conn.path, ended);
    if (kind === "more") return false;
    c.disarm();
    if (kind === undefined) {
      this.#logger.log("unknown-session", { id: c.id, peer: c.peer, first: head[0] }, "warn");
      c.close("unknown session kind");
      return false;
    }
    this.counters[kind.name] = (this.counters[kind.name] ?? 0) + 1;
    c.kind = kind.name;
    this.#logger.log("connect", {
      id: c.id,
      peer: c.peer,
      transport: c.conn.remoteAddr.transport,
      kind: kind.name,
      prompted: c.prompted,
    });
    c.session = kind.open(c);
    return true;
  }

  /**
   * A connection must become a binary session or a registered text user within
   * `registerTimeoutMs`. One sweep timer checks every waiting connection, so ten thousand
   * registered clients hold no timer each.
   */
  #awaitRegistration(c: ServerConnection): void {
    const timeout = this.#opts.registerTimeoutMs ?? 120_000;
    this.#registering.set(c, performance.now() + timeout);
    if (this.#registrationSweep !== undefined) return;
    const every = Math.min(1000, Math.max(10, timeout / 4));
    this.#registrationSweep = setInterval(() => this.#sweepRegistrations(), every);
  }

  #sweepRegistrations(): void {
    const now = performance.now();
    for (const [c, deadline] of this.#registering) {
      const s = c.session;
      if (c.closed || (s !== undefined && !s.awaitingRegistration)) {
        this.#registering.delete(c);
      } else if (now >= deadline) {
        this.#registering.delete(c);
        this.#logger.log("register-timeout", { peer: c.peer }, "warn");
        c.close("registration timeout");
      }
    }
    if (this.#registering.size === 0) this.#stopRegistrationSweep();
  }

  #stopRegistrationSweep(): void {
    if (this.#registrationSweep === undefined) return;
    clearInterval(this.#registrationSweep);
    this.#registrationSweep = undefined;
  }

  /** A connection closed: the server forgets it. */
  #forget(c: ServerConnection): void {
    const arq = c.session?.arqStats;
    if (arq !== undefined) {
      addArqCounters(this.#arqEnded, arq);
    }
    this.#connections.delete(c);
    this.#registering.delete(c);
    if (this.#registering.size === 0) this.#stopRegistrationSweep();
    this.counters.open--;
    if (this.#stopping && this.#connections.size === 0) this.#allClosed.resolve();
  }

  #logChatEvent(e: ChatEvent): void {
    // One event per chat line would cost more than relaying it: only with --log-messages.
    if ((e.type === "message" || e.type === "private") && !this.#opts.logMessages) return;
    const { type, ...fields } = e as { type: string } & Record<string, unknown>;
    this.#logger.log(type, fields, e.type === "denied" ? "warn" : undefined);
  }

  #peakRssOf(rss: number): number {
    try {
      // maxRSS is in kilobytes (as in Node.js).
      const max = process.resourceUsage().maxRSS * 1024;
      this.#peakRss = Math.max(this.#peakRss, rss, max);
    } catch {
      this.#peakRss = Math.max(this.#peakRss, rss);
    }
    return this.#peakRss;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The ARQ counters `STATS` reports, summed over sessions. */
type ArqCounters = Pick<
  ArqStats,
  | "dataSent"
  | "retransmissions"
  | "timeouts"
  | "duplicates"
  | "fastRetransmissions"
  | "probeRetransmissions"
>;

/** Adds `st`'s counters to `sum`. */
function addArqCounters(
  sum: { -readonly [K in keyof ArqCounters]: number },
  st: ArqCounters,
): void {
  sum.dataSent += st.dataSent;
  sum.retransmissions += st.retransmissions;
  sum.timeouts += st.timeouts;
  sum.duplicates += st.duplicates;
  sum.fastRetransmissions += st.fastRetransmissions;
  sum.probeRetransmissions += st.probeRetransmissions;
}
