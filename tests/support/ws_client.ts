/**
 * A test WebSocket client over any stream {@link Conn} (TCP or the in-memory pipe): it writes an
 * upgrade request of the caller's making, reads the answer's head, and then speaks RFC 6455 with
 * masked frames, as a {@link Conn} whose bytes are messages (like the page's). Its raw side stays
 * reachable, so hostile tests can send frames no browser would.
 * @module
 */

import {
  closeCode,
  closePayload,
  encodeWsFrame,
  WsFrameDecoder,
  WsOpcode,
} from "../../lib/net/websocket_frame.ts";
import { ByteQueue } from "../../lib/net/byte_queue.ts";
import { type Conn, type Dialer, type NetAddress, writeAll } from "../../lib/net/transport.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Options of the upgrade request. */
export interface UpgradeOptions {
  readonly path?: string;
  readonly host?: string;
  /** `Origin` header (none when `undefined`). */
  readonly origin?: string;
  /** Extra header lines. */
  readonly headers?: readonly string[];
}

/** The request head a browser sends for `ws://host/path`. */
export function upgradeRequest(opts: UpgradeOptions = {}): string {
  const lines = [
    `GET ${opts.path ?? "/ws"} HTTP/1.1`,
    `Host: ${opts.host ?? "127.0.0.1"}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
  ];
  if (opts.origin !== undefined) lines.push(`Origin: ${opts.origin}`);
  lines.push(...(opts.headers ?? []));
  return lines.join("\r\n") + "\r\n\r\n";
}

/** Reads `conn` until a blank line; returns the head's text and the bytes after it. */
export async function readResponseHead(
  conn: Conn,
  ms = 5000,
): Promise<{ head: string; rest: Uint8Array }> {
  const buf = new Uint8Array(65536);
  let have = new Uint8Array(0);
  const end = performance.now() + ms;
  for (;;) {
    const text = dec.decode(have);
    const at = text.indexOf("\r\n\r\n");
    if (at >= 0) {
      const headBytes = enc.encode(text.slice(0, at + 4)).length;
      return { head: text.slice(0, at + 4), rest: have.slice(headBytes) };
    }
    if (performance.now() > end) throw new Error(`no response head in ${ms} ms: ${text}`);
    const n = await conn.read(buf);
    if (n === null) return { head: text, rest: new Uint8Array(0) };
    const next = new Uint8Array(have.length + n);
    next.set(have);
    next.set(buf.subarray(0, n), have.length);
    have = next;
  }
}

/** A WebSocket client (see the module comment). */
export class TestWebSocket implements Conn {
  readonly path = "stream";
  readonly maxDatagram = Infinity;
  readonly localAddr: NetAddress;
  readonly remoteAddr: NetAddress;
  /** The stream under it: write raw bytes here to misbehave. */
  readonly raw: Conn;
  /** Close frames received: their codes. */
  readonly closeCodes: number[] = [];
  /** Pong payloads received, as text. */
  readonly pongs: string[] = [];
  /** Resolves when the stream under it ends. */
  readonly ended: Promise<void>;
  readonly #decoder = new WsFrameDecoder({ masked: false });
  readonly #queue = new ByteQueue();
  #waiter: (() => void) | undefined;
  #done = false;

  constructor(raw: Conn, early: Uint8Array) {
    this.raw = raw;
    this.localAddr = raw.localAddr;
    this.remoteAddr = raw.remoteAddr;
    this.ended = this.#pump(early);
  }

  async #pump(early: Uint8Array): Promise<void> {
    const sink = {
      data: (piece: Uint8Array) => {
        this.#queue.push(piece.slice());
      },
      control: (opcode: number, payload: Uint8Array) => {
        if (opcode === WsOpcode.close) this.closeCodes.push(closeCode(payload));
        if (opcode === WsOpcode.pong) this.pongs.push(dec.decode(payload));
      },
    };
    const buf = new Uint8Array(65536);
    let chunk: Uint8Array | null = early;
    while (chunk !== null) {
      if (chunk.length > 0 && this.#decoder.push(chunk, sink)) break;
      this.#wake();
      let n: number | null;
      try {
        n = await this.raw.read(buf);
      } catch {
        n = null;
      }
      chunk = n === null ? null : buf.subarray(0, n);
    }
    this.#done = true;
    this.raw.close();
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  async read(buf: Uint8Array): Promise<number | null> {
    while (this.#queue.empty) {
      if (this.#done || this.closeCodes.length > 0) return null;
      await new Promise<void>((r) => this.#waiter = r);
    }
    return this.#queue.take(buf);
  }

  async write(p: Uint8Array): Promise<number> {
    await this.sendFrame(WsOpcode.binary, p);
    return p.length;
  }

  /** Sends one masked frame of `opcode`. */
  async sendFrame(opcode: number, payload: Uint8Array): Promise<void> {
    const mask = crypto.getRandomValues(new Uint8Array(4));
    await writeAll(this.raw, encodeWsFrame(opcode, payload, mask));
  }

  /** Sends a text message. */
  sendText(text: string): Promise<void> {
    return this.sendFrame(WsOpcode.text, enc.encode(text));
  }

  closeWrite(): Promise<void> {
    return this.sendFrame(WsOpcode.close, closePayload(1000)).catch(() => {});
  }

  close(): void {
    this.raw.close();
  }
}

/**
 * Sends the upgrade request on `conn` and reads the answer: the WebSocket when it is `101`, else
 * the answer's head (and the connection is left to the caller).
 */
export async function upgrade(
  conn: Conn,
  opts: UpgradeOptions = {},
): Promise<{ ws?: TestWebSocket; head: string }> {
  await writeAll(conn, enc.encode(upgradeRequest(opts)));
  const { head, rest } = await readResponseHead(conn);
  if (!head.startsWith("HTTP/1.1 101 ")) {
    conn.close();
    return { head };
  }
  const ws = new TestWebSocket(conn, rest);
  OPEN.add(ws);
  ws.ended.then(() => OPEN.delete(ws));
  return { ws, head };
}

/** WebSockets opened by {@link upgrade} and not ended yet. */
const OPEN = new Set<TestWebSocket>();

/** Closes every WebSocket {@link upgrade} opened and waits for them (a test's cleanup). */
export async function closeAllWebSockets(): Promise<void> {
  const all = [...OPEN];
  for (const ws of all) ws.close();
  await Promise.all(all.map((ws) => ws.ended));
}

/** Dials through `inner` and upgrades to a WebSocket at `path` (a dialer for the client core). */
export function wsDialer(inner: Dialer, opts: UpgradeOptions = {}): Dialer {
  return {
    transport: "ws",
    async dial(hostname: string, port: number): Promise<Conn> {
      const conn = await inner.dial(hostname, port);
      const r = await upgrade(conn, { host: `${hostname}:${port}`, ...opts });
      if (!r.ws) {
        conn.close();
        throw new Error(`upgrade refused: ${r.head.split("\r\n")[0]}`);
      }
      return r.ws;
    },
  };
}
