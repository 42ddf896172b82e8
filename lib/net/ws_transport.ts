/**
 * WebSocket as a transport: a {@link Conn} whose bytes are the payloads of WebSocket messages,
 * so the server's text and binary sessions run over it unchanged (a page sends text lines or
 * binary frames; message boundaries carry no meaning, as on TCP).
 *
 * - **Server side** ({@link WebSocketServerConn}): the WebSocket of an upgraded HTTP request,
 *   framed by this program (RFC 6455, `websocket_frame.ts`) over the accepted byte stream. The
 *   HTTP session feeds it the bytes it reads and it writes through the session's context, so it
 *   runs over any stream transport (TCP, the in-memory pipe). Deno's own `upgradeWebSocket`
 *   wants a `node:net` socket, which the TCP transport does not have.
 * - **Client side** ({@link WebSocketDialer}): the `WebSocket` API of a browser (or Deno), so
 *   the client core runs in a web page.
 *
 * Every write is one binary message. `closeWrite` sends the Close frame: a WebSocket has no
 * half-close, so the peer stops sending too.
 * @module
 */

import {
  closeCode,
  closePayload,
  writeWsHeader,
  WsClose,
  WsFrameDecoder,
  type WsFrameSink,
  wsHeaderLength,
  WsOpcode,
} from "./websocket_frame.ts";
import { ByteQueue } from "./byte_queue.ts";
import type { Conn, Dialer, NetAddress } from "./transport.ts";

/** The byte stream under a server-side WebSocket (the HTTP session's context). */
export interface WsStream {
  /** Writes a prefix of `p` (as `Conn.write`). */
  write(p: Uint8Array): Promise<number>;
  /** Closes the stream. */
  close(reason: string): void;
}

/** Options of a {@link WebSocketServerConn}. */
export interface WsServerOptions {
  /** Largest message a client may send, bytes (default 1 MiB; 1009 past it). */
  readonly maxMessage?: number;
  /** Most bytes received and not yet read before the connection is dropped (default 1 MiB). */
  readonly maxQueued?: number;
}

/** Default bound of a client message and of bytes received but not read. */
export const WS_MAX_QUEUED = 1024 * 1024;

/** The server end of a WebSocket, as a {@link Conn} (see the module comment). */
export class WebSocketServerConn implements Conn {
  readonly path = "stream";
  readonly maxDatagram = Infinity;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #stream: WsStream;
  readonly #decoder: WsFrameDecoder;
  readonly #sink: WsFrameSink;
  readonly #maxQueued: number;
  /** Payload bytes received and not read yet. */
  readonly #queue = new ByteQueue();
  #reader: { buf: Uint8Array; resolve: (n: number | null) => void } | undefined;
  /** No more bytes will be read (Close received, the stream ended, or closed here). */
  #ended = false;
  #closeSent = false;
  #closed = false;
  /** Writes go out one after the other (a data message never splits a control frame). */
  #writing: Promise<unknown> = Promise.resolve();

  /** A WebSocket over `stream` whose handshake was answered; feed it with {@link receive}. */
  constructor(
    stream: WsStream,
    localAddr: NetAddress,
    remoteAddr: NetAddress,
    options: WsServerOptions = {},
  ) {
    this.#stream = stream;
    this.localAddr = { ...localAddr, transport: "ws" };
    this.remoteAddr = { ...remoteAddr, transport: "ws" };
    this.#maxQueued = options.maxQueued ?? WS_MAX_QUEUED;
    this.#decoder = new WsFrameDecoder({
      masked: true,
      maxMessage: options.maxMessage ?? WS_MAX_QUEUED,
    });
    this.#sink = {
      data: (piece) => this.#onData(piece),
      control: (opcode, payload) => this.#onControl(opcode, payload),
    };
  }

  /** Bytes read from the stream after the HTTP head (unmasked in place). */
  receive(chunk: Uint8Array): void {
    if (this.#ended) return;
    const error = this.#decoder.push(chunk, this.#sink);
    if (error) this.#fail(error.code, error.message);
  }

  /** The stream under it ended (the peer closed or reset it). */
  end(): void {
    this.#endReading();
  }

  read(buf: Uint8Array): Promise<number | null> {
    if (!this.#queue.empty) return Promise.resolve(this.#queue.take(buf));
    if (this.#ended || this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = { buf, resolve });
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closeSent || this.#closed) return Promise.reject(new Error("WebSocket closed"));
    const n = p.length;
    const frame = new Uint8Array(wsHeaderLength(n, false) + n);
    frame.set(p, writeWsHeader(frame, 0, WsOpcode.binary, n));
    return this.#send(frame).then(() => n);
  }

  closeWrite(): Promise<void> {
    return this.#sendClose(WsClose.normal, "");
  }

  close(): void {
    if (this.#closed) return;
    this.#sendClose(WsClose.normal, "").finally(() => this.#stream.close("websocket closed"));
    this.#closed = true;
    this.#endReading();
  }

  #onData(piece: Uint8Array): void {
    if (piece.length === 0 || this.#ended) return;
    if (this.#queue.bytes + piece.length > this.#maxQueued) {
      this.#fail(WsClose.policy, `Too much unread input: over ${this.#maxQueued} bytes`);
      return;
    }
    this.#queue.push(piece.slice());
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve(this.#queue.take(reader.buf));
    }
  }

  #onControl(opcode: number, payload: Uint8Array): void {
    if (opcode === WsOpcode.ping) {
      if (!this.#closeSent) {
        this.#send(frameOf(WsOpcode.pong, payload)).catch(() => {});
      }
    } else if (opcode === WsOpcode.close) {
      // Answer with the same code (RFC 6455 §5.5.1), then nothing more is read.
      const code = closeCode(payload);
      this.#sendClose(code === 1005 ? WsClose.normal : code, "").catch(() => {});
      this.#endReading();
    }
  }

  #endReading(): void {
    if (this.#ended) return;
    this.#ended = true;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(this.#queue.empty ? null : this.#queue.take(reader.buf));
  }

  /** A protocol error: Close with its code, and the stream is closed once that is written. */
  #fail(code: number, reason: string): void {
    this.#queue.clear();
    this.#endReading();
    this.#sendClose(code, reason).finally(() => this.#stream.close(reason));
  }

  #sendClose(code: number, reason: string): Promise<void> {
    if (this.#closeSent) return this.#writing.then(() => {}, () => {});
    this.#closeSent = true;
    return this.#send(frameOf(WsOpcode.close, closePayload(code, reason))).catch(() => {});
  }

  #send(frame: Uint8Array): Promise<void> {
    const next = this.#writing.then(async () => {
      let off = 0;
      while (off < frame.length) off += await this.#stream.write(frame.subarray(off));
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}

function frameOf(opcode: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(wsHeaderLength(payload.length, false) + payload.length);
  out.set(payload, writeWsHeader(out, 0, opcode, payload.length));
  return out;
}

/** How long a client waits for a WebSocket to open before giving up, ms. */
const OPEN_TIMEOUT_MS = 10_000;
/** Bytes buffered by the `WebSocket` object past which a write waits for them to leave. */
const CLIENT_HIGH_WATER = 1024 * 1024;

/** A client's WebSocket (the `WebSocket` API) as a {@link Conn}. */
class WebSocketClientConn implements Conn {
  readonly path = "stream";
  readonly maxDatagram = Infinity;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  readonly #ws: WebSocket;
  readonly #queue = new ByteQueue();
  #reader: { buf: Uint8Array; resolve: (n: number | null) => void } | undefined;
  #ended = false;
  #failed = false;

  constructor(ws: WebSocket, remote: NetAddress) {
    this.#ws = ws;
    this.remoteAddr = remote;
    this.localAddr = { transport: "ws", hostname: "client", port: 0 };
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => {
      const data = e.data;
      const bytes = typeof data === "string"
        ? new TextEncoder().encode(data)
        : new Uint8Array(data as ArrayBuffer);
      if (bytes.length === 0 || this.#ended) return;
      this.#queue.push(bytes);
      const reader = this.#reader;
      if (reader !== undefined) {
        this.#reader = undefined;
        reader.resolve(this.#queue.take(reader.buf));
      }
    });
    ws.addEventListener("close", (e) => {
      if (!(e as CloseEvent).wasClean) this.#failed = true;
      this.#end();
    });
  }

  read(buf: Uint8Array): Promise<number | null> {
    if (!this.#queue.empty) return Promise.resolve(this.#queue.take(buf));
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = { buf, resolve });
  }

  async write(p: Uint8Array): Promise<number> {
    if (this.#ended || this.#ws.readyState !== WebSocket.OPEN) {
      throw new Error(this.#failed ? "WebSocket failed" : "WebSocket closed");
    }
    this.#ws.send(p.slice());
    // The WebSocket object buffers without bound: wait while it holds much.
    while (this.#ws.bufferedAmount > CLIENT_HIGH_WATER && this.#ws.readyState === WebSocket.OPEN) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return p.length;
  }

  closeWrite(): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  close(): void {
    try {
      this.#ws.close(WsClose.normal);
    } catch { /* already closing */ }
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(null);
  }
}

/**
 * Opens WebSockets with the `WebSocket` API (a browser's, or Deno's): `dial(host, port)` opens
 * `urlOf(host, port)`, by default `ws://host:port/ws`.
 */
export class WebSocketDialer implements Dialer {
  readonly transport = "ws";
  readonly #urlOf: (hostname: string, port: number) => string;

  constructor(urlOf?: (hostname: string, port: number) => string) {
    this.#urlOf = urlOf ?? ((h, p) => `ws://${h.includes(":") ? `[${h}]` : h}:${p}/ws`);
  }

  /** Resolves once the WebSocket is open; rejects when it fails or does not open in 10 s. */
  dial(hostname: string, port: number): Promise<Conn> {
    const url = this.#urlOf(hostname, port);
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (error) {
        reject(error);
        return;
      }
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`WebSocket did not open within ${OPEN_TIMEOUT_MS / 1000} s: ${url}`));
      }, OPEN_TIMEOUT_MS);
      ws.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(new WebSocketClientConn(ws, { transport: "ws", hostname, port }));
      }, { once: true });
      ws.addEventListener("close", (e) => {
        clearTimeout(timer);
        reject(new Error(`WebSocket refused (code ${(e as CloseEvent).code}): ${url}`));
      }, { once: true });
    });
  }
}
