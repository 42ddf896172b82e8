/**
 * Per-connection output queue. Everything a connection must send in one event-loop turn is
 * appended to one buffer and written with ONE write call (looping on partial writes); while a
 * write is in flight, new bytes collect in a second buffer. A connection whose queue grows over
 * its bound is reported once through `onOverflow`, so one stuck reader never delays the others.
 * @module
 */

import type { Trimmable, Turn } from "./turn.ts";

/** The part of a connection the outbox needs (a transport `Conn` fits). */
export interface ByteWriter {
  /** Writes some prefix of `p` and resolves to the number of bytes written. */
  write(p: Uint8Array): Promise<number>;
}

/** Options of an {@link Outbox}. */
export interface OutboxOptions {
  /** Queued bytes above which the connection counts as stuck (default 4 MiB). */
  readonly maxBytes?: number;
  /** Called once when the queue passes `maxBytes`. */
  readonly onOverflow?: (queued: number) => void;
  /** Called once when a write fails (peer gone); the outbox stops writing. */
  readonly onError?: (error: unknown) => void;
}

/** Default bound of queued bytes per connection. */
export const DEFAULT_OUTBOX_BYTES = 4 * 1024 * 1024;
const INITIAL_CAPACITY = 512;
/** A buffer size for `need` bytes: `from` (at least {@link INITIAL_CAPACITY}) doubled as needed. */
function capacityFor(need: number, from = INITIAL_CAPACITY): number {
  let cap = Math.max(INITIAL_CAPACITY, from);
  while (cap < need) cap *= 2;
  return cap;
}

/** The empty buffer every idle outbox shares (ten thousand connections, no objects each). */
const EMPTY = new Uint8Array(0);
/** Largest buffer kept for reuse while more output follows (a busy connection keeps its own). */
const MAX_KEPT = 512 * 1024;

/**
 * A bounded, batching output queue for one connection: everything queued in one event-loop
 * turn leaves in one write, in the turn's flush pass (see {@link Turn}).
 */
export class Outbox implements Trimmable {
  readonly #writer: ByteWriter;
  readonly #turn: Turn;
  readonly #maxBytes: number;
  readonly #onOverflow: ((queued: number) => void) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  /** Private bytes: copies and reserved frames, written at `#len`. */
  #buf = EMPTY;
  #len = 0;
  /** Start of the private bytes not yet closed into `#parts`. */
  #privStart = 0;
  /** Queued pieces before the open tail, in order. */
  #parts: Uint8Array[] = [];
  /** The open shared tail: a range of a caller's immutable buffer (null when none). */
  #shared: ArrayBufferLike | null = null;
  #sharedStart = 0;
  #sharedEnd = 0;
  /** The caller's view when the open tail is exactly one view (written as it is), else null. */
  #sharedView: Uint8Array | null = null;
  /** Bytes queued and not yet handed to a write. */
  #pending = 0;
  #spare = EMPTY;
  /** Our own buffer being written (it becomes the spare afterwards), or null for shared bytes. */
  #inflightOwn: Uint8Array<ArrayBuffer> | null = null;
  /** The buffer being written (EMPTY when none) and how much of it the writer took so far. */
  #out: Uint8Array = EMPTY;
  #written = 0;
  #writing = false;
  #scheduled = false;
  #failed = false;
  #overflowed = false;
  #idleSince = 0;
  #drainWaiters: (() => void)[] = [];

  /** Creates an outbox writing to `writer` in the flush passes of `turn`. */
  constructor(writer: ByteWriter, turn: Turn, options: OutboxOptions = {}) {
    this.#writer = writer;
    this.#turn = turn;
    this.#maxBytes = options.maxBytes ?? DEFAULT_OUTBOX_BYTES;
    this.#onOverflow = options.onOverflow;
    this.#onError = options.onError;
  }

  /** Bytes queued and not yet written (including a write in flight). */
  get queued(): number {
    return this.#pending + this.#inflight();
  }

  /** Bytes of buffer memory held (queue and spare), whatever is queued. */
  get capacity(): number {
    return this.#buf.length + this.#spare.length;
  }

  /** True once a write failed; later appends are dropped. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Queues a copy of `bytes`. */
  append(bytes: Uint8Array): void {
    const n = bytes.length;
    const at = this.reserve(n);
    if (at < 0) return;
    this.#buf.set(bytes, at);
    this.commit(n);
  }

  /**
   * Queues `bytes` WITHOUT copying them: the caller promises never to change them. Views that
   * follow each other in one buffer (consecutive lines of a shared log) join into one range,
   * so a connection that gets every broadcast of a turn writes them straight from the log.
   */
  appendShared(bytes: Uint8Array): void {
    if (this.#failed || this.#overflowed) return;
    const n = bytes.length;
    if (n === 0) return;
    // The same view handed over again (a constant reply, one line to many outboxes) has its
    // buffer read once.
    const buffer = this.#turn.bufferOf(bytes);
    const start = bytes.byteOffset;
    if (this.#shared === buffer && this.#sharedEnd === start) {
      this.#sharedEnd = start + n;
      this.#sharedView = null;
    } else {
      this.#closeTail();
      this.#shared = buffer;
      this.#sharedStart = start;
      this.#sharedEnd = start + n;
      this.#sharedView = bytes;
    }
    this.#queuedMore(n);
  }

  /**
   * Makes room for `n` bytes and returns the offset in {@link buffer} where the caller writes
   * them, then calls {@link commit}. Returns -1 when the outbox has failed or overflowed.
   */
  reserve(n: number): number {
    if (this.#failed || this.#overflowed) return -1;
    if (this.#shared !== null) this.#closeTail();
    if (this.#len + n > this.#buf.length) {
      // Bytes before #privStart already sit in #parts (as views of this buffer): leave them.
      const keep = this.#len - this.#privStart;
      const grown = new Uint8Array(capacityFor(keep + n, this.#buf.length * 2));
      grown.set(this.#buf.subarray(this.#privStart, this.#len));
      this.#buf = grown;
      this.#len = keep;
      this.#privStart = 0;
    }
    return this.#len;
  }

  /** The buffer {@link reserve} offsets point into (valid until the next reserve). */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /** Marks `n` reserved bytes as written by the caller and schedules a flush. */
  commit(n: number): void {
    this.#len += n;
    this.#queuedMore(n);
  }

  /**
   * Drops its buffers when nothing was queued for `ms` (called by the flush pass); returns true
   * when the outbox needs no more checks.
   */
  trimIfIdle(now: number, ms: number): boolean {
    if (this.#failed) return true;
    if (this.#pending > 0 || this.#writing || now - this.#idleSince < ms) return false;
    this.#buf = EMPTY;
    this.#spare = EMPTY;
    return true;
  }

  /** Resolves when everything queued so far was written (or the outbox failed). */
  drained(): Promise<void> {
    if (this.queued === 0 || this.#failed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Bytes handed to the writer and not yet written. */
  #inflight(): number {
    return this.#out.length - this.#written;
  }

  #queuedMore(n: number): void {
    this.#pending += n;
    if (!this.#overflowed && this.queued > this.#maxBytes) {
      this.#overflowed = true;
      this.#onOverflow?.(this.queued);
      return;
    }
    if (!this.#writing && !this.#scheduled) {
      this.#scheduled = true;
      this.#turn.flushSoon(this.#flush);
    }
  }

  /** Moves the open tail (shared range or private bytes) into `#parts`. */
  #closeTail(): void {
    if (this.#shared !== null) {
      this.#parts.push(this.#sharedRange());
      this.#shared = null;
    } else if (this.#len > this.#privStart) {
      this.#parts.push(this.#buf.subarray(this.#privStart, this.#len));
      this.#privStart = this.#len;
    }
  }

  /** The open shared tail as a view: the caller's own when it is exactly one (no allocation). */
  #sharedRange(): Uint8Array {
    const view = this.#sharedView;
    this.#sharedView = null;
    return view ??
      new Uint8Array(this.#shared!, this.#sharedStart, this.#sharedEnd - this.#sharedStart);
  }

  /**
   * Takes everything queued as ONE buffer to write: a shared range as it is (no copy), the
   * private buffer by swapping it with the spare, several pieces gathered into the spare.
   */
  #take(): Uint8Array {
    const n = this.#pending;
    this.#pending = 0;
    if (this.#parts.length === 0 && this.#shared !== null) {
      const out = this.#sharedRange();
      this.#shared = null;
      this.#inflightOwn = null;
      return out;
    }
    if (this.#parts.length === 0) {
      const out = this.#buf.subarray(0, n);
      this.#inflightOwn = this.#buf;
      this.#buf = this.#spare.length >= INITIAL_CAPACITY ? this.#spare : EMPTY;
      this.#spare = EMPTY;
      this.#len = 0;
      this.#privStart = 0;
      return out;
    }
    this.#closeTail();
    let target = this.#spare;
    if (target.length < n) target = new Uint8Array(capacityFor(n));
    this.#spare = EMPTY;
    this.#inflightOwn = target;
    let at = 0;
    for (const p of this.#parts) {
      target.set(p, at);
      at += p.length;
    }
    this.#parts = [];
    this.#len = 0;
    this.#privStart = 0;
    return target.subarray(0, n);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (!this.#writing) this.#writeNext();
  };

  /**
   * Starts writing everything queued, or ends the writing spell when nothing is. A chain of
   * `then` callbacks fixed per outbox, not an `async` loop, so a flush allocates no suspended
   * frame: garbage made per write is collected in pauses that stop every connection at once
   * (the figures are in docs/PERFORMANCE.md).
   */
  #writeNext(): void {
    if (this.#pending === 0 || this.#failed) {
      this.#endWriting();
      return;
    }
    this.#writing = true;
    const out = this.#take();
    this.#out = out;
    this.#written = 0;
    this.#write(out);
  }

  #write(bytes: Uint8Array): void {
    let written: Promise<number>;
    try {
      written = this.#writer.write(bytes);
    } catch (error) {
      this.#fail(error);
      return;
    }
    written.then(this.#onWritten, this.#onWriteError);
  }

  readonly #onWritten = (n: number): void => {
    this.#written += n;
    if (this.#inflight() > 0) {
      this.#write(this.#out.subarray(this.#written));
      return;
    }
    this.#out = EMPTY;
    this.#written = 0;
    const own = this.#inflightOwn;
    this.#inflightOwn = null;
    if (own !== null && own.length <= MAX_KEPT && own.length > this.#spare.length) {
      this.#spare = own;
    }
    this.#writeNext();
  };

  readonly #onWriteError = (error: unknown): void => {
    this.#fail(error);
  };

  #fail(error: unknown): void {
    this.#failed = true;
    this.#pending = 0;
    this.#parts = [];
    this.#shared = null;
    this.#sharedView = null;
    this.#len = 0;
    this.#privStart = 0;
    this.#out = EMPTY;
    this.#written = 0;
    this.#inflightOwn = null;
    this.#onError?.(error);
    this.#endWriting();
  }

  #endWriting(): void {
    this.#writing = false;
    if (this.#pending === 0 && this.capacity > 0) {
      this.#idleSince = this.#turn.now();
      this.#turn.trimWhenIdle(this);
    }
    const waiters = this.#drainWaiters;
    if (waiters.length > 0) {
      this.#drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}
