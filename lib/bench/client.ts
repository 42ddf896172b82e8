/**
 * The load generator's side of one connection: the client core's session (binary or text)
 * with a counter of every delivery it receives (duplicates, order, latency).
 * @module
 */

import type { ArqStats, EndpointOptions } from "../arq/mod.ts";
import { ClientSession } from "../client/session.ts";
import type { FaultInjector } from "../faults/mod.ts";
import type { WakeScheduler } from "../net/scheduler.ts";
import type { Dialer } from "../net/transport.ts";
import type { Turn } from "../net/turn.ts";
import type { SessionParams } from "../protocol/control.ts";
import type { Histogram } from "./histogram.ts";
import { parseWorkloadLine } from "./workload.ts";

/** Per-run delivery accounting shared by all bench clients. */
export interface Tally {
  /** Deliveries counted (first copy of each message at each receiver). */
  deliveries: number;
  /** Copies of a message a receiver had already seen. */
  duplicated: number;
  /** Messages that arrived after a later one from the same sender. */
  outOfOrder: number;
  /** Latency histogram in microseconds. */
  readonly latency: Histogram;
  /** Time origin of the embedded send times (ms, performance.now()). */
  readonly origin: number;
  /** Per sender (created at its first message): how many receivers have each message. */
  readonly reached: (Uint32Array | undefined)[];
  /**
   * Per sender: its messages settled, i.e. that reached every other client or that the server
   * refused (they will reach nobody).
   */
  readonly completed: Int32Array;
  /** Workload messages the server refused, by status code (429, 413, ...). */
  readonly refused: Map<number, { count: number; reply: string }>;
}

/** Options of a {@link BenchClient}. */
export interface BenchClientOptions {
  readonly dialer: Dialer;
  readonly host: string;
  readonly port: number;
  readonly index: number;
  readonly clients: number;
  readonly messages: number;
  /** Chat text bytes per workload message (where its line ends). */
  readonly size: number;
  readonly mode: "gbn" | "sr" | "text";
  readonly params: SessionParams;
  readonly arq: Partial<EndpointOptions>;
  readonly faults: FaultInjector | undefined;
  readonly scheduler: WakeScheduler;
  readonly turn: Turn;
  readonly tally: Tally;
  /** Its nickname (see {@link benchNick}). */
  readonly nick: string;
  /**
   * Told of each reply to a command counted as `chat` or not (pacing: `pacer.ts`); replies to
   * registration and to the commands of {@link BenchClient.request} with `counted` false are
   * not told.
   */
  readonly onReply?: (index: number, chat: boolean) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reply awaited by {@link BenchClient.request}. */
interface Waiter {
  readonly resolve: (reply: string) => void;
  /** Counted by the pacer: `chat` or any other command; `undefined`: not counted. */
  readonly counted: { readonly chat: boolean } | undefined;
}

/** What a probe's reply answers in {@link BenchClient}'s queue of owed replies. */
const PROBE = -1;

/**
 * Status lines a server sends unasked, ending the session: a shutdown, a kick, a ban, a resume
 * elsewhere (docs/PROTOCOL.md, "Server to client, unsolicited").
 */
function isUnsolicited(status: string, body: string): boolean {
  return status === "403 Forbidden - Kicked" || status === "403 Forbidden - Banned" ||
    status === "409 Conflict - Replaced" ||
    (status.startsWith("503") && body.startsWith("Server shutting down"));
}
const EMPTY = new Uint8Array(0);
/** Send time (ms), sender and sequence number of the workload line just parsed. */
const parsed = new Float64Array(3);

/**
 * The characters of a run's tag and of a client's number in its nickname: digits and lower-case
 * letters except `o`, `l` and `r`, whose look-alikes (`0`, `1`, `rn` for `m`) would make two
 * names clash (docs/PROTOCOL.md: look-alike nicknames are one name).
 */
export const NICK_DIGITS = "0123456789abcdefghijkmnpqstuvwxyz";
/** Characters of the run's tag. */
const TAG_LENGTH = 4;
/** Characters of the client's number: 33^3 = 35,937 clients at most. */
const INDEX_LENGTH = 3;

function nickDigits(n: number, length: number): string {
  let out = "";
  for (let k = 0; k < length; k++) {
    out = NICK_DIGITS[n % NICK_DIGITS.length] + out;
    n = Math.floor(n / NICK_DIGITS.length);
  }
  return out;
}

/** A random tag for one run's nicknames (33^4, about 1.2 million, runs told apart). */
export function benchRunTag(): string {
  const r = crypto.getRandomValues(new Uint32Array(1))[0]!;
  return nickDigits(r % NICK_DIGITS.length ** TAG_LENGTH, TAG_LENGTH);
}

/**
 * Nickname of client `i` of the run tagged `tag`: `b`, the tag, the number (`b3k9x00a`). Every
 * client of a run has one of the same length, and two runs at once on one server (two students)
 * have different ones unless their tags are equal.
 */
export function benchNick(tag: string, i: number): string {
  return `b${tag}${nickDigits(i, INDEX_LENGTH)}`;
}

/**
 * What one receiver knows of one sender's messages: they arrive numbered 0, 1, 2, ... Only the
 * next number expected and the numbers skipped so far are kept (not one flag per message), so a
 * delivery touches a few bytes per stream.
 */
interface SenderStream {
  /** One more than the highest sequence number received. */
  next: number;
  /** Numbers below `next` not received yet (they may still come, out of order). */
  missing: Set<number> | undefined;
}

/** One generator connection. */
export class BenchClient {
  readonly index: number;
  /** Its nickname. */
  readonly nick: string;
  readonly #opts: BenchClientOptions;
  #session!: ClientSession;
  readonly #binary: boolean;
  /**
   * Per sender heard from, its stream. Created at the sender's first message, so 10,000 clients
   * of which ten send cost ten entries each.
   */
  readonly #from = new Map<number, SenderStream>();
  /** Text sessions: the start of a line whose end has not arrived yet. */
  #carry: Uint8Array = EMPTY;
  #status = 0;
  #pendingStatus: string | undefined;
  /**
   * What each reply still owed answers, in the order the commands were sent (a server answers a
   * connection's commands in order, one reply each): a workload message's sequence number, a
   * probe ({@link PROBE}), or a request's waiter.
   */
  #owed: (number | Waiter)[] = [];
  #owedHead = 0;
  /** Probe lines seen. */
  probes = 0;
  /** A status line that came unasked, with its body (see {@link ended}). */
  #unasked: string | undefined;
  /** The bench closed (or is closing) this session itself. */
  #closing = false;

  /**
   * Why the server ended this session, once it has: a status line that came unasked (`503 ...
   * Server shutting down`, a kick, a ban, `409 ... Replaced`) with its body, or the reason of
   * a connection the server reset or closed (`too slow: ...`). Undefined while it is open and
   * after the bench closed it itself.
   */
  get ended(): string | undefined {
    if (this.#unasked !== undefined) return this.#unasked;
    if (this.#closing || this.#session.closeReason === undefined) return undefined;
    return this.#session.endReason;
  }

  /** Commands sent whose reply has not come yet (workload messages among them). */
  get awaitingReplies(): number {
    return this.#owed.length - this.#owedHead;
  }

  private constructor(opts: BenchClientOptions) {
    this.index = opts.index;
    this.nick = opts.nick;
    this.#opts = opts;
    this.#binary = opts.mode !== "text";
  }

  /** Connects (binary: until the handshake is done). */
  static async connect(opts: BenchClientOptions): Promise<BenchClient> {
    const c = new BenchClient(opts);
    c.#session = await ClientSession.open({
      dialer: opts.dialer,
      host: opts.host,
      port: opts.port,
      text: !c.#binary,
      params: opts.params,
      arq: opts.arq,
      faults: opts.faults,
      who: opts.nick,
      scheduler: opts.scheduler,
      turn: opts.turn,
      outboxBytes: c.#binary ? 64 * 1024 * 1024 : 256 * 1024 * 1024,
      onData: c.#binary ? (m) => c.#message(m) : (bytes) => c.#textBytes(bytes),
    });
    return c;
  }

  /** ARQ counters (binary). */
  get arq(): ArqStats | undefined {
    return this.#session.endpoint?.stats;
  }

  /** Smoothed RTT and RTO (binary). */
  get timers(): { srtt: number; rto: number } | undefined {
    const e = this.#session.endpoint;
    return e ? { srtt: e.srtt, rto: e.rto } : undefined;
  }

  /** Messages queued or unacknowledged in the ARQ layer (0 for text). */
  get pending(): number {
    return this.#session.pending;
  }

  /** Sends one command line whose reply nobody awaits (QUIT). */
  send(line: string): void {
    this.#write(line);
  }

  #write(line: string): void {
    this.#session.send(encoder.encode(this.#binary ? line : line + "\n"));
  }

  /**
   * Sends a command and resolves with its reply (status line, newline, body). `counted`: the
   * pacer counted it (a chat command, or another), so its reply is reported to `onReply`.
   */
  request(line: string, counted?: { chat: boolean }): Promise<string> {
    const reply = new Promise<string>((resolve) => this.#owed.push({ resolve, counted }));
    this.#write(line);
    return reply;
  }

  /** Sends a probe line (its reply is counted by the pacer as a chat command's). */
  probe(): void {
    this.#owed.push(PROBE);
    this.#write("MSG probe");
  }

  /**
   * Sends workload messages `first`, `first + 1`, ... (`texts[k]` is message `first + k`'s
   * chat text), in one write (text) or as consecutive messages (binary).
   */
  sendWorkload(texts: string[], first: number): void {
    for (let k = 0; k < texts.length; k++) this.#owed.push(first + k);
    if (this.#binary) {
      for (const t of texts) this.#write(`MSG ${t}`);
      return;
    }
    this.#session.send(encoder.encode(texts.map((t) => `MSG ${t}\n`).join("")));
  }

  /** Sends STATS; resolves with its reply (status and body). */
  stats(): Promise<string> {
    return this.request("STATS", { chat: false });
  }

  /** The reply that came for the oldest command still owed one. */
  #reply(status: string, body: string): void {
    if (this.#owedHead >= this.#owed.length) return; // a reply to nothing: ignored
    const what = this.#owed[this.#owedHead]!;
    this.#owed[this.#owedHead++] = 0;
    if (this.#owedHead > 1024 && this.#owedHead * 2 > this.#owed.length) {
      this.#owed = this.#owed.slice(this.#owedHead);
      this.#owedHead = 0;
    }
    if (typeof what !== "number") {
      if (what.counted) this.#opts.onReply?.(this.index, what.counted.chat);
      what.resolve(`${status}\n${body}`);
      return;
    }
    this.#opts.onReply?.(this.index, true);
    if (what === PROBE || status.startsWith("2")) return;
    // A workload message the server refused: it reaches nobody, and is settled.
    const tally = this.#opts.tally;
    const code = Number(status.slice(0, 3)) || 0;
    const seen = tally.refused.get(code);
    if (seen) seen.count++;
    else tally.refused.set(code, { count: 1, reply: `${status}: ${body}` });
    tally.completed[this.index]!++;
  }

  /** Sends QUIT and closes once the server closed the session, or 2 s later at most. */
  async quit(): Promise<void> {
    this.#closing = true;
    this.send("QUIT");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#session.closed,
      new Promise((r) => timer = setTimeout(r, 2000)),
    ]);
    clearTimeout(timer);
    this.close();
  }

  /** Closes the connection now. */
  close(): void {
    this.#closing = true;
    this.#session.close("closed by client");
  }

  /** A binary message: whole lines (a reply, or a run of broadcast lines). */
  #message(m: Uint8Array): void {
    const end = this.#lines(m);
    if (end < m.length) this.#line(decoder.decode(m.subarray(end)));
  }

  /** Bytes of the text stream: keeps a partial last line for the next read. */
  #textBytes(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.#carry.length > 0) {
      const joined = new Uint8Array(this.#carry.length + bytes.length);
      joined.set(this.#carry);
      joined.set(bytes, this.#carry.length);
      bytes = joined;
    }
    const end = this.#lines(bytes);
    this.#carry = end < bytes.length ? bytes.slice(end) : EMPTY;
  }

  /**
   * Handles every complete line of `bytes` and returns where the incomplete rest starts. Chat
   * lines of the workload are parsed from the bytes (no string per line): at a million
   * deliveries a second the generator must cost far less per line than the server.
   */
  #lines(bytes: Uint8Array): number {
    const n = bytes.length;
    // One clock reading per batch: its lines arrived together.
    const nowUs = (performance.now() - this.#opts.tally.origin) * 1000;
    const size = this.#opts.size;
    let start = 0;
    while (start < n) {
      // (The line after a status line is its body, whatever it looks like.)
      const end = this.#status === 0 ? parseWorkloadLine(bytes, start, size, parsed) : -1;
      if (end >= 0) {
        this.#delivered(parsed[0]!, parsed[1]!, parsed[2]!, nowUs);
        start = end + 1;
        continue;
      }
      const nl = bytes.indexOf(0x0a, start);
      if (nl < 0) break;
      this.#line(decoder.decode(bytes.subarray(start, nl)));
      start = nl + 1;
    }
    return start;
  }

  /**
   * Counts one received workload message from `sender`: a duplicate when that sequence number
   * came before, out of order when a later one came before it.
   */
  #delivered(sentMs: number, sender: number, seq: number, nowUs: number): void {
    if (!(sender < this.#opts.clients) || !(seq < this.#opts.messages)) return;
    let from = this.#from.get(sender);
    if (from === undefined) {
      from = { next: 0, missing: undefined };
      this.#from.set(sender, from);
    }
    const tally = this.#opts.tally;
    if (seq === from.next) {
      from.next++;
    } else if (seq > from.next) {
      // A gap: the numbers skipped may still come, out of order.
      const missing = from.missing ??= new Set();
      for (let s = from.next; s < seq; s++) missing.add(s);
      from.next = seq + 1;
    } else if (from.missing?.delete(seq)) {
      tally.outOfOrder++;
    } else {
      tally.duplicated++;
      return;
    }
    tally.deliveries++;
    const reached = tally.reached[sender] ??= new Uint32Array(this.#opts.messages);
    if (++reached[seq]! === this.#opts.clients - 1) tally.completed[sender]!++;
    tally.latency.record(nowUs - sentMs * 1000);
  }

  #line(line: string): void {
    if (this.#status > 0) {
      this.#status = 0;
      const status = this.#pendingStatus!;
      if (isUnsolicited(status, line)) this.#unasked ??= `${status}: ${line}`;
      else this.#reply(status, line);
      return;
    }
    const c = line.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) {
      this.#status = 1;
      this.#pendingStatus = line;
      return;
    }
    if (c !== 0x5b) return; // not "[": a notice
    const close = line.indexOf("]: ");
    if (close >= 0 && line.startsWith("probe", close + 3)) this.probes++;
  }
}
