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
import { setImmediate } from "node:timers";
import type { ArqStats, EndpointOptions } from "../arq/mod.ts";
import { type ChatEvent, type FloodLimit, Lobby, reasonOf, status } from "../chat/mod.ts";
import type { FaultSettings } from "../faults/mod.ts";
import { RepeatFolder } from "../log/fold.ts";
import type { Logger } from "../log/logger.ts";
import { NullLogger } from "../log/logger.ts";
import type { LinkCapture } from "../net/binary_link.ts";
import { WakeScheduler } from "../net/scheduler.ts";
import { encodeFrame, frame, FrameType, MAGIC } from "../protocol/mod.ts";
import { encodeReason } from "../protocol/control.ts";
import { listenTcp } from "../net/tcp_transport.ts";
import {
  type Conn,
  formatAddress,
  type Listener,
  type NetAddress,
  writeAll,
} from "../net/transport.ts";
import { Turn } from "../net/turn.ts";
import { Admission, type AdmissionLimits, type AdmissionRefusal, Ticket } from "./admission.ts";
import {
  DEFAULT_LAG_BYTES,
  DEFAULT_LIMITS,
  DEFAULT_MEMORY_BYTES,
  DEFAULT_OUTBOX_BYTES,
  DEFAULT_REGISTER_TIMEOUT_MS,
  limitFacts,
  NO_LIMITS,
} from "./limits_config.ts";
import { type CommandBudget, DEFAULT_ROOM_OUTPUT, type RoomOutputLimit } from "../chat/limits.ts";
import type { OpenConnection, ServerEnv, ServerSession, SessionKind } from "./session.ts";
import { classify, SESSION_KINDS } from "./session_kinds.ts";
import { DEFAULT_WEB_SETTINGS, type WebSettings } from "./web_settings.ts";
import { SERVER_CATALOG, type ServerText } from "../chat/messages.ts";

/** Options of {@link ChatServer}. */
export interface ServerOptions {
  /** Address {@link ChatServer.listen} binds (default `0.0.0.0`). */
  readonly host?: string;
  /** Port {@link ChatServer.listen} binds; 0 picks a free one (default 55555). */
  readonly port?: number;
  /** Most connections at once, registered or not (default 10000). */
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
  /** Flood limit per user for MSG/PRIV/NICK, `null` = off (default 10 per 5 s). */
  readonly flood?: FloodLimit | null;
  /**
   * Admission and command limits (per address, per connection, unregistered connections; see
   * `limits_config.ts` for the defaults); a field `null` turns that limit off, `"off"` all of
   * them (benchmarks). `maxConnections` comes from `maxClients`.
   */
  readonly limits?: Partial<Omit<AdmissionLimits, "maxConnections">> | "off";
  /**
   * Output the room may fan out per second (a line's bytes times its recipients); `null` = no
   * limit (default 16 MB/s, lines under 64 KiB of output always pass; off with `limits: "off"`).
   */
  readonly roomOutput?: RoomOutputLimit | null;
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
  /**
   * Private output one connection may hold unsent (replies, frames), bytes (default 256 KiB);
   * past it the connection is dropped as too slow.
   */
  readonly outboxBytes?: number;
  /** How far behind the room's shared lines a reader may fall, bytes (default 16 MiB). */
  readonly lagBytes?: number;
  /**
   * Output all connections together may hold, bytes: their private output plus the shared lines
   * the slowest reader keeps alive (default 192 MiB); past it the connection holding most is
   * dropped.
   */
  readonly memoryBytes?: number;
  /** Silence after which a connection gets the `NICK` prompt (default 150 ms). */
  readonly promptDelayMs?: number;
  /** Further silence after which it gets the nickname hint (default {@link NICK_HINT_AFTER_MS}). */
  readonly nickHintMs?: number;
  /** A client (text or binary) must register its nickname within this time (default 60 s). */
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
  /** Connections refused at the door (limits, a full server), since start. */
  refused: number;
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
  /** Its place in the admission counts; undefined when it was refused. */
  ticket: Ticket | undefined;
  /** Why it was refused (answered in its own protocol once its first bytes say which). */
  refusal: AdmissionRefusal | undefined;
  /** True while it is refused and not told yet. */
  refusing = false;
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

  get budget(): CommandBudget | undefined {
    return this.ticket?.budget;
  }

  close(_reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.disarm();
    this.session?.dispose();
    this.conn.close();
    this.capture?.close();
    this.ticket?.release();
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

  /**
   * Writes bytes before any session exists (the `NICK` prompt, a refusal), all of them; then
   * closes the connection when `thenClose` says why.
   */
  writeRaw(bytes: Uint8Array, thenClose?: string): void {
    if (this.closed) return;
    this.capture?.sent(bytes, this.env.turn.now());
    writeAll(this.conn, bytes).then(
      () => thenClose !== undefined && this.close(thenClose),
      () => this.close("connection lost"),
    );
  }
}

/**
 * How often the server checks the output all connections hold against its memory budget, ms
 * (a reader falls behind no faster than the room talks: a few MB/s at the flood limits).
 */
const MEMORY_SWEEP_MS = 250;
/** Bytes read in one go after which a connection lets the others run before its next read. */
const YIELD_AFTER_BYTES = 4096;
/** Most refused connections waiting to be told why; past it a refused connection is just closed. */
const MAX_REFUSING = 256;

/** Resolves after the I/O and flush pass of the current turn (a fair turn for the others). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True for an accept error that says the process, not a peer, is out of something (fds). */
function isResourceError(error: unknown): boolean {
  return /os error (12|23|24|105)\b|Too many open files/i.test(String(error));
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
    refused: 0,
  };
  readonly #opts: ServerOptions;
  /** The server's language: what it says before a connection has one of its own. */
  readonly #text: ServerText;
  readonly #logger: Logger;
  /** The logger behind a folder of repeats: what a peer can cause costs a line per second. */
  readonly #log: RepeatFolder;
  readonly #kinds: readonly SessionKind[];
  readonly #turn = new Turn();
  readonly #scheduler = new WakeScheduler();
  readonly #env: ServerEnv;
  readonly #admission: Admission;
  readonly #registerTimeoutMs: number;
  readonly #memoryBytes: number;
  readonly #listeners: Listener[] = [];
  readonly #accepting: Promise<void>[] = [];
  readonly #connections = new Map<number, ServerConnection>();
  /** Connections whose peer still owes its nickname, with their deadline. */
  readonly #registering = new Map<ServerConnection, number>();
  #registrationSweep: ReturnType<typeof setInterval> | undefined;
  #memorySweep: ReturnType<typeof setInterval> | undefined;
  /** Refused connections not yet told why. */
  #refusing = 0;
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
    this.#text = SERVER_CATALOG[options.lang ?? "en"];
    this.#logger = options.logger ?? new NullLogger();
    this.#log = new RepeatFolder(this.#logger);
    this.#kinds = options.kinds ?? SESSION_KINDS;
    for (const k of this.#kinds) this.counters[k.name] ??= 0;
    const maxClients = options.maxClients ?? 10000;
    const flood = options.flood === undefined ? { burst: 10, perSeconds: 5 } : options.flood;
    // No flood limit (`--flood off`) means none per address either, unless one is given.
    const defaults = flood === null ? { ...DEFAULT_LIMITS, addressFlood: null } : DEFAULT_LIMITS;
    const limits = options.limits === "off"
      ? NO_LIMITS
      : { ...defaults, ...dropUndefined(options.limits ?? {}) };
    this.#admission = new Admission({ ...limits, maxConnections: maxClients });
    this.#registerTimeoutMs = options.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS;
    this.#memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    const maxText = options.maxText ?? 32768;
    const output = options.limits === "off"
      ? null
      : options.roomOutput === undefined
      ? DEFAULT_ROOM_OUTPUT
      : options.roomOutput;
    this.lobby = new Lobby(
      {
        maxClients,
        announceMax: options.announceMax,
        maxText,
        flood,
        output,
        history: options.history,
        maxRooms: options.maxRooms,
        reconnectGraceMs: options.reconnectGraceMs,
        operatorPassword: options.teacherPassword,
        lang: options.lang,
        stats: () => this.stats(),
        limits: () =>
          limitFacts(this.#admission.limits, flood, output, this.#registerTimeoutMs, maxText),
        // Sessions take the turn's broadcasts just before the outboxes are written.
        endOfTurn: this.#turn.beforeFlush,
        clock: this.#turn.now,
      },
      (e) => this.#logChatEvent(e),
    );
    const log = this.#log;
    this.#env = {
      lobby: this.lobby,
      turn: this.#turn,
      scheduler: this.#scheduler,
      maxText,
      outboxBytes: options.outboxBytes ?? DEFAULT_OUTBOX_BYTES,
      lagBytes: options.lagBytes ?? DEFAULT_LAG_BYTES,
      arq: options.arq ?? {},
      faults: options.faults,
      trace: options.trace,
      log: (type, fields, level) => log.log(type, fields, level),
      logFolded: (key, type, fields, level, burst) => log.fold(key, type, fields, level, burst),
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

  /** The limits in force (admission, commands; `maxConnections` from `maxClients`). */
  get limits(): AdmissionLimits {
    return this.#admission.limits;
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
    for (const c of this.#connections.values()) {
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
   * The one way in for a connection, whatever carried it: admits it (or reads its first bytes
   * to refuse it in its own protocol), reads it, lets its first bytes pick the kind of session,
   * feeds the session, and closes it when the session or the peer ends.
   */
  accept(conn: Conn): void {
    if (this.#stopping) {
      conn.close();
      return;
    }
    const address = conn.remoteAddr.hostname;
    const admitted = this.#admission.admit(address, this.#turn.now());
    if (!(admitted instanceof Ticket) && this.#refusing >= MAX_REFUSING) {
      // Refusing this many already: no word for this one.
      this.counters.refused++;
      this.#log.fold(
        `refused:${address}`,
        "refused",
        { address, reason: "too many refused" },
        "warn",
      );
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
    if (admitted instanceof Ticket) c.ticket = admitted;
    else {
      c.refusal = admitted;
      c.refusing = true;
      this.#refusing++;
      this.counters.refused++;
      this.#log.fold(`refused:${address}:${admitted.code}`, "refused", {
        peer: c.peer,
        code: admitted.code,
        reason: admitted.say(this.#text),
      }, "warn");
    }
    this.#connections.set(c.id, c);
    this.counters.accepted++;
    this.counters.open++;
    this.#watchMemory();
    this.#readLoop(c).catch((error) => {
      this.#log.log("connection-error", { peer: c.peer, error: String(error) }, "warn");
      c.close("internal error");
    });
  }

  /**
   * Stops: tells every client (`503`: registered or not, mid-handshake, or silent so far),
   * closes their sessions (waiting up to `graceMs` for replies to be written and binary sessions
   * to finish), then closes every connection.
   */
  async shutdown(reason = "server shutting down", graceMs = 2000): Promise<void> {
    if (this.#stopping) return this.finished;
    this.#stopping = true;
    for (const l of this.#listeners) l.close();
    this.#log.log("shutdown", {
      reason,
      users: this.lobby.size,
      connections: this.#connections.size,
    });
    this.lobby.shutdown(reason);
    // Connections whose kind is not known yet (silent so far) are told in text.
    const bye = status(503, `Server shutting down: ${reason}`);
    for (const c of this.#connections.values()) {
      if (c.session === undefined && !c.closed) {
        c.disarm();
        c.writeRaw(bye, "server shutting down");
      }
    }
    if (this.#connections.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#allClosed.promise,
        new Promise((r) => timer = setTimeout(r, graceMs)),
      ]);
      clearTimeout(timer);
    }
    for (const c of [...this.#connections.values()]) c.close("server shutting down");
    this.#scheduler.stop();
    this.#stopRegistrationSweep();
    this.#stopMemorySweep();
    await Promise.all(this.#accepting);
    this.#log.log("stopped", { uptimeS: Math.round((performance.now() - this.#started) / 1000) });
    this.#log.flush();
    this.#finished.resolve();
  }

  /**
   * Accepts until the listener closes. An error one peer causes (it reset its connection before
   * it was accepted) is logged and the loop goes straight on; only running out of descriptors
   * (which the per-address limits keep any one peer from causing) waits a little, so the loop
   * does not spin while none is free.
   */
  async #acceptLoop(listener: Listener): Promise<void> {
    for (;;) {
      let conn: Conn | null;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#stopping) return;
        const resource = isResourceError(error);
        this.#log.fold(
          `accept-error:${resource}`,
          "accept-error",
          { error: String(error) },
          "warn",
        );
        if (resource) await new Promise((r) => setTimeout(r, 10));
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
        if (c.refusal !== undefined) return this.#refuse(c, false);
        if (head !== undefined) return decideHeld();
        c.prompted = true;
        c.writeRaw(NICK_PROMPT);
        // Still nothing read: someone is looking at "NICK" and wondering. (Any byte read first
        // re-arms or disarms this timer.)
        c.arm(this.#opts.nickHintMs ?? NICK_HINT_AFTER_MS, () => {
          if (c.session === undefined && head === undefined) {
            c.writeRaw(encoder.encode(this.#text.nickHint));
          }
        });
      });
    }
    if (c.refusal === undefined) this.#awaitRegistration(c);
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
      if (c.refusal !== undefined) {
        this.#refuse(c, chunk[0] === MAGIC);
        break;
      }
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
      // A burst is taken a read at a time, each in a turn of its own: the others' lines flow
      // between them.
      if (n >= YIELD_AFTER_BYTES) await nextTurn();
    }
    if (c.closed || c.refusal !== undefined) {
      if (!c.closed && c.refusal !== undefined) c.close("refused");
      return;
    }
    if (c.session === undefined && head !== undefined && this.#open(c, head, true)) {
      c.session!.receive(head);
    }
    if (c.session !== undefined) c.session.end();
    else c.close("connection closed");
  }

  /**
   * Tells a refused connection why, in its own protocol (an RST frame carrying the status line
   * for a binary client, the status reply for a text one), and closes it.
   */
  #refuse(c: ServerConnection, binary: boolean): void {
    const r = c.refusal!;
    if (c.closed || !c.refusing) return;
    c.disarm();
    c.refusing = false;
    this.#refusing--;
    const text = r.say(this.#text);
    const line = `${r.code} ${reasonOf(r.code)}: ${text}`;
    const bytes = binary
      ? encodeFrame(frame(FrameType.RST, 0, 0, encodeReason(line)))
      : status(r.code, text);
    c.writeRaw(bytes, "refused");
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
      this.#log.fold(`unknown-session:${c.ticket?.address}`, "unknown-session", {
        id: c.id,
        peer: c.peer,
        first: head[0],
      }, "warn");
      c.close("unknown session kind");
      return false;
    }
    this.counters[kind.name] = (this.counters[kind.name] ?? 0) + 1;
    c.kind = kind.name;
    this.#log.fold(`connect:${c.ticket?.address}`, "connect", {
      id: c.id,
      peer: c.peer,
      transport: c.conn.remoteAddr.transport,
      kind: kind.name,
      prompted: c.prompted,
    });
    c.session = kind.open(c);
    // A kind that owes no nickname (the web page's HTTP session) leaves the unregistered count.
    if (!c.session.awaitingRegistration) c.ticket?.registerDone();
    return true;
  }

  /**
   * A connection must register within `registerTimeoutMs` (text and binary alike: a binary
   * session owes its nickname as its first message). One sweep timer checks every waiting
   * connection, so ten thousand registered clients hold no timer each.
   */
  #awaitRegistration(c: ServerConnection): void {
    const timeout = this.#registerTimeoutMs;
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
        if (!c.closed) c.ticket?.registerDone();
      } else if (now >= deadline) {
        this.#registering.delete(c);
        this.#log.fold(`register-timeout:${c.ticket?.address}`, "register-timeout", {
          peer: c.peer,
        }, "warn");
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

  /** Checks the output all connections hold while any is open. */
  #watchMemory(): void {
    if (this.#memorySweep !== undefined) return;
    this.#memorySweep = setInterval(() => this.#sweepMemory(), MEMORY_SWEEP_MS);
  }

  #stopMemorySweep(): void {
    if (this.#memorySweep === undefined) return;
    clearInterval(this.#memorySweep);
    this.#memorySweep = undefined;
  }

  /**
   * Two checks of the output connections hold. A reader further behind the room's shared lines
   * than `lagBytes` beyond the median member is dropped: a burst puts every member equally far
   * behind and drops nobody, a reader that stopped falls behind the others and goes. Then the
   * budget of all output together: the private output of every connection plus the shared lines
   * the slowest reader keeps alive (the readers behind it share those); over it, the connection
   * that holds most is dropped, then the next, until it fits.
   */
  #sweepMemory(): void {
    if (this.#connections.size === 0) return this.#stopMemorySweep();
    let own = 0;
    let shared = 0;
    const held: { c: ServerConnection; own: number; shared: number }[] = [];
    for (const c of this.#connections.values()) {
      const s = c.session;
      const m = s?.memory?.();
      if (m === undefined || s!.awaitingRegistration) continue;
      own += m.own;
      shared = Math.max(shared, m.shared);
      held.push({ c, own: m.own, shared: m.shared });
    }
    if (held.length === 0) return;
    const lags = held.map((h) => h.shared).sort((a, b) => a - b);
    const median = lags[lags.length >> 1]!;
    const lagBytes = this.#env.lagBytes;
    const dropped = new Set<ServerConnection>();
    for (const h of held) {
      if (h.shared - median <= lagBytes) continue;
      dropped.add(h.c);
      h.c.session?.drop?.(`too slow: ${h.shared - median} bytes behind the room`);
    }
    if (own + shared <= this.#memoryBytes) return;
    held.sort((a, b) => b.own + b.shared - (a.own + a.shared));
    let total = own + shared;
    for (const h of held) {
      if (total <= this.#memoryBytes) break;
      total -= h.own + h.shared;
      if (dropped.has(h.c)) continue;
      this.#log.log("memory-budget", {
        peer: h.c.peer,
        bytes: h.own + h.shared,
        budget: this.#memoryBytes,
      }, "warn");
      h.c.session?.drop?.(`too slow: server output budget (${this.#memoryBytes} bytes) exceeded`);
    }
  }

  /** A connection closed: the server forgets it. */
  #forget(c: ServerConnection): void {
    if (c.refusing) {
      c.refusing = false;
      this.#refusing--;
    }
    const arq = c.session?.arqStats;
    if (arq !== undefined) {
      addArqCounters(this.#arqEnded, arq);
    }
    this.#connections.delete(c.id);
    this.#registering.delete(c);
    if (this.#registering.size === 0) this.#stopRegistrationSweep();
    this.counters.open--;
    if (this.#stopping && this.#connections.size === 0) this.#allClosed.resolve();
  }

  #logChatEvent(e: ChatEvent): void {
    const c = "id" in e ? this.#connections.get(e.id) : undefined;
    if (e.type === "join" || e.type === "resume") c?.ticket?.registerDone();
    // One event per chat line would cost more than relaying it: only with --log-messages.
    if ((e.type === "message" || e.type === "private") && !this.#opts.logMessages) return;
    const { type, ...fields } = e as { type: string } & Record<string, unknown>;
    const level = e.type === "denied" ? "warn" : undefined;
    if (e.type === "reject") {
      // One line per address and reason per second (a script's connections share theirs).
      const who = c?.ticket?.address ?? `id${e.id}`;
      const reason = e.reason.split(":")[0];
      this.#log.fold(`reject:${who}:${e.code}:${reason}`, type, fields, level);
      return;
    }
    if (e.type === "rename") {
      this.#log.fold(`rename:${e.id}`, type, fields);
      return;
    }
    // An operator's actions are the class's record, and chat lines (with --log-messages) are
    // bounded by the flood limits: every one is logged.
    if (e.type === "operator" || e.type === "message" || e.type === "private") {
      this.#log.log(type, fields, level);
      return;
    }
    // Joins, leaves, moves, denials a few per address and second (a lab behind a NAT joins at
    // once), then counted: a script opening connections makes no more lines than it sends bytes.
    const who = c?.ticket?.address ?? ("id" in e ? e.id : type);
    this.#log.fold(`${type}:${who}`, type, fields, level, 3);
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

/** `o` without its undefined fields (so they keep their defaults). */
function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
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
