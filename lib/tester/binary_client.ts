/**
 * A binary tester client, and the lossy network in front of the server: every frame the tester
 * sends goes through a fault script (`lib/faults` grammar: drop, corrupt, dup, delay) and an
 * optional per-test policy (hold or delay some frames, e.g. withhold ACKs to make the server
 * retransmit). A session can be driven by the project's pure `ArqEndpoint` (handshake, windows,
 * retransmission on the tester's side) or by hand, frame by frame, where a test needs exact
 * control. Every frame the server sends is kept, checksum verdict included (see `frame_tap.ts`).
 * @module
 */

import {
  ArqEndpoint,
  type EndpointHooks,
  type EndpointOptions,
  type OutFrame,
} from "../arq/mod.ts";
import { FaultInjector, flipBit, parseFaultScript } from "../faults/mod.ts";
import {
  decodeSyn,
  decodeSynAck,
  encodeFrameInto,
  Flag,
  FrameType,
  frameTypeName,
  HEADER_SIZE,
  type SessionParams,
} from "../protocol/mod.ts";
import { type ConnectTarget, openNoted, writeAll } from "./connect.ts";
import { describeTapError, FrameTap, type TapFrame } from "./frame_tap.ts";
import { type Conn, readOrEnd } from "../net/transport.ts";
import { ReceivedText } from "./received_text.ts";
import { TestFailure } from "./spec.ts";
import type { Transcript } from "./transcript.ts";

/** What the test's policy does to one outgoing frame. */
export interface OutDecision {
  /** Do not send it (a held ACK). */
  readonly drop?: boolean;
  /** Send it this much later. */
  readonly delayMs?: number;
}

/** A frame the tester sent (or meant to). */
export interface SentFrame {
  /** `performance.now()` when it was handed to the wire (or dropped). */
  readonly at: number;
  /** Frame type. */
  readonly type: number;
  /** Sequence number. */
  readonly seq: number;
  /** Flag bits. */
  readonly flags: number;
  /** Payload length. */
  readonly length: number;
  /** 1 = first transmission. */
  readonly attempt: number;
  /** What happened to it on the way. */
  readonly fate: "sent" | "dropped" | "corrupted" | "duplicated" | "delayed" | "held";
}

/** Options of a {@link BinaryClient}. */
export interface BinaryOptions {
  /** With parameters, an `ArqEndpoint` client drives the session and sends the SYN at once. */
  readonly params?: SessionParams;
  /** The tester's initial sequence number (default 1000). */
  readonly isn?: number;
  /** Fault script applied to the tester's own frames, e.g. `corrupt:data#1002`. */
  readonly faults?: string;
  /** Endpoint options on top of the tester's defaults. */
  readonly endpoint?: Partial<EndpointOptions>;
}

/** The tester's endpoint defaults: quick to give up, never holding ACKs. */
const TESTER_ENDPOINT: Partial<EndpointOptions> = {
  deadAfterMs: 10_000,
  handshakeTimeoutMs: 5_000,
  ackDelayMs: 0,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One binary connection driven by a test. */
export class BinaryClient {
  /** Name in the transcript. */
  readonly name: string;
  /** Messages delivered by the endpoint, as text (one read per message). */
  readonly received = new ReceivedText();
  /** Every frame the server sent, in order. */
  readonly frames: TapFrame[] = [];
  /** Every frame the tester produced, in order. */
  readonly sent: SentFrame[] = [];
  /** The endpoint, when the session is driven by one. */
  readonly endpoint: ArqEndpoint | undefined;
  /** The test's policy for outgoing frames (applied before the fault script). */
  policy: ((frame: OutFrame) => OutDecision | undefined) | undefined;
  readonly #conn: Conn;
  readonly #transcript: Transcript;
  readonly #tap = new FrameTap();
  readonly #faults: FaultInjector;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #reading: Promise<void>;
  #wake: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<unknown> = Promise.resolve();
  #changed = Promise.withResolvers<void>();
  #closedLocally = false;
  #serverClosed = false;

  private constructor(
    conn: Conn,
    name: string,
    transcript: Transcript,
    options: BinaryOptions,
  ) {
    this.#conn = conn;
    this.name = name;
    this.#transcript = transcript;
    this.#faults = new FaultInjector({ script: parseFaultScript(options.faults ?? "") }, "tester");
    const hooks: EndpointHooks = {
      output: (f) => this.#output(f),
      deliver: (m) => {
        const text = decoder.decode(m);
        this.#transcript.data(this.name, "recv", text);
        this.received.append(text);
      },
    };
    this.endpoint = options.params
      ? ArqEndpoint.client(
        options.params,
        { ...TESTER_ENDPOINT, isn: options.isn ?? 1000, ...options.endpoint },
        hooks,
        performance.now(),
      )
      : undefined;
    this.#reschedule();
    this.#reading = this.#readLoop();
  }

  /** Connects; with `options.params` the SYN leaves at once. */
  static async open(
    target: ConnectTarget,
    name: string,
    transcript: Transcript,
    signal: AbortSignal,
    options: BinaryOptions = {},
  ): Promise<BinaryClient> {
    const conn = await openNoted(target, signal, transcript, name);
    return new BinaryClient(conn, name, transcript, options);
  }

  /** True once the server closed the connection. */
  get serverClosed(): boolean {
    return this.#serverClosed;
  }

  /** Why the server's stream could not be read as frames, if it could not. */
  get streamProblem(): string | undefined {
    const e = this.#tap.error;
    return e ? describeTapError(e) : undefined;
  }

  /** Frames the tester's policy or fault script is holding back (delayed, not sent yet). */
  get delayedFrames(): number {
    return this.#timers.size;
  }

  /** True once the endpoint's handshake completed. */
  get established(): boolean {
    const s = this.endpoint?.state;
    return s === "established" || s === "closing";
  }

  /** Queues one application message (a command line) on the endpoint. */
  sendLine(text: string): void {
    if (!this.endpoint) throw new Error("sendLine needs an endpoint session");
    this.#transcript.data(this.name, "send", text);
    if (this.endpoint.state === "closed") {
      throw new TestFailure(`The binary session is closed (${this.endpoint.closeReason})`);
    }
    // The endpoint only queues; flush sends the frame (as the link does at the end of a turn).
    const now = performance.now();
    this.endpoint.send(encoder.encode(text), now);
    this.endpoint.flush(now);
    this.#afterEvent();
  }

  /** Starts the endpoint's graceful close (FIN once everything is acknowledged). */
  closeSession(): void {
    this.endpoint?.close(performance.now());
    this.#afterEvent();
  }

  /** Sends one frame by hand, bypassing the endpoint (and the fault script). */
  sendFrame(type: number, seq: number, flags = 0, payload: Uint8Array = new Uint8Array(0)): void {
    const bytes = new Uint8Array(HEADER_SIZE + payload.length);
    encodeFrameInto(bytes, 0, type as OutFrame["type"], seq, flags, payload);
    this.#record({ type, seq, flags, payload, attempt: 1 }, "sent", []);
    this.#enqueue(bytes);
  }

  /** Writes raw bytes (not frames). */
  writeRaw(bytes: Uint8Array): void {
    this.#transcript.data(this.name, "send", bytes);
    this.#enqueue(bytes);
  }

  /** Resolves when every write queued so far reached the socket. */
  async drained(): Promise<void> {
    await this.#writing;
  }

  /**
   * The first frame from index `from` on that satisfies `match`, waiting up to `timeoutMs`;
   * `undefined` on timeout, at the end of the stream or when `signal` aborts.
   */
  async waitFrame(
    match: (f: TapFrame, index: number) => boolean,
    timeoutMs: number,
    signal: AbortSignal,
    from = 0,
  ): Promise<TapFrame | undefined> {
    return await this.waitUntil(
      () => {
        for (let i = from; i < this.frames.length; i++) {
          const f = this.frames[i]!;
          if (match(f, i)) return f;
        }
        return undefined;
      },
      timeoutMs,
      signal,
    );
  }

  /** Re-evaluates `check` after every frame until it is defined (or time, stream, signal end). */
  async waitUntil<T>(
    check: () => T | undefined,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      const left = deadline - performance.now();
      if (left <= 0 || signal.aborted || this.#serverClosed || this.#tap.error) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = Promise.withResolvers<void>();
      const abort = () => onAbort.resolve();
      signal.addEventListener("abort", abort, { once: true });
      await Promise.race([
        this.#changed.promise,
        new Promise((r) => timer = setTimeout(r, left)),
        onAbort.promise,
      ]);
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
    }
  }

  /** Closes at once (a client that vanishes) and waits for the reader and pending writes. */
  async close(reason = "closes the connection"): Promise<void> {
    if (!this.#closedLocally) {
      this.#closedLocally = true;
      if (!this.#serverClosed) this.#transcript.line(this.name, "close", reason);
      clearTimeout(this.#wake);
      for (const t of this.#timers) clearTimeout(t);
      this.#timers.clear();
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    await this.#reading;
    await this.#writing.catch(() => {});
  }

  #output(f: OutFrame): void {
    if (this.#closedLocally) return;
    const policy = this.policy?.(f);
    if (policy?.drop) {
      this.#record(f, "held", ["HELD (test)"]);
      return;
    }
    const size = HEADER_SIZE + f.payload.length;
    const d = this.#faults.decide(f.type, f.seq, f.attempt, size);
    if (d.drop) {
      this.#record(f, "dropped", ["DROPPED (fault)"]);
      return;
    }
    const bytes = new Uint8Array(size);
    encodeFrameInto(bytes, 0, f.type, f.seq, f.flags, f.payload);
    const marks: string[] = [];
    if (d.corruptBit >= 0) {
      flipBit(bytes, d.corruptBit);
      marks.push("CORRUPTED (fault)");
    }
    if (d.duplicate) marks.push("DUPLICATED (fault)");
    const delay = Math.max(d.delayMs, policy?.delayMs ?? 0);
    if (delay > 0) marks.push(`DELAYED ${delay}ms`);
    const fate = d.corruptBit >= 0
      ? "corrupted"
      : d.duplicate
      ? "duplicated"
      : delay > 0
      ? "delayed"
      : "sent";
    this.#record(f, fate, marks);
    const send = () => {
      this.#enqueue(bytes);
      if (d.duplicate) this.#enqueue(bytes);
    };
    if (delay <= 0) return send();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      send();
    }, delay);
    this.#timers.add(timer);
  }

  #record(
    f: { type: number; seq: number; flags: number; payload: Uint8Array; attempt: number },
    fate: SentFrame["fate"],
    marks: string[],
  ): void {
    this.sent.push({
      at: performance.now(),
      type: f.type,
      seq: f.seq,
      flags: f.flags,
      length: f.payload.length,
      attempt: f.attempt,
      fate,
    });
    const retx = f.attempt > 1 ? [`retx#${f.attempt - 1}`] : [];
    this.#transcript.line(
      this.name,
      "send",
      [describeFrame(f.type, f.seq, f.flags, f.payload), ...retx, ...marks].join("  "),
    );
  }

  #enqueue(bytes: Uint8Array): void {
    this.#writing = this.#writing.then(() => writeAll(this.#conn, bytes));
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await readOrEnd(this.#conn, buf);
      if (n === null) break;
      const now = performance.now();
      const frames = this.#tap.push(buf.subarray(0, n), now);
      for (const f of frames) this.#onFrame(f, now);
      if (this.#tap.error) {
        this.#transcript.line(this.name, "note", `stream unreadable: ${this.streamProblem}`);
        this.#notify();
        break;
      }
      this.endpoint?.flush(now);
      this.#afterEvent();
    }
    if (!this.#closedLocally) {
      this.#serverClosed = true;
      this.#transcript.line(this.name, "close", "the server closed the connection");
    }
    clearTimeout(this.#wake);
    this.received.end();
    this.#notify();
  }

  #onFrame(f: TapFrame, now: number): void {
    this.frames.push(f);
    const marks = f.checksumOk ? [] : [
      `BAD CHECKSUM (carried 0x${hex4(f.carried)}, should be 0x${hex4(f.expected)})`,
    ];
    this.#transcript.line(
      this.name,
      "recv",
      [describeFrame(f.type, f.seq, f.flags, f.payload), ...marks].join("  "),
    );
    // Judged leniently: a frame with a wrong checksum is still read (the checksum test
    // reports it), so one broken rule fails one test.
    this.endpoint?.input(
      { type: f.type as OutFrame["type"], seq: f.seq, flags: f.flags, payload: f.payload },
      now,
    );
    this.#notify();
  }

  #afterEvent(): void {
    this.#reschedule();
    this.#notify();
  }

  #reschedule(): void {
    clearTimeout(this.#wake);
    this.#wake = undefined;
    if (!this.endpoint || this.#closedLocally) return;
    const at = this.endpoint.nextWake();
    if (at === undefined) return;
    this.#wake = setTimeout(() => {
      this.#wake = undefined;
      if (this.#closedLocally) return;
      this.endpoint!.update(performance.now());
      this.#afterEvent();
    }, Math.max(0, at - performance.now()));
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }
}

/** One line for a frame: type, seq, flags, and a readable view of the payload. */
export function describeFrame(
  type: number,
  seq: number,
  flags: number,
  payload: Uint8Array,
): string {
  let text = `${frameTypeName(type)} seq=${seq}`;
  if (type === FrameType.DATA && (flags & Flag.LAST) !== 0) text += " LAST";
  else if (flags !== 0) text += ` flags=0x${flags.toString(16)}`;
  if (type === FrameType.SYN || type === FrameType.SYN_ACK) {
    try {
      const p = type === FrameType.SYN ? decodeSyn(payload) : decodeSynAck(payload).params;
      text += ` [${p.mode} window=${p.window} ack=${p.ackPolicy} max=${p.maxPayload}]`;
      if (type === FrameType.SYN_ACK) text += ` acks ISN ${decodeSynAck(payload).ackedIsn}`;
    } catch (error) {
      text += ` [bad payload: ${(error as Error).message}]`;
    }
  } else if (type === FrameType.DATA || type === FrameType.RST) {
    const shown = decoder.decode(payload.subarray(0, 80));
    // Quoted as is: the transcript escapes control characters (and backslashes) once.
    text += ` "${shown}"${payload.length > 80 ? `... (${payload.length} bytes)` : ""}`;
  } else if (payload.length > 0) {
    text += ` len=${payload.length}`;
  }
  return text;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}
