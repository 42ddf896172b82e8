/**
 * Hostile clients for the adversarial tests and the soak (`deno task soak`): raw TCP sockets
 * bound to a chosen loopback address (127.0.0.2, 127.0.0.3, ...: all of 127.0.0.0/8 is
 * loopback, so per-address limits are tested as on a LAN), that can stop reading, reset the
 * connection, or speak the binary protocol by hand. `node:net` because `Deno.connect` cannot
 * bind the local address.
 * @module
 */

import net from "node:net";
import { Buffer } from "node:buffer";
import {
  encodeFrame,
  encodeSyn,
  frame,
  FrameType,
  HEADER_SIZE,
  MAGIC,
} from "../../lib/protocol/mod.ts";
import { NullLogger } from "../../lib/log/logger.ts";
import { ChatServer, type ServerOptions } from "../../lib/server/server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Options of {@link HostileSocket.open}. */
export interface HostileOptions {
  /** Local address to bind (default 127.0.0.2). */
  readonly local?: string;
  /** Server address (default 127.0.0.1). */
  readonly host?: string;
  /** Keep the bytes read (default true; false counts them only). */
  readonly keep?: boolean;
  /** Never read: the server's output backs up in its queues (default false). */
  readonly paused?: boolean;
  /** Give up connecting after this long (default 5 s). */
  readonly timeoutMs?: number;
}

/** One raw TCP connection of a hostile client. */
export class HostileSocket {
  /** Bytes read so far (when kept). */
  bytes: Uint8Array = new Uint8Array(0);
  /** Count of bytes read. */
  received = 0;
  /** Count of bytes written. */
  sent = 0;
  /** True once the server closed or reset the connection. */
  closed = false;
  readonly #socket: net.Socket;
  readonly #keep: boolean;
  readonly #ended = Promise.withResolvers<void>();
  #changed = Promise.withResolvers<void>();

  private constructor(socket: net.Socket, keep: boolean) {
    this.#socket = socket;
    this.#keep = keep;
    socket.on("data", (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.#keep) {
        const grown = new Uint8Array(this.bytes.length + chunk.length);
        grown.set(this.bytes);
        grown.set(chunk, this.bytes.length);
        this.bytes = grown;
      }
      this.#wake();
    });
    const end = () => {
      this.closed = true;
      this.#wake();
      this.#ended.resolve();
    };
    socket.on("close", end);
    socket.on("error", () => {});
  }

  /** Connects to `port`; rejects when the connection fails or times out. */
  static open(port: number, options: HostileOptions = {}): Promise<HostileSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({
        host: options.host ?? "127.0.0.1",
        port,
        localAddress: options.local ?? "127.0.0.2",
      });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect timed out (${options.local ?? "127.0.0.2"})`));
      }, options.timeoutMs ?? 5000);
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        if (options.paused) socket.pause();
        resolve(new HostileSocket(socket, options.keep ?? true));
      });
    });
  }

  /** What was read, as text. */
  get text(): string {
    return dec.decode(this.bytes);
  }

  /** Resolves once the connection is closed. */
  get ended(): Promise<void> {
    return this.#ended.promise;
  }

  /**
   * Writes `data`; resolves once the socket took it (a server that does not read makes this
   * wait, bounded by `ms`: resolves false then).
   */
  write(data: string | Uint8Array, ms = 5000): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    this.sent += bytes.length;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.#socket.write(bytes, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Writes without waiting (fire and forget); false when the socket's buffer is full. */
  push(data: string | Uint8Array): boolean {
    if (this.closed) return false;
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    this.sent += bytes.length;
    return this.#socket.write(bytes);
  }

  /** Starts reading again after `paused`. */
  resume(): void {
    this.#socket.resume();
  }

  /** Waits until `pattern` shows in what was read, the connection closes, or `ms` pass. */
  async waitFor(pattern: RegExp, ms = 5000): Promise<RegExpExecArray | undefined> {
    const end = performance.now() + ms;
    for (;;) {
      const m = pattern.exec(this.text);
      if (m) return m;
      const left = end - performance.now();
      if (this.closed || left <= 0) return undefined;
      await this.#changedWithin(left);
    }
  }

  /** Waits until at least `n` bytes were read, the connection closes, or `ms` pass. */
  async waitForBytes(n: number, ms = 5000): Promise<boolean> {
    const end = performance.now() + ms;
    while (this.received < n) {
      const left = end - performance.now();
      if (this.closed || left <= 0) return false;
      await this.#changedWithin(left);
    }
    return true;
  }

  /** Waits until the server closes the connection or `ms` pass; true when it closed. */
  async waitClosed(ms = 5000): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
    const r = await Promise.race([this.#ended.promise.then(() => true), late]);
    clearTimeout(timer);
    return r;
  }

  /** Resets the connection (RST, SO_LINGER 0). */
  reset(): void {
    this.#socket.resetAndDestroy();
  }

  /** Closes the connection and waits for it to be closed. */
  async close(): Promise<void> {
    this.#socket.destroy();
    await this.#ended.promise;
  }

  #wake(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }

  async #changedWithin(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((r) => timer = setTimeout(r, ms));
    await Promise.race([this.#changed.promise, late]);
    clearTimeout(timer);
  }
}

/** The frames found in `bytes` from `from` on (whole ones only), with their offsets. */
export function framesIn(
  bytes: Uint8Array,
  from = 0,
): { type: number; seq: number; length: number; at: number; payload: Uint8Array }[] {
  const out = [];
  let at = bytes.indexOf(MAGIC, from);
  while (at >= 0 && at + HEADER_SIZE <= bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, HEADER_SIZE);
    const length = view.getUint16(1);
    if (at + HEADER_SIZE + length > bytes.length) break;
    out.push({
      type: view.getUint8(3),
      seq: view.getUint32(4),
      length,
      at,
      payload: bytes.subarray(at + HEADER_SIZE, at + HEADER_SIZE + length),
    });
    at += HEADER_SIZE + length;
  }
  return out;
}

/**
 * Opens a binary session by hand: SYN (ISN 0, the given window and max payload), waits for the
 * SYN-ACK, ACKs the server's ISN. Returns the socket and the server's ISN; data from seq 1.
 */
export async function handshake(
  sock: HostileSocket,
  params: { window?: number; maxPayload?: number; mode?: "gbn" | "sr" } = {},
  ms = 5000,
): Promise<number | undefined> {
  const syn = encodeSyn({
    mode: params.mode ?? "gbn",
    window: params.window ?? 8,
    ackPolicy: "frame",
    maxPayload: params.maxPayload ?? 1024,
  });
  await sock.write(encodeFrame(frame(FrameType.SYN, 0, 0, syn)));
  const end = performance.now() + ms;
  for (;;) {
    const synAck = framesIn(sock.bytes).find((f) => f.type === FrameType.SYN_ACK);
    if (synAck) {
      await sock.write(encodeFrame(frame(FrameType.ACK, synAck.seq)));
      return synAck.seq;
    }
    if (sock.closed || performance.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One DATA frame carrying `text` as a whole message. */
export function dataFrame(seq: number, text: string): Uint8Array {
  return encodeFrame(frame(FrameType.DATA, seq, 0x01, enc.encode(text)));
}

/** The i-th hostile address of a block: `127.0.<block>.<2 + i>` (block 0: 127.0.0.2, ...). */
export function hostileAddress(i: number, block = 0): string {
  return `127.0.${block + Math.floor(i / 250)}.${2 + (i % 250)}`;
}

/**
 * Runs `fn` with a `ChatServer` on TCP 127.0.0.1 (port 0, a 50 ms prompt, no log unless given),
 * shut down afterwards whatever happens.
 */
export async function withTcpServer(
  options: ServerOptions,
  fn: (port: number, server: ChatServer) => Promise<void>,
): Promise<void> {
  const server = ChatServer.listen({
    host: "127.0.0.1",
    port: 0,
    logger: new NullLogger(),
    promptDelayMs: 50,
    ...options,
  });
  try {
    await fn(server.addr.port, server);
  } finally {
    await server.shutdown("test over", 500);
  }
}
