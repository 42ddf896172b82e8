/**
 * The edge of a reliable binary session: connects an ARQ endpoint (pure) to a connection's
 * byte stream. Bytes read from the connection go through the streaming decoder into the
 * endpoint; frames the endpoint emits go through fault injection, tracing and capture into the
 * batching outbox; the endpoint's timers are driven by the shared wake scheduler. Used by the
 * server and the client core (`chat join`, `chat bench`) alike.
 * @module
 */

import type { ArqEndpoint, ArqEvent, EndpointHooks, OutFrame } from "../arq/mod.ts";
import { type FaultDecision, type FaultInjector, flipBit } from "../faults/mod.ts";
import { encodeFrameInto } from "../protocol/frame.ts";
import { FrameDecoder, type FrameSink } from "../protocol/decoder.ts";
import type { ChecksumError } from "../protocol/errors.ts";
import { FrameType, HEADER_SIZE } from "../protocol/header.ts";
import type { Frame } from "../protocol/frame.ts";
import { DatagramWriter } from "./datagram_writer.ts";
import { type ByteWriter, Outbox } from "./outbox.ts";
import type { Wakeable, WakeScheduler } from "./scheduler.ts";
import { describePayload, formatTrace, type TraceRecord } from "./trace.ts";
import type { Turn } from "./turn.ts";

/**
 * Receives copies of the bytes a connection sends and receives (pcapng capture): the link
 * records what it sends, the code that reads the connection what it read.
 */
export interface LinkCapture {
  /** Bytes written to the connection (after fault injection). */
  sent(bytes: Uint8Array, now: number): void;
  /** Bytes read from the connection. */
  received(bytes: Uint8Array, now: number): void;
}

/** A frame as a {@link LinkObserver} sees it. */
export interface ObservedFrame {
  /** Sent (after the fault decision) or received. */
  readonly dir: "send" | "recv";
  /** Frame type; 0 for a received frame that failed its checksum (no field is trusted). */
  readonly type: number;
  /** Sequence number. */
  readonly seq: number;
  /** Flag bits. */
  readonly flags: number;
  /** Transmission number of a sent frame (1 = first); 0 for a received one. */
  readonly attempt: number;
  /** Payload, valid during the call only (the whole frame's length for a corrupt one). */
  readonly payload: Uint8Array;
  /** What the fault injection did to a sent frame, if anything. */
  readonly fault?: "drop" | "corrupt" | "duplicate" | "delay";
}

/**
 * Watches a live link (the window view of the web page and of the teacher's page): every frame
 * sent and received and every event of the endpoint, with the link's clock. Called during the
 * link's own work: it must not call back into the link.
 */
export interface LinkObserver {
  /** A frame sent or received. */
  frame(frame: ObservedFrame, now: number): void;
  /** An event of the endpoint. */
  event(event: ArqEvent, now: number): void;
}

/** A fault applied by hand to the next DATA frame a link sends ({@link BinaryLink.faultNext}). */
export type ManualFault = "drop" | "corrupt";

const MANUAL_DROP: FaultDecision = {
  drop: true,
  corruptBit: -1,
  duplicate: false,
  delayMs: 0,
  scripted: true,
};

/** Options of a {@link BinaryLink}. */
export interface BinaryLinkOptions {
  /** Name in trace lines, e.g. `client` or `server 10.0.0.7:51234`. */
  readonly who: string;
  /** Timer service shared by all links of the server (or client process). */
  readonly scheduler: WakeScheduler;
  /** The end-of-turn flush pass the link's outbox and frame packing run in. */
  readonly turn: Turn;
  /** Fault injection on frames this side sends. */
  readonly faults?: FaultInjector;
  /** Receives one formatted line per frame (`--trace`). */
  readonly trace?: (line: string, record: TraceRecord) => void;
  /** Receives the raw bytes (`--pcap`). */
  readonly capture?: LinkCapture;
  /** Outbox bound in bytes. */
  readonly outboxBytes?: number;
  /** Called once when the session ends, with the reason. */
  readonly onClosed?: (reason: string) => void;
  /** Called with each delivered message (a view valid during the call). */
  readonly onMessage?: (message: Uint8Array) => void;
  /** Receives the endpoint's events (established, retransmit, timeout, ...). */
  readonly onEvent?: (event: ArqEvent) => void;
  /** Clock in milliseconds (default: the turn's clock). */
  readonly clock?: () => number;
  /**
   * Decides whether a valid frame received reaches the endpoint (a server's limits on control
   * frames); a frame it refuses is traced as ignored and dropped. Default: every frame.
   */
  readonly admit?: (frame: Frame, now: number) => boolean;
  /**
   * On a datagram path, the largest datagram: each write of the writer is one datagram (whole
   * frames, cut by a `DatagramWriter`), and each chunk received is one datagram, decoded alone.
   * A damaged datagram (bad magic, a cut frame, an unknown type) is dropped, not fatal: anyone
   * can send one.
   */
  readonly maxDatagram?: number;
  /**
   * This side's ISN when it is not 0 (a server's random ISN, a SYN cookie over UDP): the fault injector sees this
   * side's own sequence numbers (SYN-ACK, DATA, FIN, RST) counted from it, so a fault script
   * (`drop:data#3`) and a seed hit the same frames whatever ISN the listener chose.
   */
  readonly faultSeqOrigin?: number;
  /** Watches the link from its first frame (more can {@link BinaryLink.watch} later). */
  readonly observer?: LinkObserver;
}

/** A binary session on one connection. */
export class BinaryLink implements Wakeable {
  /** The ARQ state machine. */
  readonly endpoint: ArqEndpoint;
  readonly #outbox: Outbox;
  #decoder = new FrameDecoder();
  readonly #opts: BinaryLinkOptions;
  readonly #clock: () => number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #sink: FrameSink;
  #now = 0;
  #faults: FaultInjector | undefined;
  #pumpScheduled = false;
  #observers: readonly LinkObserver[] = [];
  #manual: ManualFault | undefined;
  #closedReason: string | undefined;
  /** Tracing: when each frame was last sent (type and seq), for `retx#N after Xms`. */
  readonly #sentAt = new Map<number, number>();
  /** Tracing: the seq of the last ACK received, to mark one that acknowledges nothing new. */
  #lastAckIn = -1;
  /** Tracing, during `endpoint.input`: what the receiver made of the frame. */
  #inputMarks: string[] | undefined;
  /** Tracing, during `endpoint.input`: lines of the frames it sent, printed after the frame's. */
  #held: [string, TraceRecord][] | undefined;

  /**
   * Wires `makeEndpoint` (given the hooks to use) to `writer`. The caller feeds received bytes
   * with {@link receive} and reports end of stream with {@link end}.
   */
  constructor(
    writer: ByteWriter,
    makeEndpoint: (hooks: EndpointHooks, now: number) => ArqEndpoint,
    options: BinaryLinkOptions,
  ) {
    this.#opts = options;
    this.#faults = options.faults;
    this.#clock = options.clock ?? options.turn.now;
    const max = options.maxDatagram;
    const out = max === undefined ? writer : new DatagramWriter(writer, max);
    this.#outbox = new Outbox(out, options.turn, {
      maxBytes: options.outboxBytes,
      onOverflow: (queued) => this.#fail(`too slow: ${queued} bytes queued`),
      onError: () => this.#fail("connection lost"),
    });
    this.#sink = {
      frame: (f) => this.#onFrame(f),
      corrupt: (e) => this.#onCorrupt(e),
    };
    if (options.observer) this.#observers = [options.observer];
    const onEvent = options.onEvent;
    const hooks: EndpointHooks = {
      output: (f) => this.#output(f),
      deliver: (m) => this.#opts.onMessage?.(m),
      // Always installed: a watcher may come at any time (the endpoint reads the hook once).
      event: (e) => {
        onEvent?.(e);
        if (this.#inputMarks !== undefined) this.#verdict(e, this.#inputMarks);
        const watching = this.#observers;
        if (watching.length > 0) {
          const now = this.#clock();
          for (const o of watching) o.event(e, now);
        }
      },
    };
    this.endpoint = makeEndpoint(hooks, this.#clock());
    this.#reschedule();
  }

  /** Why the session ended, once it has. */
  get closedReason(): string | undefined {
    return this.#closedReason;
  }

  /** Bytes queued for the connection. */
  get queuedBytes(): number {
    return this.#outbox.queued;
  }

  /**
   * Adds a watcher of every frame and event from now on; returns the function that removes it.
   */
  watch(observer: LinkObserver): () => void {
    this.#observers = [...this.#observers, observer];
    return () => {
      this.#observers = this.#observers.filter((o) => o !== observer);
    };
  }

  /** The fault waiting for the next DATA frame sent, if any. */
  get manualFault(): ManualFault | undefined {
    return this.#manual;
  }

  /**
   * Drops or corrupts the next DATA frame this side sends (a first transmission or a
   * retransmission), whatever the fault settings say: one frame, once. `undefined` cancels.
   */
  faultNext(fault: ManualFault | undefined): void {
    this.#manual = fault;
  }

  /** The fault injection on the frames this side sends, if any. */
  get faults(): FaultInjector | undefined {
    return this.#faults;
  }

  /** Replaces the fault injection on the frames sent from now on (`undefined`: none). */
  setFaults(faults: FaultInjector | undefined): void {
    this.#faults = faults;
  }

  /** Queues an application message (shared bytes are not copied). */
  send(message: Uint8Array, payloadSum?: number): void {
    if (this.#closedReason !== undefined) return;
    this.endpoint.send(message, this.#clock(), payloadSum);
    if (!this.#pumpScheduled) {
      // The frames leave at the end of the turn, carrying every line queued until then.
      this.#pumpScheduled = true;
      this.#opts.turn.beforeFlush(this.#pump);
    }
  }

  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    if (this.#closedReason !== undefined) return;
    this.endpoint.flush(this.#clock());
    this.#afterEvent();
  };

  /** Feeds bytes read from the connection. */
  receive(chunk: Uint8Array): void {
    // One time for the whole batch: the delayed ACK owed by input() is due at flush(now).
    const now = this.#clock();
    this.#now = now;
    const error = this.#decoder.push(chunk, this.#sink);
    if (this.#opts.maxDatagram !== undefined) {
      if (error || this.#decoder.buffered > 0) {
        const why = error?.message ?? `cut frame (${this.#decoder.buffered} bytes)`;
        this.#trace({
          dir: "recv",
          type: 0,
          seq: 0,
          length: chunk.length,
          flags: 0,
          marks: [`DATAGRAM DROPPED: ${why}`],
        });
        this.#decoder = new FrameDecoder();
      }
    } else if (error) {
      this.#trace({ dir: "recv", type: 0, seq: 0, length: 0, flags: 0, marks: [error.message] });
      this.endpoint.abort(`Protocol error: ${error.message}`, now);
    }
    this.endpoint.flush(now);
    this.#afterEvent();
  }

  /** The connection reached end of stream. */
  end(): void {
    const now = this.#clock();
    if (this.endpoint.state !== "closed") {
      const truncated = this.#decoder.end();
      const reason = truncated ? `connection lost (${truncated.message})` : "connection lost";
      this.#fail(reason, now);
    }
  }

  /** Starts a graceful close (FIN once everything queued is acknowledged). */
  close(): void {
    this.endpoint.close(this.#clock());
    this.#afterEvent();
  }

  /** Aborts with an RST carrying `reason`. */
  abort(reason: string): void {
    this.endpoint.abort(reason, this.#clock());
    this.#afterEvent();
  }

  /** Resolves when everything queued was written to the connection. */
  drained(): Promise<void> {
    return this.#outbox.drained();
  }

  /** Called by the scheduler at the time the endpoint asked for. */
  wake(now: number): void {
    this.endpoint.update(now);
    this.#afterEvent();
  }

  /** Forgets timers (call after the connection is closed). */
  dispose(): void {
    this.#opts.scheduler.cancel(this);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #onFrame(f: Frame): void {
    if (this.#observers.length > 0) {
      this.#observe({
        dir: "recv",
        type: f.type,
        seq: f.seq,
        flags: f.flags,
        attempt: 0,
        payload: f.payload,
      });
    }
    if (!(this.#opts.admit?.(f, this.#now) ?? true)) {
      // Refused by the server's limits: traced as ignored, never seen by the endpoint.
      this.#trace({
        dir: "recv",
        type: f.type,
        seq: f.seq,
        length: f.payload.length,
        flags: f.flags,
        marks: ["IGNORED (limit)"],
      });
      return;
    }
    if (!this.#opts.trace) {
      this.endpoint.input(f, this.#now);
      return;
    }
    // The frame's line shows what the receiver made of it, so it is written after the input;
    // the lines of the frames the input sent (a resend for a NACK) are written after it.
    const marks: string[] = [];
    const held: [string, TraceRecord][] = [];
    this.#inputMarks = marks;
    this.#held = held;
    const detail = describePayload(f.type, f.payload);
    try {
      this.endpoint.input(f, this.#now);
    } finally {
      this.#inputMarks = undefined;
      this.#held = undefined;
      if (f.type === FrameType.ACK) {
        if (f.seq === this.#lastAckIn) marks.unshift("dup");
        this.#lastAckIn = f.seq;
      }
      this.#trace({
        dir: "recv",
        type: f.type,
        seq: f.seq,
        length: f.payload.length,
        flags: f.flags,
        ...(detail !== undefined ? { detail } : {}),
        marks,
      });
      for (const [line, record] of held) this.#opts.trace(line, record);
    }
  }

  /** What the endpoint made of the frame being input, as marks of its trace line. */
  #verdict(e: ArqEvent, marks: string[]): void {
    if (e.kind === "duplicate") marks.push("DUPLICATE");
    else if (e.kind === "out-of-order") marks.push(`OUT OF ORDER (expected ${e.expected})`);
  }

  /** `after Xms` for a frame sent before (tracing), and notes this sending. */
  #resendMark(f: OutFrame, marks: string[]): void {
    if (f.type === FrameType.ACK || f.type === FrameType.NACK) return;
    const key = f.type * 0x1_0000_0000 + f.seq;
    const now = this.#clock();
    const before = this.#sentAt.get(key);
    if (before !== undefined && f.attempt > 1) marks.push(`after ${Math.round(now - before)}ms`);
    this.#sentAt.delete(key);
    this.#sentAt.set(key, now);
    // Bounded: far more than a window of frames in flight.
    if (this.#sentAt.size > 4096) this.#sentAt.delete(this.#sentAt.keys().next().value!);
  }

  #onCorrupt(e: ChecksumError): void {
    if (this.#observers.length > 0) {
      this.#observe({
        dir: "recv",
        type: 0,
        seq: 0,
        flags: 0,
        attempt: 0,
        payload: new Uint8Array(e.length),
      });
    }
    this.#trace({
      dir: "recv",
      type: 0,
      seq: 0,
      length: e.length,
      flags: 0,
      marks: ["BAD CHECKSUM"],
    });
    this.endpoint.inputCorrupt(this.#now);
  }

  #output(f: OutFrame): void {
    const size = HEADER_SIZE + f.payload.length;
    let d = this.#faults?.decide(f.type, this.#faultSeq(f), f.attempt, size);
    if (this.#manual !== undefined && f.type === FrameType.DATA) {
      d = this.#manual === "drop" ? MANUAL_DROP : {
        ...MANUAL_DROP,
        drop: false,
        // A bit of the sequence number: the receiver's checksum fails, the stream stays in step.
        corruptBit: 8 * 4 + 7,
      };
      this.#manual = undefined;
    }
    if (this.#observers.length > 0) {
      this.#observe({
        dir: "send",
        type: f.type,
        seq: f.seq,
        flags: f.flags,
        attempt: f.attempt,
        payload: f.payload,
        fault: d?.drop
          ? "drop"
          : d && d.corruptBit >= 0
          ? "corrupt"
          : d?.duplicate
          ? "duplicate"
          : d && d.delayMs > 0
          ? "delay"
          : undefined,
      });
    }
    if (this.#opts.trace) {
      const marks: string[] = [];
      // Why it was sent again (timeout, fast, nack, probe), the congestion window, and how
      // long after its previous copy.
      if (f.cause !== undefined && f.attempt > 1) marks.push(f.cause);
      if (f.type === FrameType.DATA && this.endpoint.options.cc !== "none") {
        marks.push(`cwnd=${this.endpoint.cwnd}`);
      }
      this.#resendMark(f, marks);
      if (d?.drop) marks.push("DROPPED (fault)");
      else {
        if (d && d.corruptBit >= 0) marks.push("CORRUPTED (fault)");
        if (d?.duplicate) marks.push("DUPLICATED (fault)");
        if (d && d.delayMs > 0) marks.push(`DELAYED ${d.delayMs}ms (fault)`);
      }
      this.#trace({
        dir: "send",
        type: f.type,
        seq: f.seq,
        length: f.payload.length,
        flags: f.flags,
        attempt: f.attempt,
        ...(f.payload.length > 0 ? { detail: describePayload(f.type, f.payload) } : {}),
        marks,
      });
    }
    if (d?.drop) return;
    if (d && d.delayMs > 0) {
      const bytes = new Uint8Array(size);
      encodeFrameInto(bytes, 0, f.type, f.seq, f.flags, f.payload, f.payloadSum);
      if (d.corruptBit >= 0) flipBit(bytes, d.corruptBit);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#write(bytes);
      }, d.delayMs);
      this.#timers.add(timer);
      return;
    }
    const at = this.#outbox.reserve(size);
    if (at < 0) return;
    const buf = this.#outbox.buffer;
    encodeFrameInto(buf, at, f.type, f.seq, f.flags, f.payload, f.payloadSum);
    if (d && d.corruptBit >= 0) flipBit(buf.subarray(at, at + size), d.corruptBit);
    this.#outbox.commit(size);
    if (this.#opts.capture) this.#opts.capture.sent(buf.subarray(at, at + size), this.#clock());
    if (d?.duplicate) this.#write(buf.slice(at, at + size));
  }

  /** The sequence number the fault injector sees for `f` (see `faultSeqOrigin`). */
  #faultSeq(f: OutFrame): number {
    const origin = this.#opts.faultSeqOrigin;
    if (origin === undefined) return f.seq;
    const own = f.type === FrameType.SYN_ACK || f.type === FrameType.DATA ||
      f.type === FrameType.FIN || f.type === FrameType.RST;
    return own ? (f.seq - origin) >>> 0 : f.seq;
  }

  #observe(frame: ObservedFrame): void {
    const now = this.#clock();
    for (const o of this.#observers) o.frame(frame, now);
  }

  #write(bytes: Uint8Array): void {
    if (this.#closedReason !== undefined) return;
    this.#outbox.append(bytes);
    this.#opts.capture?.sent(bytes, this.#clock());
  }

  #trace(r: Omit<TraceRecord, "at" | "who">): void {
    const trace = this.#opts.trace;
    if (!trace) return;
    // One clock for the whole process: every session's lines line up with the others'.
    const record: TraceRecord = { ...r, at: this.#clock(), who: this.#opts.who };
    const line = formatTrace(record);
    if (this.#held) this.#held.push([line, record]);
    else trace(line, record);
  }

  #afterEvent(): void {
    if (this.endpoint.state === "closed") {
      this.#finish(this.endpoint.closeReason ?? "closed");
      return;
    }
    this.#reschedule();
  }

  #reschedule(): void {
    this.#opts.scheduler.schedule(this, this.endpoint.nextWake());
  }

  #fail(reason: string, now = this.#clock()): void {
    if (this.endpoint.state !== "closed") this.endpoint.abort(reason, now);
    this.#finish(reason);
  }

  #finish(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    this.#opts.scheduler.cancel(this);
    this.#opts.onClosed?.(reason);
  }
}
