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
  /** Per sender: its messages that reached every other client. */
  readonly completed: Int32Array;
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
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
/** Send time (ms), sender and sequence number of the workload line just parsed. */
const parsed = new Float64Array(3);

/** How many bench nicknames there are (`b00000` to `b99999`). */
export const BENCH_NICKS = 100_000;

/** Nickname number `i` of a bench client. */
export function benchNick(i: number): string {
  return `b${String(i).padStart(5, "0")}`;
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
  #statusWaiters: ((line: string) => void)[] = [];
  #statsWaiter: ((reply: string) => void) | undefined;
  #pendingStatus: string | undefined;
  /** Probe lines seen. */
  probes = 0;

  private constructor(opts: BenchClientOptions) {
    this.index = opts.index;
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
      who: benchNick(opts.index),
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

  /** Sends one command line. */
  send(line: string): void {
    this.#session.send(encoder.encode(this.#binary ? line : line + "\n"));
  }

  /** Sends several command lines in one write (text) or as consecutive messages (binary). */
  sendMany(lines: string[]): void {
    if (this.#binary) {
      for (const l of lines) this.send(l);
      return;
    }
    this.#session.send(encoder.encode(lines.join("\n") + "\n"));
  }

  /** Sends STATS; resolves with its reply (status and body), whatever replies come first. */
  stats(): Promise<string> {
    const reply = new Promise<string>((resolve) => this.#statsWaiter = resolve);
    this.send("STATS");
    return reply;
  }

  /** Resolves with the next status reply (status line and body). */
  nextStatus(): Promise<string> {
    return new Promise((resolve) => this.#statusWaiters.push(resolve));
  }

  /** Sends QUIT and closes once the server closed the session, or 2 s later at most. */
  async quit(): Promise<void> {
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
      const reply = `${this.#pendingStatus}\n${line}`;
      if (this.#statsWaiter && reply.startsWith("200 OK - Stats")) {
        const w = this.#statsWaiter;
        this.#statsWaiter = undefined;
        w(reply);
        return;
      }
      const w = this.#statusWaiters.shift();
      if (w) w(reply);
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
