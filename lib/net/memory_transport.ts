/**
 * An in-memory stream transport with TCP's semantics, for tests that need no real socket:
 * connected pairs, a {@link MemoryNetwork} of listeners reached by port, bounded buffers (a
 * peer that never reads makes the writer's writes wait, as a full socket buffer does), partial
 * writes, half-close and close.
 *
 * Semantics, per direction (a pipe of at most `bufferBytes` unread bytes):
 * - `write` copies as much as fits (at least one byte) and resolves to that count; when the
 *   pipe is full it waits until the reader makes room. Writes after this end's `closeWrite`
 *   or `close` reject with `Deno.errors.BadResource`; writes toward a peer that closed reject
 *   with `Deno.errors.ConnectionReset` (its unread bytes are discarded, as TCP's RST does).
 * - `read` returns what is buffered, up to the buffer's size, or waits; it returns `null` once
 *   the peer half-closed or closed and everything before was read, or once this end closed.
 * @module
 */

import type { Conn, Dialer, Listener, NetAddress } from "./transport.ts";

/** Default bound of unread bytes per direction. */
export const MEMORY_BUFFER_BYTES = 256 * 1024;

interface WaitingWrite {
  readonly bytes: Uint8Array;
  readonly resolve: (n: number) => void;
  readonly reject: (error: Error) => void;
}

/** One direction of a pair: written at one end, read at the other. */
class Pipe {
  readonly #capacity: number;
  readonly #chunks: Uint8Array[] = [];
  /** Bytes of `#chunks[0]` already read. */
  #offset = 0;
  #buffered = 0;
  /** The writer ended the stream (half-close or close): reads end after the buffered bytes. */
  #ended = false;
  /** The reader closed: bytes written now are refused. */
  #readerGone = false;
  #reader: { buf: Uint8Array; resolve: (n: number | null) => void } | undefined;
  readonly #writers: WaitingWrite[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Deno.errors.BadResource("Connection closed"));
    if (this.#readerGone) {
      return Promise.reject(new Deno.errors.ConnectionReset("Connection reset by peer"));
    }
    if (bytes.length === 0) return Promise.resolve(0);
    if (this.#writers.length === 0 && this.#buffered < this.#capacity) {
      return Promise.resolve(this.#take(bytes));
    }
    return new Promise((resolve, reject) => this.#writers.push({ bytes, resolve, reject }));
  }

  read(buf: Uint8Array): Promise<number | null> {
    if (this.#reader !== undefined) {
      return Promise.reject(new Deno.errors.Busy("Another read is in progress"));
    }
    if (this.#buffered > 0) return Promise.resolve(this.#give(buf));
    if (this.#ended || this.#readerGone) return Promise.resolve(null);
    if (buf.length === 0) return Promise.resolve(0);
    return new Promise((resolve) => this.#reader = { buf, resolve });
  }

  /** The writing end half-closed or closed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const w of this.#writers.splice(0)) {
      w.reject(new Deno.errors.BadResource("Connection closed"));
    }
    if (this.#buffered === 0) this.#wakeReader(null);
  }

  /** The reading end closed: unread bytes are dropped, later writes refused. */
  closeReader(): void {
    if (this.#readerGone) return;
    this.#readerGone = true;
    this.#chunks.length = 0;
    this.#offset = 0;
    this.#buffered = 0;
    for (const w of this.#writers.splice(0)) {
      w.reject(new Deno.errors.ConnectionReset("Connection reset by peer"));
    }
    this.#wakeReader(null);
  }

  /** Copies as much of `bytes` as fits and wakes a waiting reader. */
  #take(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.#capacity - this.#buffered);
    this.#chunks.push(bytes.slice(0, n));
    this.#buffered += n;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve(this.#give(reader.buf));
    }
    return n;
  }

  /** Moves buffered bytes into `buf`, then lets waiting writers fill the room made. */
  #give(buf: Uint8Array): number {
    let n = 0;
    while (n < buf.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const k = Math.min(buf.length - n, chunk.length - this.#offset);
      buf.set(chunk.subarray(this.#offset, this.#offset + k), n);
      n += k;
      this.#offset += k;
      if (this.#offset === chunk.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    this.#buffered -= n;
    while (this.#writers.length > 0 && this.#buffered < this.#capacity) {
      const w = this.#writers.shift()!;
      w.resolve(this.#takeQuietly(w.bytes));
    }
    return n;
  }

  /** {@link #take} without waking the reader (it is the one reading now). */
  #takeQuietly(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.#capacity - this.#buffered);
    this.#chunks.push(bytes.slice(0, n));
    this.#buffered += n;
    return n;
  }

  #wakeReader(value: null): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(value);
  }
}

/** One end of an in-memory connection. */
class MemoryConn implements Conn {
  readonly path = "stream";
  readonly maxDatagram = Infinity;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #in: Pipe;
  readonly #out: Pipe;
  #closed = false;

  constructor(local: NetAddress, remote: NetAddress, incoming: Pipe, outgoing: Pipe) {
    this.localAddr = local;
    this.remoteAddr = remote;
    this.#in = incoming;
    this.#out = outgoing;
  }

  read(buf: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    return this.#in.read(buf);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("Connection closed"));
    return this.#out.write(p);
  }

  closeWrite(): Promise<void> {
    this.#out.end();
    return Promise.resolve();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.end();
    this.#in.closeReader();
  }
}

/** Options of {@link memoryPair} and {@link MemoryNetwork}. */
export interface MemoryOptions {
  /** Most unread bytes per direction before writes wait (default {@link MEMORY_BUFFER_BYTES}). */
  readonly bufferBytes?: number;
}

/** Two connected ends: what one writes, the other reads. */
export function memoryPair(
  a: NetAddress = { transport: "memory", hostname: "127.0.0.1", port: 1 },
  b: NetAddress = { transport: "memory", hostname: "127.0.0.1", port: 2 },
  options: MemoryOptions = {},
): [Conn, Conn] {
  const size = options.bufferBytes ?? MEMORY_BUFFER_BYTES;
  const ab = new Pipe(size);
  const ba = new Pipe(size);
  return [new MemoryConn(a, b, ba, ab), new MemoryConn(b, a, ab, ba)];
}

class MemoryListener implements Listener {
  readonly addr: NetAddress;
  readonly #backlog: Conn[] = [];
  #waiting: ((conn: Conn | null) => void) | undefined;
  #closed = false;
  readonly #onClose: () => void;

  constructor(addr: NetAddress, onClose: () => void) {
    this.addr = addr;
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A dialed connection arrives. */
  arrive(conn: Conn): void {
    const w = this.#waiting;
    this.#waiting = undefined;
    if (w) w(conn);
    else this.#backlog.push(conn);
  }

  accept(): Promise<Conn | null> {
    if (this.#closed) return Promise.resolve(null);
    const next = this.#backlog.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => this.#waiting = resolve);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    for (const c of this.#backlog.splice(0)) c.close();
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.(null);
  }
}

/**
 * Listeners in memory, reached by port whatever the host name (as a listener bound to every
 * interface): a test's server listens here and its clients dial here.
 */
export class MemoryNetwork implements Dialer {
  readonly transport = "memory";
  readonly #listeners = new Map<number, MemoryListener>();
  readonly #options: MemoryOptions;
  #nextPort = 49152;

  /** Creates an empty network. */
  constructor(options: MemoryOptions = {}) {
    this.#options = options;
  }

  /** Listens on `port` (0 picks a free one); throws `Deno.errors.AddrInUse` when taken. */
  listen(hostname = "127.0.0.1", port = 0): Listener {
    const p = port === 0 ? this.#freePort() : port;
    if (this.#listeners.has(p)) throw new Deno.errors.AddrInUse(`Address in use: ${p}`);
    const listener = new MemoryListener(
      { transport: "memory", hostname, port: p },
      () => this.#listeners.delete(p),
    );
    this.#listeners.set(p, listener);
    return listener;
  }

  /**
   * Connects to the listener on `port`, from host `from` (default 127.0.0.1: tests of
   * per-address rules dial from 127.0.0.2, ...). Rejects with `Deno.errors.ConnectionRefused`
   * when nothing listens there.
   */
  dial(hostname: string, port: number, from = "127.0.0.1"): Promise<Conn> {
    const listener = this.#listeners.get(port);
    if (listener === undefined || listener.closed) {
      return Promise.reject(
        new Deno.errors.ConnectionRefused(`Connection refused: ${hostname}:${port}`),
      );
    }
    const local: NetAddress = { transport: "memory", hostname: from, port: this.#freePort() };
    const [client, server] = memoryPair(local, listener.addr, this.#options);
    listener.arrive(server);
    return Promise.resolve(client);
  }

  #freePort(): number {
    while (this.#listeners.has(this.#nextPort)) this.#nextPort++;
    return this.#nextPort++;
  }
}
